"""Count words per period on a Dask cluster, with the local path's result.

:func:`count_on_dask` does what :func:`glipca.prepare.prepare_counts` does
(read posts, tokenise, count per period) for dumps too big for one machine,
and returns the same :class:`~glipca.prepare.PreparedCounts`, cell for cell.

How the work is split
---------------------
* **Tasks.**  Plain JSON lines files are cut into byte ranges of about
  ``blocksize`` bytes; a range holds the lines that *start* in it, so every
  line belongs to exactly one task.  Other files (gzip'd, JSON, CSV, TSV,
  or anything odd such as UTF-16) cannot be cut and are one task each.
* **Same code.**  A task parses its lines with the ingest module's own
  :class:`~glipca.ingest.LineBatch` (or, for a whole file,
  :func:`~glipca.ingest.read_batches`) and counts them with
  :func:`~glipca.counts.count_words`, exactly as ``glipca count`` does.  The
  client settles each file's field names from its first lines, as the local
  reader does, and hands them to the file's ranges.  Every worker builds its
  tokeniser once, from its options: a tokeniser (a MeCab tagger) is never
  pickled.
* **Reduce by word.**  A task splits its counts into ``n_buckets`` buckets
  by a stable hash of the word.  Each bucket is merged over all tasks by a
  tree of merges on the workers and pruned there (``min_count``,
  ``min_periods``): a word's counts are all in one bucket, so pruning a
  bucket is pruning the whole.  Posts per period and the ingest report are
  merged the same way.  The client receives only the merged, pruned
  counts: never posts, tokens or per-task results.

Line numbers in error messages are absolute: a range task numbers its lines
locally and reports how many it read, and the client shifts the numbers of
the (few) errors it receives.

Duplicates (``drop_duplicates``): each task also returns the 64-bit
digests of its posts, split by value into buckets; one task per bucket finds
the digests seen more than once and the task of each one's first
occurrence; that task reads its input again and subtracts the later copies
(a copy has the same time and text, so the same period and words).  Only
tasks holding repeated posts are read twice.

Data frames are not supported here (:class:`ValueError`): they are in the
client's memory already.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import io
import os
import shutil
import tempfile
import threading
import warnings
import zlib
from array import array
from dataclasses import dataclass, field
from operator import getitem
from typing import Optional

import numpy as np
import scipy.sparse as sp
from distributed import Client, LocalCluster

from ..counts import WordCounts, count_words
from ...ingest import (
    IngestReport,
    InputError,
    LineBatch,
    Post,
    input_files,
    post_digest,
    read_batches,
)
from ...ingest.fields import Schema
from ...ingest.files import format_from_name, sniff
from ...ingest.jsonl import jsonl_records
from ...options import CountOptions, ReadOptions, count_options
from ..cache import cache_key
from ..periods import Periods, zone
from ..prepare import PreparedCounts, _cache, resolve_options

__all__ = ["count_on_dask", "plan_tasks", "CountTask", "DEFAULT_BLOCKSIZE"]

#: Bytes of a JSON lines file per task: large enough that scheduling costs
#: little next to the work (about 30 s of tokenising), small enough to
#: spread a few big files over many workers.
DEFAULT_BLOCKSIZE = 64 << 20

#: Lines per parsing batch inside a task, as the local reader batches them.
_BATCH_LINES = 2000

#: Partial results merged per reduction task.
_FAN_IN = 8

#: Bytes read from a file's start to recognise its format.
_HEAD = 1 << 20


def _is_url(path) -> bool:
    return "://" in str(path)


# --------------------------------------------------------------------------
# Planning (on the client)


@dataclass
class CountTask:
    """One unit of work: a byte range of a JSON lines file, or a whole file.

    Attributes
    ----------
    index : int
        Position in input order; errors and report examples are ordered by it.
    file_index : int
        Position of the file among the inputs.
    name : str
        The file as the user named it (used in messages and the report).
    url : str
        What a worker opens: an absolute local path or an fsspec URL.
    kind : {"range", "file"}
    start, end : int
        Byte range (``"range"`` only): the lines starting in ``[start, end)``.
    schema : object
        The file's field names as resolved before ``start`` (``"range"``).
    """

    index: int
    file_index: int
    name: str
    url: str
    kind: str
    start: int = 0
    end: int = 0
    schema: object = None


def _expand_inputs(paths, storage_options):
    """Input files in reading order: local ones as :func:`input_files` lists them."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = os.fsdecode(p)
        if not _is_url(p):
            out.extend(input_files([p]))
            continue
        import fsspec

        fs, _, _ = fsspec.core.get_fs_token_paths(p, storage_options=storage_options)
        protocol = p.split("://", 1)[0]
        if any(c in p for c in "*?["):
            found = sorted(fs.glob(p))
        elif fs.isdir(p):
            found = sorted(f for f in fs.ls(p, detail=False) if format_from_name(f) is not None)
        else:
            found = [p]
        out.extend(f if "://" in f else f"{protocol}://{f}" for f in found)
    return out


