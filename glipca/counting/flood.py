"""Counting a flood of words that never repeat, in bounded memory.

A counting pass holds every distinct word it meets, about 250 bytes each
in Python: a spam or hash flood of millions of words that never repeat
fills memory with words that no analysis keeps.  When an analysis will drop
the words in fewer than ``min_count`` posts, a pass that meets more than
:data:`FLOOD_WORDS` words stops, and the input is counted again in two
passes:

1. each word's posts are counted by a 64-bit hash of the word, 16 bytes a
   distinct word in numpy arrays (no Python object per word);
2. the counting pass proper keeps only the words whose hash is in at least
   ``min_count`` posts.

The rule is exact: words that share a hash add up their posts, so a hash's
count is never below the count of any word with that hash, and no word in
``min_count`` posts or more is left out.  The few rare words that share a
hash with a frequent one are kept, and the analysis's own filter drops them.
"""

from __future__ import annotations

import numpy as np

from .chunks import work
from .counts import _tasks
from .parallel import map_tasks
from .periods import Periods, zone as _zone

__all__ = ["FLOOD_WORDS", "frequent_words"]

#: Distinct words a counting pass may hold before it switches to two passes
#: (about 500 MB of words and their ids).
FLOOD_WORDS = 2_000_000

_FOLD = 1 << 22  # hashes held before they are folded into the table


def frequent_words(posts, tokenizer, min_count, *, freq="D", tz="UTC", jobs=1):
    """Count ``posts`` by word hash; return a ``keep(words)`` filter.

    Parameters
    ----------
    posts : iterable of Post or LineBatch
        As :func:`glipca.counting.counts.count_words` takes them.
    min_count : int
        Words whose hash is in fewer posts than this are not kept.

    Returns
    -------
    keep : callable
        ``keep(words) -> bool array``: which of ``words`` may be in
        ``min_count`` posts or more.
    n_hashes : int
        Distinct word hashes met (about the distinct words).
    """
    periods = Periods(freq, _zone(tz))
    table = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    held, n_held = [], 0
    for result in map_tasks(work, (tokenizer, periods, False, False),
                            _tasks(posts, periods.key, periods.zone, False, False), jobs):
        if result.error is not None:
            raise result.error
        ids = np.frombuffer(result.ids, dtype=np.int32)
        held.append((_hashes(result.words), np.bincount(ids, minlength=len(result.words))))
        n_held += len(result.words)
        if n_held >= _FOLD:
            table, held, n_held = _fold(table, held), [], 0
    table = _fold(table, held)
    frequent = table[0][table[1] >= min_count]  # sorted, as np.unique gives them

    def keep(words):
        h = _hashes(words)
        at = np.minimum(np.searchsorted(frequent, h), max(len(frequent) - 1, 0))
        return frequent[at] == h if len(frequent) else np.zeros(len(h), dtype=bool)

    return keep, len(table[0])


def _hashes(words):
    # Python's string hash: 64 bits, the same for a word within a process,
    # which is where both passes run.
    return np.fromiter(map(hash, words), dtype=np.int64, count=len(words))


def _fold(table, held):
    """The (sorted hashes, posts) table with the pairs ``held`` added in."""
    if not held:
        return table
    h = np.concatenate([table[0], *(a for a, _ in held)])
    c = np.concatenate([table[1], *(b for _, b in held)])
    unique, inverse = np.unique(h, return_inverse=True)
    return unique, np.bincount(inverse.ravel(), weights=c, minlength=len(unique)).astype(np.int64)
