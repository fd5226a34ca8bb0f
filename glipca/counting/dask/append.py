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

The store folder must be one the workers and the client share: a local
folder with a local cluster, NFS or another network file system on a
cluster, or object storage (an fsspec URL, :mod:`..objectstore`).  On
object storage the client counts first, then writes in attempts: the
workers write the parts of an attempt under its own names, the client
creates the manifest exclusively, and an attempt that lost the race to
another append is written again from the counts the workers still hold.

The inputs may be fsspec URLs too: the client identifies each input by its
name, size and SHA-256, as the local append does, streaming it through
fsspec.
"""

from __future__ import annotations

import os
from operator import getitem

import numpy as np
import scipy.sparse as sp

from ..cache import content_ids
from ..location import is_url
from ..options import count_options
from ..postwords import PostWords
from ..prepare import existing_files, resolve_options
from ..manifest import new_inputs
from ..store import ObjectCountStore, write_period_part
from .driver import _connect, _ingest_report, reduce_tasks
from .planning import DEFAULT_BLOCKSIZE, expand_inputs, local_sample_or_lang, plan_tasks
from .reduce import assemble

__all__ = ["append_on_dask"]


def append_on_dask(store, source, options=None, *, client=None, scheduler=None, n_workers=None,
                   blocksize=DEFAULT_BLOCKSIZE, wait=True, notify=None, **option_kwargs) -> dict:
    """Count ``source`` on Dask and add its posts to ``store``.

    Parameters
    ----------
    store : CountStore
        On a file system (or object store) the workers share with the client.
    source : path, URL or list of them
        Post files, or fsspec URLs (globs too) with ``lang`` given: the
        store records each input's SHA-256, read on the client.
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
    options = count_options(options, **option_kwargs)
    files, content = _inputs(names, options)
    options, _, params = resolve_options(files, options, content=content)
    if isinstance(store, ObjectCountStore):
        return _append_in_attempts(store, files, content, options, params,
                                   (client, scheduler, n_workers), blocksize)
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


def _inputs(names, options):
    """(files, content ids) of the inputs ``names``: local files as a local
    append identifies them, URLs by their SHA-256 streamed through fsspec."""
    files = expand_inputs(names, None)
    if not local_sample_or_lang(files, options):
        files = existing_files(files)
    else:  # a one-line error for a local file that is not there
        existing_files([f for f in files if not is_url(f)])
    return files, content_ids(files)


def _append_in_attempts(store, files, content, options, params, connect, blocksize):
    """:func:`append_on_dask` for a store on object storage: the new files are
    counted once, then written and committed until an attempt wins the race."""
    new = new_inputs(store.manifest(), files, content, params)
    client, owned = _connect(*connect) if new else (None, [])

    def count(files):
        return _count(client, files, options, blocksize)

    def add(doc, counted, new_content, done):
        counts, report, kept = counted
        vocabulary, written = _write(client, store, doc, counts, kept, options.read.drop_duplicates)
        store.seal_append(doc, written, vocabulary, report, params, new_content, done)

    try:
        return store.add_counted(files, content, params, new, count(new) if new else None, count,
                                 add)
    finally:
        for thing in owned:
            thing.close()


def _count_and_write(client, store, doc, files, options, blocksize):
    """(vocabulary, ingest report, written parts) of counting ``files`` into ``store``."""
    counts, report, kept = _count(client, files, options, blocksize)
    vocabulary, written = _write(client, store, doc, counts, kept, options.read.drop_duplicates)
    return vocabulary, report, written


def _count(client, files, options, blocksize):
    """(counts, ingest report, the tasks' posts left on the workers) of ``files``."""
    tasks, empty = plan_tasks(files, options.read, blocksize=blocksize)
    meta, buckets, kept = reduce_tasks(client, tasks, options)
    report = _ingest_report(meta, tasks, files, empty)
    report.require_posts()
    counts = assemble(meta.posts, [b for b in buckets if b is not None], options.freq, options.tz)
    return counts, report, kept


def _write(client, store, doc, counts, kept, dedupe):
    """(vocabulary, written parts): the posts of ``kept`` written by the workers
    as the parts of an append on the manifest ``doc``."""
    number = store.grown_vocabulary(doc, counts.words)
    shared = client.scatter(number, broadcast=True)
    pieces = [client.submit(period_pieces, k, shared) for k in kept]
    held = client.gather([client.submit(_keys, p) for p in pieces])
    slim = {k: doc[k] for k in ("appends", "parts", "attempt") if k in doc}
    slim["checks"] = doc.get("checks", {})
    writes = []
    for k in sorted(set().union(*held)):
        mine = [client.submit(getitem, p, k) for p, keys in zip(pieces, held) if k in keys]
        writes.append(client.submit(write_pieces, store.folder, slim, k, len(number), dedupe,
                                    *mine, pure=False))
    return list(number), client.gather(writes)


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
