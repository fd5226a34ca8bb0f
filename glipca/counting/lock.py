"""One writer at a time: an exclusive lock on a file in a count store.

An append holds ``store.lock`` locked (``fcntl.lockf``, a POSIX record
lock, which NFS carries to the server through its lock manager) for its
whole transaction: reading the manifest, writing parts and vocabulary,
replacing the manifest.  While it holds the lock, the file names the holder
(process, host, start); the holder empties it when it is done.

The system releases the lock of a process that dies, however it dies, so a
killed append never blocks the next one.  A record left in the file then
tells the next holder that an append died half way: it takes over, says so,
and discards what the dead append wrote (the manifest never named it).

POSIX locks belong to a process, not to an open file: two threads of one
process would both get it.  A lock per store path inside the process keeps
them apart too.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None

__all__ = ["LOCK_FILE", "StoreBusy", "LocksNotHonoured", "store_lock", "holder_line"]

LOCK_FILE = "store.lock"
_DYING = 5.0  # seconds a process that let go of its lock may take to be seen dead

_in_process = {}
_in_process_guard = threading.Lock()


class StoreBusy(ValueError):
    """Another append holds the store and waiting was not asked for."""


class LocksNotHonoured(OSError):
    """The file system granted a lock that a live process holds."""


def holder_line(holder) -> str:
    """``process 123 on host h (since 2024-01-01 12:00:00)``."""
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(holder.get("since", 0)))
    return f"process {holder.get('pid', '?')} on host {holder.get('host', '?')} (since {since})"


@contextlib.contextmanager
def store_lock(folder, *, wait=True, notify=None):
    """Hold the store ``folder``'s write lock.

    Parameters
    ----------
    folder : path
        The store (created if absent).
    wait : bool, default True
        Wait for another holder to finish; otherwise raise :class:`StoreBusy`.
    notify : callable, optional
        ``notify(message)`` is told when the lock is waited for and when
        the lock of a dead append is taken over.

    Yields
    ------
    dict or None
        The record of an append that died holding the lock, or None.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    notify = notify or (lambda message: None)
    guard = _thread_lock(path)
    if not guard.acquire(blocking=False):
        if not wait:
            raise StoreBusy(f"{folder}: another append of this process holds the store")
        guard.acquire()
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _acquire(fd, folder, wait, notify)
            dead = _read(fd)
            if dead:
                _check_dead(dead, folder)
                notify(f"took over the lock of {folder} from {holder_line(dead)}, whose append "
                       "did not finish; what it wrote is discarded")
            _write(fd, {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(),
                        "start": _start_ticks(os.getpid())})
            try:
                yield dead
            finally:
                # Emptied whenever this process lives to see the end, error or
                # not: a record left behind means its writer died.
                _write(fd, None)
        finally:
            os.close(fd)  # releases the lock
    finally:
        guard.release()


def _thread_lock(path):
    key = os.path.realpath(path)
    with _in_process_guard:
        return _in_process.setdefault(key, threading.Lock())


def _acquire(fd, folder, wait, notify):
    if fcntl is None:
        return  # no locks here: the manifest's generation check still refuses a lost race
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except OSError:
        pass
    holder = _read(fd) or {}
    if not wait:
        raise StoreBusy(f"{folder}: another append holds the store ({holder_line(holder)}); "
                        "try again later, or leave out --no-wait to wait for it")
    notify(f"waiting for the append of {holder_line(holder)} to finish with {folder}")
    fcntl.lockf(fd, fcntl.LOCK_EX)


def _check_dead(record, folder):
    """Refuse to go on when the 'dead' holder is alive on this host: locks do
    not work on this file system (an NFS mount with ``nolock``, say)."""
    if record.get("host") != socket.gethostname() or record.get("pid") == os.getpid():
        return
    # A killed process lets go of its locks a moment before it is seen to
    # be dead: give it that moment before concluding that locks fail here.
    deadline = time.monotonic() + _DYING
    while _alive(record.get("pid"), record.get("start")):
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
    else:
        return  # it died holding the lock
    raise LocksNotHonoured(f"{folder}: the file system granted the store's lock while "
                           f"{holder_line(record)} holds it; locks do not work here "
                           "(docs/scaling.md), so appends cannot share this store safely")


def _alive(pid, start):
    """Whether process ``pid``, started at ``start`` (ticks, or None), runs."""
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return True  # no /proc: the signal test is all there is
    # A zombie is dead, only not yet reaped by its parent; another start
    # time means the number was given to another process since.
    return fields[0] != b"Z" and (start is None or int(fields[19]) == start)


def _start_ticks(pid):
    """When process ``pid`` started (Linux clock ticks since boot), or None."""
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as fh:
            return int(fh.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _read(fd):
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 4096)
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return {"pid": "?", "host": "?"}  # a record cut short: its writer died writing it


def _write(fd, record):
    os.ftruncate(fd, 0)
    if record is not None:
        os.pwrite(fd, json.dumps(record).encode(), 0)
    os.fsync(fd)
