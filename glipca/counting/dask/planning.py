"""Cutting input files into counting tasks, on the client.

Plain JSON lines files are cut into byte ranges; a range holds the lines
that *start* in it, and carries the file's field names as the local reader
would have settled them before its first line.  Other files are one task
each.
"""

from __future__ import annotations

import collections
import copy
import io
import os
from dataclasses import dataclass

from ...ingest import InputError, input_files
from ...ingest.dates import date_order
from ...ingest.fields import Schema, settle
from ...ingest.files import format_from_name, needs_recoding, sniff
from ...ingest.jsonl import jsonl_records
from ...ingest.options import ReadOptions
from ..location import is_url
from ..periods import zone

__all__ = ["CountTask", "plan_tasks", "expand_inputs", "open_url", "is_url", "DEFAULT_BLOCKSIZE"]

#: Bytes of a JSON lines file per task: large enough that scheduling costs
#: little next to the work (about 30 s of tokenising), small enough to
#: spread a few big files over many workers.
DEFAULT_BLOCKSIZE = 64 << 20

#: Bytes read from a file's start to recognise its format.
_HEAD = 1 << 20


def local_sample_or_lang(files, options) -> bool:
    """Whether some of ``files`` are URLs; a one-line error where they are and
    the language is to be detected (``lang='auto'`` reads a sample of the
    posts on the client, from local files)."""
    remote = [f for f in files if is_url(f)]
    if remote and options.lang == "auto":
        raise ValueError(f"{remote[0]}: lang='auto' reads a sample on the client and needs local "
                         "files; give the language (lang, --lang)")
    return bool(remote)


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


def expand_inputs(paths, storage_options):
    """Input files in reading order: local ones as :func:`input_files` lists them."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = os.fsdecode(p)
        if not is_url(p):
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


def open_url(url, storage_options):
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
        url = name if is_url(name) else os.path.abspath(name)
        if not is_url(name) and not os.path.exists(name):
            raise InputError(name, 0, None, "file not found", "file")
        try:
            fh = open_url(url, storage_options)
        except FileNotFoundError:
            raise InputError(name, 0, None, "file not found", "file") from None
        with fh:
            size = fh.size if hasattr(fh, "size") else os.path.getsize(url)
            head = fh.read(_HEAD)
        if not head.strip(b" \t\r\n\xef\xbb\xbf") and size <= len(head):
            empty.append((i, name))
            continue
        # Files that cannot be cut at LF bytes are read whole by one task.
        whole = head[:2] == b"\x1f\x8b" or needs_recoding(head)
        sniffed = None if whole else sniff(io.BytesIO(head), fmt or format_from_name(name))
        if (fmt or sniffed) != "jsonl" or whole:
            tasks.append(CountTask(len(tasks), i, name, url, "file"))
            continue
        starts = list(range(0, size, max(1, int(blocksize))))
        snapshots = _schema_snapshots(url, name, starts, read.text_field, read.time_field,
                                      read.id_field, tzinfo, storage_options,
                                      (read.dayfirst, read.time_format))
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else size
            tasks.append(CountTask(len(tasks), i, name, url, "range", start, end, snapshots[k]))
    return tasks, empty


def _schema_snapshots(url, name, starts, text_field, time_field, id_field, tzinfo, storage_options,
                      dates=(None, None)):
    """The file's field names as resolved before each range start.

    Mirrors :func:`glipca.ingest.read_batches`: the names are decided on a
    sample of the file's first records; if the sample does not settle them,
    the reader settles them from the first records that have them, and each
    batch is parsed with the names as they stood before its first line.
    """
    schema = Schema(name, text_field, time_field, id_field, tzinfo)
    schema.dayfirst, schema.time_format = dates
    snapshots = []
    if not starts:
        return []
    with open_url(url, storage_options) as fh:
        if not (text_field and time_field and id_field):
            settle(schema, jsonl_records(enumerate(iter(fh.readline, b""), start=1), text_field))
        if schema.time is not None and schema.dayfirst is None and not schema.time_format:
            # The order of day-and-month-first dates, as the local reader decides it.
            fh.seek(0)
            records = jsonl_records(enumerate(iter(fh.readline, b""), start=1), text_field)
            schema.dayfirst = date_order((schema.time_value(rec) for _, rec, _ in records
                                          if isinstance(rec, collections.abc.Mapping)),
                                         name, schema.time[-1])
            fh.seek(0)
        if schema.resolved:
            return [copy.copy(schema) for _ in starts]
        fh.seek(0)
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
