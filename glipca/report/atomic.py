"""Writing a folder atomically: it appears complete or not at all.

Files are written into a hidden temporary folder beside the destination,
``.NAME.XXXXXXXX``, and moved into place at the end, so a failed run never
leaves half a folder, and an existing folder is only replaced when the
caller says so.

*Replacing* swaps the two folders in one step where the system can
(``renameat2(RENAME_EXCHANGE)``, Linux 3.15 and later, on local file
systems): at every moment the path holds either the old complete folder or
the new one, never nothing. Only then is the old one removed. Where the swap
is not available, the old folder is renamed aside and the new one renamed
in: two renames, a gap of microseconds.  An existing *empty* folder is
replaced without being asked (only if it is still empty at the end).

The folder is made with the user's umask (0755 under umask 022), as
``mkdir`` makes folders, so that colleagues may read a report on a shared
server; :func:`tempfile.mkdtemp` would make it private (0700).

*Leftovers.* A temporary folder holds a marker file, locked
(``flock``) for as long as its writer runs. A writer killed with SIGKILL
loses its lock with its life, so the next writer into the same parent
recognises the folder as left behind, removes it and says so (a
:class:`LeftoverRemoved` warning); folders still locked belong to a running
writer and are left alone.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import warnings
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no locks, so leftovers are never removed
    fcntl = None

__all__ = ["LeftoverRemoved", "OutputExists", "atomic_dir", "occupied", "remove_leftovers"]

#: Marker file of a folder being written; locked while its writer lives.
MARKER = ".glipca-partial"


class OutputExists(FileExistsError):
    """The output folder exists and overwriting was not asked for."""


class LeftoverRemoved(UserWarning):
    """A temporary folder left by a killed writer was removed."""


def _lock(folder):
    """Mark ``folder`` as being written; returns the open, locked marker (or None).

    The marker is locked under another name and renamed into place, so that
    nobody ever sees an unlocked marker of a live writer.
    """
    if fcntl is None:
        return None
    staging = folder / f"{MARKER}.{os.getpid()}"
    fd = os.open(staging, os.O_CREAT | os.O_WRONLY, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.replace(staging, folder / MARKER)
    return fd


def _abandoned(folder):
    """Whether ``folder`` carries the marker of a writer that is gone."""
    try:
        fd = os.open(folder / MARKER, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # its writer is still running
    finally:
        os.close(fd)
    return True


def remove_leftovers(parent):
    """Remove the temporary folders that killed writers left in ``parent``.

    Returns
    -------
    list of Path
        The folders removed.
    """
    parent = Path(parent)
    if fcntl is None or not parent.is_dir():
        return []
    removed = []
    for entry in sorted(parent.iterdir()):
        if entry.name.startswith(".") and entry.is_dir() and not entry.is_symlink() \
                and _abandoned(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
            warnings.warn(f"removed {entry}: left by an interrupted run", LeftoverRemoved,
                          stacklevel=2)
    return removed


def occupied(out):
    """Whether ``out`` exists and is not an empty folder (replacing it needs force)."""
    out = Path(out)
    if not out.exists():
        return False
    if not out.is_dir() or out.is_symlink():
        return True
    with os.scandir(out) as entries:
        return next(entries, None) is not None


def _new_folder(parent, name):
    """A new hidden folder ``.NAME.XXXXXXXX`` in ``parent``, made with the user's umask."""
    while True:
        path = parent / f".{name}.{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _exchange(a, b):
    """Swap the paths ``a`` and ``b`` in one step; False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without it
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    # Not supported by this kernel or file system: the caller falls back.
    return False


def atomic_dir(out, *, force=False, hint="use --force to replace it"):
    """A context manager giving a temporary folder that replaces ``out`` on success.

    Leftovers of killed writers in ``out``'s parent are removed first (see
    the module's notes).

    Parameters
    ----------
    out : path
    force : bool, default=False
        Replace an existing ``out``; otherwise :class:`OutputExists` is raised.
    hint : str
        How the caller asks for a replacement, for the error message
        (``--force`` on the command line, ``force=True`` in Python).
    """
    return _AtomicDir(Path(out), force=force, hint=hint)


class _AtomicDir:
    def __init__(self, out, force, hint):
        self.out = out
        self.force = force
        self.hint = hint

    def __enter__(self):
        # An empty folder (made beforehand for the results) holds nothing to lose.
        self.empty = self.out.is_dir() and not occupied(self.out)
        if self.out.exists() and not (self.force or self.empty):
            raise OutputExists(f"{self.out}: output folder exists; {self.hint}")
        if self.out.exists() and not self.out.is_dir():
            raise OutputExists(f"{self.out}: exists and is not a folder")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.out.parent)
        self.tmp = _new_folder(self.out.parent, self.out.name)
        self.lock = _lock(self.tmp)
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                return False
            (self.tmp / MARKER).unlink(missing_ok=True)
            old = None
            if self.empty and not self.force:
                self._replace_empty()
            elif self.out.exists() and _exchange(self.tmp, self.out):
                old = self.tmp  # the old folder, now under the temporary name
            else:
                if self.out.exists():
                    old = self.tmp.with_name(self.tmp.name + "-old")
                    os.replace(self.out, old)
                os.replace(self.tmp, self.out)
            if old is not None:
                # Marked, so that the next run removes it if this one is
                # killed before it is gone.
                lock = _lock(old)
                shutil.rmtree(old, ignore_errors=True)
                _release(lock)
        finally:
            _release(self.lock)
        return False

    def _replace_empty(self):
        # rename() replaces an empty folder in one step and refuses one
        # that another writer has filled meanwhile: nothing of theirs is lost.
        try:
            os.rename(self.tmp, self.out)
        except OSError:
            if occupied(self.out):
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise OutputExists(f"{self.out}: output folder was filled meanwhile; "
                                   f"{self.hint}") from None
            os.rmdir(self.out)  # where rename does not replace folders
            os.rename(self.tmp, self.out)


def _release(fd):
    if fd is not None:
        os.close(fd)
