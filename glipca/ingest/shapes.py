"""JSON lines of a file's common shape, read without the general path.

Most lines of a file are objects with the same keys, whose text and time
are strings and whose id is a string or an integer.  For each set of keys
met, the keys that a record of that shape is read from are worked out once
(:class:`Shapes`), as :meth:`~glipca.ingest.fields.Schema.post` would pick
them record by record.  A line that is anything else (not an object, a
value of another type, a nested field, a bad time...) is read the general
way, which gives the same post, or the same error, as it always did: this
path only ever yields the posts the general one would.
"""

from __future__ import annotations

import datetime as dt
import json

from .fields import kept
from .limits import MAX_DEPTH, MAX_RECORD_BYTES
from .records import Post
from .timestamps import MAX_YEAR, MIN_YEAR, parse_time

__all__ = ["Shapes", "quick_posts"]

_DECODE = json.JSONDecoder().raw_decode
_FROMISO = dt.datetime.fromisoformat
_FIXED = dt.timezone
_POST = tuple.__new__
#: A shape whose records are read the general way (a nested field).
GENERAL = ()
# Keys whose presence makes the retweet test read the record's fields.
_RETWEET_KEYS = ("retweeted_status", "referenced_tweets")


class Shapes:
    """The keys that records of each key set are read from, worked out once.

    ``fields(keys)`` is ``(text key, time key, id key or None, whether the
    record has retweet fields)``, or :data:`GENERAL`.
    """

    def __init__(self, schema):
        self.schema = schema
        self.retweet_keys = frozenset(schema.flags) | frozenset(_RETWEET_KEYS)
        self.known = {}

    def fields(self, keys):
        found = self.known.get(keys)
        if found is None:
            found = self.known[keys] = self._fields(keys)
        return found

    def _fields(self, keys):
        present = frozenset(keys)
        schema = self.schema
        picked = [_pick(group, present) for group in (schema.text, schema.time, schema.id)]
        if GENERAL in picked or picked[0] is None or picked[1] is None:
            return GENERAL  # nested, or no text or time: the general path says why
        return (*picked, not present.isdisjoint(self.retweet_keys))


def _pick(group, present):
    """The member of ``group`` that :meth:`Schema._get` reads from a record
    with the keys ``present`` (when its value is a string), None for none."""
    for name in group:
        if name in present:
            return name
        if "." in name and name.partition(".")[0] in present:
            return GENERAL
    return None


def iso_time(value, tz):
    """``parse_time(value, tz)`` for ISO 8601 strings without surrounding
    blanks (what most files hold); None for any other value (parse it)."""
    # A string that fromisoformat reads starts with four ASCII digits, as
    # parse_time asks before it reads one so.
    if len(value) < 10 or value[4] != "-" or value[-1] not in "0123456789Z":
        return None
    try:
        t = _FROMISO(value)
    except ValueError:
        return None
    zone = t.tzinfo
    if zone is None or (zone.__class__ is not _FIXED and t.utcoffset() is None):
        t = t.replace(tzinfo=tz)
    return t if MIN_YEAR <= t.year <= MAX_YEAR else None


def quick_posts(lines, schema, keep, report, general):
    """Posts of (line number, bytes) pairs of a JSON lines file, as
    :func:`glipca.ingest.reader._emit` gives them; ``general(item)`` yields
    the posts of one item read the general way (and raises its errors)."""
    shapes = None
    for item in lines:
        if shapes is None and schema.resolved and schema.id is not None:
            shapes = Shapes(schema)
        post = None if shapes is None or len(item) != 2 else _quick(item, schema, shapes)
        if post is None:
            yield from general(item)
            continue
        report.read += 1
        # Strict UTF-8 holds no lone surrogate: only a JSON escape makes one.
        post = kept(post, report, keep, repair=b"\\u" in item[1])
        if post is not None:
            yield post


def _quick(item, schema, shapes):
    """The post of a line of the file's common shape, or None to read it the general way."""
    lineno, raw = item
    raw = raw.strip()
    if (lineno == 1 or not raw or len(raw) > MAX_RECORD_BYTES
            or raw.count(b"{") + raw.count(b"[") > MAX_DEPTH):
        return None
    try:
        s = raw.decode("utf-8")
        rec, end = _DECODE(s)
    except Exception:  # the general path says what is wrong
        return None
    if end != len(s) or type(rec) is not dict or "data" in rec:
        return None
    keys = tuple(rec)
    fields = shapes.known.get(keys) or shapes.fields(keys)
    if fields is GENERAL:
        return None
    text_key, time_key, id_key, flagged = fields
    text, when = rec[text_key], rec[time_key]
    if type(text) is not str or type(when) is not str or not text or text.isspace():
        return None
    t = iso_time(when, schema.tz) if schema.time_format is None else None
    if t is None:
        try:
            t = parse_time(when, schema.tz, dayfirst=schema.dayfirst, time_format=schema.time_format)
        except ValueError:
            return None
    if id_key is None:
        pid = f"{schema.basename}:{lineno}"
    else:
        pid = rec[id_key]
        if type(pid) is int:
            pid = str(pid)
        elif type(pid) is not str or not (pid := pid.strip()):
            return None
    retweet = schema._is_retweet(rec, text) if flagged else text.startswith("RT @")
    return _POST(Post, (pid, t, text, retweet))  # Post(...) without its Python-level __new__
