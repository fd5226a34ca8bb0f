"""The posts of a count store, read on demand: only those an analysis asks for.

:class:`StoredPosts` stands where :class:`~glipca.counting.postwords.PostWords`
stands in an analysis of a store: it holds no post, only where the posts of
each period are (the store's parts), and answers the two questions the
analysis asks of posts with reads of the parts concerned:

* :meth:`StoredPosts.near`: the posts of some periods holding at least
  ``min_words`` of some words.  Only the parts of those periods are opened
  (a part holds one period), and of them only the ``words`` column, then
  the ids and times of the posts kept: texts are not read.
* :meth:`StoredPosts.texts`: the texts of some posts, a row group at a time.

So what stays in memory depends on the posts near the peaks asked about,
not on the number of posts in the store.  :class:`PostWords` answers the
same two questions, so the analysis reads both alike.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .integrity import check_part
from .postwords import POSTS_FILE, PostWords, _read_texts, open_posts

__all__ = ["StoredPosts", "stacked_posts", "word_batches", "release_arrow_memory"]

#: Posts read from a part at a time: the words of a big period's part are
#: never held whole (about 2 MB of word numbers per batch).
READ_BATCH = 65536


def word_batches(path, batch=READ_BATCH):
    """(offsets, store word numbers as int64) of the posts in a part's posts
    file ``path``, ``batch`` posts at a time: a part of a big period is
    never held whole."""
    try:
        with open_posts(path) as pf:
            for words in pf.iter_batches(batch_size=batch, columns=["words"], use_threads=False):
                words = words.column(0)
                offsets = words.offsets.to_numpy().astype(np.int64)
                offsets -= offsets[0]
                yield offsets, words.flatten().to_numpy().astype(np.int64)
    finally:
        release_arrow_memory()


def release_arrow_memory():
    """Give the memory Arrow freed back to the system.

    Arrow's allocator keeps what it freed for reuse: part after part, the
    pages of the largest parts read would stay in the process, and its
    peak would grow with the posts of a period instead of staying that of
    one batch. The allocator is left as it is; only its free pages go.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


