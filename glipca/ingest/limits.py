"""Bounded work per record: size, nesting depth and number length.

A hostile or broken record must cost no more than a normal large one.  Each
limit is checked before the expensive step it guards (decoding, recursion),
and a record over a limit becomes a one-line error or, under
``on_error="skip"``, a skip counted as ``too_large`` or ``too_deep``.
"""

from __future__ import annotations

import re
import sys

__all__ = ["MAX_RECORD_BYTES", "MAX_DEPTH", "MAX_DIGITS", "too_deep", "number_too_long"]

#: Longest record (a JSON lines line, a CSV line, a JSON array element):
#: far above real posts (a long article with embedded media is a few MB),
#: far below what would exhaust memory.
MAX_RECORD_BYTES = 16 << 20

#: Deepest nesting of arrays and objects.  Real records nest a dozen levels
#: at most; the JSON decoder recurses once per level, so a stated limit well
#: below the interpreter's recursion limit keeps the outcome the same in
#: every process.
MAX_DEPTH = 100

#: Longest integer literal: Python's own limit on converting digit strings
#: (CPython 3.11+ refuses longer ones, which would otherwise stop the run).
MAX_DIGITS = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300

# A string (an unterminated one runs to the end) or a bracket: one pass.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.S)


def too_deep(raw, start=0, end=None, limit=MAX_DEPTH) -> bool:
    """Whether the JSON text ``raw[start:end]`` nests deeper than ``limit``.

    ``raw`` is bytes or str.  Counting brackets is cheap and settles almost
    every record; only a record with more brackets than the limit is
    scanned level by level, with strings left out.
    """
    end = len(raw) if end is None else end
    if isinstance(raw, str):
        if raw.count("[", start, end) + raw.count("{", start, end) <= limit:
            return False
        raw = raw[start:end].encode("utf-8", "surrogatepass")
        start, end = 0, len(raw)
    elif raw.count(b"[", start, end) + raw.count(b"{", start, end) <= limit:
        return False
    depth = 0
    for m in _TOKEN.finditer(raw, start, end):
        c = raw[m.start()]
        if c == 0x22:  # '"': a string, brackets in it do not count
            continue
        if c in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def number_too_long(exc) -> bool:
    """Whether a decoding error is Python's refusal of a long integer."""
    return "integer string conversion" in str(exc)
