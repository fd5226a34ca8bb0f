"""A count store that grows: posts appended batch by batch, windows read back.

A store is a folder:

* ``store.json``: the manifest: format, the counting options' record
  (:meth:`glipca.options.CountOptions.params`), the content ids of the
  inputs appended (:func:`~glipca.counting.cache.content_ids`), the number
  of words of the vocabulary in use, the summed ingest report, and, per
  period key, the parts holding its posts;
* ``words.parquet``: the vocabulary, one word per row, in the order words
  were first met (a word's number never changes);
* ``parts/<period key>/<append>/posts.parquet``: the posts of one period
  added by one append, written by :func:`~glipca.counting.postwords.write_post_words`
  with word numbers of the vocabulary and the period key as ``period``.

An append writes its parts and the vocabulary first and the manifest last,
by an atomic rename: an interrupted append leaves parts that no manifest
names, and the store reads as it was.  A post whose id the store already
holds in the same period (a post's period follows from its time) is not
added again; an input whose content was appended before is skipped.
Appending costs time in proportion to the new posts (and to the ids of the
periods they fall in), not to the store.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..ingest import IngestReport
from .cache import content_ids
from .counts import WordCounts
from .periods import Periods, zone
from .postwords import PostWords, read_post_words, write_post_words
from ..options import count_options
from .prepare import PreparedCounts, existing_files, prepare_counts, resolve_options

__all__ = ["CountStore", "FORMAT"]

FORMAT = 1
_MANIFEST, _WORDS = "store.json", "words.parquet"


class CountStore:
    """A folder of word counts and per-post words that appends grow.

    Parameters
    ----------
    folder : path
        Created by the first append.
    """

    def __init__(self, folder):
        self.folder = Path(folder)

    # -- reading -----------------------------------------------------------

    def manifest(self) -> dict:
        """The manifest, or that of an empty store."""
        path = self.folder / _MANIFEST
        if not path.exists():
            return {"format": FORMAT, "params": None, "inputs": [], "appends": 0, "words": 0,
                    "report": IngestReport().as_dict(), "parts": {}}
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError(f"{self.folder}: store format {doc.get('format')!r}, expected {FORMAT}")
        return doc

    def words(self, n=None) -> list:
        """The first ``n`` words of the vocabulary (all when None), in number order."""
        import pyarrow.parquet as pq

        path = self.folder / _WORDS
        words = pq.read_table(path).column("word").to_pylist() if path.exists() else []
        return words if n is None else words[:n]

    def read(self, since=None, until=None) -> PreparedCounts:
        """The counts and posts of periods ``since`` to ``until`` (dates; inclusive).

        Returns
        -------
        PreparedCounts
            As :func:`~glipca.counting.prepare.prepare_counts` gives for
            the same posts: counts over the words of these posts, posts in
            period order (append order within a period).
        """
        from ..options import CountOptions, ReadOptions

        doc = self.manifest()
        if doc["params"] is None:
            raise ValueError(f"{self.folder}: empty store")
        params = doc["params"]
        periods = Periods(params["freq"], zone(params["tz"]))
        keys = sorted(int(k) for k in doc["parts"])
        lo_key = _key(periods, since) if since is not None else None
        hi_key = _key(periods, until) if until is not None else None
        keys = [k for k in keys if (lo_key is None or k >= lo_key) and (hi_key is None or k <= hi_key)]
        if not keys:
            raise ValueError(f"{self.folder}: no posts between {since} and {until}")
        vocabulary = self.words(doc["words"])
        parts = [read_post_words(self.folder / part) for k in keys for part in doc["parts"][str(k)]]
        posts, counts = _window(parts, vocabulary, periods, params)
        report = IngestReport.from_dict(doc["report"])
        if since is not None or until is not None:
            report = IngestReport(read=posts.n_posts, used=posts.n_posts)
        read = ReadOptions(fmt=params["format"], tz=params["tz"], on_error=params["on_error"],
                           drop_retweets=params["drop_retweets"],
                           drop_duplicates=params["drop_duplicates"], **params["fields"])
        options = CountOptions(read, lang=params["lang"], freq=params["freq"])
        return PreparedCounts(counts, report, options, params, None, True, posts)

    # -- appending ---------------------------------------------------------

    def append(self, source, options=None, *, jobs=1, progress=False, **option_kwargs) -> dict:
        """Count ``source`` (post files) and add its posts to the store.

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
        doc = self.manifest()
        files = existing_files(source)
        content = content_ids(files)
        options, _, params = resolve_options(files, count_options(options, **option_kwargs),
                                             content=content)
        _check_params(doc["params"], params)
        known = {json.dumps(c, sort_keys=True) for c in doc["inputs"]}
        new = [f for f, c in zip(files, content) if json.dumps(c, sort_keys=True) not in known]
        done = {"added": 0, "repeated": 0, "periods": 0, "skipped_inputs": len(files) - len(new)}
        if not new:
            return done
        prepared = prepare_counts(new, options, jobs=jobs, progress=progress)
        vocabulary = self.words(doc["words"])
        number = {w: j for j, w in enumerate(vocabulary)}
        for w in prepared.counts.words:
            number.setdefault(w, len(number))
        vocabulary = list(number)
        to_store = np.fromiter((number[w] for w in prepared.counts.words), dtype=np.int64,
                               count=prepared.counts.n_words)
        posts = prepared.posts
        periods = Periods(prepared.params["freq"], zone(prepared.params["tz"]))
        first = _key(periods, prepared.counts.periods[0]) if prepared.counts.n_periods else 0
        keys = posts.period.astype(np.int64) + first
        appended = doc["appends"] + 1
        self.folder.mkdir(parents=True, exist_ok=True)
        for k in np.unique(keys).tolist():
            rows = np.flatnonzero(keys == k)
            rows = _new_ids(self, doc["parts"].get(str(k), []), posts, rows)
            done["repeated"] += int(np.sum(keys == k)) - len(rows)
            if not len(rows):
                continue
            part = posts.take(rows)
            words = sp.csr_matrix((part.words.data, to_store[part.words.indices], part.words.indptr),
                                  shape=(len(rows), len(vocabulary)))
            words.sort_indices()
            name = f"parts/{k}/{appended:06d}"
            (self.folder / name).mkdir(parents=True, exist_ok=True)
            write_post_words(PostWords(np.full(len(rows), k), words, part.ids, part.times,
                                       part.texts()), self.folder / name)
            doc["parts"].setdefault(str(k), []).append(name)
            done["added"] += len(rows)
            done["periods"] += 1
        report = IngestReport.from_dict(doc["report"])
        report.merge(prepared.report)
        if done["repeated"]:
            report.drop("duplicate id", done["repeated"])
        doc.update(params=prepared.params, appends=appended, words=len(vocabulary),
                   inputs=doc["inputs"] + [c for c in content if json.dumps(c, sort_keys=True) not in known],
                   report=report.as_dict())
        _write_words(self.folder, vocabulary)
        _replace(self.folder / _MANIFEST, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True))
        return done


