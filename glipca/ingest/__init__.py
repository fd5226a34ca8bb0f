"""Read posts from JSON, JSON lines, CSV and TSV files.

This module knows about file formats, field names and timestamps, and nothing
about words.  Every reader streams: memory does not grow with the size of the
input, only with the size of the largest single record.

Supported layouts
-----------------
* JSON lines (``.jsonl``, ``.ndjson``): one object per line.  A line holding
  a Twitter API v2 response (``{"data": [...], ...}``) or an array yields each
  element in turn.
* JSON (``.json``): an array of objects, a v2 envelope ``{"data": [...]}``,
  one object per line, or several concatenated objects.
* CSV (``.csv``) and TSV (``.tsv``) with a header row.

Each may be gzip-compressed (recognised by its magic bytes, not its name).
An unknown extension is sniffed from the content.  A directory stands for the
files it directly contains with one of these extensions, in sorted order.

Field names are recognised for Twitter v1.1 (``created_at`` like
``Wed Oct 10 20:19:24 +0000 2018``, ``full_text``, ``extended_tweet``,
``id_str``), Twitter v2 (``created_at`` in ISO 8601, ``text``, ``id``) and
plain tables (``date``, ``timestamp``, ``tweet``, ``content``, ...), matched
case-insensitively.  Dotted names such as ``user.name`` select nested fields.
"""

from __future__ import annotations

import codecs
import collections
import copy
import csv
import datetime as dt
import email.utils
import gzip
import hashlib
import json
import numbers
import os
import re
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Post",
    "InputError",
    "IngestReport",
    "read_posts",
    "posts_from_frame",
    "parse_time",
    "input_files",
    "read_batches",
    "LineBatch",
    "post_digest",
]

FORMATS = ("jsonl", "json", "csv", "tsv")
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
}
MIN_YEAR, MAX_YEAR = 1990, 2100
_JSON_CHUNK = 1 << 16  # characters read at a time from JSON documents

# Candidate fields, in order of preference.  Each entry is a *group*: the
# first group with a member present in a file's first record is used for the
# whole file, and within a group the first member present in each record
# wins.  This is what lets v1.1 records prefer ``extended_tweet.full_text``
# over ``full_text`` over ``text`` record by record.  The last member names
# the field in error messages.
_TEXT_GROUPS = (
    ("extended_tweet.full_text", "full_text", "text"),
    ("tweet",),
    ("tweet_text",),
    ("content",),
    ("body",),
    ("message",),
    ("post",),
    ("selftext",),
    ("caption",),
)
_TIME_GROUPS = (
    ("created_at",),
    ("date",),
    ("timestamp",),
    ("time",),
    ("datetime",),
    ("date_time",),
    ("publish_date",),
    ("published_at",),
    ("published",),
    ("pubdate",),
    ("created",),
    ("created_time",),
    ("posted_at",),
    ("tweet_created_at",),
)
_ID_GROUPS = (
    ("id_str", "id"),
    ("tweet_id",),
    ("status_id",),
    ("post_id",),
    ("uuid",),
    ("guid",),
    ("_id",),
)
_RETWEET_FLAGS = ("retweet", "is_retweet", "retweeted", "isretweet")
_TRUE_STRINGS = frozenset({"true", "t", "1", "yes", "y"})

_MISSING = object()


# --------------------------------------------------------------------------
# Public types


class Post(NamedTuple):
    """One post: identifier, timezone-aware time, text and retweet flag."""

    id: str
    time: dt.datetime
    text: str
    retweet: bool = False


class InputError(ValueError):
    """A problem with an input file or one of its records.

    Parameters
    ----------
    file : str
        The file (or frame name) concerned.
    line : int
        1-based record position: the physical line for JSON lines and CSV
        (where a CSV record starts; the header is line 1), the element index
        plus one for JSON arrays and concatenated documents, the row position
        plus one for data frames, and 0 for problems with the file as a
        whole.
    field : str or None
        The field concerned, if any.
    reason : str
        What is wrong, on one line.
    key : str, optional
        Short stable reason key, as counted in :attr:`IngestReport.skipped`.
    """

    def __init__(self, file, line, field, reason, key="error"):
        self.file = str(file)
        self.line = int(line)
        self.field = field
        # Keep the message on one line whatever the input held.
        self.reason = " ".join(str(reason).split())
        self.key = key
        super().__init__(str(self))

    def __str__(self):
        where = f"{self.file}:{self.line}: "
        if self.field is not None:
            where += f"field '{self.field}': "
        return where + self.reason

    def __reduce__(self):
        return (type(self), (self.file, self.line, self.field, self.reason, self.key))


