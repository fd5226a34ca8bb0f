"""The words of every counted post, kept by the counting pass.

:class:`PostWords` holds, for each post that was counted (in input order,
skipped records and dropped posts left out), its period, its distinct
words as a row of a binary sparse matrix whose columns are the counts'
vocabulary, its id, time and text.  Co-occurrence of words in posts and
representative posts are computed from it, so the input is read and
tokenised once.

On disk it is ``posts.parquet`` in a counts folder (:mod:`.cache`):
columns ``period`` (int32), ``time`` (timestamp, ns, UTC), ``id`` and
``text`` (strings), ``words`` (list of int32 column numbers, sorted), in row
groups of :data:`ROW_GROUP` posts.  :func:`write_post_words` is its one
writer and :func:`read_post_words` its one reader; the texts stay on disk
until asked for, a row group at a time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["PostWords", "PostCollector", "word_columns", "write_post_words", "read_post_words",
           "POSTS_FILE", "ROW_GROUP"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

POSTS_FILE = "posts.parquet"
#: Posts per Parquet row group: the unit in which texts are read back.
ROW_GROUP = 65536


class PostWords:
    """Per-post data of a counting pass.

    Parameters
    ----------
    period : array of int32, shape (n_posts,)
        Row of the post's period in the counts' ``periods``.
    words : scipy.sparse.csr_matrix of shape (n_posts, n_words)
        ``words[i, j] == 1`` when post ``i`` holds word ``j`` of the counts'
        ``words`` (int32, sorted indices).
    ids : pyarrow string array (or chunked array)
        Post ids.
    times : array of int64
        Post times, ns since the epoch (UTC).
    texts : pyarrow string array (or chunked array), or path
        The texts, or the ``posts.parquet`` file to read them from.

    Attributes
    ----------
    period, words, ids, times
        As given.
    """

    def __init__(self, period, words, ids, times, texts):
        import pyarrow as pa

        self.period = np.asarray(period, dtype=np.int32)
        self.words = sp.csr_matrix(words, dtype=np.int32)
        self.ids = _strings(ids)
        self.times = np.asarray(times, dtype=np.int64)
        if isinstance(texts, (str, Path)):
            self._texts, self._path = None, Path(texts)
        else:
            self._texts, self._path = _strings(texts), None
        n = len(self.period)
        if not (self.words.shape[0] == len(self.ids) == len(self.times) == n):
            raise ValueError("period, words, ids and times must have one entry per post")

    @property
    def n_posts(self) -> int:
        return len(self.period)

    @property
    def n_words(self) -> int:
        return self.words.shape[1]

    def select_words(self, columns) -> "PostWords":
        """These posts with only the word columns ``columns`` (after pruning the counts, say)."""
        texts = self._texts if self._texts is not None else self._path
        return PostWords(self.period, self.words[:, columns], self.ids, self.times, texts)

    def rows_in_periods(self, lo, hi) -> np.ndarray:
        """Rows (int64, in input order) of the posts of periods ``lo`` to ``hi``, inclusive."""
        return np.flatnonzero((self.period >= lo) & (self.period <= hi))

    def texts(self, rows=None) -> list:
        """Texts of ``rows`` (all posts when None), in the order given."""
        rows = np.arange(self.n_posts) if rows is None else np.asarray(rows, dtype=np.int64)
        if self._texts is not None:
            return self._texts.take(rows).to_pylist()
        return _read_texts(self._path, rows)

    def posts(self, rows=None):
        """Iterate over the posts of ``rows`` (all when None) as :class:`glipca.ingest.Post`.

        Times are aware datetimes in UTC.
        """
        from ..ingest import Post

        rows = np.arange(self.n_posts) if rows is None else np.asarray(rows, dtype=np.int64)
        for lo in range(0, len(rows), ROW_GROUP):
            part = rows[lo:lo + ROW_GROUP]
            ids = self.ids.take(part).to_pylist()
            for i, t, text in zip(ids, self.times[part].tolist(), self.texts(part)):
                yield Post(i, _EPOCH + dt.timedelta(microseconds=t // 1000), text)

    def __repr__(self):
        return f"<PostWords: {self.n_posts} posts, {self.n_words} words, {self.words.nnz} post-word pairs>"

    def equals(self, other) -> bool:
        """Same posts, periods, words, ids, times and texts."""
        return (
            isinstance(other, PostWords)
            and np.array_equal(self.period, other.period)
            and np.array_equal(self.times, other.times)
            and self.words.shape == other.words.shape
            and np.array_equal(self.words.indptr, other.words.indptr)
            and np.array_equal(self.words.indices, other.words.indices)
            and _chunked(self.ids).equals(_chunked(other.ids))
            and self.texts() == other.texts()
        )


def word_columns(vocabulary, words) -> np.ndarray:
    """Columns (int64) of ``words`` in ``vocabulary`` (the counts' ``words``); KeyError if absent."""
    column = {w: j for j, w in enumerate(vocabulary)}
    return np.fromiter((column[w] for w in words), dtype=np.int64, count=len(words))


def _strings(values):
    """A pyarrow string array of ``values`` (arrays and chunked arrays as they are)."""
    import pyarrow as pa

    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    try:
        return pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.array([str(v) for v in values], type=pa.string())


def _chunked(values):
    import pyarrow as pa

    return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])


