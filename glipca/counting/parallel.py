"""Run tasks in order, in this process or in a pool of worker processes.

Results come back in submission order and at most ``2 * jobs`` tasks are in
flight, so memory does not grow with the input and the caller sees the same
sequence of results for any number of jobs.

Workers start as forks of a server process (the ``forkserver`` start
method, where the platform has it; ``spawn`` elsewhere), which is safe
whatever threads the parent runs.  The server is started once per process.
Started by :func:`start_worker_server`, it imports the modules whose
functions run as tasks (:data:`WORKER_MODULES`), so a pool starts in a
fraction of a second, not as fresh interpreters that each import scipy,
scikit-learn or matplotlib again (about 2 s of CPU per worker): an analysis
starts pools for counting, stability resamples and figures.  Started by a
pool (``glipca count``), it imports only that pool's module.  The state
the tasks share (a tokeniser, for instance) is sent to
each worker once, pickled.

Workers started so run the calling script's top level again.  A script
that calls glipca there, with no ``if __name__ == "__main__":`` block
around the call, would start the analysis again in every worker: for such
a script the workers are forks of this process (``fork``, on Linux, where
nothing is run again), and elsewhere the tasks run in this process.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import functools
import importlib
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import warnings

__all__ = ["available_cores", "map_tasks", "start_worker_server"]

#: A pool is started only for more than this many tasks: for fewer,
#: starting the workers costs more than it saves.
MIN_TASKS_FOR_POOL = 8
#: Imported once by the server that workers are forked from.
WORKER_MODULES = (
    "glipca.counting.chunks", "glipca.tokens", "glipca.model.stability",
    "glipca.report.figures", "glipca.report.cluster_figure",
)


def _context(preload=WORKER_MODULES):
    """How workers start; None when they cannot start safely (tasks then run here)."""
    if _script_runs_again():
        if sys.platform.startswith("linux"):
            return multiprocessing.get_context("fork")
        return None
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Only read when the server starts: by start_worker_server, all the
    # modules; by a pool, only its own (a counting pool would otherwise wait
    # 1.5 s of CPU for scikit-learn and matplotlib before its first task).
    # The main script too: each worker would otherwise run its imports
    # again (glipca.cli for the console script, 0.1 s a worker). It has a
    # main guard here, or the workers would be forks (above).
    context.set_forkserver_preload(["__main__", *preload])
    return context


def _script_runs_again():
    """Whether this call comes from the top level of the main script, outside
    an ``if __name__ == "__main__":`` block: workers that import the script
    would then make the same call."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:  # an interactive session, a notebook, python -c
        return False
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "<module>" and frame.f_globals is vars(main):
            return not any(a <= frame.f_lineno <= b for a, b in _main_blocks(path))
        frame = frame.f_back
    return False


@functools.lru_cache(maxsize=8)
def _main_blocks(path):
    """``(first, last)`` lines of the ``if __name__ == "__main__":`` blocks of a script."""
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return ()
    return tuple((node.lineno, node.end_lineno) for node in tree.body
                 if isinstance(node, ast.If) and _is_main_test(node.test))