@dataclass
class IngestReport:
    """What a reader saw: records read, posts used, records skipped.

    Attributes
    ----------
    read : int
        Records seen, good or bad (blank lines are not records).
    used : int
        Posts yielded.
    skipped : collections.Counter
        Reason key -> number of records skipped for it.
    dropped : collections.Counter
        Good posts left out on request: ``"retweet"`` and ``"duplicate"``.
        ``read == used + n_skipped + n_dropped``.
    files : list of str
        Files opened, in order.
    empty_files : list of str
        Files that held no data at all.
    examples : dict
        Reason key -> the first error message for it, to show the user.
    """

    read: int = 0
    used: int = 0
    skipped: collections.Counter = field(default_factory=collections.Counter)
    dropped: collections.Counter = field(default_factory=collections.Counter)
    files: list = field(default_factory=list)
    empty_files: list = field(default_factory=list)
    examples: dict = field(default_factory=dict)

    @property
    def n_skipped(self) -> int:
        """Total number of records skipped."""
        return sum(self.skipped.values())

    @property
    def n_dropped(self) -> int:
        """Total number of posts dropped on request."""
        return sum(self.dropped.values())

    def as_dict(self) -> dict:
        """Return a JSON-ready summary with a deterministic key order."""
        return {
            "read": self.read,
            "used": self.used,
            "n_skipped": self.n_skipped,
            "skipped": {k: self.skipped[k] for k in sorted(self.skipped)},
            "n_dropped": self.n_dropped,
            "dropped": {k: self.dropped[k] for k in sorted(self.dropped)},
            "files": list(self.files),
            "empty_files": list(self.empty_files),
            "examples": {k: self.examples[k] for k in sorted(self.examples)},
        }

    @classmethod
    def from_dict(cls, d) -> "IngestReport":
        """Inverse of :meth:`as_dict`."""
        return cls(
            read=int(d["read"]),
            used=int(d["used"]),
            skipped=collections.Counter({k: int(v) for k, v in d["skipped"].items()}),
            dropped=collections.Counter({k: int(v) for k, v in d.get("dropped", {}).items()}),
            files=list(d["files"]),
            empty_files=list(d["empty_files"]),
            examples=dict(d["examples"]),
        )


# --------------------------------------------------------------------------
# Timestamps

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# Twitter v1.1: "Wed Oct 10 20:19:24 +0000 2018".
_V1_TIME = re.compile(
    r"[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})"
)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Tried after ISO 8601.  Slashed dates are year-first or US month-first,
# never day-first, because that is how the common dumps write them.
_EXTRA_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S %Z",
)
_OFFSETS: dict = {}


def _fixed_offset(sign, hh, mm):
    key = (sign, hh, mm)
    tz = _OFFSETS.get(key)
    if tz is None:
        delta = dt.timedelta(hours=int(hh), minutes=int(mm))
        tz = _OFFSETS[key] = dt.timezone(-delta if sign == "-" else delta)
    return tz


def _from_epoch(value):
    v = float(value)
    if v != v:
        raise ValueError("timestamp is NaN")
    # Pick the unit from the magnitude: epoch seconds for 1990-2100 have at
    # most 10 digits, milliseconds 13, microseconds 16.
    a = abs(v)
    if a >= 1e17:
        v /= 1e9
    elif a >= 1e14:
        v /= 1e6
    elif a >= 1e11:
        v /= 1e3
    try:
        return dt.datetime.fromtimestamp(v, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"epoch value {value!r} is out of range") from None


def _parse_string_time(s):
    if len(s) >= 10 and s[4] == "-" and s[:4].isdigit():
        # ISO 8601, the common case, without the number test below.
        try:
            return dt.datetime.fromisoformat(s)
        except ValueError:
            pass
    if s[0].isdigit() or s[0] in "+-":
        if _NUMBER.fullmatch(s) and not (len(s) == 8 and s.isdigit()):
            # Digit strings are epoch times, except 8 digits, which can only
            # be a basic ISO date (YYYYMMDD) in the accepted range.
            return _from_epoch(int(s) if s.isdigit() else float(s))
        try:
            return dt.datetime.fromisoformat(s)
        except ValueError:
            pass
    else:
        m = _V1_TIME.fullmatch(s)
        if m is not None:
            mon = _MONTHS.get(m.group(1).lower())
            if mon is not None:
                return dt.datetime(
                    int(m.group(9)), mon, int(m.group(2)),
                    int(m.group(3)), int(m.group(4)), int(m.group(5)),
                    tzinfo=_fixed_offset(m.group(6), m.group(7), m.group(8)),
                )
        try:
            # RFC 2822, as in e-mail and RSS: "Wed, 10 Oct 2018 20:19:24 +0000".
            return email.utils.parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            pass
    for fmt in _EXTRA_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    raise ValueError(f"unparseable timestamp {_show(s)}")


