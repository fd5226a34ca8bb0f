"""Broken and hostile input: seeded mutations of valid post files.

:func:`mutate_lines` damages a share of the lines of a valid JSON lines,
JSON array or CSV file the ways real dumps and hostile users do: byte flips,
truncation, deleted braces and quotes, inserted Unicode, lone surrogates,
swapped field types, renamed fields, wild timestamps, deep nesting, huge
numbers, long lines, stray line ends.  The same seed gives the same bytes,
so a failure found by a fuzz run can be replayed.
"""

from __future__ import annotations

import json
import random

__all__ = ["mutate_lines", "MUTATIONS"]

_STRUCTURE = b'{}[]":,'
_UNICODE = ["\u00e9", "\u3042", "\U0001f600", "\u200b", "\u202e", "\u0301", "\ufeff", "\x00", "\ufffd"]
_WILD_TIMES = [0, -1, 10**12, 2**63, 1e300, "1970-01-01T00:00:00Z", "2041-06-01T00:00:00Z",
               "2001-01-01", "0000-00-00", "9999-12-31T23:59:59Z", "", "now", [], {}]
_VALUES = [None, True, 0, -1.5, 10**30, "", " ", [], {}, ["a"], {"text": "x"}]


def _flip(rng, line, _):
    if not line:
        return line
    i = rng.randrange(len(line))
    return line[:i] + bytes([rng.randrange(256)]) + line[i + 1:]


def _truncate(rng, line, _):
    return line[:rng.randrange(len(line) + 1)]


def _delete_structure(rng, line, _):
    spots = [i for i, c in enumerate(line) if c in _STRUCTURE]
    if not spots:
        return line
    i = rng.choice(spots)
    return line[:i] + line[i + 1:]


def _insert_unicode(rng, line, _):
    i = rng.randrange(len(line) + 1)
    return line[:i] + rng.choice(_UNICODE).encode("utf-8") + line[i:]


def _invalid_utf8(rng, line, _):
    i = rng.randrange(len(line) + 1)
    return line[:i] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe9", b"\x80\x80"]) + line[i:]


def _lone_surrogate(rng, line, _):
    # A JSON escape for half an emoji, as scrapers that cut text produce.
    return line.replace(b'"text": "', b'"text": "\\ud83d', 1)


def _record(line):
    try:
        rec = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return rec if isinstance(rec, dict) else None


def _dump(rec):
    return json.dumps(rec, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _swap_type(rng, line, _):
    rec = _record(line)
    if not rec:
        return line
    rec[rng.choice(sorted(rec))] = rng.choice(_VALUES)
    return _dump(rec)


def _wild_time(rng, line, _):
    rec = _record(line)
    if rec is None or "created_at" not in rec:
        return line
    rec["created_at"] = rng.choice(_WILD_TIMES)
    return _dump(rec)


def _rename_field(rng, line, _):
    rec = _record(line)
    if not rec:
        return line
    old = rng.choice(sorted(rec))
    rec[rng.choice(["body", "date", "Text", "CREATED_AT", "tweet", old.upper()])] = rec.pop(old)
    return _dump(rec)


def _deep(rng, line, _):
    depth = int(10 ** rng.uniform(1.7, 5))  # 50 to 100,000 levels, log-uniform
    return b"[" * depth + b"]" * depth if rng.random() < 0.5 else b'{"a":' * depth + b"1" + b"}" * depth


def _huge_number(rng, line, _):
    rec = _record(line)
    digits = b"9" * rng.choice([20, 400, 4301, 5000])
    if rec is None:
        return line + digits
    return line.replace(b'"created_at": ', b'"created_at": ' + digits + b", \"x\": ", 1)


def _long(rng, line, size):
    return line.replace(b'"text": "', b'"text": "' + b"long " * (size // 5), 1)


def _line_ends(rng, line, _):
    i = rng.randrange(len(line) + 1)
    return line[:i] + rng.choice([b"\r", b"\r\n", b"\n", b"\n\n", b"\x0b", b"\x0c", b"\x1c"]) + line[i:]


def _scalar(rng, line, _):
    return rng.choice([b"null", b"42", b'"text"', b"[]", b"{}", b"[1, 2", b"", b"   ", b"\x00" * 8])


def _duplicate(rng, line, _):
    return line + b"\n" + line


#: Name -> function ``(rng, line, size) -> bytes``; ``size`` bounds how
#: much a long-text mutation adds.
MUTATIONS = {
    "flip": _flip,
    "truncate": _truncate,
    "delete_structure": _delete_structure,
    "insert_unicode": _insert_unicode,
    "invalid_utf8": _invalid_utf8,
    "lone_surrogate": _lone_surrogate,
    "swap_type": _swap_type,
    "wild_time": _wild_time,
    "rename_field": _rename_field,
    "deep": _deep,
    "huge_number": _huge_number,
    "long": _long,
    "line_ends": _line_ends,
    "scalar": _scalar,
    "duplicate": _duplicate,
}


def mutate_lines(lines, *, rate=0.3, seed=0, size=1 << 16, kinds=None):
    """Damage a share of ``lines`` (bytes, without line ends).

    Parameters
    ----------
    lines : iterable of bytes
        Valid records, one per item (JSON lines, array elements, CSV rows).
    rate : float
        Share of lines mutated; a mutated line gets 1 to 3 mutations.
    seed : int
        Seed of the :class:`random.Random` that picks everything.
    size : int
        Bytes a long-text mutation adds to a line, about.
    kinds : list of str, optional
        Names in :data:`MUTATIONS` to draw from (default all).

    Returns
    -------
    list of bytes
    """
    rng = random.Random(seed)
    names = sorted(kinds or MUTATIONS)
    out = []
    for line in lines:
        if rng.random() < rate:
            for _ in range(rng.randint(1, 3)):
                line = MUTATIONS[rng.choice(names)](rng, line, size)
        out.append(line)
    return out
