"""Word counts on disk, in Parquet, and the cache that keeps them.

A counts folder holds:

* ``counts.parquet``: the long table ``period`` (tz-aware timestamp),
  ``word``, ``count`` (posts of the period containing the word), one row per
  non-zero cell, sorted by period and word;
* ``periods.parquet``: ``period``, ``posts`` for every period, empty ones
  included;
* ``meta.json``: frequency, time zone, the parameters that produced the
  counts and the ingest report;
* ``posts.parquet`` (when kept): each counted post's period, time, id, text
  and words (:mod:`glipca.counting.postwords`).

The cache is a folder of such folders named by a key: the SHA-256 of the
inputs' content (name, size and SHA-256 of the bytes of each file, not
where they are) and of every option that changes the counts, so the same
posts at another path reuse the counts and give the same ``counts_key``.
A file's digest is remembered (folder ``notes/``) under its identity on
disk (path, inode, size, modification and status-change times), so that
a warm run does not read the input again; any write to the file changes
its status-change time and so its identity.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .. import __version__
from .counts import WordCounts
from .integrity import file_sha256
from .location import is_url, remote_path
from .periods import Periods, zone
from .postwords import read_post_words, write_post_words
from ..ingest import IngestReport

__all__ = ["default_cache_dir", "cache_key", "content_ids", "file_digest", "write_counts", "read_counts", "CountCache"]

#: Bump when the folder layout changes.
FORMAT = 1
_COUNTS, _PERIODS, _META = "counts.parquet", "periods.parquet", "meta.json"


def default_cache_dir() -> Path:
    """``$GLIPCA_CACHE``, else ``$XDG_CACHE_HOME/glipca``, else ``~/.cache/glipca``."""
    if os.environ.get("GLIPCA_CACHE"):
        return Path(os.environ["GLIPCA_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "glipca"


def file_digest(path, cache=None) -> str:
    """SHA-256 of a file's bytes, remembered by ``cache`` under the file's identity.

    The identity is the absolute path, device, inode, size and the
    modification and status-change times (ns): any write changes the
    status-change time, which no tool can set back, so a changed file is
    hashed again.  Without ``cache`` the file is always read.
    """
    st = os.stat(path)
    ident = [os.path.abspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    known = cache.recall("digest", ident) if cache is not None else None
    if known is not None:
        return known
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    if cache is not None:
        cache.remember("digest", ident, digest)
    return digest


def content_ids(files, cache=None) -> list:
    """``[name, size, SHA-256]`` of each file, in order: what identifies the input.

    The name (without its folder) stays: it decides the format and the
    generated post ids; the folder does not, so the same posts anywhere
    have the same key.  A file at an fsspec URL is streamed through fsspec
    (and its digest not remembered).
    """
    return [_remote_content_id(f) if is_url(f) else
            [os.path.basename(f), os.path.getsize(f), file_digest(f, cache)] for f in files]


def _remote_content_id(url):
    path = remote_path(url)
    return [path.name, path.stat().st_size, file_sha256(path)]


def cache_key(content, params) -> str:
    """Key of counts of the input ``content`` (:func:`content_ids`) under ``params``.

    ``params`` is the JSON-ready record of every option that shapes the
    counts (:meth:`glipca.counting.options.CountOptions.params`).
    """
    doc = {"format": FORMAT, "glipca": __version__, "files": content, "params": params}
    return _sha256(doc)


def _sha256(doc):
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_counts(counts, folder, meta=None, posts=None) -> None:
    """Write ``counts`` (a :class:`WordCounts`) into an existing folder.

    ``posts``, a :class:`~glipca.counting.postwords.PostWords` of the
    counts, goes to ``posts.parquet`` (:func:`~glipca.counting.postwords.write_post_words`).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    coo = counts.counts.tocoo()  # row-major order: sorted by period, word
    periods = counts.periods
    table = pa.table(
        {
            "period": pa.array(periods[coo.row]),
            # Dictionary-encoded: each word is stored once.
            "word": pa.DictionaryArray.from_arrays(
                pa.array(coo.col.astype(np.int32)), pa.array(counts.words, type=pa.string())
            ),
            "count": pa.array(coo.data.astype(np.int64)),
        }
    )
    pq.write_table(table, folder / _COUNTS)
    pq.write_table(pa.table({"period": pa.array(periods), "posts": pa.array(counts.posts)}), folder / _PERIODS)
    if posts is not None:
        write_post_words(posts, folder)
    doc = {"format": FORMAT, "glipca_version": __version__, "freq": counts.freq, "tz": counts.tz}
    doc.update(meta or {})
    text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (folder / _META).write_text(text, encoding="utf-8")