def parse_time(value, tz=dt.timezone.utc) -> dt.datetime:
    """Parse one timestamp into an aware datetime.

    Parameters
    ----------
    value : str, int, float or datetime
        ISO 8601 (with or without offset or ``Z``; date-only allowed),
        Twitter v1.1 (``Wed Oct 10 20:19:24 +0000 2018``), RFC 2822,
        ``YYYY-MM-DD HH:MM:SS``, ``YYYY/MM/DD``, US ``MM/DD/YYYY``, or epoch
        seconds, milliseconds or microseconds as a number or digit string.
    tz : tzinfo
        Zone for naive times.

    Returns
    -------
    datetime.datetime
        Aware; an explicit offset in the input is kept.

    Raises
    ------
    ValueError
        If the value cannot be parsed or its year is outside 1990-2100.
    """
    if type(value) is str:  # the common case first
        s = value.strip()
        if not s:
            raise ValueError("empty timestamp")
        t = _parse_string_time(s)
    elif isinstance(value, dt.datetime):
        t = value
        if type(t).__name__ == "Timestamp":  # pandas, without importing it
            t = t.to_pydatetime()
    elif isinstance(value, dt.date):
        t = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, bool):
        raise ValueError(f"unparseable timestamp {value!r}")
    elif isinstance(value, numbers.Real):
        t = _from_epoch(value)
    elif isinstance(value, str):
        s = value.strip()
        if not s:
            raise ValueError("empty timestamp")
        t = _parse_string_time(s)
    else:
        raise ValueError(f"unparseable timestamp of type {type(value).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        t = t.replace(tzinfo=tz)
    if not MIN_YEAR <= t.year <= MAX_YEAR:
        raise ValueError(
            f"timestamp {_show(value)} is out of range "
            f"(year {t.year}; expected {MIN_YEAR}-{MAX_YEAR})"
        )
    return t


def _show(value, limit=60):
    s = str(value)
    if len(s) > limit:
        s = s[:limit] + "..."
    return repr(s)


def _zone(tz):
    if isinstance(tz, dt.tzinfo):
        return tz
    if tz in ("UTC", "utc", "Z"):
        return dt.timezone.utc
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None


# --------------------------------------------------------------------------
# Records -> posts


class _RecordError(Exception):
    def __init__(self, key, field, reason):
        super().__init__(reason)
        self.key, self.field, self.reason = key, field, reason


class _Bad(NamedTuple):
    """A record that could not even be decoded."""

    key: str
    reason: str
    fatal: bool = False  # True when the rest of the file cannot be read


def _lookup(rec, name):
    """Value of ``name`` in a mapping; dotted names walk nested mappings."""
    v = rec.get(name, _MISSING)
    if v is _MISSING and "." in name:
        v = rec
        for part in name.split("."):
            if not isinstance(v, Mapping):
                return _MISSING
            v = v.get(part, _MISSING)
            if v is _MISSING:
                return _MISSING
    return v


def _is_missing(v):
    # NaN and NaT are the only values unequal to themselves; pandas' NA
    # compares as NA, so it is caught by its type name.
    if type(v) is str:  # the common case, kept cheap
        return False
    if v is _MISSING or v is None:
        return True
    try:
        if (v != v) is True:
            return True
    except (TypeError, ValueError):
        return False
    return type(v).__name__ == "NAType"


def _resolve(groups, keys):
    """Pick the first group with a member among ``keys`` (case-insensitive).

    Returns the group with each member spelled as in ``keys`` where present,
    or None.
    """
    lower = {}
    for k in keys:
        if isinstance(k, str):
            lower.setdefault(_normal_key(k), k)
    for group in groups:
        if any(_present(lower, name) for name in group):
            return tuple(_spell(lower, name) for name in group)
    return None


def _normal_key(key):
    # "Tweet ID", "tweet-id" and "tweet_id" name the same column.
    return re.sub(r"[\s\-]+", "_", key.strip().lower())


def _present(lower, name):
    if name in lower:
        return True
    return "." in name and name.split(".", 1)[0] in lower


def _spell(lower, name):
    if name in lower:
        return lower[name]
    if "." in name:
        head, rest = name.split(".", 1)
        if head in lower:
            return lower[head] + "." + rest
    return name


class _Schema:
    """Turns records (mappings) into posts, resolving field names once."""

    def __init__(self, source, text_field, time_field, id_field, tz):
        self.source = source
        self.basename = os.path.basename(source)
        self.tz = tz
        self.text = (text_field,) if text_field else None
        self.time = (time_field,) if time_field else None
        self.id = (id_field,) if id_field else None
        self.flags = _RETWEET_FLAGS
        self.resolved = False

    def resolve(self, keys):
        keys = list(keys)
        if self.text is None:
            self.text = _resolve(_TEXT_GROUPS, keys)
        if self.time is None:
            self.time = _resolve(_TIME_GROUPS, keys)
        if self.id is None:
            self.id = _resolve(_ID_GROUPS, keys) or _ID_GROUPS[0]
        # Retweet flags are looked up in every record under their usual
        # names, plus the spellings this file uses (CSV headers vary).
        found = _resolve([(f,) for f in _RETWEET_FLAGS], keys)
        if found and found[0] not in self.flags:
            self.flags = self.flags + found
        # A file is settled once text and time are known; until then every
        # record gets another chance (the first may lack them by mistake).
        self.resolved = self.text is not None and self.time is not None

    def _get(self, rec, group):
        for name in group:
            v = rec.get(name, _MISSING)  # inlined _lookup: this runs per field per record
            if v is _MISSING and "." in name:
                if rec.get(name.partition(".")[0]) is None:
                    continue  # e.g. no "extended_tweet": most records
                v = _lookup(rec, name)
            if type(v) is str or not _is_missing(v):
                return v
        return _MISSING

    def post(self, rec, line, sub=0):
        if not self.resolved:
            self.resolve(rec.keys())
        text_group = self.text or ("text",)
        text = self._get(rec, text_group)
        if text is _MISSING:
            raise _RecordError("missing_text", text_group[-1], "missing")
        if not isinstance(text, str):
            if isinstance(text, numbers.Number) and not isinstance(text, bool):
                text = str(text)
            else:
                raise _RecordError(
                    "missing_text", text_group[-1],
                    f"expected a string, got {type(text).__name__}",
                )
        if not text.strip():
            raise _RecordError("missing_text", text_group[-1], "empty")

        time_group = self.time or ("created_at",)
        raw_time = self._get(rec, time_group)
        if raw_time is _MISSING or (isinstance(raw_time, str) and not raw_time.strip()):
            raise _RecordError(
                "missing_time", time_group[-1], "missing" if raw_time is _MISSING else "empty"
            )
        try:
            time = parse_time(raw_time, self.tz)
        except ValueError as exc:
            raise _RecordError("bad_time", time_group[-1], str(exc)) from None

        pid = self._get(rec, self.id)
        if isinstance(pid, str):
            pid = pid.strip() or _MISSING
        elif isinstance(pid, float) and pid.is_integer():
            pid = str(int(pid))
        elif pid is not _MISSING:
            pid = str(pid)
        if pid is _MISSING:
            # Stable across runs: the same file gives the same ids.
            pid = f"{self.basename}:{line}" + (f".{sub}" if sub else "")

        return Post(pid, time, text, self._is_retweet(rec, text))

    def _is_retweet(self, rec, text):
        if text.startswith("RT @"):
            return True
        if rec.get("retweeted_status"):
            return True
        for name in self.flags:
            v = rec.get(name)
            if v is None:
                continue
            if isinstance(v, str):
                if v.strip().lower() in _TRUE_STRINGS:
                    return True
            elif v == v and bool(v):  # NaN is truthy
                return True
        refs = rec.get("referenced_tweets")
        if isinstance(refs, list):
            for ref in refs:
                if isinstance(ref, Mapping) and ref.get("type") == "retweeted":
                    return True
        return False


# --------------------------------------------------------------------------
# Low-level readers.  Each yields (line, record_or_Bad, sub) triples.


class _Truncated(Exception):
    pass


_DECOMPRESSION_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def _numbered_lines(fh):
    """Yield (line number, bytes) pairs; a broken gzip stream -> _Truncated."""
    lineno = 0
    it = iter(fh)
    while True:
        try:
            raw = next(it)
        except StopIteration:
            return
        except _DECOMPRESSION_ERRORS as exc:
            raise _Truncated(lineno + 1, exc) from None
        lineno += 1
        yield lineno, raw


def _truncated_reason(exc):
    if isinstance(exc, EOFError):
        return "file ends early (truncated gzip?)"
    return f"corrupt compressed data ({exc})"


def _decode_error(exc, raw):
    return f"invalid UTF-8 byte 0x{raw[exc.start]:02x} at byte {exc.start + 1}"


def _json_object_records(obj, text_field):
    """Split a decoded top-level JSON value into records."""
    if isinstance(obj, list):
        return [(k + 1, el) for k, el in enumerate(obj)]
    if isinstance(obj, Mapping) and _is_envelope(obj, text_field):
        data = obj["data"]
        if isinstance(data, list):
            return [(k + 1, el) for k, el in enumerate(data)]
        return [(0, data)]
    return [(0, obj)]


def _is_envelope(obj, text_field):
    """A Twitter v2 response: ``data`` holds the tweets, not the record."""
    data = obj.get("data")
    if not isinstance(data, (list, Mapping)):
        return False
    if text_field is not None:
        return _is_missing(_lookup(obj, text_field))
    return _resolve(_TEXT_GROUPS, obj.keys()) is None


def _read_jsonl(fh, text_field):
    return _jsonl_records(_numbered_lines(fh), text_field)


def _jsonl_records(numbered, text_field):
    """Records of (line number, raw line) pairs of a JSON lines file.

    A pair may also be a ready (line number, _Bad, 0) triple, which is
    passed on: that is how a batch carries a damage found while reading.
    """
    loads = json.loads
    for item in numbered:
        if len(item) == 3:
            yield item
            continue
        lineno, raw = item
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        raw = raw.strip()
        if not raw:
            continue
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield lineno, _Bad("encoding", _decode_error(exc, raw)), 0
            continue
        try:
            obj = loads(s)
        except json.JSONDecodeError as exc:
            yield lineno, _Bad("malformed_json", f"malformed JSON: {exc.msg} (column {exc.colno})"), 0
            continue
        if type(obj) is dict and "data" not in obj:
            yield lineno, obj, 0  # the common case, kept cheap
            continue
        if isinstance(obj, Mapping) and not _is_envelope(obj, text_field):
            yield lineno, obj, 0
            continue
        for sub, rec in _json_object_records(obj, text_field):
            yield lineno, rec, sub


class _JsonStream:
    """Pull-parser over a (possibly huge) JSON text, one value at a time.

    Only the unconsumed tail is buffered, so memory is bounded by the largest
    single value.  Bytes are decoded with ``surrogateescape`` so that a bad
    byte spoils only the value that holds it.
    """

    _WS = re.compile(r"[ \t\r\n]*")  # JSON's blanks, no others
    _BAD = re.compile("[\udc80-\udcff]")

    def __init__(self, fh, chunk=None):
        self.fh = fh
        self.chunk = chunk or _JSON_CHUNK
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.raw_decode = json.JSONDecoder().raw_decode

    def skip_bom(self):
        if self.peek() == "\ufeff":
            self.pos += 1

    def _fill(self, n):
        if self.eof:
            return False
        if self.pos > len(self.buf) // 2:
            # Drop what has been consumed before growing the buffer.
            self.buf = self.buf[self.pos:]
            self.pos = 0
        try:
            data = self.fh.read(n)
        except _DECOMPRESSION_ERRORS as exc:
            raise _Truncated(0, exc) from None
        if not data:
            self.eof = True
            self.buf += self.decoder.decode(b"", final=True)
        else:
            self.buf += self.decoder.decode(data)
        return True

    def peek(self):
        """Next non-blank character, or '' at the end of the input."""
        while True:
            self.pos = self._WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill(self.chunk):
                return ""

    def expect(self, chars):
        c = self.peek()
        if c == "" or c not in chars:
            found = repr(c) if c else "end of input"
            raise json.JSONDecodeError(f"expected {' or '.join(map(repr, chars))}, found {found}", self.buf, self.pos)
        self.pos += 1
        return c

    def value(self):
        """Decode the next value; return it and whether it held bad bytes."""
        self.peek()
        while True:
            try:
                obj, end = self.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # An error near the end of the buffer, or an open string, may
                # only mean that the value continues in the next chunk.
                near_end = exc.pos >= len(self.buf) - 8 or exc.msg.startswith("Unterminated string")
                if near_end and self._fill(max(self.chunk, len(self.buf) - self.pos)):
                    continue
                raise
            if end == len(self.buf) and not self.eof:
                # A number cut at the chunk end would decode as a shorter one.
                self._fill(self.chunk)
                continue
            bad = self._BAD.search(self.buf, self.pos, end) is not None
            self.pos = end
            return obj, bad


def _looks_like_record(members, text_field):
    if text_field is not None:
        return not _is_missing(_lookup(members, text_field))
    return _resolve(_TEXT_GROUPS, members.keys()) is not None


def _read_json(fh, text_field):
    stream = _JsonStream(fh)
    index = 0
    # Nothing is read before the ``try`` below, which turns a broken gzip
    # stream or bad JSON into a record error.

    def element():
        nonlocal index
        index += 1
        try:
            obj, bad = stream.value()
        except json.JSONDecodeError as exc:
            return index, _Bad("malformed_json", f"malformed JSON: {exc.msg}", fatal=True), 0
        if bad:
            return index, _Bad("encoding", "invalid UTF-8 bytes"), 0
        if not isinstance(obj, Mapping):
            return index, _Bad("not_object", f"expected a JSON object, got {type(obj).__name__}"), 0
        return index, obj, 0

    def array():
        # Called just after '['.
        if stream.peek() == "]":
            stream.pos += 1
            return
        while True:
            item = element()
            yield item
            if isinstance(item[1], _Bad) and item[1].fatal:
                return
            if stream.expect(",]") == "]":
                return

    try:
        stream.skip_bom()
        while True:
            c = stream.peek()
            if c == "":
                return
            if c == "[":
                stream.pos += 1
                for item in array():
                    yield item
                    if isinstance(item[1], _Bad) and item[1].fatal:
                        return
            elif c == "{":
                # An object is either a record or a v2 envelope whose "data"
                # array is streamed; its other members are kept (they are small
                # in practice) to tell the two apart at the end.
                start_index = index
                stream.pos += 1
                members = {}
                streamed = any_bad = False
                if stream.peek() == "}":
                    stream.pos += 1
                else:
                    while True:
                        if stream.peek() != '"':
                            raise json.JSONDecodeError("expected a member name", stream.buf, stream.pos)
                        key, bad = stream.value()
                        any_bad |= bad
                        stream.expect(":")
                        if key == "data" and stream.peek() == "[" and not _looks_like_record(members, text_field):
                            stream.pos += 1
                            streamed = True
                            for item in array():
                                yield item
                                if isinstance(item[1], _Bad) and item[1].fatal:
                                    return
                        else:
                            members[key], bad = stream.value()
                            any_bad |= bad
                        if stream.expect(",}") == "}":
                            break
                if not streamed:
                    index = start_index + 1
                    if any_bad:
                        yield index, _Bad("encoding", "invalid UTF-8 bytes"), 0
                        continue
                    if _is_envelope(members, text_field) and isinstance(members["data"], Mapping):
                        members = members["data"]
                    yield index, members, 0
            else:
                index += 1
                yield index, _Bad("malformed_json", f"malformed JSON: unexpected {c!r}", fatal=True), 0
                return
    except json.JSONDecodeError as exc:
        yield index + 1, _Bad("malformed_json", f"malformed JSON: {exc.msg}", fatal=True), 0
    except _Truncated as exc:
        yield index + 1, _Bad("truncated", _truncated_reason(exc.args[1]), fatal=True), 0


def _read_delimited(fh, delimiter):
    state = {"lineno": 0, "last_bad": 0}

    def lines():
        # Decode line by line ourselves: this gives exact physical line
        # numbers and confines a bad byte to the record that holds it.
        for lineno, raw in _numbered_lines(fh):
            state["lineno"] = lineno
            try:
                s = raw.decode("utf-8")
            except UnicodeDecodeError:
                state["last_bad"] = lineno
                s = raw.decode("utf-8", "replace")
            if lineno == 1 and s.startswith("\ufeff"):
                s = s[1:]
            yield s

    _allow_large_csv_fields()
    reader = csv.reader(lines(), delimiter=delimiter)
    header = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if header is not None:
                yield start, _Bad("malformed_csv", f"malformed {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}"), 0
            else:
                yield start, _Bad("malformed_csv", f"unreadable header: {exc}", fatal=True), 0
                return
            continue
        except _Truncated as exc:
            yield state["lineno"] + 1, _Bad("truncated", _truncated_reason(exc.args[1]), fatal=True), 0
            return
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if state["last_bad"] >= start:
            if header is None:
                yield start, _Bad("encoding", "invalid UTF-8 in the header", fatal=True), 0
                return
            yield start, _Bad("encoding", "invalid UTF-8 bytes"), 0
            continue
        if header is None:
            header = [h.strip() for h in row]
            continue
        yield start, dict(zip(header, row)), 0


_CSV_LIMIT_SET = False


def _allow_large_csv_fields():
    # The csv module refuses fields over 128 KiB by default; posts with
    # embedded media or long articles can be several MB.
    global _CSV_LIMIT_SET
    if not _CSV_LIMIT_SET:
        limit = sys.maxsize
        while True:
            try:
                csv.field_size_limit(max(csv.field_size_limit(), limit))
                break
            except OverflowError:  # C long is 32 bits on some platforms
                limit //= 2
        _CSV_LIMIT_SET = True


# --------------------------------------------------------------------------
# Files


def input_files(paths) -> list:
    """The files :func:`read_posts` reads for ``paths``, in reading order.

    Directories are expanded; missing files are listed as given.
    """
    return _expand(paths)


def _expand(paths) -> list:
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = os.fsdecode(p)
        if os.path.isdir(p):
            found = sorted(
                os.path.join(p, name)
                for name in os.listdir(p)
                if _format_from_name(name) is not None
            )
            out.extend(found)
        else:
            out.append(p)
    return out


def _format_from_name(name):
    name = name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _EXTENSIONS.get(os.path.splitext(name)[1])


def _open_binary(path):
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


def _sniff(fh, name_fmt):
    """Guess the format from the first bytes; None for an empty file.

    Leaves ``fh`` rewound.  May raise a decompression error.
    """
    head = b""
    while True:
        try:
            # read1: a broken gzip stream raises only once the data before
            # the damage has been returned.
            chunk = fh.read1(1 << 16)
        except _DECOMPRESSION_ERRORS:
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


def _file_records(path, fmt, text_field, report, jsonl=None):
    raw_fh, base = _open_binary(path)
    with base, raw_fh:
        try:
            sniffed = _sniff(raw_fh, fmt or _format_from_name(path))
        except _DECOMPRESSION_ERRORS as exc:
            yield 1, _Bad("truncated", _truncated_reason(exc), fatal=True), 0
            return
        if sniffed is None:
            report.empty_files.append(path)
            return
        bom = raw_fh.read(4)
        raw_fh.seek(0)
        if bom.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # Every line would fail on its own; one error says why.
            width = "32" if bom in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE) else "16"
            yield 1, _Bad("encoding", f"the file is UTF-{width}, not UTF-8; convert it first", fatal=True), 0
            return
        fmt = fmt or sniffed
        if fmt == "jsonl" and jsonl is not None:
            # The caller reads the lines itself (see read_batches).
            yield from jsonl(_numbered_lines(raw_fh))
        elif fmt == "jsonl":
            try:
                yield from _read_jsonl(raw_fh, text_field)
            except _Truncated as exc:
                yield exc.args[0], _Bad("truncated", _truncated_reason(exc.args[1]), fatal=True), 0
        elif fmt == "json":
            yield from _read_json(raw_fh, text_field)
        else:
            yield from _read_delimited(raw_fh, "\t" if fmt == "tsv" else ",")


