"""The descriptive words of stories whose posts stay in a count store.

:class:`StoredDescriber` answers what :class:`~glipca.model.descriptive.Describer`
answers, to the bit, without holding the posts near the peaks: it reads the
posts of the peaks' windows a part at a time
(:meth:`~glipca.counting.storedposts.StoredPosts.scan`), each part once for
all the peaks asked about together (:meth:`StoredDescriber.prepare`), and
keeps of each window only what the descriptive words need: the words of
the distinct posts that hold a trend word (the only ones a story can be
told by) and, per period, how many distinct posts there are and how many
of them hold each of those words (a resample keeps some periods: its
totals are sums of them).  Coherence counts every post of a window, copies
too: it is answered by another read of the windows' parts, for all the
words asked about at once.  So the memory depends on the posts that hold
a trend word and on one batch of posts read, and the word sets of one
window's posts (to tell copies), not on the number of posts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .cooccurrence import mean_pair_npmi, word_set_keys
from .descriptive import Describer

__all__ = ["StoredDescriber"]


@dataclass(frozen=True)
class _Window:
    """The distinct posts of one peak's window.

    ``periods``, ``n_posts`` and ``totals`` (periods x ``columns``): each
    period's series row, distinct posts and how many of them hold each word
    of ``columns``, those of the posts ``held``; ``held_periods`` and
    ``held``: the series row and words of each distinct post holding a
    trend word.  A word in none of them is in no story post and is never
    scored: its totals are not kept.
    """

    periods: np.ndarray
    n_posts: np.ndarray
    columns: np.ndarray
    totals: np.ndarray
    held_periods: np.ndarray
    held: sp.csr_matrix


class _Copies:
    """When each word set was last seen (a series row), over the periods that matter."""

    def __init__(self):
        self.keys, self.last = np.zeros(0, dtype=complex), np.zeros(0, dtype=np.int64)

    def seen(self, unique, row):
        """When each of the sorted keys ``unique`` was last seen (a very negative
        row if never), then mark them seen at ``row``."""
        at = np.searchsorted(self.keys, unique)
        found = np.zeros(unique.size, dtype=bool)
        inside = at < self.keys.size
        found[inside] = self.keys[at[inside]] == unique[inside]
        last = np.full(unique.size, np.iinfo(np.int64).min)
        last[found] = self.last[at[found]]
        self.last[at[found]] = row
        self.keys = np.insert(self.keys, at[~found], unique[~found])
        self.last = np.insert(self.last, at[~found], row)
        return last

    def forget(self, before):
        """Forget the word sets last seen before series row ``before``."""
        keep = self.last >= before
        if not keep.all():
            self.keys, self.last = self.keys[keep], self.last[keep]


class _Reading:
    """A window being read: its distinct posts, a batch after another."""

    def __init__(self):
        self.periods, self.held = {}, []

    def add(self, row, distinct, held_columns):
        """Add the distinct posts (their words) of a batch of series row ``row``."""
        holds = distinct[:, held_columns].getnnz(axis=1) > 0
        n, totals = self.periods.get(row, (0, 0))
        self.periods[row] = (n + distinct.shape[0],
                             totals + np.asarray(distinct.sum(axis=0, dtype=np.int64)).ravel())
        self.held.append((np.full(int(holds.sum()), row, dtype=np.int64), distinct[holds]))

    def window(self, n_words):
        """The :class:`_Window` read."""
        rows = sorted(self.periods)
        held = sp.vstack([h[1] for h in self.held]
                         + [sp.csr_matrix((0, n_words), dtype=np.int8)]).tocsr()
        columns = np.unique(held.indices).astype(np.int64)
        totals = np.zeros((len(rows), columns.size), dtype=np.int64)
        for i, r in enumerate(rows):
            totals[i] = np.asarray(self.periods[r][1])[columns] if columns.size else 0
        return _Window(np.array(rows, dtype=np.int64),
                       np.array([self.periods[r][0] for r in rows], dtype=np.int64),
                       columns, totals,
                       np.concatenate([h[0] for h in self.held] + [np.zeros(0, np.int64)]), held)


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
    held : array of int
        Columns of the counts of the trend words that will be asked about:
        the words of the posts holding one are kept.  Posts holding another
        word asked about are read again.
    vocabulary : sequence of str
        The words of the counts' columns.
    window, min_posts, threshold
        As :class:`~glipca.model.descriptive.Describer`.
    """

    def __init__(self, posts, rows, story, held, vocabulary, *, window, min_posts, threshold):
        super().__init__(None, posts, vocabulary, window=window, min_posts=min_posts,
                         threshold=threshold)
        self._rows = np.asarray(rows, dtype=np.int64)
        self._story = dict(story)
        self._held = np.unique(np.asarray(held, dtype=np.int64))
        self._windows, self._coherence = {}, {}

    def _periods(self, peak):
        """The counts' periods within ``window`` of series row ``peak``."""
        return np.flatnonzero((np.abs(self._rows - peak) <= self.window) & (self._rows >= 0))

    def _scan(self, peaks):
        """``(period, batches of words, peaks)`` of each part within ``window`` of some
        of ``peaks``, read once."""
        wanted = np.unique(np.concatenate([self._periods(p) for p in peaks] + [np.zeros(0, int)]))
        for period, matrix in self.posts.scan(wanted):
            row = self._rows[period]
            yield period, matrix, [p for p in peaks if abs(row - p) <= self.window]

    def prepare(self, peaks):
        """Read the windows of ``peaks`` now, each part once for all of them."""
        peaks = sorted({int(p) for p in peaks} - {p for p, extra in self._windows if not extra})
        self._windows.update(((p, ()), w) for p, w in self._read(peaks, ()).items())

    def _read(self, peaks, extra):
        """The :class:`_Window` of each of ``peaks``; ``extra`` columns are kept too."""
        if len(peaks) > 1 and not self._in_order():
            # Copies are told by when each was last seen: a pass per peak.
            return {p: w for q in peaks for p, w in self._read([q], extra).items()}
        held = np.union1d(self._held, np.asarray(extra, dtype=np.int64))
        reading, copies, row = {p: _Reading() for p in peaks}, _Copies(), None
        done = {}
        for period, batches, within in self._scan(peaks):
            if self._rows[period] != row:
                row = self._rows[period]
                # No window still to read begins before this: older copies are no copies.
                copies.forget(min(p for p in peaks if p + self.window >= row) - self.window)
                for p in [p for p in reading if p + self.window < row]:
                    done[p] = reading.pop(p).window(len(self.vocabulary))
            for matrix in batches:
                keys = word_set_keys(matrix)
                # One complex number per post, as the Describer's.
                unique, first = np.unique(keys[:, 0] + 1j * keys[:, -1], return_index=True)
                last = copies.seen(unique, row)
                for p in within:
                    # The first of each copy in the window: not seen since it began.
                    distinct = np.sort(first[last < p - self.window])
                    reading[p].add(row, matrix[distinct], held)
        done.update((p, r.window(len(self.vocabulary))) for p, r in reading.items())
        return done

    def _in_order(self):
        """Whether the parts are read in the order of their series rows."""
        periods = self.posts.part_periods()
        rows = self._rows[periods[periods >= 0]]
        rows = rows[rows >= 0]
        return bool(np.all(np.diff(rows) >= 0))

    def _window(self, peak, extra=()):
        """The :class:`_Window` of ``peak``; posts holding ``extra`` columns kept too."""
        key = (int(peak), tuple(extra))
        if key not in self._windows:
            self._windows[key] = self._read([int(peak)], extra)[int(peak)]
        return self._windows[key]

    def _tallies(self, trend_words, peak, keep=None):
        """Distinct posts near ``peak`` (of the periods ``keep``), how many hold each
        word, the words of those holding a trend word, and which tell the story."""
        if all(w in self._story for w in trend_words):
            columns = [self._story[w] for w in trend_words]
        else:
            # As the Describer: the trend words' own columns.
            columns = [self.column[w] for w in trend_words if w in self.column]
        # Posts holding a word not asked about before are read again.
        extra = tuple(sorted(set(columns) - set(self._held.tolist())))
        window = self._window(peak, extra)
        inside = np.ones(window.periods.size, dtype=bool)
        held_inside = np.ones(window.held_periods.size, dtype=bool)
        if keep is not None:
            inside = np.isin(window.periods, np.asarray(keep))
            held_inside = np.isin(window.held_periods, np.asarray(keep))
        told = held_inside & (window.held[:, columns].getnnz(axis=1) > 0)
        totals = np.zeros(len(self.vocabulary), dtype=np.int64)
        totals[window.columns] = window.totals[inside].sum(axis=0)
        return int(window.n_posts[inside].sum()), totals, window.held, told

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
        """:meth:`coherence` of each ``(words, peak)`` of ``asked``, from one read
        of the parts of their windows."""
        out, todo = [], {}
        for words, peak in asked:
            first = tuple(w for w in list(words)[:top] if w in self.column)
            out.append((first, int(peak)))
            if len(first) >= 2 and (first, int(peak)) not in self._coherence:
                todo.setdefault(int(peak), set()).add(first)
        if todo:
            self._count_pairs(todo)
        return [self._coherence.get(key, float("nan")) if len(key[0]) >= 2 else float("nan")
                for key in out]

    def _count_pairs(self, todo):
        """The coherence of the words ``todo[peak]`` (tuples of words) near each peak."""
        peaks = sorted(todo)
        columns = {p: sorted({self.column[w] for first in todo[p] for w in first}) for p in peaks}
        counts = {p: np.zeros((len(columns[p]), len(columns[p]))) for p in peaks}
        n_posts = dict.fromkeys(peaks, 0)
        for _, batches, within in self._scan(peaks):
            for matrix, p in ((m, p) for m in batches for p in within):
                held = matrix[:, columns[p]].astype(np.float64)
                counts[p] += (held.T @ held).toarray()
                n_posts[p] += matrix.shape[0]
        for p in peaks:
            at = {c: k for k, c in enumerate(columns[p])}
            for first in todo[p]:
                where = [at[self.column[w]] for w in first]
                self._coherence[first, p] = mean_pair_npmi(counts[p][np.ix_(where, where)],
                                                           n_posts[p])