def read_counts(folder):
    """Read a counts folder written by :func:`write_counts`.

    Returns
    -------
    counts : WordCounts
    meta : dict
        The content of ``meta.json``.

    Raises
    ------
    ValueError
        If the folder is not a readable counts folder.
    """
    # pandas and scipy here, not at import: see counts._AFTER_COUNTING.
    import pandas as pd
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    import scipy.sparse as sp

    folder = Path(folder)
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT}")
        table = pq.read_table(folder / _COUNTS).combine_chunks()
        per = pq.read_table(folder / _PERIODS).to_pandas()
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{folder}: not a readable counts folder ({exc})") from None

    freq, tz = meta["freq"], meta["tz"]
    # Rebuild the period index as counting does, so that it is identical
    # (frequency attribute and DST handling included).
    stamps = pd.DatetimeIndex(per["period"])
    periods = Periods(freq, zone(tz))
    if len(stamps):
        lo, hi = (periods.key(stamps[i].to_pydatetime()) for i in (0, -1))
        index = periods.index(lo, hi)
    else:
        index = pd.DatetimeIndex([], tz=periods.zone)

    encoded = pc.dictionary_encode(table.column("word").cast("string")).combine_chunks()
    local_words = encoded.dictionary.to_pylist()
    order = sorted(range(len(local_words)), key=local_words.__getitem__)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    cols = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    rows = index.get_indexer(pd.DatetimeIndex(table.column("period").to_pandas()))
    data = table.column("count").to_numpy()
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(index), len(order)), dtype=np.int64)
    matrix.sort_indices()
    counts = WordCounts(
        counts=matrix,
        words=[local_words[i] for i in order],
        periods=index,
        posts=per["posts"].to_numpy(dtype=np.int64),
        freq=freq,
        tz=tz,
    )
    return counts, meta


class CountCache:
    """A folder of counts folders, one per key.

    Parameters
    ----------
    folder : path, optional
        Defaults to :func:`default_cache_dir`.
    """

    def __init__(self, folder=None):
        self.folder = Path(folder) if folder is not None else default_cache_dir()

    def path(self, key) -> Path:
        return self.folder / key[:32]

    def _note(self, kind, ident) -> Path:
        return self.folder / "notes" / kind / _sha256(ident)[:32]

    def recall(self, kind, ident):
        """A short text remembered under ``(kind, ident)``, or None."""
        try:
            return self._note(kind, ident).read_text(encoding="utf-8") or None
        except (OSError, UnicodeDecodeError):
            return None

    def remember(self, kind, ident, value):
        """Remember ``value`` (a short text) under ``(kind, ident)``; best effort."""
        path = self._note(kind, ident)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(value)
            os.replace(tmp, path)
        except OSError:
            pass  # only a later run's shortcut is lost

    def get(self, key, posts=False):
        """``(WordCounts, IngestReport, meta, PostWords or None)`` stored under ``key``, or None.

        With ``posts``, an entry without the posts' words is a miss.
        """
        from pyarrow import ArrowException

        path = self.path(key)
        if not (path / _META).exists():
            return None
        try:
            counts, meta = read_counts(path)
            kept = read_post_words(path, counts.n_words) if posts else None
        except (ValueError, OSError, ArrowException):
            return None  # unreadable: counted again and replaced
        if meta.get("key") != key or (posts and kept is None):
            return None
        return counts, IngestReport.from_dict(meta["report"]), meta, kept

    def put(self, key, counts, report, params, posts=None):
        """Store counts under ``key``, atomically; return the folder or None.

        A cache that cannot be written (read-only, disk full, or another
        process storing the same key meanwhile) gives a warning, not an
        error: the counts are good, only not kept.
        """
        final, tmp = self.path(key), None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder))
            write_counts(counts, tmp, {"key": key, "params": params, "report": report.as_dict()}, posts)
            if final.exists():  # an unreadable or stale entry
                shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
        except OSError as exc:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            if (final / _META).exists():
                return final  # stored by another process
            warnings.warn(f"counts not cached in {self.folder}: {exc.strerror or exc}", stacklevel=2)
            return None
        return final