def _check_options(fmt, on_error, tz):
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS} or None, got {fmt!r}")
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    return _zone(tz)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def post_digest(post) -> int:
    """64-bit digest of a post's time (to the microsecond) and text.

    The same in every process (unlike ``hash``), so that worker processes
    can compute it for duplicate detection.
    """
    us = (post.time - _EPOCH) // _MICROSECOND
    data = f"{us}\x00{post.text}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


class _Filter:
    """Drops retweets and exact duplicates on request, counting them.

    Duplicates are posts with the same time and text (ids are ignored: the
    same post collected twice often gets a different generated id).  Only a
    64-bit digest of each post is kept (:func:`post_digest`), so memory grows
    by about 60 bytes per distinct post; two different posts are mistaken
    for duplicates with a probability of about n²/2⁶⁵ (10⁻⁷ for a million
    posts).
    """

    def __init__(self, drop_retweets, drop_duplicates):
        self.drop_retweets = bool(drop_retweets)
        self.seen = set() if drop_duplicates else None

    def __bool__(self):
        return self.drop_retweets or self.seen is not None

    def reason(self, post):
        """Why ``post`` is dropped, or None to keep it."""
        if self.drop_retweets and post.retweet:
            return "retweet"
        if self.seen is not None:
            h = post_digest(post)
            if h in self.seen:
                return "duplicate"
            self.seen.add(h)
        return None


