"""Where a count store's files are: a local folder, or an fsspec URL.

A local store's files are :class:`pathlib.Path` objects, read and written as
they always were.  A store on object storage (``s3://``, ``gs://``,
``abfs://``, any fsspec file system) addresses its files with
:class:`RemotePath`, which answers the few questions the store asks of a
path (join, name, size, open) through its fsspec file system.
:func:`arrow_source` hands either to pyarrow: the path itself, or an open
fsspec file.
"""

from __future__ import annotations

import contextlib
import types
from pathlib import Path

__all__ = ["RemotePath", "remote_path", "location", "arrow_source", "arrow_threads", "read_table",
           "is_url", "is_local_url"]


def is_url(folder) -> bool:
    return isinstance(folder, RemotePath) or "://" in str(folder)


def is_local_url(folder) -> bool:
    """A ``file://`` (or ``local://``) URL: a local folder written as a URL."""
    return isinstance(folder, str) and folder.split("://", 1)[0] in ("file", "local")


class RemotePath:
    """A file or folder on an fsspec file system, joined and opened as a Path is.

    Parameters
    ----------
    fs : fsspec.AbstractFileSystem
    path : str
        The path on ``fs``, without its protocol.
    """

    def __init__(self, fs, path):
        self.fs, self.path = fs, path.rstrip("/")

    def __truediv__(self, name):
        return RemotePath(self.fs, f"{self.path}/{name}")

    def __str__(self):
        return self.fs.unstrip_protocol(self.path)

    def __repr__(self):
        return f"RemotePath({str(self)!r})"

    def __eq__(self, other):
        return isinstance(other, RemotePath) and str(self) == str(other)

    def __hash__(self):
        return hash(str(self))

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def stat(self):
        """What ``os.stat`` tells that the store reads: ``st_size``, ``st_mtime``
        (None where the file system does not say)."""
        info = self.fs.info(self.path)  # FileNotFoundError, as a local stat
        if info.get("type") == "directory":
            raise IsADirectoryError(str(self))
        return types.SimpleNamespace(st_size=int(info["size"]), st_mtime=_mtime(info))

    def exists(self) -> bool:
        return self.fs.exists(self.path)

    def is_file(self) -> bool:
        return self.fs.isfile(self.path)

    def mkdir(self, parents=False, exist_ok=False):
        """Nothing: an object store has no folders, a file's name makes them."""

    def open(self, mode="rb"):
        return self.fs.open(self.path, mode)

    def read_text(self, encoding="utf-8") -> str:
        with self.open("rb") as fh:
            return fh.read().decode(encoding)

    def listing(self) -> list:
        """Names (last components) of what the folder holds, read afresh."""
        self.fs.invalidate_cache(self.path)
        try:
            found = self.fs.ls(self.path, detail=False)
        except FileNotFoundError:
            return []
        return [f.rstrip("/").rsplit("/", 1)[-1] for f in found]


def _mtime(info):
    for key in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(key)
        if value is None:
            continue
        if hasattr(value, "timestamp"):
            return value.timestamp()
        try:
            return float(value)
        except (TypeError, ValueError):
            import pandas as pd

            return pd.Timestamp(value).timestamp()
    return None


def remote_path(url, storage_options=None) -> RemotePath:
    """The :class:`RemotePath` of ``url``, a one-line error when fsspec or the
    file system's package is absent."""
    try:
        import fsspec
    except ImportError:
        raise ValueError(f"{url}: a count store at a URL needs fsspec: pip install "
                         "'glipca[s3]' (or gcsfs, adlfs for gs://, abfs://)") from None
    try:
        fs, path = fsspec.core.url_to_fs(str(url), **(storage_options or {}))
    except (ImportError, ValueError) as err:  # its package absent, or no such protocol
        raise ValueError(f"{url}: {' '.join(str(err).split())}") from None
    return RemotePath(fs, path)


def location(folder):
    """``folder`` as the store addresses it: a RemotePath stays one, else a Path."""
    return folder if isinstance(folder, RemotePath) else Path(folder)


@contextlib.contextmanager
def arrow_source(path):
    """What pyarrow reads ``path`` from: a local path as it is, else an open file."""
    if isinstance(path, RemotePath):
        with path.open("rb") as fh:
            yield fh
    else:
        yield path


def arrow_threads(path) -> bool:
    """Whether pyarrow may read ``path`` with its thread pools: not through a
    Python file (an fsspec file), whose reads from Arrow's threads make the
    interpreter abort at exit now and then (pyarrow 26: 2 runs in 100)."""
    return not isinstance(path, RemotePath)


def read_table(path, columns=None):
    """:func:`pyarrow.parquet.read_table` of a Path or a RemotePath."""
    import pyarrow.parquet as pq

    if isinstance(path, RemotePath):
        with path.open("rb") as fh:
            # Not read_table: its dataset scan reads the file from Arrow's
            # threads (arrow_threads).
            return pq.ParquetFile(fh).read(columns=columns, use_threads=False)
    return pq.read_table(path, columns=columns)