def _open(url, storage_options):
    import fsspec

    return fsspec.open(url, "rb", **(storage_options or {})).open()


def plan_tasks(files, read=None, *, blocksize=DEFAULT_BLOCKSIZE, storage_options=None):
    """Cut input files into counting tasks.

    Parameters
    ----------
    files : list of str
        Local paths or fsspec URLs, in reading order.
    read : ReadOptions, optional
        Format, field names and time zone (default UTC) of the posts.
    blocksize : int
        Bytes per task for plain JSON lines files.
    storage_options : dict, optional
        Passed to :func:`fsspec.open` for URLs.

    Returns
    -------
    tasks : list of CountTask
    empty : list of (int, str)
        Files without any data, by file index and name.

    Raises
    ------
    InputError
        For a file that does not exist.
    """
    read = read if read is not None else ReadOptions()
    fmt, tzinfo = read.fmt, zone(read.tz or "UTC")
    tasks, empty = [], []
    for i, name in enumerate(files):
        url = name if _is_url(name) else os.path.abspath(name)
        if not _is_url(name) and not os.path.exists(name):
            raise InputError(name, 0, None, "file not found", "file")
        try:
            fh = _open(url, storage_options)
        except FileNotFoundError:
            raise InputError(name, 0, None, "file not found", "file") from None
        with fh:
            size = fh.size if hasattr(fh, "size") else os.path.getsize(url)
            head = fh.read(_HEAD)
        if not head.strip(b" \t\r\n\xef\xbb\xbf") and size <= len(head):
            empty.append((i, name))
            continue
        utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
        gz = head[:2] == b"\x1f\x8b"
        sniffed = None if gz or utf16 else sniff(io.BytesIO(head), fmt or format_from_name(name))
        if (fmt or sniffed) != "jsonl" or gz or utf16:
            tasks.append(CountTask(len(tasks), i, name, url, "file"))
            continue
        starts = list(range(0, size, max(1, int(blocksize))))
        snapshots = _schema_snapshots(url, name, starts, read.text_field, read.time_field,
                                      read.id_field, tzinfo, storage_options)
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else size
            tasks.append(CountTask(len(tasks), i, name, url, "range", start, end, snapshots[k]))
    return tasks, empty


def _schema_snapshots(url, name, starts, text_field, time_field, id_field, tzinfo, storage_options):
    """The file's field names as resolved before each range start.

    Mirrors :func:`glipca.ingest.read_batches`: the reader settles the names
    from the first records that have them (usually line 1), and each batch
    is parsed with the names as they stood before its first line.
    """
    schema = Schema(name, text_field, time_field, id_field, tzinfo)
    snapshots = []
    if schema.resolved or not starts:
        return [copy.copy(schema) for _ in starts]
    with _open(url, storage_options) as fh:
        pos, lineno = 0, 0
        for k, start in enumerate(starts):
            # Lines that start before this range are read (only until the
            # names are settled, which is usually the first line).
            while pos < start and not schema.resolved:
                raw = fh.readline()
                if not raw:
                    break
                lineno += 1
                pos += len(raw)
                for _, rec, _ in jsonl_records([(lineno, raw)], text_field):
                    if isinstance(rec, collections.abc.Mapping) and not schema.resolved:
                        schema.resolve(rec.keys())
            snapshots.append(copy.copy(schema))
    return snapshots


# --------------------------------------------------------------------------
# Counting one task (on a worker)


_TOKENIZERS = {}


