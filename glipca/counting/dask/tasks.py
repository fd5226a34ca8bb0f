"""Counting one task, on a worker.

A task's posts are parsed with the ingest package's own
:class:`~glipca.ingest.LineBatch` (or, for a whole file,
:func:`~glipca.ingest.read_batches`) and counted with
:func:`~glipca.counting.counts.count_words`, exactly as ``glipca count``
does; the counts are split into word buckets by a stable hash of the word.
With ``drop_duplicates`` a task also returns its posts' digests, and
:func:`correct_task` later takes the repeated posts back out.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import os
import shutil
import tempfile
import threading
import zlib
from array import array
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import scipy.sparse as sp

from ...ingest import IngestReport, InputError, LineBatch, Post, post_digest, read_batches
from ..options import CountOptions
from ..counts import WordCounts, count_post_words
from ..periods import Periods, zone
from ..location import is_url
from .planning import open_url

__all__ = ["TaskSettings", "count_task", "find_duplicates", "correct_task"]

#: Lines per parsing batch inside a task, as the local reader batches them.
_BATCH_LINES = 2000


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
    keep_posts: bool = False


@dataclass
class Meta:
    """Posts per period and what reading found, mergeable."""

    posts: dict = field(default_factory=dict)  # period key -> posts
    report: IngestReport = field(default_factory=IngestReport)  # counts only, no examples
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
    """What :func:`~glipca.counting.counts.count_words` takes for a task: line batches or posts.

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
            # What the file is read with, as the local reader records it.
            report.fields.setdefault(os.path.basename(task.name), task.schema.decided())
            with open_url(task.url, settings.storage_options) as fh:
                read = _range_lines(fh, task.start, task.end, first, counter)
                yield _batches(read, copy.copy(task.schema), settings)
            if lines is not None:
                lines[task.index] = counter[0]
        else:
            where[0] = task.url
            if is_url(task.url):
                # A file that cannot be cut is read by the local reader, from
                # the worker's scratch space.
                tmp = tempfile.mkdtemp(prefix="glipca-")
                where[0] = os.path.join(tmp, os.path.basename(task.url.split("://", 1)[1]) or "input")
                with open_url(task.url, settings.storage_options) as src, open(where[0], "wb") as dst:
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


def _failed(task, err, where, settings):
    """A task's result when reading it raised ``err``."""
    meta = Meta()
    file = task.name if err.file in (task.url, where) else err.file
    meta.error = (task.index, InputError(file, err.line, err.field, err.reason, err.key))
    n = settings.n_buckets
    digests = (_NO_DIGESTS * n,) if settings.options.read.drop_duplicates else ()
    return (meta,) + (None,) * n + digests + ((None,) if settings.keep_posts else ())


_NO_DIGESTS = (np.zeros(0, dtype=np.int64),)


def count_task(task, settings):
    """Count one task's posts; run on a worker.

    Returns
    -------
    tuple
        ``(meta, bucket_0, ..., bucket_{n-1})``: posts per period and the
        ingest report, then the counts of each word bucket as
        ``(first period key, words, csr matrix)`` or None.  With
        ``drop_duplicates``, next: the digests of the posts counted, split
        into ``n`` arrays by digest.  Last, with ``keep_posts``: ``(first
        period key, words, PostWords, digests or None)`` or None.
    """
    options = settings.options
    tokenizer = _tokenizer(options)
    n_buckets, dedupe = settings.n_buckets, options.read.drop_duplicates
    report = IngestReport()
    meta = Meta()
    where = [task.name]
    digests = array("q") if dedupe else None
    try:
        with _task_items(task, settings, report, where, meta.lines) as items:
            if dedupe:
                items = _recording(_posts(items, report, zone(options.tz)), digests)
            counts, posts = count_post_words(items, tokenizer, freq=options.freq, tz=options.tz,
                                             report=report, keep_posts=settings.keep_posts)
    except InputError as err:
        return _failed(task, err, where[0], settings)

    meta.empty = [(task.file_index, task.name) for _ in report.empty_files]
    meta.report = IngestReport(read=report.read, used=report.used, skipped=report.skipped,
                               dropped=report.dropped, repaired=report.repaired,
                               notes=[_rename(n, where[0], task.name) for n in report.notes],
                               fields=dict(report.fields))
    meta.examples = {k: (task.index, _rename(v, where[0], task.name)) for k, v in report.examples.items()}
    h = np.frombuffer(digests, dtype=np.int64) if dedupe else None
    extra = (tuple(h[np.mod(h, n_buckets) == d] for d in range(n_buckets)),) if dedupe else ()
    if counts.n_periods == 0:
        return (meta,) + (None,) * n_buckets + extra + ((None,) if settings.keep_posts else ())
    periods = Periods(options.freq, zone(options.tz))
    lo = periods.key(counts.periods[0].to_pydatetime())
    meta.posts = {lo + t: int(n) for t, n in enumerate(counts.posts) if n}
    if settings.keep_posts:
        extra += ((lo, counts.words, posts, h),)
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
    meta = Meta()
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
        meta.report = IngestReport(used=-total, dropped=collections.Counter({"duplicate": total}))
    if not keys:
        return (meta,) + (None,) * n_buckets
    vocab = sorted(set(words))
    col = {w: j for j, w in enumerate(vocab)}
    lo = min(keys)
    index = periods.index(lo, max(keys))  # first: it refuses a grid too large to allocate
    matrix = sp.csr_matrix(
        (np.array(data, dtype=np.int64), (np.array(keys) - lo, [col[w] for w in words])),
        shape=(max(keys) - lo + 1, len(vocab)), dtype=np.int64,
    )
    counts = WordCounts(matrix, vocab, index, np.zeros(max(keys) - lo + 1))
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
