"""A count store that grows: posts appended batch by batch, windows read back.

A store is a folder:

* ``store.json``: the manifest: format, the counting options' record
  (:meth:`glipca.counting.options.CountOptions.params`), the content ids of the
  inputs appended (:func:`~glipca.counting.cache.content_ids`), the number
  of words of the vocabulary in use, the summed ingest report, and, per
  period key, the parts holding its posts;
* ``words.parquet``: the vocabulary, one word per row, in the order words
  were first met (a word's number never changes);
* ``parts/<period key>/<append>/posts.parquet``: the posts of one period
  added by one append, written by :func:`~glipca.counting.postwords.write_post_words`
  with word numbers of the vocabulary and the period key as ``period``.

An append holds the store's lock (``store.lock``, :mod:`.lock`) while it
writes, so that appends from many processes add up.  It writes its parts
and the vocabulary first and the manifest last, by an atomic rename: an
interrupted append leaves parts that no manifest names (the next append
removes them), and the store reads as it was.  Readers take no lock: they
read one manifest and only the parts it lists, which are never rewritten.
The manifest records each part's posts, size and SHA-256 and its own
checksum (:mod:`.integrity`): a damaged file is named, never read as data.  A post whose id the store already
holds in the same period (a post's period follows from its time) is not
added again; an input whose content was appended before is skipped.
Appending costs time in proportion to the new posts (and to the ids of the
periods they fall in), not to the store.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..ingest import IngestReport
from ..ingest.options import ReadOptions
from .cache import content_ids
from .counts import WordCounts
from .integrity import StoreDamaged, check_part, part_check, words_sha256
from .location import is_local_url, is_url, location
from .lock import store_lock
from .manifest import (FORMAT, ConcurrentAppend, LostRace, empty_manifest, manifest_text,
                       new_inputs, parse_manifest, read_vocabulary, write_vocabulary)
from .objectstore import ObjectStore
from .periods import Periods, zone
from .postwords import POSTS_FILE, PostWords, open_posts, read_post_words, write_post_words
from .storedposts import StoredPosts, word_batches
from .options import CountOptions, count_options
from .prepare import PreparedCounts, existing_files, prepare_counts, resolve_options
from .window import bulk_window, parse_bound, parse_span

__all__ = ["CountStore", "ObjectCountStore", "ConcurrentAppend", "LostRace", "FORMAT"]

_MANIFEST, _WORDS = "store.json", "words.parquet"


class CountStore:
    """A folder of word counts and per-post words that appends grow.

    Parameters
    ----------
    folder : path or str
        Created by the first append.  An fsspec URL (``s3://bucket/store``)
        makes a store on object storage
        (:class:`~glipca.counting.objectstore.ObjectCountStore`); a
        ``file://`` URL is the local folder it names.
    storage_options : dict, optional
        For a URL: the options of its fsspec file system (credentials,
        ``endpoint_url``...).
    """

    #: Whether appends take turns by exclusive creation (object storage,
    #: :mod:`.objectstore`) rather than by a lock.
    on_object_storage = False

    def __new__(cls, folder=None, storage_options=None):
        if cls is CountStore and is_url(folder) and not is_local_url(folder):
            # Object stores have no locks and no atomic rename: their
            # appends take turns by exclusive creation instead.
            return super().__new__(ObjectCountStore)
        return super().__new__(cls)

    def __init__(self, folder, storage_options=None):
        if is_local_url(folder):  # the lock and the rename work there
            folder = folder.split("://", 1)[1]
        self.folder = Path(folder)

    # -- reading -----------------------------------------------------------

    def manifest(self) -> dict:
        """The manifest, or that of an empty store."""
        path = self.folder / _MANIFEST
        if not path.exists():
            return empty_manifest()
        return parse_manifest(path.read_text(encoding="utf-8"), self.folder, _MANIFEST)

    def words(self, n=None) -> list:
        """The first ``n`` words of the vocabulary (all when None), in number order."""
        path = self.folder / _WORDS
        words = read_vocabulary(path) if path.exists() else []
        return words if n is None else words[:n]

    def read(self, since=None, until=None, last=None, lazy=False) -> PreparedCounts:
        """The counts of the whole store, with the posts of a window.

        Parameters
        ----------
        since, until : str, optional
            First and last day (or time) of the window, as
            :func:`~glipca.counting.window.analysis_window` reads them.
        last : str, optional
            Length of a window that ends at ``until`` (or at the last
            period), e.g. ``"60D"`` (:func:`~glipca.counting.window.parse_span`).

        Returns
        -------
        PreparedCounts
            What :func:`~glipca.counting.prepare.prepare_counts` gives for
            the posts the store holds: the periods, posts per period and
            vocabulary of the whole store and its ingest report, so that an
            analysis of a window (:func:`glipca.model.periods.analysis_periods`)
            trims them as it trims the counts of the input files.  Only the
            parts of periods in the window are read (one period more before
            it with ``last``): word counts and posts outside it are left
            empty, and the analysis drops them.
        """
        doc = self.manifest()
        if doc["params"] is None:
            raise ValueError(f"{self.folder}: empty store")
        params = doc["params"]
        periods = Periods(params["freq"], zone(params["tz"]))
        keys = sorted(int(k) for k in doc["parts"])
        hi = keys[-1]
        if until is not None:
            hi = _key(periods, parse_bound(until, params["tz"], end=True) - pd.Timedelta(microseconds=1))
        lo = keys[0]
        if since is not None:
            lo = _key(periods, parse_bound(since, params["tz"]))
        posts = {int(k): n for k, n in self._posts(doc).items()}
        if since is None and last is not None:
            end = min(hi, keys[-1])
            if until is None:  # the end of the bulk of the posts, as the analysis takes it
                grid = np.zeros(keys[-1] - keys[0] + 1, dtype=np.int64)
                grid[np.asarray(list(posts)) - keys[0]] = list(posts.values())
                end = keys[0] + bulk_window(grid)[1]
            lo = _key(periods, periods.index(end, end)[0] - parse_span(last)) - 1
        read = [k for k in keys if lo <= k <= hi]
        vocabulary = self._vocabulary(doc)
        if lazy:
            posts, counts = self._lazy_window(doc, read, vocabulary, periods, params, posts)
        else:
            parts = [self._read_part(doc, part) for k in read for part in doc["parts"][str(k)]]
            posts, counts = _window(parts, vocabulary, periods, params, posts)
        report = IngestReport.from_dict(doc["report"])
        options = CountOptions(
            ReadOptions(fmt=params["format"], tz=params["tz"], on_error=params["on_error"],
                        drop_retweets=params["drop_retweets"],
                        drop_duplicates=params["drop_duplicates"], **params["fields"]),
            lang=params["lang"], freq=params["freq"])
        content = [list(c) for c in doc["inputs"]]
        return PreparedCounts(counts, report, options, params, None, False, posts, content)

    def read_for(self, options) -> PreparedCounts:
        """:meth:`read` of the window of ``options`` (CountOptions: ``since``,
        ``until``, ``last``), which may not contradict the store's language,
        time zone or period (a one-line ``ValueError`` otherwise)."""
        prepared = self.read(options.since, options.until, options.last, lazy=True)
        params = prepared.params
        given = {"lang": None if options.lang == "auto" else options.lang, "tz": options.tz,
                 "freq": None if options.freq == "auto" else options.freq}
        differ = sorted(k for k, v in given.items() if v is not None and v != params[k])
        if differ:
            made = ", ".join(f"{k} {params[k]}" for k in differ)
            raise ValueError(f"{self.folder}: the store was made with {made}; analyse it with "
                             "its options (or leave them out)")
        # A store counted by day analyses as the input files did.
        return dataclasses.replace(
            prepared, window=(options.since, options.until, options.last),
            choose_freq=options.freq == "auto" and params["freq"] == "D", store=self.folder.name)

    def _lazy_window(self, doc, keys, vocabulary, periods, params, posts):
        """:func:`_window` of the parts of period ``keys``, with the posts left in the store."""
        n_words = len(vocabulary)
        order = np.asarray(sorted(range(n_words), key=vocabulary.__getitem__), dtype=np.int64)
        rank = np.empty(n_words, dtype=np.int64)
        rank[order] = np.arange(n_words)
        lo, hi = min(posts), max(posts)
        index = periods.index(lo, hi)  # first: it refuses a grid too large to allocate
        per_period = np.zeros(hi - lo + 1, dtype=np.int64)
        per_period[np.asarray(list(posts)) - lo] = list(posts.values())
        parts, rows, cols, data = [], [], [], []
        for k in keys:
            total = np.zeros(n_words, dtype=np.int64)
            for name in doc["parts"][str(k)]:
                n, held = self._part_words(doc, name)
                total += held
                parts.append((k, name, n, doc.get("checks", {}).get(name)))
            nz = np.flatnonzero(total)
            rows.append(np.full(len(nz), k - lo))
            cols.append(rank[nz])
            data.append(total[nz])
        matrix = sp.csr_matrix((np.concatenate(data or [np.zeros(0, np.int64)]),
                                (np.concatenate(rows or [np.zeros(0, np.int64)]),
                                 np.concatenate(cols or [np.zeros(0, np.int64)]))),
                               shape=(hi - lo + 1, n_words), dtype=np.int64)
        matrix.sort_indices()
        counts = WordCounts(matrix, [vocabulary[j] for j in order], index, per_period,
                            params["freq"], params["tz"])
        stored = StoredPosts(self.folder, parts, {k: k - lo for k in keys}, order, doc["words"],
                             checked=[name for _, name, _, _ in parts])
        return stored, counts

    def _part_words(self, doc, name):
        """(posts, posts holding each word of the store) of part ``name``, from its
        ``words`` column alone, checked against the manifest ``doc``."""
        import pyarrow as pa

        check = doc.get("checks", {}).get(name)
        path = self.folder / name / POSTS_FILE
        check_part(self.folder, name, check, path)
        n_posts, held = 0, np.zeros(doc["words"], dtype=np.int64)
        try:
            for offsets, flat in word_batches(path):
                if flat.size and int(flat.max()) >= doc["words"]:
                    raise StoreDamaged(self.folder,
                                       f"part {name} uses words the manifest does not list")
                n_posts += len(offsets) - 1
                held += np.bincount(flat, minlength=doc["words"])
        except StoreDamaged:
            raise
        except (OSError, ValueError, KeyError, pa.ArrowException) as err:
            raise StoreDamaged(self.folder, f"part {name} cannot be read ({err})") from None
        if check is not None and n_posts != check["posts"]:
            raise StoreDamaged(self.folder, f"part {name} holds {n_posts} posts, "
                                            f"the manifest says {check['posts']}")
        return n_posts, held

    def _posts(self, doc):
        """Posts per period key (str), from the manifest or the parts' footers."""
        if "posts" in doc:
            return doc["posts"]
        posts = {}
        for k, parts in doc["parts"].items():
            posts[k] = 0
            for part in parts:
                path = self.folder / part / POSTS_FILE
                check_part(self.folder, part, None, path)
                with open_posts(path) as pf:
                    posts[k] += pf.metadata.num_rows
        return posts

    def _words_of(self, doc):
        """The first words of the vocabulary, as many as the manifest ``doc`` uses."""
        return self.words(doc["words"])

    def _vocabulary(self, doc):
        """The words of the manifest ``doc``, checked against it."""
        try:
            words = self._words_of(doc)
        except OSError as err:  # pyarrow's errors are OSErrors too
            raise StoreDamaged(self.folder, f"{_WORDS} cannot be read ({err})") from None
        if len(words) < doc["words"] or ("words_sha256" in doc and words_sha256(words) != doc["words_sha256"]):
            raise StoreDamaged(self.folder, f"{_WORDS} is not the vocabulary of the manifest")
        return words

    def _read_part(self, doc, name):
        """The PostWords of part ``name``, checked against the manifest ``doc``."""
        import pyarrow as pa

        check = doc.get("checks", {}).get(name)
        path = self.folder / name / POSTS_FILE
        check_part(self.folder, name, check, path)
        try:
            posts = read_post_words(self.folder / name)
        except (OSError, ValueError, KeyError, pa.ArrowException) as err:
            raise StoreDamaged(self.folder, f"part {name} cannot be read ({err})") from None
        if check is not None and posts.n_posts != check["posts"]:
            raise StoreDamaged(self.folder, f"part {name} holds {posts.n_posts} posts, "
                                            f"the manifest says {check['posts']}")
        if posts.words.nnz and int(posts.words.indices.max()) >= doc["words"]:
            raise StoreDamaged(self.folder, f"part {name} uses words the manifest does not list")
        return posts

    # -- appending ---------------------------------------------------------

    def append(self, source, options=None, *, jobs=1, progress=False, wait=True, notify=None,
               **option_kwargs) -> dict:
        """Count ``source`` (post files) and add its posts to the store.

        Appends from many processes (or hosts, on a file system with working
        locks) may run at once: each counts its files on its own, then
        holds the store's lock (:mod:`glipca.counting.lock`) while it reads
        the manifest, writes its parts and replaces the manifest.

        Parameters
        ----------
        wait : bool, default True
            Wait for another append to finish; otherwise raise
            :class:`~glipca.counting.lock.StoreBusy` at once.
        notify : callable, optional
            ``notify(message)`` hears that the append waits, or takes over
            the lock of an append that died.

        Returns
        -------
        dict
            ``added`` (posts), ``repeated`` (posts whose id the store held),
            ``periods`` (touched), ``skipped_inputs`` (files appended before).

        Raises
        ------
        ValueError
            When the options differ from the store's (naming them).
        """
        _refuse_urls(source)
        files = existing_files(source)
        content = content_ids(files)
        options, _, params = resolve_options(files, count_options(options, **option_kwargs),
                                             content=content)
        # Counted before the lock is taken: appends count side by side and
        # wait for each other only while they write.
        def count(new):
            return prepare_counts(new, options, jobs=jobs, progress=progress)

        new = new_inputs(self.manifest(), files, content, params)
        return self.add_counted(files, content, params, new, count(new) if new else None, count,
                                self._add, wait=wait, notify=notify)

    def add_counted(self, files, content, params, new, counted, count, add, *, wait=True,
                    notify=None) -> dict:
        """Add ``counted``, the count of the ``new`` files among ``files``, in attempts.

        ``count(files)`` counts files and ``add(doc, counted, content,
        done)`` writes a count on the manifest ``doc`` of one
        :meth:`transaction`.  Files another append took meanwhile are left
        out (the rest counted again); a race lost to another append (object
        storage) is written again without counting.  Returns the tally.
        """
        for attempt in itertools.count():
            try:
                with self.transaction(files, content, params, wait=wait,
                                      notify=notify) as (doc, now, done):
                    if now != new:  # another append took some of the files meanwhile
                        new, counted = now, (count(now) if now else None)
                    if new:
                        add(doc, counted, [c for f, c in zip(files, content) if f in new], done)
                    return done
            except LostRace as lost:  # counted once; written again on the new manifest
                self.after_lost_race(attempt, lost)

    def after_lost_race(self, attempt, lost):
        """Go on after the ``attempt``-th lost race, or raise: a local store,
        whose appends hold a lock, never loses one."""
        raise lost

    @contextlib.contextmanager
    def transaction(self, files, content, params, *, wait=True, notify=None):
        """Hold the store's lock for one append of ``files``.

        Yields
        ------
        doc : dict
            The manifest, read under the lock.
        new : list
            The ``files`` whose content the store does not hold yet.
        done : dict
            The append's tally (``added``, ``repeated``, ``periods``,
            ``skipped_inputs``), to be filled by :meth:`seal_append`.

        What an append that fails inside wrote is removed, and the store
        reads as it was.
        """
        with store_lock(self.folder, wait=wait, notify=notify) as dead:
            doc = self.manifest()
            if dead:
                _discard_unlisted(self.folder, doc)
            new = new_inputs(doc, files, content, params)
            done = {"added": 0, "repeated": 0, "periods": 0, "skipped_inputs": len(files) - len(new)}
            appended = doc["appends"] + 1
            try:
                yield doc, new, done
            except BaseException:
                # What this append wrote and no manifest names goes with it;
                # the error told is the append's own, whatever this finds.
                with contextlib.suppress(Exception):
                    _discard_unlisted(self.folder, self.manifest(), appended)
                raise

    def grown_vocabulary(self, doc, words):
        """The store's vocabulary with the ``words`` it lacks added, in their order."""
        number = {w: j for j, w in enumerate(self._vocabulary(doc))}
        for w in words:
            number.setdefault(w, len(number))
        return number

    def _add(self, doc, prepared, content, done):
        """Write the parts of ``prepared`` and the manifest ``doc`` extended by them."""
        number = self.grown_vocabulary(doc, prepared.counts.words)
        to_store = np.fromiter((number[w] for w in prepared.counts.words), dtype=np.int64,
                               count=prepared.counts.n_words)
        posts = prepared.posts
        periods = Periods(prepared.params["freq"], zone(prepared.params["tz"]))
        first = _key(periods, prepared.counts.periods[0]) if prepared.counts.n_periods else 0
        keys = posts.period.astype(np.int64) + first
        written = []
        for k in np.unique(keys).tolist():
            part = posts.take(np.flatnonzero(keys == k))
            words = sp.csr_matrix((part.words.data, to_store[part.words.indices], part.words.indptr),
                                  shape=(part.n_posts, len(number)))
            part = PostWords(part.period, words, part.ids, part.times, part.texts())
            written.append(write_period_part(self.folder, doc, k, part))
        self.seal_append(doc, written, list(number), prepared.report, prepared.params, content, done)

    def seal_append(self, doc, written, vocabulary, report, params, content, done):
        """Record the parts ``written`` (:func:`write_period_part`'s results), the
        ``vocabulary``, the ingest ``report`` and the inputs' ``content`` in the
        manifest ``doc``, and replace the manifest."""
        doc["posts"] = self._posts(doc)
        generation = doc["appends"]
        checks = doc.setdefault("checks", {})
        for k, name, check, repeated in written:
            done["repeated"] += repeated
            if name is None:
                continue
            checks[name] = check
            doc["parts"].setdefault(str(k), []).append(name)
            doc["posts"][str(k)] = doc["posts"].get(str(k), 0) + check["posts"]
            done["added"] += check["posts"]
            done["periods"] += 1
        report, added = IngestReport.from_dict(doc["report"]), report
        report.merge(added)
        if done["repeated"]:
            report.drop("duplicate id", done["repeated"])
        known = {json.dumps(c, sort_keys=True) for c in doc["inputs"]}
        doc.update(params=params, appends=generation + 1, words=len(vocabulary),
                   words_sha256=words_sha256(vocabulary),
                   inputs=doc["inputs"] + [c for c in content if json.dumps(c, sort_keys=True) not in known],
                   report=report.as_dict())
        self._write_vocabulary(doc, vocabulary)
        self._commit(doc, generation)

    def _write_vocabulary(self, doc, vocabulary):
        """Write the vocabulary the manifest ``doc`` will use."""
        _write_words(self.folder, vocabulary)

    def _commit(self, doc, generation):
        """Replace the manifest with ``doc`` if it is still at ``generation``.

        Under a lock that works, it always is; where the file system granted
        the lock to two appends at once, the later one is refused here
        rather than dropping the posts of the other.
        """
        if self.manifest()["appends"] != generation:
            raise ConcurrentAppend(f"{self.folder}: another append changed the store meanwhile "
                                   "(the file system does not honour locks); nothing was added, "
                                   "run the append again")
        # Keys in the order they were made: the options' record reads back
        # as the counting pass gives it, and clusters.json as of the files.
        _replace(self.folder / _MANIFEST, manifest_text(doc))


class ObjectCountStore(ObjectStore, CountStore):
    """A count store at an fsspec URL (``s3://bucket/store``), appended to by
    exclusive creation of numbered manifests instead of a lock
    (:mod:`.objectstore`).  ``CountStore(url)`` makes one; it reads and
    appends as a local store does.

    Parameters
    ----------
    folder : str or RemotePath
        The store's URL.
    storage_options : dict, optional
        Options of its fsspec file system.
    """


def _refuse_urls(source):
    names = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    remote = [s for s in names if is_url(s)]
    if remote:
        raise ValueError(f"{remote[0]}: inputs at URLs are appended on Dask, which reads them "
                         "where they are (glipca count URL... --store STORE --append --dask)")


def _discard_unlisted(folder, doc, generation=None):
    """Remove the part folders (of append ``generation``, or all) that the
    manifest ``doc`` does not list: those of an append that did not finish.
    No reader reads them, whatever manifest it holds: manifests only grow."""
    listed = {p for parts in doc["parts"].values() for p in parts}
    pattern = "*/*" if generation is None else f"*/{generation:06d}"
    for found in sorted((folder / "parts").glob(pattern)):
        name = found.relative_to(folder).as_posix()
        if name not in listed:
            shutil.rmtree(found, ignore_errors=True)
    for leftover in (*folder.glob(".store-*"), *folder.glob(".words-*")):
        if generation is None:
            leftover.unlink(missing_ok=True)


def _key(periods, t):
    t = pd.Timestamp(t)
    if t.tz is None:
        t = t.tz_localize(periods.zone)
    return periods.key(t.to_pydatetime())


def write_period_part(folder, doc, key, posts, dedupe=None):
    """Write the new posts of period ``key`` as a part of the next append.

    Parameters
    ----------
    folder : path
        The store.
    doc : dict
        The manifest the append holds (its parts and checks are read).
    key : int
        The period key.
    posts : PostWords
        The append's posts of that period, in input order, with word numbers
        of the store's vocabulary.
    dedupe : array of int64, optional
        Digests of ``posts``: a post whose digest an earlier one has is
        left out (``drop_duplicates`` counted elsewhere than here).

    Returns
    -------
    tuple
        ``(key, part name or None, check, posts left out as repeated ids)``.
    """
    folder = location(folder)
    rows = np.arange(posts.n_posts)
    if dedupe is not None:
        rows = np.sort(np.unique(dedupe, return_index=True)[1])
    kept = _new_ids(CountStore(folder), doc, doc["parts"].get(str(key), []), posts, rows)
    repeated = len(rows) - len(kept)
    if not len(kept):
        return key, None, None, repeated
    part = posts.take(kept)
    part.words.sort_indices()
    name = f"parts/{key}/{doc['appends'] + 1:06d}"
    if "attempt" in doc:  # on object storage: racing appends never write the same part
        name += f"-{doc['attempt']}"
    (folder / name).mkdir(parents=True, exist_ok=True)
    written = write_post_words(PostWords(np.full(len(kept), key), part.words, part.ids, part.times,
                                         part.texts()), folder / name)
    return key, name, part_check(written, len(kept)), repeated


def _new_ids(store, doc, parts, posts, rows):
    """``rows`` less the posts whose id is already in ``parts`` or earlier in ``rows``."""
    seen = set()
    for name in parts:
        path = store.folder / name / POSTS_FILE
        check_part(store.folder, name, doc.get("checks", {}).get(name), path)
        with open_posts(path) as pf:
            seen.update(pf.read(columns=["id"], use_threads=False).column("id").to_pylist())
    keep = []
    for r, i in zip(rows.tolist(), posts.ids.take(rows).to_pylist()):
        if i not in seen:
            seen.add(i)
            keep.append(r)
    return np.asarray(keep, dtype=np.int64)


def _window(parts, vocabulary, periods, params, posts):
    """PostWords and WordCounts of store ``parts``, on the grid of every period
    of the store (``posts``: posts per period key), over the whole vocabulary
    sorted: the counts of the posts of ``parts``, the posts per period of all."""
    import pyarrow as pa

    n_words = len(vocabulary)
    order = np.asarray(sorted(range(n_words), key=vocabulary.__getitem__), dtype=np.int64)
    lo, hi = min(posts), max(posts)
    index = periods.index(lo, hi)  # first: it refuses a grid too large to allocate
    per_period = np.zeros(hi - lo + 1, dtype=np.int64)
    per_period[np.asarray(list(posts)) - lo] = list(posts.values())
    if not parts:
        words = sp.csr_matrix((0, n_words), dtype=np.int8)
        row = np.zeros(0, dtype=np.int32)
        ids = texts = pa.chunked_array([], type=pa.string())
        times = np.zeros(0, dtype=np.int64)
    else:
        # Parts written before the vocabulary grew have fewer columns.
        words = sp.vstack([sp.csr_matrix((p.words.data, p.words.indices, p.words.indptr),
                                         shape=(p.n_posts, n_words)) for p in parts]).tocsr()
        words = words[:, order].tocsr()
        words.sort_indices()
        row = (np.concatenate([p.period.astype(np.int64) for p in parts]) - lo).astype(np.int32)
        ids = pa.chunked_array([c for p in parts for c in _chunks(p.ids)], type=pa.string())
        texts = pa.chunked_array([c for p in parts for c in _chunks(p.text_slice(0, p.n_posts))],
                                 type=pa.string())
        times = np.concatenate([p.times for p in parts])
    kept = PostWords(row, words, ids, times, texts)
    by_period = sp.csr_matrix((np.ones(len(row)), (row, np.arange(len(row)))),
                              shape=(hi - lo + 1, len(row)))
    counts = WordCounts((by_period @ words.astype(np.int64)).astype(np.int64).tocsr(),
                        [vocabulary[j] for j in order], index, per_period,
                        params["freq"], params["tz"])
    return kept, counts


def _chunks(values):
    import pyarrow as pa

    return values.chunks if isinstance(values, pa.ChunkedArray) else [values]


def _write_words(folder, vocabulary):
    fd, tmp = tempfile.mkstemp(prefix=".words-", dir=folder)
    os.close(fd)
    write_vocabulary(vocabulary, tmp)
    os.replace(tmp, folder / _WORDS)


def _replace(path, text):
    fd, tmp = tempfile.mkstemp(prefix=".store-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    os.replace(tmp, path)
