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

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import weakref
from pathlib import Path

import numpy as np

from .location import RemotePath, arrow_source, arrow_threads, location

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
        ``words`` (int8: cast before summing products; sorted indices).
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
        import scipy.sparse as sp

        self.period = np.asarray(period, dtype=np.int32)
        self.words = sp.csr_matrix(words, dtype=np.int8)
        self.ids = _strings(ids)
        self.times = np.asarray(times, dtype=np.int64)
        if isinstance(texts, (str, Path, RemotePath)):
            self._texts, self._path = None, location(texts)
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

    def take(self, rows) -> "PostWords":
        """The posts of ``rows``, in the order given (texts read now if on disk)."""
        rows = np.asarray(rows, dtype=np.int64)
        texts = self._texts.take(rows) if self._texts is not None else _read_texts(self._path, rows)
        return PostWords(self.period[rows], self.words[rows], self.ids.take(rows), self.times[rows], texts)

    def select_words(self, columns) -> "PostWords":
        """These posts with only the word columns ``columns`` (after pruning the counts, say)."""
        texts = self._texts if self._texts is not None else self._path
        return PostWords(self.period, self.words[:, columns], self.ids, self.times, texts)

    def regroup(self, rows) -> "PostWords":
        """These posts with their periods renumbered: period ``k`` becomes
        ``rows[k]``, and posts of periods mapped to -1 are left out (an
        analysis window, or periods merged into coarser ones)."""
        rows = np.asarray(rows, dtype=np.int64)
        period = rows[self.period]
        keep = period >= 0
        posts = self if keep.all() else self.take(np.flatnonzero(keep))
        texts = posts._texts if posts._texts is not None else posts._path
        return PostWords(period[keep], posts.words, posts.ids, posts.times, texts)

    def text_slice(self, lo, hi):
        """Texts of rows ``lo`` to ``hi - 1`` as a pyarrow (chunked) array."""
        import pyarrow as pa

        if self._texts is not None:
            return self._texts.slice(lo, hi - lo)
        return pa.array(_read_texts(self._path, np.arange(lo, hi)), type=pa.string())

    def rows_in_periods(self, lo, hi) -> np.ndarray:
        """Rows (int64, in input order) of the posts of periods ``lo`` to ``hi``, inclusive."""
        return np.flatnonzero((self.period >= lo) & (self.period <= hi))

    def near(self, columns, lo, hi, min_words):
        """The posts of periods ``lo`` to ``hi`` holding at least ``min_words`` of ``columns``.

        A column given twice counts twice.  Returns ``(rows, posts)``: the
        rows (int64, ascending) and a PostWords of them without texts (read
        them with :meth:`texts` of ``rows``).
        """
        import pyarrow as pa

        rows = self.rows_in_periods(lo, hi)
        hits = self.words[rows][:, np.asarray(columns, dtype=np.int64)].tocsr()
        rows = rows[np.diff(hits.indptr) >= min_words]
        return rows, PostWords(self.period[rows], self.words[rows], self.ids.take(rows),
                               self.times[rows], pa.nulls(len(rows), pa.string()))

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
    """Gathers the per-post data of counting results, in input order.

    Ids and texts go to an Arrow file in a private temporary folder as they
    come, and are memory-mapped at the end (the file is unlinked at once
    where the system allows it), so that they do not stay in memory.
    """

    def __init__(self):
        import pyarrow as pa

        self.keys, self.lens, self.words, self.times = [], [], [], []
        self._folder = tempfile.mkdtemp(prefix="glipca-posts-")
        self._path = os.path.join(self._folder, "texts.arrow")
        self._schema = pa.schema([("id", pa.string()), ("text", pa.string())])
        self._sink = pa.OSFile(self._path, "wb")
        self._writer = pa.ipc.new_file(self._sink, self._schema)

    def add(self, result, keep, keys, lens, word_ids):
        """Add a task's posts (a :class:`~glipca.counting.chunks.ChunkResult`).

        ``keep`` (bool mask or None) selects the posts counted; ``keys``,
        ``lens`` and ``word_ids`` (global ids) are those of the kept posts.
        """
        import pyarrow as pa

        ids, texts = result.post_ids, result.texts
        times = np.frombuffer(result.times, dtype=np.int64) if len(result.times) else np.zeros(0, np.int64)
        if keep is not None:
            rows = np.flatnonzero(keep).tolist()
            ids, texts, times = [ids[i] for i in rows], [texts[i] for i in rows], times[keep]
        self.keys.append(keys)
        self.lens.append(lens)
        self.words.append(word_ids.astype(np.int32))
        self.times.append(times)
        self._writer.write_batch(pa.record_batch([_strings(ids), _strings(texts)], schema=self._schema))

    def finish(self, new_id, lo, n_words) -> PostWords:
        """The :class:`PostWords`: word ids renumbered by ``new_id``, periods from key ``lo``."""
        import pyarrow as pa
        import scipy.sparse as sp

        self._writer.close()
        self._sink.close()
        n = sum(len(k) for k in self.keys)
        nnz = sum(len(w) for w in self.words)
        index = np.int32 if max(nnz, n_words) < 2**31 - 1 else np.int64
        # Filled part by part, each part dropped once copied: no second copy
        # of the whole at any time.
        period = np.empty(n, dtype=np.int32)
        times = np.empty(n, dtype=np.int64)
        indptr = np.zeros(n + 1, dtype=index)
        indices = np.empty(nnz, dtype=index)
        row = at = 0
        for keys, lens, words, when in zip(self.keys, self.lens, self.words, self.times):
            period[row:row + len(keys)] = keys - lo
            times[row:row + len(keys)] = when
            np.cumsum(lens, out=indptr[row + 1:row + 1 + len(lens)])
            indptr[row + 1:row + 1 + len(lens)] += at
            indices[at:at + len(words)] = new_id[words]
            row, at = row + len(keys), at + len(words)
        self.keys = self.lens = self.words = self.times = None
        matrix = sp.csr_matrix((np.ones(nnz, dtype=np.int8), indices, indptr), shape=(n, n_words))
        matrix.sort_indices()
        table = pa.ipc.open_file(pa.memory_map(self._path, "r")).read_all()
        try:  # the mapping keeps the data; the name is not needed any more
            os.unlink(self._path)
            os.rmdir(self._folder)
        except OSError:
            weakref.finalize(table, shutil.rmtree, self._folder, True)
        return PostWords(period, matrix, table.column("id"), times, table.column("text"))