def _is_main_test(test):
    """Whether ``test`` is ``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    values = [s.value for s in sides if isinstance(s, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]


def start_worker_server(modules=WORKER_MODULES):
    """Start the server that workers are forked from, without waiting for it.

    Its start and its imports of ``modules`` (about 2 s of CPU for all of
    :data:`WORKER_MODULES`) then run beside this process's work instead of
    delaying the first pool. Nothing happens where workers are spawned or
    forked from this process, or when the server runs already.
    """
    context = _context(preload=modules)
    if context is not None and context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_STATE = None
_WORK = None


def _init_worker(work, state, owner):
    global _STATE, _WORK
    _WORK, _STATE = work, state
    # Ctrl-C reaches the whole process group: the parent handles it and
    # stops the pool, so that workers do not each print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_owner, args=(owner, os.getppid()), daemon=True).start()


def _exit_with_owner(owner, parent):
    # A process killed with SIGKILL tells its workers nothing, and an idle
    # worker would wait for tasks for ever: it exits once the process that
    # started the pool is gone. A spawned worker sees that as a new parent;
    # a forked one's parent is the fork server, which every worker keeps
    # alive, so it looks for the owner itself.
    while os.getppid() == parent and _exists(owner):
        time.sleep(0.5)
    os._exit(1)


def _exists(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, as another user
        pass
    return True


def _run(task):
    return _WORK(_STATE, task)


def map_tasks(work, state, tasks, jobs=1, after=()):
    """Yield ``work(state, task)`` for each task, in order.

    Parameters
    ----------
    work : callable
        A module-level function (workers import it by name).
    state : object
        Passed to every call; must be picklable when ``jobs > 1``.
    tasks : iterable
        Consumed lazily, at most ``2 * jobs`` ahead of the results.
    jobs : int, default 1
        Worker processes; 1 runs every task in this process.
    after : tuple of str, optional
        Modules the caller needs once the results are in.  With a pool,
        they are imported in a thread while the workers work, since this
        process mostly waits for them; imported after the pool, they would
        keep a core idle.

    Raises
    ------
    TypeError
        If ``jobs > 1`` and ``state`` cannot be pickled.
    """
    jobs = int(jobs)
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    tasks = iter(tasks)
    context = _context(preload=[work.__module__]) if jobs > 1 else None
    if jobs > 1:
        head = list(itertools.islice(tasks, MIN_TASKS_FOR_POOL + 1))
        if len(head) <= MIN_TASKS_FOR_POOL or context is None:
            jobs = 1
        tasks = itertools.chain(head, tasks)
    if jobs == 1:
        for task in tasks:
            yield work(state, task)
        return
    try:
        pickle.dumps(state)
    except Exception as exc:
        raise TypeError(f"jobs > 1 needs picklable task state, such as the tokenizer ({exc})") from None
    yield from _pooled(work, state, tasks, jobs, context, after)


def _pooled(work, state, tasks, jobs, context, after):
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_init_worker,
        initargs=(work, state, os.getpid()),
    )
    pending = collections.deque()  # (task, future), oldest first
    broken = False
    importing = None
    try:
        for task in tasks:
            if broken:
                pending.append((task, None))
            else:
                pending.append((task, pool.submit(_run, task)))
                if after and context.get_start_method() != "fork":
                    # Not beside forked workers: a fork taken while the
                    # thread holds an import lock would hold it for ever.
                    importing, after = _import_beside(after), ()
            # Two tasks per worker keep every worker busy while this
            # process prepares the next one, and bound what is in flight.
            while len(pending) >= (1 if broken else 2 * jobs):
                result, broken = _next(pending, work, state, broken, BrokenProcessPool)
                yield result
        while pending:
            result, broken = _next(pending, work, state, broken, BrokenProcessPool)
            yield result
        if importing is not None:
            importing.join()
    finally:
        # Also on an error or an abandoned generator: queued tasks are
        # dropped and workers stop.
        pool.shutdown(wait=True, cancel_futures=True)


def _import_beside(modules):
    """Import ``modules`` in a daemon thread, returned; an import that fails is
    left to the caller's own import, which then raises."""

    def run():
        for name in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=run, name="glipca-imports", daemon=True)
    thread.start()
    return thread


def _next(pending, work, state, broken, broken_error):
    """Result of the oldest pending task; run here if the pool is broken."""
    task, future = pending.popleft()
    if future is not None and not broken:
        try:
            return future.result(), False
        except broken_error:
            # Workers died before they could work: typically a script
            # without an ``if __name__ == "__main__":`` guard, which every
            # spawned worker re-runs.  The tasks are still all here.
            warnings.warn(
                "worker processes could not start (does the calling script lack an "
                "'if __name__ == \"__main__\":' guard?); counting in this process instead",
                RuntimeWarning, stacklevel=4,
            )
    return work(state, task), True