def _tokenizer(options):
    """This worker's tokeniser for these options, built once per process.

    Keyed by thread too: a MeCab tagger is not safe to share between the
    threads of a worker started with several.
    """
    key = (threading.get_ident(), options)
    tok = _TOKENIZERS.get(key)
    if tok is None:
        tok = _TOKENIZERS[key] = options.make_tokenizer()
    return tok


@dataclass(frozen=True)
class TaskSettings:
    """What every task of a run shares: the options and how results are split."""

    options: CountOptions
    n_buckets: int
    storage_options: dict = field(default_factory=dict)


@dataclass
class _Meta:
    """Posts per period and what reading found, mergeable."""

    posts: dict = field(default_factory=dict)  # period key -> posts
    read: int = 0
    used: int = 0
    skipped: collections.Counter = field(default_factory=collections.Counter)
    dropped: collections.Counter = field(default_factory=collections.Counter)
    examples: dict = field(default_factory=dict)  # key -> (task index, message)
    empty: list = field(default_factory=list)  # (file index, name)
    lines: dict = field(default_factory=dict)  # range task index -> lines read
    error: Optional[tuple] = None  # (task index, InputError), the first one


def _rename(text, old, new):
    """A message about ``old`` (a worker-side path) made to name ``new``."""
    return text.replace(old, new, 1) if old != new else text


def _range_lines(fh, start, end, first, counter):
    """(line number, bytes) of the lines starting in ``[start, end)``."""
    if start > 0:
        # Whatever remains of a line begun before ``start`` is the previous
        # range's; if byte ``start - 1`` ends a line, nothing is skipped.
        fh.seek(start - 1)
        fh.readline()
    pos, n = fh.tell(), first
    while pos < end:
        raw = fh.readline()
        if not raw:
            break
        yield n, raw
        n += 1
        pos += len(raw)
        counter[0] += 1


def _batches(lines, schema, settings):
    read = settings.options.read
    chunk = []
    for item in lines:
        chunk.append(item)
        if len(chunk) >= _BATCH_LINES:
            yield LineBatch(schema, chunk, read.text_field, read.on_error, read.drop_retweets)
            chunk = []
    if chunk:
        yield LineBatch(schema, chunk, read.text_field, read.on_error, read.drop_retweets)


