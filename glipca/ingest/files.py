"""Input files: expanding directories, opening, gzip, encodings, sniffing, lines.

Each file may be gzip-compressed (recognised by its magic bytes, not its
name).  Files are UTF-8; a UTF-16 or UTF-32 file (with a byte-order mark
or without, told by its first character), and a file with old Mac
(CR-only) line ends, are read through a stream that re-encodes them as
UTF-8 with LF line ends, so that every reader sees one kind of input.  An
unknown extension is sniffed from the content.  A directory stands for the
files it directly contains with a known extension, in sorted order.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import zlib

from .limits import MAX_RECORD_BYTES, too_deep
from .records import BadRecord, InputError

__all__ = [
    "FORMATS", "input_files", "format_from_name", "open_binary", "sniff", "numbered_lines",
    "needs_recoding",
]


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


def numbered_lines(fh, limit=MAX_RECORD_BYTES, first=1):
    """Yield (line number, bytes) pairs; a broken gzip stream -> Truncated.

    A line longer than ``limit`` bytes is not kept: it comes as a ready
    ``(line number, BadRecord, 0)`` triple, read past in bounded pieces.
    Lines are numbered from ``first``.
    """
    lineno = first - 1
    readline = fh.readline
    try:
        while True:
            raw = readline(limit + 1)
            if not raw:
                return
            lineno += 1
            if len(raw) <= limit or raw.endswith(b"\n"):
                yield lineno, raw
                continue
            while raw and not raw.endswith(b"\n"):
                raw = readline(1 << 20)
            yield lineno, too_long(limit), 0
    except DECOMPRESSION_ERRORS as exc:
        raise Truncated(lineno + 1, exc) from None


def too_long(limit=MAX_RECORD_BYTES):
    """The skip for a record over the size limit."""
    return BadRecord("too_large", f"record longer than {limit} bytes (the limit)")


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
    stream = gzip.GzipFile(fileobj=fh, mode="rb") if magic == b"\x1f\x8b" else fh
    encoding, cr_only = _layout(_head(stream))
    if encoding or cr_only:
        stream = io.BufferedReader(_Recoded(stream, encoding, cr_only), 1 << 16)
    return stream, fh


_HEAD = 1 << 16  # bytes looked at to tell the encoding and line ends
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def _head(fh):
    """Up to ``_HEAD`` first bytes, leaving ``fh`` rewound."""
    head = b""
    try:
        while len(head) < _HEAD:
            chunk = fh.read1(_HEAD - len(head))
            if not chunk:
                break
            head += chunk
    except DECOMPRESSION_ERRORS:
        pass  # the readers report it where it happens
    fh.seek(0)
    return head


def _unmarked(head):
    """UTF-16/32 without a byte-order mark, told by its first character.

    Every layout starts with an ASCII character (``{``, ``[``, a header
    name, a space), which these encodings write with zero bytes around it;
    UTF-8 text never holds a zero byte there.
    """
    if len(head) < 4 or 0 not in head[:4]:
        return None
    first = head[:4]
    for pattern, name in (((1, 0, 0, 0), "utf-32-le"), ((0, 0, 0, 1), "utf-32-be"),
                          ((1, 0, 1, 0), "utf-16-le"), ((0, 1, 0, 1), "utf-16-be")):
        if all((0 < c < 0x80) if p else c == 0 for c, p in zip(first, pattern)):
            return name
    return None


def _layout(head):
    """``(encoding, cr_only)``: a UTF-16/32 encoding (named by a byte-order
    mark, or told by :func:`_unmarked`), or None; and whether lines end in CR only."""
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None) or _unmarked(head)
    if encoding is not None:
        head = head.decode(encoding, "replace").encode("utf-8")
    # Old Mac line ends: CRs and no LF.  A CR cannot occur raw inside a JSON
    # string, so reading every CR as a line end is safe.
    return encoding, b"\r" in head and b"\n" not in head


def needs_recoding(head) -> bool:
    """Whether a file starting with ``head`` is read through a re-encoding stream.

    Such a file cannot be cut into byte ranges at its LF bytes.
    """
    encoding, cr_only = _layout(head)
    return bool(encoding or cr_only)


class _Recoded(io.RawIOBase):
    """A UTF-16/32 or CR-only byte stream, read as UTF-8 with LF line ends.

    Rewinding (``seek(0)``) is the only seek, which is all the sniffer needs.
    Undecodable code units become U+FFFD.
    """

    def __init__(self, fh, encoding, cr_only):
        self.fh, self.encoding, self.cr_only = fh, encoding, cr_only
        self._rewind()

    def _rewind(self):
        self.decoder = codecs.getincrementaldecoder(self.encoding)("replace") if self.encoding else None
        self.pending, self.pos, self.done = b"", 0, False

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=io.SEEK_SET):
        if offset != 0 or whence != io.SEEK_SET:
            raise io.UnsupportedOperation("a re-encoded stream can only be rewound")
        self.fh.seek(0)
        self._rewind()
        return 0

    def readinto(self, b):
        while not self.pending and not self.done:
            data = self.fh.read(1 << 16)
            self.done = not data
            if self.decoder is not None:
                data = self.decoder.decode(data, final=self.done).encode("utf-8")
            self.pending = data.replace(b"\r", b"\n") if self.cr_only else data
        n = min(len(b), len(self.pending))
        b[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        self.pos += n
        return n


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
            line = fh.readline(MAX_RECORD_BYTES + 1)
            if not line or line.strip(b" \t\r\n\xef\xbb\xbf"):
                break
        if len(line) > MAX_RECORD_BYTES or too_deep(line):
            fmt = "jsonl"  # a line over a limit: the reader reports it, in one line
        else:
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
