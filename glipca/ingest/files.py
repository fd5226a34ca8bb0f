"""Input files: expanding directories, opening, gzip, format sniffing, lines.

Each file may be gzip-compressed (recognised by its magic bytes, not its
name).  An unknown extension is sniffed from the content.  A directory
stands for the files it directly contains with a known extension, in sorted
order.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import zlib

from .records import InputError

__all__ = ["FORMATS", "input_files", "format_from_name", "open_binary", "sniff", "numbered_lines"]


FORMATS = ("jsonl", "json", "csv", "tsv")
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
}


class Truncated(Exception):
    pass


DECOMPRESSION_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def numbered_lines(fh):
    """Yield (line number, bytes) pairs; a broken gzip stream -> Truncated."""
    lineno = 0
    it = iter(fh)
    while True:
        try:
            raw = next(it)
        except StopIteration:
            return
        except DECOMPRESSION_ERRORS as exc:
            raise Truncated(lineno + 1, exc) from None
        lineno += 1
        yield lineno, raw


def truncated_reason(exc):
    """The message for a broken compressed stream."""
    if isinstance(exc, EOFError):
        return "file ends early (truncated gzip?)"
    return f"corrupt compressed data ({exc})"


def input_files(paths) -> list:
    """The files :func:`read_posts` reads for ``paths``, in reading order.

    Directories are expanded; missing files are listed as given.
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = os.fsdecode(p)
        if os.path.isdir(p):
            found = sorted(
                os.path.join(p, name)
                for name in os.listdir(p)
                if format_from_name(name) is not None
            )
            out.extend(found)
        else:
            out.append(p)
    return out


def format_from_name(name):
    """The format an extension names (``.gz`` aside), or None."""
    name = name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _EXTENSIONS.get(os.path.splitext(name)[1])


def open_binary(path):
    """Open a file for reading bytes, decompressing gzip by its magic."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise InputError(path, 0, None, "file not found", "file") from None
    except IsADirectoryError:
        raise InputError(path, 0, None, "is a directory", "file") from None
    except OSError as exc:
        raise InputError(path, 0, None, f"cannot open: {exc.strerror or exc}", "file") from None
    try:
        magic = fh.read(2)
        fh.seek(0)
    except OSError as exc:
        fh.close()
        raise InputError(path, 0, None, f"cannot read: {exc.strerror or exc}", "file") from None
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=fh, mode="rb"), fh
    return fh, fh


def sniff(fh, name_fmt):
    """Guess the format from the first bytes; None for an empty file.

    Leaves ``fh`` rewound.  May raise a decompression error.
    """
    head = b""
    while True:
        try:
            # read1: a broken gzip stream raises only once the data before
            # the damage has been returned.
            chunk = fh.read1(1 << 16)
        except DECOMPRESSION_ERRORS:
            if not head.strip():
                raise
            # A truncated stream: sniff what was read; the reader then
            # reports the damage at the line where it starts.
            chunk = b""
        head += chunk
        stripped = head.lstrip(b" \t\r\n\xef\xbb\xbf")
        if stripped or not chunk:
            break
        head = b""  # only blanks so far: no need to keep them
    if not stripped:
        fh.seek(0)
        return None
    first = stripped[:1]
    if name_fmt in ("jsonl", "csv", "tsv"):
        fmt = name_fmt
    elif first == b"[":
        fmt = "json"
    elif first == b"{":
        # One object per line, or one (pretty-printed) document?
        fh.seek(0)
        line = b""
        while True:
            line = fh.readline()
            if not line or line.strip(b" \t\r\n\xef\xbb\xbf"):
                break
        try:
            json.loads(line.lstrip(codecs.BOM_UTF8).decode("utf-8", "replace"))
            fmt = "jsonl"
        except ValueError:
            fmt = "json"
    elif name_fmt == "json":
        fmt = "json"
    else:
        line = stripped.split(b"\n", 1)[0]
        fmt = "tsv" if line.count(b"\t") > line.count(b",") else "csv"
    fh.seek(0)
    return fmt