def _emit(records, schema, on_error, report, keep=None):
    """Turn (line, record, sub) triples into posts under the error policy."""
    for line, rec, sub in records:
        report.read += 1
        # A dict is tested first: the common case, kept cheap.
        if type(rec) is dict or (not isinstance(rec, _Bad) and isinstance(rec, Mapping)):
            try:
                post = schema.post(rec, line, sub)
            except _RecordError as exc:
                err = InputError(schema.source, line, exc.field, exc.reason, exc.key)
            else:
                if keep:
                    why = keep.reason(post)
                    if why is not None:
                        report.dropped[why] += 1
                        continue
                report.used += 1
                yield post
                continue
        elif isinstance(rec, _Bad):
            err = InputError(schema.source, line, None, rec.reason, rec.key)
        else:
            err = InputError(
                schema.source, line, None,
                f"expected a JSON object, got {type(rec).__name__}", "not_object",
            )
        if on_error == "raise":
            raise err
        report.skipped[err.key] += 1
        report.examples.setdefault(err.key, str(err))


def read_posts(
    paths,
    *,
    text_field=None,
    time_field=None,
    id_field=None,
    fmt=None,
    tz="UTC",
    on_error="raise",
    drop_retweets=False,
    drop_duplicates=False,
    report=None,
) -> Iterator[Post]:
    """Stream posts from one or more files.

    Parameters
    ----------
    paths : str, path-like or list of them
        Files, read in the given order; a directory stands for its
        recognised files in sorted order.
    text_field, time_field, id_field : str, optional
        Field (or CSV column) names; dotted names select nested fields.
        Detected automatically when omitted.
    fmt : {"jsonl", "json", "csv", "tsv"}, optional
        Force a format instead of using the extension or content.
    tz : str or tzinfo, default "UTC"
        Zone for timestamps without an offset.
    on_error : {"raise", "skip"}, default "raise"
        Raise :class:`InputError` at the first bad record, or skip bad
        records and count them in ``report.skipped``.
    drop_retweets : bool, default False
        Leave out posts that the input marks as retweets
        (``retweeted_status``, v2 ``referenced_tweets``, an ``RT @`` prefix
        or a true ``retweet``/``is_retweet``/``retweeted`` field).
    drop_duplicates : bool, default False
        Leave out posts with the same time and text as an earlier one (in
        any file).
    report : IngestReport, optional
        Updated as the posts are read; dropped posts are counted in
        ``report.dropped``.

    Yields
    ------
    Post

    Raises
    ------
    InputError
        For a bad record under ``on_error="raise"``, and always for a file
        that cannot be opened (with ``line == 0``).

    Notes
    -----
    A malformed JSON array or document cannot be resynchronised: with
    ``on_error="skip"`` the error counts once and the rest of that file is
    dropped.  The same holds for a truncated gzip stream (``"truncated"``).
    JSON lines and CSV continue with the next line or record.
    """
    tzinfo = _check_options(fmt, on_error, tz)
    files = _expand(paths)
    for path in files:
        if not os.path.exists(path):
            raise InputError(path, 0, None, "file not found", "file")
    if report is None:
        report = IngestReport()
    keep = _Filter(drop_retweets, drop_duplicates)
    return _read_files(files, text_field, time_field, id_field, fmt, tzinfo, on_error, report, keep)