class StoredPosts:
    """The posts of a store's window, left in the store until asked for.

    Parameters
    ----------
    folder : Path
        The store.
    parts : list of (key, name, n_posts, check)
        The parts of the window, in the order of the posts' rows: period
        keys ascending, parts in the order appended.
    period_of_key : dict
        Period key -> row of the counts (-1: outside them).
    order : array of int64
        Store word number of each column of the counts.
    n_store_words : int
        Words of the store's vocabulary the parts may use.
    checked : iterable of str, optional
        Parts whose checksum was checked already.
    """

    def __init__(self, folder, parts, period_of_key, order, n_store_words, checked=()):
        self.folder = folder
        self._parts = list(parts)
        self._period_of_key = dict(period_of_key)
        self._order = np.asarray(order, dtype=np.int64)
        self._n_store = int(n_store_words)
        self._rank = np.full(self._n_store, -1, dtype=np.int64)
        self._rank[self._order] = np.arange(len(self._order))
        self._offsets = np.cumsum([0] + [n for _, _, n, _ in self._parts])
        self._checked = set(checked)  # parts whose checksum was checked

    @property
    def n_posts(self) -> int:
        return int(self._offsets[-1])

    @property
    def n_words(self) -> int:
        return len(self._order)

    def __repr__(self):
        return f"<StoredPosts: {self.n_posts} posts in {len(self._parts)} parts of {self.folder}>"

    def regroup(self, rows) -> "StoredPosts":
        """As :meth:`PostWords.regroup`: period ``k`` becomes ``rows[k]``."""
        rows = np.asarray(rows, dtype=np.int64)
        mapped = {k: (int(rows[p]) if p >= 0 else -1) for k, p in self._period_of_key.items()}
        return StoredPosts(self.folder, self._parts, mapped, self._order, self._n_store,
                           self._checked)

    def near(self, columns, lo, hi, min_words):
        """The posts of periods ``lo`` to ``hi`` holding ``min_words`` of ``columns``.

        As :meth:`PostWords.near`; a column given twice counts twice.
        """
        weight = np.zeros(self._n_store, dtype=np.int64)
        np.add.at(weight, self._order[np.asarray(columns, dtype=np.int64)], 1)
        found = []
        for i, (key, name, _, check) in enumerate(self._parts):
            period = self._period_of_key.get(key, -1)
            if period < 0 or not lo <= period <= hi:
                continue
            rows, part = self._read_near(name, check, weight, min_words, period)
            if len(rows):
                found.append((rows + self._offsets[i], part))
        return stacked_posts(found, self.n_words)

    def part_periods(self) -> np.ndarray:
        """The period (row of the counts; -1: outside them) of each part, in :meth:`scan`'s order."""
        return np.array([self._period_of_key.get(key, -1) for key, _, _, _ in self._parts],
                        dtype=np.int64)

    def scan(self, periods, batch=READ_BATCH):
        """The words of every post of the ``periods`` (rows of the counts), a part at a time.

        Yields
        ------
        period : int
            The part's period.
        batches : iterator of csr_matrix of shape (n, n_words)
            Its posts' words, ``batch`` posts at a time in the part's order,
            as :meth:`near` gives them.
        """
        wanted = {int(p) for p in np.asarray(periods).ravel().tolist()}
        for key, name, _, check in self._parts:
            period = self._period_of_key.get(key, -1)
            if period >= 0 and period in wanted:
                yield period, self._batches(name, check, batch)

    def _batches(self, name, check, batch):
        """The words of part ``name``'s posts, ``batch`` posts at a time."""
        for offsets, flat in self._word_batches(name, check, batch):
            yield self._matrix(offsets, flat, np.arange(len(offsets) - 1))

    def _word_batches(self, name, check, batch=READ_BATCH):
        """(offsets, store word numbers) of part ``name``'s posts, ``batch`` posts at a
        time (:func:`word_batches`), its checksum checked."""
        return word_batches(self._checked_path(name, check), batch)

    def _checked_path(self, name, check):
        """The posts file of part ``name``, its checksum checked (once)."""
        path = self.folder / name / POSTS_FILE
        if name not in self._checked:
            check_part(self.folder, name, check, path)
            self._checked.add(name)
        return path

    def _matrix(self, offsets, flat, rows):
        """The words of posts ``rows`` of a part, one column per word of the counts."""
        lens = np.diff(offsets)[rows]
        take = np.concatenate([np.arange(offsets[r], offsets[r + 1]) for r in rows]) \
            if len(rows) < len(offsets) - 1 else np.arange(offsets[-1])
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lens, out=indptr[1:])
        matrix = sp.csr_matrix((np.ones(len(take), dtype=np.int8), self._rank[flat[take]], indptr),
                               shape=(len(rows), self.n_words))
        matrix.sort_indices()
        return matrix

    def _read_near(self, name, check, weight, min_words, period):
        """(rows in the part, PostWords) of part ``name``'s posts that weigh ``min_words``."""
        import pyarrow as pa

        path = self.folder / name / POSTS_FILE
        found, matrices, start = [], [], 0
        for offsets, flat in self._word_batches(name, check):
            n = len(offsets) - 1
            owner = np.repeat(np.arange(n), np.diff(offsets))
            held = np.bincount(owner, weights=weight[flat], minlength=n)
            rows = np.flatnonzero(held >= min_words)
            if len(rows):
                found.append(rows + start)
                matrices.append(self._matrix(offsets, flat, rows))
            start += n
        if not found:
            return np.zeros(0, dtype=np.int64), None
        rows = np.concatenate(found)
        matrix = sp.vstack(matrices, format="csr") if len(matrices) > 1 else matrices[0]
        matrix.sort_indices()
        with open_posts(path) as pf:
            meta = pf.read(columns=["id", "time"], use_threads=False).take(pa.array(rows))
        release_arrow_memory()
        times = meta.column("time").cast(pa.int64()).to_numpy()
        return rows, PostWords(np.full(len(rows), period), matrix, meta.column("id"), times,
                               pa.nulls(len(rows), pa.string()))

    def texts(self, rows=None) -> list:
        """Texts of ``rows`` (rows of the window's posts), in the order given."""
        rows = np.arange(self.n_posts) if rows is None else np.asarray(rows, dtype=np.int64)
        part = np.searchsorted(self._offsets, rows, side="right") - 1
        out = [None] * len(rows)
        for i in np.unique(part).tolist():
            mine = np.flatnonzero(part == i)
            path = self.folder / self._parts[i][1] / POSTS_FILE
            for j, text in zip(mine.tolist(), _read_texts(path, rows[mine] - self._offsets[i])):
                out[j] = text
        return out


def stacked_posts(found, n_words):
    """One ``(rows, PostWords)`` (texts left out) of several, in the order given."""
    import pyarrow as pa

    if not found:
        return np.zeros(0, dtype=np.int64), PostWords(
            np.zeros(0, np.int32), sp.csr_matrix((0, n_words), dtype=np.int8),
            pa.array([], pa.string()), np.zeros(0, np.int64), pa.array([], pa.string()))
    rows = np.concatenate([r for r, _ in found])
    parts = [p for _, p in found]
    return rows, PostWords(
        np.concatenate([p.period for p in parts]), sp.vstack([p.words for p in parts]).tocsr(),
        pa.chunked_array([c for p in parts for c in _chunks(p.ids)], type=pa.string()),
        np.concatenate([p.times for p in parts]),
        pa.nulls(len(rows), pa.string()))


def _chunks(values):
    import pyarrow as pa

    return values.chunks if isinstance(values, pa.ChunkedArray) else [values]