@contextlib.contextmanager
def _task_items(task, settings, report, where, lines=None):
    """What :func:`~glipca.counts.count_words` takes for a task: line batches or posts.

    ``where`` (a one-element list) receives the path the task's file is read
    from, so that messages naming it can be made to name the input instead.
    ``lines``, a dict, receives the number of lines a range task read.
    """
    tmp = None
    try:
        if task.kind == "range":
            # Lines of later ranges are numbered from 2, so that a byte-order
            # mark is stripped on the file's line 1 only; the client shifts
            # the numbers back (see _fix_line).
            first = 1 if task.start == 0 else 2
            counter = [0]
            with _open(task.url, settings.storage_options) as fh:
                read = _range_lines(fh, task.start, task.end, first, counter)
                yield _batches(read, copy.copy(task.schema), settings)
            if lines is not None:
                lines[task.index] = counter[0]
        else:
            where[0] = task.url
            if _is_url(task.url):
                # A file that cannot be cut is read by the local reader, from
                # the worker's scratch space.
                tmp = tempfile.mkdtemp(prefix="glipca-")
                where[0] = os.path.join(tmp, os.path.basename(task.url.split("://", 1)[1]) or "input")
                with _open(task.url, settings.storage_options) as src, open(where[0], "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            kwargs = settings.options.read.reader_kwargs(report=report)
            del kwargs["drop_duplicates"]
            yield read_batches([where[0]], **kwargs)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _posts(items, report, tzinfo):
    """(post, digest) for each post of line batches and posts, parsed here."""
    for item in items:
        for p in item.posts(report) if isinstance(item, LineBatch) else (item,):
            if p.time.tzinfo is None:
                p = p._replace(time=p.time.replace(tzinfo=tzinfo))
            # As the local path computes it (glipca.counts._tasks, glipca.chunks.work).
            yield p, post_digest(Post("", p.time, p.text))


def _recording(pairs, digests):
    """The posts of (post, digest) pairs, appending the digests to ``digests``."""
    for p, h in pairs:
        digests.append(h)
        yield p


def _failed(task, err, where, n_buckets, dedupe):
    """A task's result when reading it raised ``err``."""
    meta = _Meta()
    file = task.name if err.file in (task.url, where) else err.file
    meta.error = (task.index, InputError(file, err.line, err.field, err.reason, err.key))
    return (meta,) + (None,) * n_buckets + ((_NO_DIGESTS * n_buckets,) if dedupe else ())


_NO_DIGESTS = (np.zeros(0, dtype=np.int64),)


def count_task(task, settings):
    """Count one task's posts; run on a worker.

    Returns
    -------
    tuple
        ``(meta, bucket_0, ..., bucket_{n-1})``: posts per period and the
        ingest report, then the counts of each word bucket as
        ``(first period key, words, csr matrix)`` or None.  With
        ``drop_duplicates``, a last element: the digests of the posts
        counted, split into ``n`` arrays by digest.
    """
    options = settings.options
    tokenizer = _tokenizer(options)
    n_buckets, dedupe = settings.n_buckets, options.read.drop_duplicates
    report = IngestReport()
    meta = _Meta()
    where = [task.name]
    digests = array("q") if dedupe else None
    try:
        with _task_items(task, settings, report, where, meta.lines) as items:
            if dedupe:
                items = _recording(_posts(items, report, zone(options.tz)), digests)
            counts = count_words(items, tokenizer, freq=options.freq, tz=options.tz, report=report)
    except InputError as err:
        return _failed(task, err, where[0], n_buckets, dedupe)

    meta.empty = [(task.file_index, task.name) for _ in report.empty_files]
    meta.read, meta.used = report.read, report.used
    meta.skipped, meta.dropped = report.skipped, report.dropped
    meta.examples = {k: (task.index, _rename(v, where[0], task.name)) for k, v in report.examples.items()}
    if dedupe:
        h = np.frombuffer(digests, dtype=np.int64)
        which = np.mod(h, n_buckets)
        extra = (tuple(h[which == d] for d in range(n_buckets)),)
    else:
        extra = ()
    if counts.n_periods == 0:
        return (meta,) + (None,) * n_buckets + extra
    periods = Periods(options.freq, zone(options.tz))
    lo = periods.key(counts.periods[0].to_pydatetime())
    meta.posts = {lo + t: int(n) for t, n in enumerate(counts.posts) if n}
    return (meta,) + _split(lo, counts, n_buckets) + extra


def find_duplicates(*parts):
    """Digests seen more than once, from one digest bucket of every task.

    ``parts`` are in task order.  Returns ``{task index: {digest: extra}}``:
    each repeated digest is assigned to the task of its first occurrence,
    with the number of later occurrences (which the local path drops).
    """
    sizes = [len(p) for p in parts]
    if not sum(sizes):
        return {}
    tids = np.repeat(np.arange(len(parts)), sizes)
    uniq, first, n = np.unique(np.concatenate(parts), return_index=True, return_counts=True)
    out = {}
    for h, i, c in zip(uniq[n > 1].tolist(), first[n > 1].tolist(), n[n > 1].tolist()):
        out.setdefault(int(tids[i]), {})[h] = c - 1
    return out


def correct_task(task, settings, *duplicates):
    """Take the later copies of duplicated posts back out of the counts; on a worker.

    A duplicate has the same time and text as its first occurrence, so the
    same period and words: the correction is minus ``extra`` times the first
    occurrence's words, which are found by reading the task again (only
    tasks holding a first occurrence of a repeated post are read).

    Returns
    -------
    tuple
        ``(meta, bucket_0, ..., bucket_{n-1})`` as :func:`count_task`, with
        negative counts.
    """
    n_buckets, options = settings.n_buckets, settings.options
    wanted = {}
    for d in duplicates:
        wanted.update(d.get(task.index, {}))
    meta = _Meta()
    if not wanted:
        return (meta,) + (None,) * n_buckets
    tokenizer = _tokenizer(options)
    periods = Periods(options.freq, zone(options.tz))
    keys, words, data = [], [], []
    total = 0
    try:
        with _task_items(task, settings, IngestReport(), [task.name]) as items:
            for p, h in _posts(items, IngestReport(), zone(options.tz)):
                extra = wanted.pop(h, None)
                if extra is None:
                    continue
                k = periods.key(p.time)
                meta.posts[k] = meta.posts.get(k, 0) - extra
                total += extra
                for w in set(tokenizer(p.text)):
                    keys.append(k)
                    words.append(w)
                    data.append(-extra)
                if not wanted:
                    break
    except InputError:
        pass  # the first pass met it too, and the client raises it
    if total:  # no zero entry: the report would then differ from the local one
        meta.used, meta.dropped = -total, collections.Counter({"duplicate": total})
    if not keys:
        return (meta,) + (None,) * n_buckets
    vocab = sorted(set(words))
    col = {w: j for j, w in enumerate(vocab)}
    lo = min(keys)
    matrix = sp.csr_matrix(
        (np.array(data, dtype=np.int64), (np.array(keys) - lo, [col[w] for w in words])),
        shape=(max(keys) - lo + 1, len(vocab)), dtype=np.int64,
    )
    counts = WordCounts(matrix, vocab, periods.index(lo, max(keys)), np.zeros(max(keys) - lo + 1))
    return (meta,) + _split(lo, counts, n_buckets)


def _bucket_of(word, n_buckets):
    # crc32, not hash(): the same in every process whatever PYTHONHASHSEED.
    return zlib.crc32(word.encode("utf-8", "surrogatepass")) % n_buckets


def _split(lo, counts, n_buckets):
    """A task's counts as ``n_buckets`` word buckets."""
    which = np.fromiter((_bucket_of(w, n_buckets) for w in counts.words), dtype=np.int64,
                        count=counts.n_words)
    csc = counts.counts.tocsc()
    out = []
    for b in range(n_buckets):
        cols = np.flatnonzero(which == b)
        if len(cols) == 0:
            out.append(None)
            continue
        out.append((lo, [counts.words[j] for j in cols], csc[:, cols].tocsr()))
    return tuple(out)


# --------------------------------------------------------------------------
# Reduction (on the workers)


def merge_buckets(*parts):
    """Sum word-bucket counts: ``(lo, words, matrix)`` triples (or None)."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    lo = min(p[0] for p in parts)
    hi = max(p[0] + p[2].shape[0] - 1 for p in parts)
    words = sorted(set().union(*(p[1] for p in parts)))
    col = {w: j for j, w in enumerate(words)}
    rows, cols, data = [], [], []
    for plo, pwords, m in parts:
        coo = m.tocoo()
        ids = np.fromiter((col[w] for w in pwords), dtype=np.int64, count=len(pwords))
        rows.append(coo.row.astype(np.int64) + (plo - lo))
        cols.append(ids[coo.col])
        data.append(coo.data.astype(np.int64))
    matrix = sp.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
        shape=(hi - lo + 1, len(words)), dtype=np.int64,
    )
    matrix.sum_duplicates()
    # Duplicates' corrections cancel counts; an all-zero entry is no entry.
    matrix.eliminate_zeros()
    return lo, words, matrix


def prune_bucket(part, min_count=1, min_periods=1):
    """Keep the words as :meth:`glipca.counts.WordCounts.prune` does."""
    if part is None or (min_count <= 1 and min_periods <= 1):
        return part
    lo, words, m = part
    total = np.asarray(m.sum(axis=0)).ravel()
    present = np.bincount(m.indices[m.data != 0], minlength=len(words))
    keep = np.flatnonzero((total >= min_count) & (present >= min_periods))
    if len(keep) == 0:
        return None
    return lo, [words[j] for j in keep], m[:, keep].tocsr()


def merge_meta(*parts):
    """Merge :class:`_Meta` records; the earliest error and examples win."""
    out = _Meta()
    for p in parts:
        for k, n in p.posts.items():
            out.posts[k] = out.posts.get(k, 0) + n
        out.read += p.read
        out.used += p.used
        out.skipped.update(p.skipped)
        out.dropped.update(p.dropped)
        for k, v in p.examples.items():
            if k not in out.examples or v[0] < out.examples[k][0]:
                out.examples[k] = v
        out.empty.extend(p.empty)
        out.lines.update(p.lines)
        if p.error is not None and (out.error is None or p.error[0] < out.error[0]):
            out.error = p.error
    return out


def _tree(client, func, futures, **kwargs):
    """Reduce futures to one by merging ``_FAN_IN`` at a time, on workers."""
    futures = list(futures)
    if not futures:
        return client.submit(func, **kwargs)
    while len(futures) > 1:
        futures = [client.submit(func, *futures[i:i + _FAN_IN], **kwargs)
                   for i in range(0, len(futures), _FAN_IN)]
    return futures[0]


# --------------------------------------------------------------------------
# The whole run (on the client)


def _fix_line(tasks, lines, index, line):
    """Absolute line number of ``line`` as numbered by range task ``index``."""
    task = tasks[index]
    if task.kind != "range" or task.start == 0:
        return line
    before = sum(lines.get(t.index, 0) for t in tasks
                 if t.file_index == task.file_index and t.index < index)
    return line - 2 + 1 + before


def _fix_message(tasks, lines, index, message):
    task = tasks[index]
    prefix = f"{task.name}:"
    if task.kind != "range" or task.start == 0 or not message.startswith(prefix):
        return message
    head, _, rest = message[len(prefix):].partition(":")
    try:
        line = int(head)
    except ValueError:
        return message
    return f"{prefix}{_fix_line(tasks, lines, index, line)}:{rest}"


def _connect(client, scheduler, n_workers):
    """(client, things to close): the given client, one to ``scheduler``, or a LocalCluster."""
    if client is not None:
        return client, []
    if scheduler:
        c = Client(scheduler)
        return c, [c]
    from ..parallel import available_cores

    with warnings.catch_warnings():
        # The scheduler's HTTP endpoints move to a free port when 8787 is
        # taken (by another cluster): nothing for the user to act on.
        warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
        # One thread per worker: tokenising holds the GIL.
        cluster = LocalCluster(n_workers=n_workers or available_cores(), threads_per_worker=1,
                               processes=True, dashboard_address=None)
    c = Client(cluster)
    return c, [c, cluster]


def count_on_dask(source, options=None, *, client=None, scheduler=None, n_workers=None, cache=None,
                  min_count=1, min_periods=1, blocksize=DEFAULT_BLOCKSIZE, n_buckets=None,
                  storage_options=None, **option_kwargs) -> PreparedCounts:
    """Count, per period, the posts that contain each word, on Dask.

    Gives the counts and ingest report of
    :func:`glipca.counting.prepare.prepare_counts` (followed by
    :meth:`~glipca.counting.counts.WordCounts.prune`), cell for cell.

    Parameters
    ----------
    source : path, URL, or list of them
        Post files: local paths (directories expand to their recognised
        files) or fsspec URLs (``s3://bucket/dump/*.jsonl.gz``, with the
        matching fsspec package installed, e.g. ``s3fs``).  Workers must be
        able to open them: local paths must be on a file system they share.
    options : CountOptions, optional
        As for :func:`~glipca.counting.prepare.prepare_counts`.
        ``lang="auto"`` needs local files (it reads a sample on the client).
        With ``drop_duplicates``, posts with the same time and text as an
        earlier one are left out, in any file.
    client : distributed.Client, optional
        Run on this client's cluster.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``) to connect to.
        With neither, a :class:`distributed.LocalCluster` of ``n_workers``
        processes is started and closed.
    n_workers : int, optional
        Workers of the local cluster; default all cores.
    cache : bool, path or CountCache, optional
        As for :func:`~glipca.counting.prepare.prepare_counts`, for local
        files: the counts are taken from the cache when there, and stored
        there (when not pruned), so that ``glipca analyse`` on the same files
        uses them.
    min_count, min_periods : int, default 1
        Keep words contained in at least ``min_count`` posts and present in
        at least ``min_periods`` periods; applied on the workers, before
        anything reaches the client.
    blocksize : int, default 64 MiB
        Bytes of a plain JSON lines file per task.
    n_buckets : int, optional
        Word buckets reduced in parallel; default twice the number of
        workers.  Does not change the result.
    storage_options : dict, optional
        Passed to :func:`fsspec.open` (credentials, endpoint...).
    **option_kwargs
        Options by name, see :func:`glipca.options.count_options`.

    Returns
    -------
    PreparedCounts
        ``key`` is the cache key of :func:`~glipca.counting.prepare.prepare_counts`
        for local files (None for URLs).

    Raises
    ------
    InputError
        The first bad record in input order (with ``on_error="raise"``) or
        a missing file.
    ValueError
        For bad options or a data frame.
    """
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        raise ValueError("count_on_dask reads files; count a data frame with prepare_counts")
    options = count_options(options, **option_kwargs)
    files = _expand_inputs(source, storage_options)
    remote = any(_is_url(f) for f in files)
    if remote and options.lang == "auto":
        raise ValueError("lang='auto' reads a sample on the client and needs local files; give lang")
    if not remote:
        for f in files:
            if not os.path.exists(f):
                raise InputError(f, 0, None, "file not found", "file")
    options, _, params = resolve_options(files, options)
    key = store = None
    if not remote:
        key, store = cache_key(files, params), _cache(cache)
    pruning = min_count > 1 or min_periods > 1
    if store is not None:
        hit = store.get(key)
        if hit is not None:
            counts, report, _ = hit
            if pruning:
                counts = counts.prune(min_count, min_periods)
            return PreparedCounts(counts, report, options, params, key, True)
    tasks, empty = plan_tasks(files, options.read, blocksize=blocksize, storage_options=storage_options)

    client, owned = _connect(client, scheduler, n_workers)
    try:
        if n_buckets is None:
            n_buckets = 2 * max(1, len(client.scheduler_info().get("workers", {})))
        settings = TaskSettings(options, int(n_buckets), dict(storage_options or {}))
        parts = [client.submit(count_task, t, settings, pure=False) for t in tasks]
        if options.read.drop_duplicates:
            # Digests are shuffled by value to find the repeated ones; the
            # tasks holding their first occurrences then subtract the copies.
            digests = [client.submit(getitem, p, 1 + n_buckets) for p in parts]
            repeated = [client.submit(find_duplicates, *[client.submit(getitem, h, d) for h in digests])
                        for d in range(n_buckets)]
            parts += [client.submit(correct_task, t, settings, *repeated, pure=False) for t in tasks]
        meta = _tree(client, merge_meta, [client.submit(getitem, p, 0) for p in parts])
        buckets = [
            client.submit(prune_bucket,
                          _tree(client, merge_buckets, [client.submit(getitem, p, 1 + b) for p in parts]),
                          min_count=min_count, min_periods=min_periods)
            for b in range(n_buckets)
        ]
        del parts
        meta = meta.result()
        if meta.error is not None:
            index, err = meta.error
            line = _fix_line(tasks, meta.lines, index, err.line)
            raise InputError(err.file, line, err.field, err.reason, err.key)
        buckets = client.gather(buckets)
    finally:
        for thing in owned:
            thing.close()

    report = IngestReport(
        read=meta.read, used=meta.used, skipped=meta.skipped, dropped=meta.dropped,
        files=list(files),
        empty_files=[name for _, name in sorted(empty + meta.empty)],
        examples={k: _fix_message(tasks, meta.lines, i, m) for k, (i, m) in meta.examples.items()},
    )
    counts = _assemble(meta.posts, [b for b in buckets if b is not None], options.freq, options.tz)
    if store is not None and not pruning:
        store.put(key, counts, report, params)
    return PreparedCounts(counts, report, options, params, key, False)


def _assemble(posts_by_key, buckets, freq, tz):
    """The final :class:`WordCounts` from posts per period and pruned buckets."""
    periods = Periods(freq, zone(tz))
    words = sorted(w for b in buckets for w in b[1])
    if not posts_by_key:
        return WordCounts(sp.csr_matrix((0, len(words)), dtype=np.int64), words,
                          _empty_index(periods), np.zeros(0, dtype=np.int64), str(freq), str(tz))
    lo, hi = min(posts_by_key), max(posts_by_key)
    posts = np.zeros(hi - lo + 1, dtype=np.int64)
    for k, n in posts_by_key.items():
        posts[k - lo] = n
    merged = merge_buckets(*buckets)
    if merged is None:
        matrix = sp.csr_matrix((hi - lo + 1, 0), dtype=np.int64)
    else:
        # Buckets hold disjoint words, so merging only sorts the columns.
        blo, _, m = merged
        coo = m.tocoo()
        matrix = sp.csr_matrix((coo.data, (coo.row + (blo - lo), coo.col)),
                               shape=(hi - lo + 1, len(words)), dtype=np.int64)
    matrix.sort_indices()
    return WordCounts(matrix, words, periods.index(lo, hi), posts, str(freq), str(tz))


def _empty_index(periods):
    import pandas as pd

    return pd.DatetimeIndex([], tz=periods.zone)
