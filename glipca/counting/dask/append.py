"""Appending to a count store on Dask: the workers count and write the parts.

:func:`append_on_dask` does what :meth:`glipca.counting.store.CountStore.append`
does, with the same store content, part for part: the client holds the
store's lock for the whole append, the tasks count their byte ranges
(:mod:`.tasks`), the word counts are reduced as :func:`~.driver.count_on_dask`
reduces them, and each period's new posts go from the tasks that read them
to one writing task, which writes the period's part into the store folder
with :func:`~glipca.counting.store.write_period_part`, the local append's
own writer.  The client receives the vocabulary and, per part, its name and
checksum: never posts.

The store folder must be one the workers and the client share (a local
folder with a local cluster, NFS or another network file system on a
cluster).  The inputs are files the client can read too (it identifies
them by their SHA-256, as the local append does).
"""

from __future__ import annotations

import os
from operator import getitem

import numpy as np
import scipy.sparse as sp

from ..cache import content_ids
from ..options import count_options
from ..postwords import PostWords
from ..prepare import existing_files, resolve_options
from ..store import write_period_part
from .driver import _connect, _ingest_report, reduce_tasks
from .planning import DEFAULT_BLOCKSIZE, expand_inputs, is_url, plan_tasks
from .reduce import assemble

__all__ = ["append_on_dask"]


def append_on_dask(store, source, options=None, *, client=None, scheduler=None, n_workers=None,
                   blocksize=DEFAULT_BLOCKSIZE, wait=True, notify=None, **option_kwargs) -> dict:
    """Count ``source`` on Dask and add its posts to ``store``.

    Parameters
    ----------
    store : CountStore
        On a file system the workers share with the client.
    source : path or list of paths
        Post files (not URLs: the store records each input's SHA-256).
    options : CountOptions, optional
    client, scheduler, n_workers, blocksize
        As for :func:`~glipca.counting.dask.count_on_dask`.
    wait, notify
        As for :meth:`~glipca.counting.store.CountStore.append`.

    Returns
    -------
    dict
        As :meth:`~glipca.counting.store.CountStore.append`.
    """
    names = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    remote = [s for s in names if is_url(s)]
    if remote:
        raise ValueError(f"{remote[0]}: a store records each input's SHA-256, read on the client; "
                         "append local or shared files (copy the dump first), or count URLs "
                         "with glipca count --dask --out DIR")
    files = existing_files(expand_inputs(names, None))
    content = content_ids(files)
    options, _, params = resolve_options(files, count_options(options, **option_kwargs),
                                         content=content)
    with store.transaction(files, content, params, wait=wait, notify=notify) as (doc, new, done):
        if not new:
            return done
        client, owned = _connect(client, scheduler, n_workers)
        try:
            vocabulary, report, written = _count_and_write(client, store, doc, new, options, blocksize)
        finally:
            for thing in owned:
                thing.close()
        store.seal_append(doc, written, vocabulary, report, params,
                          [c for f, c in zip(files, content) if f in new], done)
        return done


def _count_and_write(client, store, doc, files, options, blocksize):
    """(vocabulary, ingest report, written parts) of counting ``files`` into ``store``."""
    tasks, empty = plan_tasks(files, options.read, blocksize=blocksize)
    meta, buckets, kept = reduce_tasks(client, tasks, options)
    report = _ingest_report(meta, tasks, files, empty)
    report.require_posts()
    counts = assemble(meta.posts, [b for b in buckets if b is not None], options.freq, options.tz)
    number = store.grown_vocabulary(doc, counts.words)
    shared = client.scatter(number, broadcast=True)
    pieces = [client.submit(period_pieces, k, shared) for k in kept]
    held = client.gather([client.submit(_keys, p) for p in pieces])
    slim = {"appends": doc["appends"], "parts": doc["parts"], "checks": doc.get("checks", {})}
    dedupe = options.read.drop_duplicates
    writes = []
    for k in sorted(set().union(*held)):
        mine = [client.submit(getitem, p, k) for p, keys in zip(pieces, held) if k in keys]
        writes.append(client.submit(write_pieces, str(store.folder), slim, k, len(number), dedupe,
                                    *mine, pure=False))
    written = client.gather(writes)
    return list(number), report, written


def _keys(pieces):
    return set(pieces)


def period_pieces(part, number):
    """A task's posts by period key, with word numbers of the store; on a worker.

    ``part`` is a task's ``(first period key, words, PostWords, digests)``
    (:func:`~.tasks.count_task`) or None; ``number`` maps words to their
    number in the store's vocabulary.  Returns ``{key: (PostWords, digests or None)}``.
    """
    if part is None:
        return {}
    lo, words, posts, digests = part
    to_store = np.fromiter((number[w] for w in words), dtype=np.int64, count=len(words))
    keys = posts.period.astype(np.int64) + lo
    out = {}
    for k in np.unique(keys).tolist():
        rows = np.flatnonzero(keys == k)
        sub = posts.take(rows)
        matrix = sp.csr_matrix((sub.words.data, to_store[sub.words.indices], sub.words.indptr),
                               shape=(len(rows), len(number)))
        out[k] = (PostWords(sub.period, matrix, sub.ids, sub.times, sub.texts()),
                  None if digests is None else digests[rows])
    return out


def write_pieces(folder, doc, key, n_words, dedupe, *pieces):
    """Write period ``key``'s part from the tasks' ``pieces``, in task order; on a worker.

    Returns :func:`~glipca.counting.store.write_period_part`'s tuple.
    """
    import pyarrow as pa

    posts = PostWords(
        np.concatenate([p.period for p, _ in pieces]),
        sp.vstack([sp.csr_matrix(p.words, shape=(p.n_posts, n_words)) for p, _ in pieces]).tocsr(),
        pa.chunked_array([c for p, _ in pieces for c in _chunks(p.ids)], type=pa.string()),
        np.concatenate([p.times for p, _ in pieces]),
        pa.chunked_array([c for p, _ in pieces for c in _chunks(p.text_slice(0, p.n_posts))],
                         type=pa.string()),
    )
    digests = np.concatenate([h for _, h in pieces]) if dedupe else None
    return write_period_part(folder, doc, key, posts, dedupe=digests)


def _chunks(values):
    import pyarrow as pa

    return values.chunks if isinstance(values, pa.ChunkedArray) else [values]