class PostCollector:
    """Gathers the per-post data of counting results, in input order."""

    def __init__(self):
        self.keys, self.lens, self.words, self.ids, self.times, self.texts = [], [], [], [], [], []

    def add(self, result, keep, keys, lens, word_ids):
        """Add a task's posts (a :class:`~glipca.counting.chunks.ChunkResult`).

        ``keep`` (bool mask or None) selects the posts counted; ``keys``,
        ``lens`` and ``word_ids`` (global ids) are those of the kept posts.
        """
        ids, texts = result.post_ids, result.texts
        times = np.frombuffer(result.times, dtype=np.int64) if len(result.times) else np.zeros(0, np.int64)
        if keep is not None:
            rows = np.flatnonzero(keep).tolist()
            ids, texts, times = [ids[i] for i in rows], [texts[i] for i in rows], times[keep]
        self.keys.append(keys)
        self.lens.append(lens)
        self.words.append(word_ids.astype(np.int32))
        self.times.append(times)
        self.ids.append(_strings(ids))
        self.texts.append(_strings(texts))

    def finish(self, new_id, lo, n_words) -> PostWords:
        """The :class:`PostWords`: word ids renumbered by ``new_id``, periods from key ``lo``."""
        import pyarrow as pa

        def cat(parts, dtype):
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        period = (cat(self.keys, np.int64) - lo).astype(np.int32)
        indptr = np.zeros(len(period) + 1, dtype=np.int64)
        np.cumsum(cat(self.lens, np.int32), out=indptr[1:])
        indices = new_id[cat(self.words, np.int32)].astype(np.int32)
        words = sp.csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr),
                              shape=(len(period), n_words))
        words.sort_indices()
        ids = pa.chunked_array(self.ids, type=pa.string())
        texts = pa.chunked_array(self.texts, type=pa.string())
        return PostWords(period, words, ids, cat(self.times, np.int64), texts)


def _read_texts(path, rows):
    import pyarrow.parquet as pq

    if len(rows) == 0:
        return []
    pf = pq.ParquetFile(path)
    starts = np.cumsum([0] + [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)])
    groups = np.searchsorted(starts, rows, side="right") - 1
    out = [None] * len(rows)
    for g in np.unique(groups):
        texts = pf.read_row_group(int(g), columns=["text"]).column("text")
        mine = np.flatnonzero(groups == g)
        picked = texts.take(rows[mine] - starts[g]).to_pylist()
        for i, t in zip(mine.tolist(), picked):
            out[i] = t
    return out


def write_post_words(posts, folder) -> Path:
    """Write ``posts`` as ``folder/posts.parquet``; the one writer of the format."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(folder) / POSTS_FILE
    w = posts.words
    schema = pa.schema([
        ("period", pa.int32()), ("time", pa.timestamp("ns", tz="UTC")), ("id", pa.string()),
        ("text", pa.string()), ("words", pa.list_(pa.int32())),
    ])
    with pq.ParquetWriter(path, schema) as writer:
        for lo in range(0, max(posts.n_posts, 1), ROW_GROUP):
            hi = min(lo + ROW_GROUP, posts.n_posts)
            ptr = w.indptr[lo:hi + 1]
            words = pa.ListArray.from_arrays(
                pa.array((ptr - ptr[0]).astype(np.int32)),
                pa.array(w.indices[ptr[0]:ptr[-1]].astype(np.int32)),
            )
            rows = np.arange(lo, hi)
            table = pa.table([
                pa.array(posts.period[lo:hi]), pa.array(posts.times[lo:hi]).cast(schema.field("time").type),
                posts.ids.slice(lo, hi - lo), pa.array(posts.texts(rows), type=pa.string()), words,
            ], schema=schema)
            writer.write_table(table, row_group_size=ROW_GROUP)
    return path


def read_post_words(folder, n_words):
    """The :class:`PostWords` of ``folder/posts.parquet`` (texts left on disk), or None.

    Parameters
    ----------
    folder : path
    n_words : int
        Columns of the counts the posts belong to.
    """
    import pyarrow.parquet as pq

    path = Path(folder) / POSTS_FILE
    if not path.exists():
        return None
    table = pq.read_table(path, columns=["period", "time", "id", "words"]).combine_chunks()
    words = table.column("words").chunk(0) if table.num_rows else None
    if words is None:
        matrix = sp.csr_matrix((0, n_words), dtype=np.int32)
        ids = table.column("id").combine_chunks()
    else:
        indptr = words.offsets.to_numpy().astype(np.int64)
        indptr -= indptr[0]
        indices = words.flatten().to_numpy().astype(np.int32)
        matrix = sp.csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr),
                               shape=(table.num_rows, n_words))
        ids = table.column("id").chunk(0)
    return PostWords(
        table.column("period").to_numpy(), matrix, ids,
        table.column("time").cast("int64").to_numpy(), path,
    )
