"""Progress bars and stage times, shared by every stage.

A stage that can take more than a second or two takes a ``progress`` flag and
opens its bar with :func:`progress_bar`; it never looks at the command line.
The flag asks for progress; a bar is drawn only where someone watches it,
following tqdm's convention: on a terminal (so CI logs and redirected
output stay clean), or in a notebook that passed ``progress=True`` (the
library's default is False). The command line asks unless ``--quiet``.

:class:`StageTimes` records each stage's wall time. The times are printed by
the command line and kept on the analysis result, never written to
``clusters.json``, which must be the same bytes for the same input.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from contextlib import contextmanager

__all__ = ["progress_bar", "watched", "StageTimes"]

#: Seconds between redraws: often enough to look alive, rarely enough to
#: cost nothing.
REFRESH = 0.5


def watched(stream=None):
    """Whether a bar on ``stream`` (default stderr) would be seen: a terminal or a notebook."""
    stream = sys.stderr if stream is None else stream
    # Jupyter's streams are not terminals but show carriage returns as one
    # redrawn line.
    if type(stream).__module__.startswith("ipykernel"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class _Silent:
    """Stands in for a bar when none is wanted; every call does nothing."""

    n = 0

    def update(self, n=1):
        pass

    def set_description(self, desc=None, refresh=True):
        pass

    def set_description_str(self, desc=None, refresh=True):
        pass

    def set_postfix(self, *args, **kwargs):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def progress_bar(progress, *, desc, total=None, unit="it"):
    """A tqdm bar on stderr when ``progress`` is true, else a silent stand-in.

    Parameters
    ----------
    progress : bool
        Whether the caller asks for progress; a bar is drawn only when
        stderr is :func:`watched`.
    desc : str
        Name of the stage, shown first.
    total : int, optional
        Number of steps, when known (a bar with a rate and time left);
        otherwise a counter with a rate.
    unit : str, default "it"
        What a step is, e.g. " posts" or " resamples".

    Returns
    -------
    tqdm or a silent object with the same ``update``, ``set_description``,
    ``set_description_str``, ``set_postfix``, ``close`` and context-manager
    methods.  (``set_description`` appends ": " to the name, which a bar
    without a total then shows twice: rename a stage with
    ``set_description_str``.)
    """
    if not (progress and watched(sys.stderr)):
        return _Silent()
    from tqdm import tqdm

    size = _size(sys.stderr)
    # The bar is removed when its stage ends: the command line prints each
    # stage's time in its summary instead.
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, mininterval=REFRESH,
                leave=False, dynamic_ncols=size is None,
                ncols=size and size.columns, nrows=size and size.lines)


def _size(stream):
    """None to follow the terminal's size; a size where it reports none."""
    try:
        size = os.get_terminal_size(stream.fileno())
        if size.columns > 0 and size.lines > 0:
            return None
    except (AttributeError, ValueError, OSError):  # not a file, or not a terminal
        pass
    # A terminal that reports 0 x 0 (some pseudo-terminals) would get no
    # bar at all: $COLUMNS and $LINES, else 80 x 24.
    return shutil.get_terminal_size()


class StageTimes:
    """Wall time of named stages, in the order they first ran.

    Examples
    --------
    >>> times = StageTimes()
    >>> with times("model"):
    ...     pass
    >>> list(times.seconds)
    ['model']
    """

    def __init__(self, seconds=None):
        self.seconds = dict(seconds or {})

    @contextmanager
    def __call__(self, stage):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

    def total(self):
        return sum(self.seconds.values())

    def line(self):
        """``T s (stage t, stage t, ...)``, as the command line prints it."""
        parts = ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items())
        return f"{self.total():.1f} s ({parts})"
