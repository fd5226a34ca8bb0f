"""Post windows read on demand: only the posts near a peak that hold story words.

:class:`NearPostWindows` is a :class:`~glipca.model.cooccurrence.PostWindows`
for posts that stay where they are (a count store's
:class:`~glipca.counting.storedposts.StoredPosts`): each question about a
peak reads the periods within its window that were not read yet, and of
them only the posts holding at least two of the story words (a word and
its episode counting twice, as the columns do), or one for the posts of
lone trend words.  Everything the
co-occurrence test, the labels and the diagnosis ask is answered from
those posts, except what posts holding a single story word add: the
posts per period and each word's posts near the peak (the diagonal of
:meth:`pair_counts`), which come from the word counts.  The answers are
those of a :class:`PostWindows` of every post, to the bit.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .cooccurrence import PostWindows, word_set_keys

__all__ = ["NearPostWindows"]


class NearPostWindows(PostWindows):
    """Post windows of posts read on demand.

    Parameters
    ----------
    posts : StoredPosts or PostWords
        Answers ``near(columns, lo, hi, min_words)`` and ``texts(rows)``.
    counts : WordCounts
        The counts of ``posts`` (rows: the posts' periods).
    rows : array of int
        Row of the series of each period of ``counts`` (-1: outside).
    columns : array of int
        Column of ``counts`` of each word of ``words``.
    words : list of str
    min_words : int, default 2
        Fewest story words (a word and its episode counting twice) a post
        read must hold: 2 for the co-occurrence test and the labels, 1 for
        the posts of a lone trend word.
    """

    def __init__(self, posts, counts, rows, columns, words, min_words=2):
        self._posts, self._counts, self._min_words = posts, counts, min_words
        self._rows = np.asarray(rows, dtype=np.int64)
        self._columns = np.asarray(columns, dtype=np.int64)
        self._loaded = np.zeros(len(self._rows), dtype=bool)
        self._found = []  # (rows of posts, series periods, words' matrix, keys)
        super().__init__(np.zeros(0, np.int64), sp.csc_matrix((0, len(words))), words,
                         texts=self._texts, keys=np.zeros((0, 2)))
        valid = self._rows >= 0
        per_row = np.bincount(self._rows[valid], weights=np.asarray(counts.posts)[valid],
                              minlength=int(self._rows.max(initial=-1)) + 1)
        self.posts_per_period = per_row.astype(np.int64)
        self._order = np.zeros(0, dtype=np.int64)

    def _texts(self, rows):
        return self._posts.texts(self._order[np.asarray(rows, dtype=np.int64)])

    def _load(self, peak, window):
        """Read the periods of the counts within ``window`` of series row ``peak``."""
        self._read((np.abs(self._rows - peak) <= window) & (self._rows >= 0))

    def _read(self, wanted):
        """Read the periods ``wanted`` (a mask of the counts' rows) not read yet."""
        wanted = wanted & ~self._loaded
        if not wanted.any():
            return
        # A period at a time: only the story words of the posts read stay.
        for period in np.flatnonzero(wanted).tolist():
            rows, near = self._posts.near(self._columns, period, period, self._min_words)
            self._found.append((rows, self._rows[near.period], near.words[:, self._columns],
                                word_set_keys(near.words)))
        self._loaded |= wanted
        order = np.concatenate([f[0] for f in self._found])
        by_row = np.argsort(order, kind="stable")
        self._order = order[by_row]
        self.periods = np.concatenate([f[1] for f in self._found])[by_row]
        self.matrix = sp.vstack([f[2] for f in self._found]).tocsr()[by_row].tocsc()
        self.keys = np.concatenate([f[3] for f in self._found])[by_row]

    def load(self, peaks, window):
        """Read the periods within ``window`` of every one of ``peaks`` now: the rows
        :meth:`incidence` returns are numbered afresh when more periods are read."""
        wanted = np.zeros(len(self._rows), dtype=bool)
        for peak in peaks:
            wanted |= (np.abs(self._rows - int(peak)) <= window) & (self._rows >= 0)
        self._read(wanted)

    def incidence(self, words, peak, window):
        self._load(peak, window)
        return super().incidence(words, peak, window)

    def pair_counts(self, words, peak, window):
        """As :meth:`PostWindows.pair_counts`; each word's own posts from the counts."""
        counts = super().pair_counts(words, peak, window)
        near = np.flatnonzero((np.abs(self._rows - peak) <= window) & (self._rows >= 0))
        for i, w in enumerate(words):
            j = self.column.get(w)
            counts[i, i] = 0.0 if j is None else float(
                self._counts.counts[near][:, [self._columns[j]]].sum())
        return counts