@contextlib.contextmanager
def open_posts(path):
    """The posts file ``path`` (a Path or a RemotePath) as a
    ``pyarrow.parquet.ParquetFile``, for reads of a few columns or row
    groups, each to be made with ``use_threads=False``.

    Arrow's reader threads each keep the memory they allocated for reuse,
    out of reach of ``release_unused``, and buffering a whole row group
    ahead adds to it: reading the words of a store of 10 M posts part by
    part left 54 MiB behind that way, 12 MiB with one thread and no
    buffering, and took less time.  Through a Python (fsspec) file, reads
    from Arrow's threads also make the interpreter abort at exit now and
    then (:func:`~glipca.counting.location.arrow_threads`).
    """
    import pyarrow.parquet as pq

    with arrow_source(path) as source:
        yield pq.ParquetFile(source, pre_buffer=False)


def _read_texts(path, rows):
    if len(rows) == 0:
        return []
    with open_posts(path) as pf:
        return _read_row_texts(pf, rows)


def _read_row_texts(pf, rows):
    starts = np.cumsum([0] + [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)])
    groups = np.searchsorted(starts, rows, side="right") - 1
    out = [None] * len(rows)
    for g in np.unique(groups):
        texts = pf.read_row_group(int(g), columns=["text"], use_threads=False).column("text")
        mine = np.flatnonzero(groups == g)
        picked = texts.take(rows[mine] - starts[g]).to_pylist()
        for i, t in zip(mine.tolist(), picked):
            out[i] = t
    return out