def _read_files(files, text_field, time_field, id_field, fmt, tzinfo, on_error, report, keep):
    for path in files:
        report.files.append(path)
        schema = _Schema(path, text_field, time_field, id_field, tzinfo)
        try:
            records = _file_records(path, fmt, text_field, report)
            yield from _emit(records, schema, on_error, report, keep)
        except OSError as exc:
            raise InputError(path, 0, None, f"cannot read: {exc.strerror or exc}", "file") from None


class LineBatch:
    """Lines of a JSON lines file, read but not parsed yet.

    Made by :func:`read_batches` so that parsing can happen in another
    process: a batch is small to pickle (the raw lines and the file's
    resolved field names) and :meth:`posts` parses it exactly as
    :func:`read_posts` would.
    """

    __slots__ = ("schema", "lines", "text_field", "on_error", "drop_retweets")

    def __init__(self, schema, lines, text_field, on_error, drop_retweets):
        self.schema = schema
        self.lines = lines  # (line number, bytes) pairs
        self.text_field = text_field
        self.on_error = on_error
        self.drop_retweets = drop_retweets

    def __len__(self):
        return len(self.lines)

    def __getstate__(self):
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state):
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)

    def posts(self, report) -> Iterator[Post]:
        """Parse the lines; ``report`` counts them as :func:`read_posts` does."""
        records = _jsonl_records(self.lines, self.text_field)
        return _emit(records, self.schema, self.on_error, report, _Filter(self.drop_retweets, False))


