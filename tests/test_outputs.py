"""Outputs that survive kills and replacement: leftovers, --force, worker processes.

Each test runs a real process and kills it with SIGKILL, or reads a folder
from another process while it is replaced.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from glipca.report import atomic
from glipca.report.atomic import LeftoverRemoved, atomic_dir

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(atomic.fcntl is None or not Path("/proc").is_dir(),
                                reason="needs POSIX locks and /proc (Linux)")


def _python(script, *args):
    """Start ``script`` in a fresh interpreter with this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)


WRITER = """
    import sys, time
    from glipca.report.atomic import atomic_dir

    with atomic_dir(sys.argv[1]) as tmp:
        (tmp / "clusters.json").write_text("{}")
        print(tmp, flush=True)
        time.sleep(120)
"""


def test_a_killed_writer_leaves_a_folder_that_the_next_run_removes(tmp_path):
    writer = _python(WRITER, tmp_path / "out")
    tmp = Path(writer.stdout.readline().strip())
    try:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.")
        # While its writer runs, the folder is not a leftover.
        with atomic_dir(tmp_path / "other") as mine:
            (mine / "a").write_text("a")
        assert tmp.exists() and (tmp_path / "other" / "a").exists()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert tmp.exists() and not (tmp_path / "out").exists()
    (tmp_path / ".mine").mkdir()  # a hidden folder of someone else's
    with pytest.warns(LeftoverRemoved, match="interrupted run"):
        with atomic_dir(tmp_path / "out") as new:
            (new / "clusters.json").write_text("{}")
    assert not tmp.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mine", "other", "out"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["clusters.json"]


READER = """
    import os, sys
    from pathlib import Path

    out, stop = Path(sys.argv[1]), Path(sys.argv[2])
    path = str(out / "clusters.json")
    missing = reads = 0
    print("ready", flush=True)
    while not stop.exists():
        for _ in range(100):
            try:
                os.stat(path)
                reads += 1
            except FileNotFoundError:
                missing += 1
    print(missing, reads, flush=True)
"""


def _replace_while_read(tmp_path, times):
    out, stop = tmp_path / "out", tmp_path / "stop"
    with atomic_dir(out) as tmp:
        (tmp / "clusters.json").write_text("0")
    reader = _python(READER, out, stop)
    assert reader.stdout.readline().strip() == "ready"
    for k in range(1, times + 1):
        with atomic_dir(out, force=True) as tmp:
            (tmp / "clusters.json").write_text(str(k))
            (tmp / "series.csv").write_text("x" * 10000)
    stop.touch()
    missing, reads = reader.stdout.readline().split()
    reader.wait()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert (out / "clusters.json").read_text() == str(times)
    return int(missing), int(reads)


def test_force_replaces_a_folder_without_a_moment_when_it_is_missing(tmp_path):
    missing, reads = _replace_while_read(tmp_path, 200)
    assert reads > 0 and missing == 0


def test_force_still_replaces_where_folders_cannot_be_swapped(tmp_path, monkeypatch):
    # Renaming aside, then in: correct, with a short gap (docs/report.md).
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    _replace_while_read(tmp_path, 20)


POOL = """
    from glipca.counting.parallel import map_tasks
    from tests.test_outputs import slow_pid

    if __name__ == "__main__":
        for pid in map_tasks(slow_pid, None, range(1000), jobs=2):
            print(pid, flush=True)
"""


def slow_pid(state, task):
    """A task for worker processes: its process id, after a while."""
    time.sleep(0.05)
    return os.getpid()


def _descendants(pid):
    parent = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(stat.parent.name)] = int(fields[1])
    out, level = [], [pid]
    while level:
        level = [p for p, pp in parent.items() if pp in level]
        out += level
    return out


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_worker_processes_exit_when_their_parent_is_killed():
    parent = _python(POOL)
    pids = {int(parent.stdout.readline()) for _ in range(20)}
    children = _descendants(parent.pid)
    # Two workers (forked from multiprocessing's fork server, beside its
    # resource tracker).
    assert pids <= set(children) and len(pids) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)]