def _key(periods, t):
    import pandas as pd

    t = pd.Timestamp(t)
    if t.tz is None:
        t = t.tz_localize(periods.zone)
    return periods.key(t.to_pydatetime())


def _check_params(stored, given):
    if stored is None or stored == given:
        return
    differ = sorted(k for k in set(stored) | set(given) if stored.get(k) != given.get(k))
    raise ValueError("the store was made with other options (" + ", ".join(differ) + "); "
                     "append with the store's options or start another store")


def _new_ids(store, parts, posts, rows):
    """``rows`` less the posts whose id is already in ``parts`` or earlier in ``rows``."""
    import pyarrow.parquet as pq

    seen = set()
    for name in parts:
        seen.update(pq.read_table(store.folder / name / "posts.parquet", columns=["id"]).column("id").to_pylist())
    keep = []
    for r, i in zip(rows.tolist(), posts.ids.take(rows).to_pylist()):
        if i not in seen:
            seen.add(i)
            keep.append(r)
    return np.asarray(keep, dtype=np.int64)


def _window(parts, vocabulary, periods, params):
    """PostWords and WordCounts of store parts, columns the words they use, sorted."""
    import pyarrow as pa

    n_words = len(vocabulary)
    # Parts written before the vocabulary grew have fewer columns.
    words = sp.vstack([sp.csr_matrix((p.words.data, p.words.indices, p.words.indptr),
                                     shape=(p.n_posts, n_words)) for p in parts]).tocsr()
    used = np.flatnonzero(np.bincount(words.indices, minlength=n_words))
    order = sorted(used.tolist(), key=vocabulary.__getitem__)
    words = words[:, order].tocsr()
    words.sort_indices()
    keys = np.concatenate([p.period.astype(np.int64) for p in parts])
    lo, hi = int(keys.min()), int(keys.max())
    row = (keys - lo).astype(np.int32)
    ids = pa.chunked_array([c for p in parts for c in _chunks(p.ids)], type=pa.string())
    texts = pa.chunked_array([c for p in parts for c in _chunks(p.text_slice(0, p.n_posts))],
                             type=pa.string())
    posts = PostWords(row, words, ids, np.concatenate([p.times for p in parts]), texts)
    by_period = sp.csr_matrix((np.ones(len(row)), (row, np.arange(len(row)))), shape=(hi - lo + 1, len(row)))
    counts = WordCounts((by_period @ words.astype(np.int64)).astype(np.int64),
                        [vocabulary[j] for j in order], periods.index(lo, hi),
                        np.bincount(row, minlength=hi - lo + 1), params["freq"], params["tz"])
    return posts, counts


def _chunks(values):
    import pyarrow as pa

    return values.chunks if isinstance(values, pa.ChunkedArray) else [values]


def _write_words(folder, vocabulary):
    import pyarrow as pa
    import pyarrow.parquet as pq

    fd, tmp = tempfile.mkstemp(prefix=".words-", dir=folder)
    os.close(fd)
    pq.write_table(pa.table({"word": pa.array(vocabulary, type=pa.string())}), tmp)
    os.replace(tmp, folder / _WORDS)


def _replace(path, text):
    fd, tmp = tempfile.mkstemp(prefix=".store-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    os.replace(tmp, path)
