"""The counting stage: any source of posts to word counts with their posts.

:func:`count_posts` takes post files, a table of posts, a count store or
counts made already, and returns the one value the later stages read: a
:class:`~glipca.counting.prepare.PreparedCounts`.
"""

from __future__ import annotations

import dataclasses

from .options import DEFAULT_JOBS, CountOptions
from .prepare import PreparedCounts, prepare_counts
from .store import CountStore

__all__ = ["count_posts"]

#: Options that may still change on counts made already: the window.
_WINDOW = ("since", "until", "last")


def count_posts(source, options=None, *, jobs=DEFAULT_JOBS, cache=None, progress=False,
                min_count=1):
    """Word counts per period, with each post's words, of ``source``.

    Parameters
    ----------
    source : path, list of paths, DataFrame, CountStore or PreparedCounts
        Post files (JSON Lines, JSON, CSV/TSV, optionally gzip'd), a table
        of posts, a count store (no input file is read; its window gives
        the same results as the input files appended to it), or counts
        made already (only the window of ``options`` then applies).
    options : CountOptions, optional
    jobs : int or None, default all cores
        Tokenising processes.
    cache : bool or path, optional
        Word-count cache, see :func:`~glipca.counting.prepare.prepare_counts`.
    progress : bool, default False
        Progress bar on a terminal.
    min_count : int, default 1
        The analysis drops words in fewer posts than this: a flood of words
        that never repeat may leave them out while counting
        (:func:`~glipca.counting.prepare.prepare_counts`).

    Returns
    -------
    PreparedCounts
    """
    options = options if options is not None else CountOptions()
    if isinstance(source, CountStore):
        return source.read_for(options)
    if isinstance(source, PreparedCounts):
        given = {k: getattr(options, k) for k in _WINDOW if getattr(options, k) is not None}
        if dataclasses.replace(options, since=None, until=None, last=None) != CountOptions():
            raise ValueError("the posts are counted already: only since, until and last "
                             "can change")
        if not given:
            return source
        return dataclasses.replace(source, window=tuple(given.get(k) for k in _WINDOW))
    return prepare_counts(source, options, jobs=jobs, cache=cache, progress=progress,
                          min_count=min_count)
