"""The whole Dask run, on the client: plan, submit, reduce, assemble."""

from __future__ import annotations

import warnings
from operator import getitem

from distributed import Client, LocalCluster

from ...ingest import IngestReport, InputError
from ..options import count_options
from ..cache import cache_key, content_ids
from ..postwords import word_columns
from ..prepare import PreparedCounts, _cache, existing_files, resolve_options
from .planning import DEFAULT_BLOCKSIZE, expand_inputs, local_sample_or_lang, plan_tasks
from .reduce import assemble, assemble_posts, merge_buckets, merge_meta, prune_bucket, tree_reduce
from .tasks import TaskSettings, correct_task, count_task, find_duplicates

__all__ = ["count_on_dask"]


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
                  storage_options=None, keep_posts=True, **option_kwargs) -> PreparedCounts:
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
    keep_posts : bool, default True
        Also return each post's words, id, time and text (``posts``), as
        :func:`~glipca.counting.prepare.prepare_counts` does; they are
        gathered on the client.
    **option_kwargs
        Options by name, see :func:`glipca.counting.options.count_options`.

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
    files, options, params, store, key = _resolved_inputs(source, options, option_kwargs, cache,
                                                          storage_options)
    pruning = min_count > 1 or min_periods > 1
    hit = _from_cache(store, key, files, options, params, keep_posts, min_count, min_periods)
    if hit is not None:
        return hit
    counts, report, posts = _count_fresh(
        files, options, client=client, scheduler=scheduler, n_workers=n_workers, blocksize=blocksize,
        n_buckets=n_buckets, storage_options=storage_options, keep_posts=keep_posts,
        min_count=min_count, min_periods=min_periods)
    if store is not None and not pruning:
        store.put(key, counts, report, params, posts)
    return PreparedCounts(counts, report, options, params, key, False, posts)


def _resolved_inputs(source, options, option_kwargs, cache, storage_options):
    """(files, options, params, cache store, cache key): the inputs checked and
    the options resolved; no store and no key for URLs."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        raise ValueError("count_on_dask reads files; count a data frame with prepare_counts")
    options = count_options(options, **option_kwargs)
    files = expand_inputs(source, storage_options)
    remote = local_sample_or_lang(files, options)
    key = store = content = None
    if not remote:
        files = existing_files(files)
        store = _cache(cache)
        content = content_ids(files, store)
    options, _, params = resolve_options(files, options, store, content)
    if not remote:
        key = cache_key(content, params)
    return files, options, params, store, key


def _from_cache(store, key, files, options, params, keep_posts, min_count, min_periods):
    """The cached counts (and posts), pruned as asked, or None (also without a store)."""
    hit = None if store is None else store.get(key, posts=keep_posts)
    if hit is None:
        return None
    pruning = min_count > 1 or min_periods > 1
    counts, report, _, posts = hit
    report.files = list(files)
    if pruning:
        counts = counts.prune(min_count, min_periods)
    if pruning and posts is not None:
        posts = posts.select_words(word_columns(hit[0].words, counts.words))
    return PreparedCounts(counts, report, options, params, key, True, posts)


def _count_fresh(files, options, *, client, scheduler, n_workers, blocksize, n_buckets, storage_options,
                 keep_posts, min_count, min_periods):
    """(counts, ingest report, posts or None), counted on Dask."""
    tasks, empty = plan_tasks(files, options.read, blocksize=blocksize, storage_options=storage_options)
    meta, buckets, kept = _run_tasks(
        tasks, options, client=client, scheduler=scheduler, n_workers=n_workers, n_buckets=n_buckets,
        storage_options=storage_options, keep_posts=keep_posts, min_count=min_count,
        min_periods=min_periods)
    report = _ingest_report(meta, tasks, files, empty)
    counts = assemble(meta.posts, [b for b in buckets if b is not None], options.freq, options.tz)
    posts = None
    if keep_posts:
        posts = assemble_posts(kept, counts.words, min(meta.posts, default=0), options.read.drop_duplicates)
    return counts, report, posts


def _run_tasks(tasks, options, *, client, scheduler, n_workers, n_buckets, storage_options, keep_posts,
               min_count, min_periods):
    """Run the tasks and reduce their results: (meta, word buckets, posts' words).

    Raises the first bad record's :class:`InputError`, with its line in the
    whole file.
    """
    client, owned = _connect(client, scheduler, n_workers)
    try:
        meta, buckets, kept = reduce_tasks(client, tasks, options, n_buckets=n_buckets,
                                           storage_options=storage_options, keep_posts=keep_posts,
                                           min_count=min_count, min_periods=min_periods)
        return meta, buckets, client.gather(kept)
    finally:
        for thing in owned:
            thing.close()


def reduce_tasks(client, tasks, options, *, n_buckets=None, storage_options=None, keep_posts=True,
                 min_count=1, min_periods=1):
    """Run the tasks on ``client``'s cluster: (meta, word buckets, futures of
    the tasks' posts, which stay on the workers, in task order).

    Raises the first bad record's :class:`InputError`, with its line in the
    whole file.
    """
    if n_buckets is None:
        n_buckets = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    settings = TaskSettings(options, int(n_buckets), dict(storage_options or {}), keep_posts)
    parts = [client.submit(count_task, t, settings, pure=False) for t in tasks]
    # The posts' words stay on the workers until asked for, in task order.
    kept = [client.submit(getitem, p, -1) for p in parts] if keep_posts else []
    if options.read.drop_duplicates:
        # Digests are shuffled by value to find the repeated ones; the
        # tasks holding their first occurrences then subtract the copies.
        digests = [client.submit(getitem, p, 1 + n_buckets) for p in parts]
        repeated = [client.submit(find_duplicates, *[client.submit(getitem, h, d) for h in digests])
                    for d in range(n_buckets)]
        parts += [client.submit(correct_task, t, settings, *repeated, pure=False) for t in tasks]
    meta = tree_reduce(client, merge_meta, [client.submit(getitem, p, 0) for p in parts])
    buckets = [
        client.submit(prune_bucket,
                      tree_reduce(client, merge_buckets, [client.submit(getitem, p, 1 + b) for p in parts]),
                      min_count=min_count, min_periods=min_periods)
        for b in range(n_buckets)
    ]
    del parts
    meta = meta.result()
    if meta.error is not None:
        index, err = meta.error
        line = _fix_line(tasks, meta.lines, index, err.line)
        raise InputError(err.file, line, err.field, err.reason, err.key)
    return meta, client.gather(buckets), kept


def _ingest_report(meta, tasks, files, empty):
    """The ingest report, as the local reader gives it."""
    # Notes as the local reader gives them: per file, in file order.  Range
    # tasks' files were sampled here, whole files on their worker.
    notes = meta.report.notes + [f"{t.name}: {n}" for t in tasks
                                 if t.kind == "range" and t.start == 0 for n in t.schema.notes.values()]
    notes.sort(key=lambda n: next((i for i, f in enumerate(files) if n.startswith(f"{f}: ")), len(files)))
    return IngestReport(
        read=meta.report.read, used=meta.report.used, skipped=meta.report.skipped,
        dropped=meta.report.dropped, repaired=meta.report.repaired, notes=list(dict.fromkeys(notes)),
        fields=dict(meta.report.fields),
        files=list(files),
        empty_files=[name for _, name in sorted(empty + meta.empty)],
        examples={k: _fix_message(tasks, meta.lines, i, m) for k, (i, m) in meta.examples.items()},
    )