def write_post_words(posts, folder) -> Path:
    """Write ``posts`` as ``folder/posts.parquet``; the one writer of the format.

    ``folder`` may be a :class:`~glipca.counting.location.RemotePath`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = location(folder) / POSTS_FILE
    w = posts.words
    schema = pa.schema([
        ("period", pa.int32()), ("time", pa.timestamp("ns", tz="UTC")), ("id", pa.string()),
        ("text", pa.string()), ("words", pa.list_(pa.int32())),
    ], metadata={"nnz": str(w.nnz), "n_words": str(posts.n_words)})
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(path.open("wb")) if isinstance(path, RemotePath) else path
        writer = stack.enter_context(pq.ParquetWriter(sink, schema))
        for lo in range(0, max(posts.n_posts, 1), ROW_GROUP):
            hi = min(lo + ROW_GROUP, posts.n_posts)
            ptr = w.indptr[lo:hi + 1]
            words = pa.ListArray.from_arrays(
                pa.array((ptr - ptr[0]).astype(np.int32)),
                pa.array(w.indices[ptr[0]:ptr[-1]].astype(np.int32)),
            )
            table = pa.table([
                pa.array(posts.period[lo:hi]), pa.array(posts.times[lo:hi]).cast(schema.field("time").type),
                posts.ids.slice(lo, hi - lo), posts.text_slice(lo, hi), words,
            ], schema=schema)
            writer.write_table(table, row_group_size=ROW_GROUP)
    return path


def read_post_words(folder, n_words=None):
    """The :class:`PostWords` of ``folder/posts.parquet`` (texts left on disk), or None.

    Read a row group at a time into arrays of their final size.

    Parameters
    ----------
    folder : path
    n_words : int, optional
        Columns of the counts the posts belong to (checked); default: as
        written.

    Raises
    ------
    ValueError
        If the file does not belong to counts of ``n_words`` words.
    """
    import pyarrow.parquet as pq

    path = location(folder) / POSTS_FILE
    if not path.exists():
        return None
    with arrow_source(path) as source:
        return _read_all(pq.ParquetFile(source), path, n_words)


def _read_all(pf, path, n_words):
    """:func:`read_post_words` of the open Parquet file ``pf`` of ``path``."""
    import pyarrow as pa
    import scipy.sparse as sp

    meta = pf.schema_arrow.metadata or {}
    written = int(meta.get(b"n_words", -1))
    if n_words is None:
        n_words = written
    elif written != n_words:
        raise ValueError(f"{path}: not the posts of these counts")
    n, nnz = pf.metadata.num_rows, int(meta[b"nnz"])
    period = np.empty(n, dtype=np.int32)
    times = np.empty(n, dtype=np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(nnz, dtype=np.int32)
    ids = []
    row = 0
    for g in range(pf.num_row_groups):
        part = pf.read_row_group(g, columns=["period", "time", "id", "words"],
                                 use_threads=arrow_threads(path))
        m = part.num_rows
        period[row:row + m] = part.column("period").to_numpy()
        times[row:row + m] = part.column("time").cast(pa.int64()).to_numpy()
        words = part.column("words").combine_chunks()
        offsets = words.offsets.to_numpy()
        at = indptr[row]
        indptr[row + 1:row + 1 + m] = at + (offsets[1:] - offsets[0])
        indices[at:at + len(words.flatten())] = words.flatten().to_numpy()
        ids.extend(part.column("id").chunks)
        row += m
    matrix = sp.csr_matrix((np.ones(nnz, dtype=np.int8), indices, indptr), shape=(n, n_words))
    return PostWords(period, matrix, pa.chunked_array(ids, type=pa.string()), times, path)