def read_batches(
    paths,
    *,
    text_field=None,
    time_field=None,
    id_field=None,
    fmt=None,
    tz="UTC",
    on_error="raise",
    drop_retweets=False,
    report=None,
    size=2000,
    max_bytes=4 << 20,
):
    """Stream posts, leaving the parsing of JSON lines to the caller.

    Like :func:`read_posts` (without duplicate removal), except that the
    lines of JSON lines files come as :class:`LineBatch` objects of
    ``size`` lines or ``max_bytes`` bytes, whichever comes first.  Parsing is
    most of the cost of reading, and this lets it run in parallel.

    Yields
    ------
    Post or LineBatch
        In file order.  ``report`` counts the posts yielded here as they are
        read, and the lines of a batch when its :meth:`LineBatch.posts` is
        called with it.
    """
    tzinfo = _check_options(fmt, on_error, tz)
    files = _expand(paths)
    for path in files:
        if not os.path.exists(path):
            raise InputError(path, 0, None, "file not found", "file")
    if report is None:
        report = IngestReport()
    keep = _Filter(drop_retweets, False)

    def batches(files):
        for path in files:
            report.files.append(path)
            schema = _Schema(path, text_field, time_field, id_field, tzinfo)

            def jsonl(numbered):
                # Each batch carries the field names as they stood before
                # its first line, so that it is parsed exactly as read_posts
                # would.  Until they are settled, this process reads the
                # records too, only to settle them (a line or two, usually).
                lines, state, n_bytes = [], copy.copy(schema), 0
                try:
                    for item in numbered:
                        if not schema.resolved:
                            for _, rec, _ in _jsonl_records([item], text_field):
                                if isinstance(rec, Mapping) and not schema.resolved:
                                    schema.resolve(rec.keys())
                        lines.append(item)
                        n_bytes += len(item[1])
                        if len(lines) >= size or n_bytes >= max_bytes:
                            yield LineBatch(state, lines, text_field, on_error, drop_retweets)
                            lines, state, n_bytes = [], copy.copy(schema), 0
                except _Truncated as exc:
                    bad = (exc.args[0], _Bad("truncated", _truncated_reason(exc.args[1]), fatal=True), 0)
                    lines.append(bad)
                if lines:
                    yield LineBatch(state, lines, text_field, on_error, drop_retweets)

            records = _file_records(path, fmt, text_field, report, jsonl=jsonl)
            try:
                for item in records:
                    if isinstance(item, (Post, LineBatch)):
                        yield item
                    else:
                        yield from _emit([item], schema, on_error, report, keep)
            except OSError as exc:
                raise InputError(path, 0, None, f"cannot read: {exc.strerror or exc}", "file") from None

    return batches(files)


