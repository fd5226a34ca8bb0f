"""Field guessing: which field of a record holds the text, time and id.

Field names are recognised for Twitter v1.1 (``full_text``,
``extended_tweet``, ``id_str``), Twitter v2 (``text``, ``id``) and plain
tables (``date``, ``timestamp``, ``tweet``, ``content``, ...), matched
case-insensitively.  Dotted names such as ``user.name`` select nested fields.
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Mapping

from .records import Post, RecordError
from .timestamps import parse_time

__all__ = [
    "Schema", "settle", "repaired", "TEXT_GROUPS", "TIME_GROUPS", "ID_GROUPS", "lookup", "is_missing",
    "resolve_group",
]


# Candidate fields, in order of preference.  Each entry is a *group*: the
# group present in most records of a file's sample (the earlier group on a
# tie) is used for the whole file, and within a group the first member
# present in each record wins.  This is what lets v1.1 records prefer ``extended_tweet.full_text``
# over ``full_text`` over ``text`` record by record.  The last member names
# the field in error messages.
TEXT_GROUPS = (
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
TIME_GROUPS = (
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
ID_GROUPS = (
    ("id_str", "id"),
    ("tweet_id",),
    ("status_id",),
    ("post_id",),
    ("uuid",),
    ("guid",),
    ("_id",),
)
RETWEET_FLAGS = ("retweet", "is_retweet", "retweeted", "isretweet")
_TRUE_STRINGS = frozenset({"true", "t", "1", "yes", "y"})

MISSING = object()

#: Records of a file whose keys decide its fields: enough that one odd
#: record cannot decide, few enough to cost nothing next to the reading.
SAMPLE = 200

# Code points that no writer can encode: lone surrogates, as JSON escapes
# ("\ud800") and scraped text with cut emoji produce them.
_UNENCODABLE = re.compile("[\ud800-\udfff]")


def lookup(rec, name):
    """Value of ``name`` in a mapping; dotted names walk nested mappings."""
    v = rec.get(name, MISSING)
    if v is MISSING and "." in name:
        v = rec
        for part in name.split("."):
            if not isinstance(v, Mapping):
                return MISSING
            v = v.get(part, MISSING)
            if v is MISSING:
                return MISSING
    return v


def is_missing(v):
    # NaN and NaT are the only values unequal to themselves; pandas' NA
    # compares as NA, so it is caught by its type name.
    if type(v) is str:  # the common case, kept cheap
        return False
    if v is MISSING or v is None:
        return True
    try:
        if (v != v) is True:
            return True
    except (TypeError, ValueError):
        return False
    return type(v).__name__ == "NAType"


def resolve_group(groups, keys):
    """Pick the first group with a member among ``keys`` (case-insensitive).

    Returns the group with each member spelled as in ``keys`` where present,
    or None.
    """
    lower = _lower(keys)
    for group in groups:
        if any(_present(lower, name) for name in group):
            return tuple(_spell(lower, name) for name in group)
    return None


def _lower(keys):
    """Normalised key -> key as spelled, for the string keys of a record."""
    lower = {}
    for k in keys:
        if isinstance(k, str):
            lower.setdefault(_normal_key(k), k)
    return lower


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


def repaired(post):
    """``post`` with unencodable code points replaced by U+FFFD, or None if it has none."""
    if post.text.isascii() and post.id.isascii():
        return None
    if not (_UNENCODABLE.search(post.text) or _UNENCODABLE.search(post.id)):
        return None
    return post._replace(id=_UNENCODABLE.sub("\ufffd", post.id), text=_UNENCODABLE.sub("\ufffd", post.text))


def kept(post, report, keep, repair=True):
    """``post`` repaired (:func:`repaired`) and counted as used, or None when
    ``keep`` (a filter, or None) drops it, counted as dropped. Repairs come
    before any filter, so that every path (posts read, or dropped later
    while counting) counts the same repairs; ``repair=False`` says the post
    cannot hold an unencodable code point."""
    fixed = repaired(post) if repair else None
    if fixed is not None:
        post = fixed
        report.repaired["unencodable"] += 1
    if keep:
        why = keep.reason(post)
        if why is not None:
            report.dropped[why] += 1
            return None
    report.used += 1
    return post


def _unrecognised(attr, rec, sep=None, most=20):
    """No field of ``rec`` is a known ``attr`` (text or time) field: say which
    there are, and for a table the separator its columns were split at."""
    names = [str(k) for k in rec.keys()]
    shown = ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")
    if sep is None:
        return (f"no {attr} column or field recognised among: {shown or 'none'} "
                f"(choose one with `{attr}_field`)")
    from .delimited import separator_name

    return (f"no {attr} column or field recognised among: {shown or 'none'} (columns split "
            f"at {separator_name(sep)}; choose one with `{attr}_field`, or another separator "
            "with `sep`)")


def settle(schema, records, n=SAMPLE):
    """Decide ``schema``'s fields on the first ``n`` records of ``records``.

    ``records`` yields (line, record, sub) triples; bad records do not count,
    but at most ``10 * n`` items are looked at.
    """
    keys = []
    for k, (_, rec, _) in enumerate(records):
        if isinstance(rec, Mapping):
            keys.append(tuple(rec.keys()))
            if len(keys) >= n:
                break
        if k >= 10 * n:
            break
    schema.settle(keys)


def _vote(groups, lowers):
    """The group present in most of ``lowers`` (the earlier on a tie), and who disagrees.

    Returns ``(group spelled as found, votes, {other group's name: records
    that have it and not the winner})``, or ``(None, 0, {})``.
    """
    votes = [sum(any(_present(low, name) for name in g) for low in lowers) for g in groups]
    best = max(range(len(groups)), key=lambda i: (votes[i], -i))
    if votes[best] == 0:
        return None, 0, {}
    low = next(low for low in lowers if any(_present(low, name) for name in groups[best]))
    others = {}
    for low in lowers:
        if not any(_present(low, name) for name in groups[best]):
            other = next((g for g in groups if any(_present(low, name) for name in g)), None)
            if other is not None:
                others[other[-1]] = others.get(other[-1], 0) + 1
    return tuple(_spell(low, name) for name in groups[best]), votes[best], others


class Schema:
    """Turns records (mappings) into posts, resolving field names once.

    Fields not given are decided on a sample of the file's records
    (:meth:`settle`); records that disagree with the sample's majority are
    noted in :attr:`notes` (one line per field) and fail as missing the field.
    """

    def __init__(self, source, text_field, time_field, id_field, tz):
        self.source = source
        self.basename = os.path.basename(source)
        self.tz = tz
        self.text = (text_field,) if text_field else None
        self.time = (time_field,) if time_field else None
        self.id = (id_field,) if id_field else None
        self.flags = RETWEET_FLAGS
        self.resolved = False
        self.notes = {}  # "text" or "time" -> one line on the sample's disagreement
        # Set by the reader: a table's column separator, and the order of
        # dates written day and month first or a strftime format.
        self.sep = None
        self.dayfirst = None
        self.time_format = None
        self.id_found = id_field is not None

    def settle(self, samples):
        """Decide the fields not given on the keys of sampled records."""
        if not samples:
            return
        cache = {}  # records of a file mostly share one key order
        lowers = [cache.get(k) or cache.setdefault(k, _lower(k)) for k in samples]
        for attr, groups in (("text", TEXT_GROUPS), ("time", TIME_GROUPS)):
            if getattr(self, attr) is not None:
                continue
            group, votes, others = _vote(groups, lowers)
            setattr(self, attr, group)
            if others:
                counts = [f"{n} {'has' if n == 1 else 'have'} '{name}'"
                          for name, n in sorted(others.items(), key=lambda x: -x[1])]
                rest = len(lowers) - votes - sum(others.values())
                if rest:  # so that the counts add up to the sample
                    counts.append(f"{rest} {'has' if rest == 1 else 'have'} no {attr} field")
                counts = ", ".join(counts)
                self.notes[attr] = (
                    f"records disagree on the {attr} field: {votes} of {len(lowers)} sampled "
                    f"records have '{group[-1]}', {counts}; records without '{group[-1]}' are skipped "
                    f"(choose one with `{attr}_field`)"
                )
        if self.id is None:
            found = _vote(ID_GROUPS, lowers)[0]
            self.id, self.id_found = found or ID_GROUPS[0], found is not None
        for low in lowers:
            self._add_flags(low.values())
        self.resolved = self.text is not None and self.time is not None

    def _add_flags(self, keys):
        # Retweet flags are looked up in every record under their usual
        # names, plus the spellings this file uses (CSV headers vary).
        found = resolve_group([(f,) for f in RETWEET_FLAGS], keys)
        if found and found[0] not in self.flags:
            self.flags = self.flags + found

    def resolve(self, keys):
        keys = list(keys)
        if self.text is None:
            self.text = resolve_group(TEXT_GROUPS, keys)
        if self.time is None:
            self.time = resolve_group(TIME_GROUPS, keys)
        if self.id is None:
            found = resolve_group(ID_GROUPS, keys)
            self.id, self.id_found = found or ID_GROUPS[0], found is not None
        self._add_flags(keys)
        # A file is settled once text and time are known; until then every
        # record gets another chance (the first may lack them by mistake).
        self.resolved = self.text is not None and self.time is not None

    def decided(self):
        """What this file's posts are read with, JSON-ready: ``text``, ``time``
        and ``id`` fields (None: not found; ids are then made from line
        numbers), and when they apply, the date order or time format and the
        column separator."""
        out = {attr: (group[-1] if group and (attr != "id" or self.id_found) else None)
               for attr, group in (("text", self.text), ("time", self.time), ("id", self.id))}
        if self.time_format:
            out["time_format"] = self.time_format
        elif self.dayfirst is not None:
            out["dates"] = "day-first" if self.dayfirst else "month-first"
        if self.sep is not None:
            out["sep"] = self.sep
        return out

    def time_value(self, rec):
        """The raw time of a record (MISSING when absent)."""
        return self._get(rec, self.time or ("created_at",))

    def _get(self, rec, group):
        for name in group:
            v = rec.get(name, MISSING)  # inlined lookup: this runs per field per record
            if v is MISSING and "." in name:
                if rec.get(name.partition(".")[0]) is None:
                    continue  # e.g. no "extended_tweet": most records
                v = lookup(rec, name)
            if type(v) is str or not is_missing(v):
                return v
        return MISSING

    def post(self, rec, line, sub=0):
        if not self.resolved:
            self.resolve(rec.keys())
        text_group = self.text or ("text",)
        text = self._get(rec, text_group)
        if text is MISSING:
            if self.text is None:
                raise RecordError("missing_text", None, _unrecognised("text", rec, self.sep))
            raise RecordError("missing_text", text_group[-1], self._missing("text"))
        if not isinstance(text, str):
            if isinstance(text, numbers.Number) and not isinstance(text, bool):
                text = str(text)
            else:
                raise RecordError(
                    "missing_text", text_group[-1],
                    f"expected a string, got {type(text).__name__}",
                )
        if not text.strip():
            raise RecordError("empty_text", text_group[-1], "empty")

        time_group = self.time or ("created_at",)
        raw_time = self._get(rec, time_group)
        if raw_time is MISSING and self.time is None:
            raise RecordError("missing_time", None, _unrecognised("time", rec, self.sep))
        if raw_time is MISSING or (isinstance(raw_time, str) and not raw_time.strip()):
            raise RecordError(
                "missing_time", time_group[-1], self._missing("time") if raw_time is MISSING else "empty"
            )
        try:
            time = parse_time(raw_time, self.tz, dayfirst=self.dayfirst,
                              time_format=self.time_format)
        except ValueError as exc:
            raise RecordError("bad_time", time_group[-1], str(exc)) from None

        pid = self._get(rec, self.id)
        if isinstance(pid, str):
            pid = pid.strip() or MISSING
        elif isinstance(pid, float) and pid.is_integer():
            pid = str(int(pid))
        elif pid is not MISSING:
            pid = str(pid)
        if pid is MISSING:
            # Stable across runs: the same file gives the same ids.
            pid = f"{self.basename}:{line}" + (f".{sub}" if sub else "")

        return Post(pid, time, text, self._is_retweet(rec, text))

    def _missing(self, attr):
        note = self.notes.get(attr)
        return "missing" if note is None else f"missing; {note}"

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
