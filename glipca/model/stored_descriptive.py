"""The descriptive words of stories whose posts stay in a count store.

:class:`StoredDescriber` answers what :class:`~glipca.model.descriptive.Describer`
answers, to the bit, without holding the posts near the peaks: it reads the
posts of one peak's window a part at a time
(:meth:`~glipca.counting.storedposts.StoredPosts.scan`) and keeps only what
the descriptive words need, the distinct posts' count and word totals per
period (a resample keeps some periods: its totals are sums of them) and the
words of the distinct posts that hold a story word, the only ones a story
can be told by.  A few windows are kept, the last asked for.  Coherence
counts every post of the window, copies too: it is answered by another
read of the window's parts, for all the words asked about at that peak at
once.  So the memory depends on the posts of one window that hold a story
word, not on the number of posts.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .cooccurrence import npmi, word_set_keys
from .descriptive import Describer

__all__ = ["StoredDescriber"]


@dataclass(frozen=True)
class _Window:
    """The distinct posts of one peak's window, one entry per part read.

    ``periods``, ``n_posts`` and ``totals`` (entries x words): each part's
    series row, distinct posts and how many of them hold each word;
    ``held_periods`` and ``held``: the series row and words of each
    distinct post holding a story word; ``n_read``: the posts read.
    """

    periods: np.ndarray
    n_posts: np.ndarray
    totals: np.ndarray
    held_periods: np.ndarray
    held: sp.csr_matrix
    n_read: int


class StoredDescriber(Describer):
    """Descriptive words of stories, from the posts of a count store.

    Parameters
    ----------
    posts : StoredPosts
        The store's posts.
    rows : array of int
        Row of the series of each period of the counts (-1: outside).
    story : dict
        Column of the counts of each story word (an episode's is its word's).
    vocabulary : sequence of str
        The words of the counts' columns.
    window, min_posts, threshold
        As :class:`~glipca.model.descriptive.Describer`.
    n_windows : int, default 4
        Windows kept, the last asked for.
    """

    def __init__(self, posts, rows, story, vocabulary, *, window, min_posts, threshold,
                 n_windows=4):
        super().__init__(None, posts, vocabulary, window=window, min_posts=min_posts,
                         threshold=threshold)
        self._rows = np.asarray(rows, dtype=np.int64)
        self._story = dict(story)
        self._held_columns = np.unique(np.fromiter(self._story.values(), dtype=np.int64,
                                                   count=len(self._story)))
        self._n_windows = n_windows
        self._windows = OrderedDict()
        self._coherence = {}

    def _periods(self, peak):
        """The counts' periods within ``window`` of series row ``peak``."""
        return np.flatnonzero((np.abs(self._rows - peak) <= self.window) & (self._rows >= 0))

    def _window(self, peak, extra=()):
        """The :class:`_Window` of ``peak``; ``extra`` columns also make a post kept."""
        key = (int(peak), tuple(extra))
        if key in self._windows:
            self._windows.move_to_end(key)
            return self._windows[key]
        held_columns = np.union1d(self._held_columns, np.asarray(extra, dtype=np.int64))
        seen = np.zeros(0, dtype=complex)
        entries, held, n_read = [], [], 0
        for period, matrix in self.posts.scan(self._periods(peak)):
            n_read += matrix.shape[0]
            first, seen = _first_copies(matrix, seen)
            distinct = matrix[first]
            holds = distinct[:, held_columns].getnnz(axis=1) > 0
            entries.append((self._rows[period], first.size,
                            np.asarray(distinct.sum(axis=0, dtype=np.int64)).ravel()))
            held.append((np.full(int(holds.sum()), self._rows[period]), distinct[holds]))
        n_words = len(self.vocabulary)
        window = _Window(
            np.array([e[0] for e in entries], dtype=np.int64),
            np.array([e[1] for e in entries], dtype=np.int64),
            np.array([e[2] for e in entries], dtype=np.int64).reshape(len(entries), n_words),
            np.concatenate([h[0] for h in held] + [np.zeros(0, np.int64)]),
            sp.vstack([h[1] for h in held] + [sp.csr_matrix((0, n_words), dtype=np.int8)]).tocsr(),
            n_read)
        self._windows[key] = window
        while len(self._windows) > self._n_windows:
            self._windows.popitem(last=False)
        return window

    def _tallies(self, trend_words, peak, keep=None):
        """Distinct posts near ``peak`` (of the periods ``keep``), how many hold each
        word, the words of those holding a story word, and which tell the story."""
        if all(w in self._story for w in trend_words):
            columns, extra = [self._story[w] for w in trend_words], ()
        else:
            # As the Describer: the trend words' own columns, whose posts may
            # hold no story word and must be kept too.
            columns = [self.column[w] for w in trend_words if w in self.column]
            extra = tuple(sorted(set(columns) - set(self._held_columns.tolist())))
        window = self._window(peak, extra)
        inside = np.ones(window.periods.size, dtype=bool)
        held_inside = np.ones(window.held_periods.size, dtype=bool)
        if keep is not None:
            inside = np.isin(window.periods, np.asarray(keep))
            held_inside = np.isin(window.held_periods, np.asarray(keep))
        told = held_inside & (window.held[:, columns].getnnz(axis=1) > 0)
        return (int(window.n_posts[inside].sum()), window.totals[inside].sum(axis=0),
                window.held, told)

    def n_told(self, trend_words, peak, keep=None):
        return int(self._tallies(trend_words, peak, keep)[3].sum())

    def words(self, trend_words, peak, n, exclude=(), keep=None):
        if n <= 0:
            return []
        n_posts, totals, held, told = self._tallies(trend_words, peak, keep)
        if not n_posts:
            return []
        both = np.asarray(held[told].sum(axis=0, dtype=np.int64)).ravel()
        return self._ranked(trend_words, both, told.sum(), totals, n_posts, n, exclude)

    def coherence(self, words, peak, top=10):
        return self.coherences([(words, peak)], top)[0]

    def coherences(self, asked, top=10):
        """:meth:`coherence` of each ``(words, peak)`` of ``asked``: one read of
        a peak's window for all the words asked about there."""
        out, todo = [], {}
        for words, peak in asked:
            first = tuple(w for w in list(words)[:top] if w in self.column)
            out.append((first, int(peak)))
            if len(first) >= 2 and (first, int(peak)) not in self._coherence:
                todo.setdefault(int(peak), set()).add(first)
        for peak, lists in todo.items():
            columns = sorted({self.column[w] for first in lists for w in first})
            at = {c: k for k, c in enumerate(columns)}
            counts, n_posts = np.zeros((len(columns), len(columns))), 0
            for _, matrix in self.posts.scan(self._periods(peak)):
                held = matrix[:, columns].astype(np.float64)
                counts += (held.T @ held).toarray()
                n_posts += matrix.shape[0]
            for first in lists:
                where = [at[self.column[w]] for w in first]
                scores = npmi(counts[np.ix_(where, where)], n_posts)
                self._coherence[first, peak] = float(
                    scores[np.triu_indices(len(first), 1)].mean())
        return [self._coherence.get(key, float("nan")) if len(key[0]) >= 2 else float("nan")
                for key in out]


def _first_copies(matrix, seen):
    """Rows of ``matrix`` that are the first of their copies, after the keys ``seen``,
    ascending, and the keys seen after them."""
    keys = word_set_keys(matrix)
    # One complex number per post, as the Describer's.
    key = keys[:, 0] + 1j * keys[:, -1]
    _, first = np.unique(key, return_index=True)
    first = np.sort(first[~np.isin(key[first], seen)])
    return first, np.union1d(seen, key[first])