def posts_from_frame(
    df,
    *,
    text_field=None,
    time_field=None,
    id_field=None,
    tz="UTC",
    on_error="raise",
    drop_retweets=False,
    drop_duplicates=False,
    report=None,
    name="frame",
) -> Iterator[Post]:
    """Stream posts from the rows of a pandas DataFrame.

    Fields are detected from the column names as for :func:`read_posts`.
    Datetime columns (naive or aware) are accepted as they are.

    Parameters
    ----------
    df : pandas.DataFrame
    text_field, time_field, id_field, tz, on_error, drop_retweets, drop_duplicates, report
        As for :func:`read_posts`.
    name : str, default "frame"
        Stands for the file name in errors and generated ids
        (``"{name}:{row}"``, rows counted from 1).

    Yields
    ------
    Post
    """
    tzinfo = _check_options(None, on_error, tz)
    if report is None:
        report = IngestReport()
    keep = _Filter(drop_retweets, drop_duplicates)
    return _frame_posts(df, text_field, time_field, id_field, tzinfo, on_error, report, name, keep)


def _frame_posts(df, text_field, time_field, id_field, tzinfo, on_error, report, name, keep):
    report.files.append(name)
    schema = _Schema(name, text_field, time_field, id_field, tzinfo)
    schema.resolve([c for c in df.columns if isinstance(c, str)])

    def records():
        # Convert in blocks so that at most one block of row dicts exists.
        step = 10_000
        for start in range(0, len(df), step):
            block = df.iloc[start:start + step].to_dict("records")
            for k, rec in enumerate(block, start=start + 1):
                yield k, rec, 0

    yield from _emit(records(), schema, on_error, report, keep)
