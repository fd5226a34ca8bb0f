"""Merging task results, on the workers, and the final assembly on the client.

A word's counts are all in one bucket, so a bucket merged over every task
can be pruned there (``min_count``, ``min_periods``) as the whole would
be.  Merges run as a tree of ``_FAN_IN``-way merges.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..counts import WordCounts
from ..periods import Periods, zone
from ..postwords import PostWords
from .tasks import Meta

__all__ = ["merge_buckets", "prune_bucket", "merge_meta", "tree_reduce", "assemble", "assemble_posts"]

#: Partial results merged per reduction task.
_FAN_IN = 8


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
    """Merge :class:`Meta` records; the earliest error and examples win."""
    out = Meta()
    for p in parts:
        for k, n in p.posts.items():
            out.posts[k] = out.posts.get(k, 0) + n
        out.report.merge(p.report)
        for k, v in p.examples.items():
            if k not in out.examples or v[0] < out.examples[k][0]:
                out.examples[k] = v
        out.empty.extend(p.empty)
        out.lines.update(p.lines)
        if p.error is not None and (out.error is None or p.error[0] < out.error[0]):
            out.error = p.error
    return out


def tree_reduce(client, func, futures, **kwargs):
    """Reduce futures to one by merging ``_FAN_IN`` at a time, on workers."""
    futures = list(futures)
    if not futures:
        return client.submit(func, **kwargs)
    while len(futures) > 1:
        futures = [client.submit(func, *futures[i:i + _FAN_IN], **kwargs)
                   for i in range(0, len(futures), _FAN_IN)]
    return futures[0]


def assemble(posts_by_key, buckets, freq, tz):
    """The final :class:`WordCounts` from posts per period and pruned buckets."""
    periods = Periods(freq, zone(tz))
    words = sorted(w for b in buckets for w in b[1])
    if not posts_by_key:
        return WordCounts(sp.csr_matrix((0, len(words)), dtype=np.int64), words,
                          _empty_index(periods), np.zeros(0, dtype=np.int64), str(freq), str(tz))
    lo, hi = min(posts_by_key), max(posts_by_key)
    index = periods.index(lo, hi)  # first: it refuses a grid too large to allocate
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
    return WordCounts(matrix, words, index, posts, str(freq), str(tz))


def _empty_index(periods):
    import pandas as pd

    return pd.DatetimeIndex([], tz=periods.zone)


def assemble_posts(parts, words, lo, dedupe):
    """The run's :class:`PostWords` from the tasks' parts, in task order.

    Parameters
    ----------
    parts : list
        Per task ``(first period key, words, PostWords, digests)`` or None.
    words : list of str
        Columns of the final counts (pruned words are left out of posts).
    lo : int
        Period key of the counts' first period.
    dedupe : bool
        Leave out posts whose digest an earlier post has, as the local
        path does.
    """
    import pyarrow as pa

    col = {w: j for j, w in enumerate(words)}
    period, lens, indices, ids, times, texts, digests = [], [], [], [], [], [], []
    for part in parts:
        if part is None:
            continue
        plo, pwords, posts, h = part
        to_final = np.fromiter((col.get(w, -1) for w in pwords), dtype=np.int64, count=len(pwords))
        m = posts.words
        new = to_final[m.indices]
        row = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        kept = new >= 0
        # Both vocabularies are sorted, so the renumbered rows stay sorted.
        indices.append(new[kept].astype(np.int32))
        lens.append(np.bincount(row[kept], minlength=m.shape[0]))
        period.append(posts.period.astype(np.int64) + (plo - lo))
        ids.append(posts.ids)
        texts.append(posts.text_slice(0, posts.n_posts))
        times.append(posts.times)
        if dedupe:
            digests.append(h)
    period = np.concatenate(period) if period else np.zeros(0, dtype=np.int64)
    keep = np.ones(len(period), dtype=bool)
    if dedupe and len(period):
        _, first = np.unique(np.concatenate(digests), return_index=True)
        keep[:] = False
        keep[first] = True
    lens = np.concatenate(lens) if lens else np.zeros(0, dtype=np.int64)
    flat = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32)
    indptr = np.zeros(len(period) + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    matrix = sp.csr_matrix((np.ones(len(flat), dtype=np.int8), flat, indptr),
                           shape=(len(period), len(words)))[keep]
    rows = np.flatnonzero(keep)
    return PostWords(
        period[keep].astype(np.int32), matrix,
        _take(ids, rows), np.concatenate(times)[keep] if times else np.zeros(0, np.int64),
        _take(texts, rows),
    )


def _take(chunks, rows):
    import pyarrow as pa

    flat = [c for x in chunks for c in (x.chunks if isinstance(x, pa.ChunkedArray) else [x])]
    values = pa.chunked_array(flat, type=pa.string())
    return values if len(rows) == len(values) else values.take(rows)
