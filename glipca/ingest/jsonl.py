"""JSON lines: one object per line, or a Twitter v2 response or array per line."""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping

from .fields import TEXT_GROUPS, is_missing, lookup, resolve_group
from .files import numbered_lines, too_long
from .limits import MAX_DEPTH, MAX_DIGITS, MAX_RECORD_BYTES, number_too_long, too_deep
from .records import BadRecord

__all__ = ["jsonl_records", "read_jsonl", "is_envelope", "decode_failure", "DEEP"]


DEEP = BadRecord("too_deep", f"nested deeper than {MAX_DEPTH} levels (the limit)")


def decode_failure(exc):
    """The skip for a decoder error other than malformed JSON: a limit was hit."""
    if isinstance(exc, RecursionError):
        return DEEP
    if number_too_long(exc):
        return BadRecord("too_large", f"a number longer than {MAX_DIGITS} digits (the limit)")
    return BadRecord("malformed_json", f"malformed JSON: {exc}")


def _decode_error(exc, raw):
    return f"invalid UTF-8 byte 0x{raw[exc.start]:02x} at byte {exc.start + 1}"


def _json_object_records(obj, text_field):
    """Split a decoded top-level JSON value into records."""
    if isinstance(obj, list):
        return [(k + 1, el) for k, el in enumerate(obj)]
    if isinstance(obj, Mapping) and is_envelope(obj, text_field):
        data = obj["data"]
        if isinstance(data, list):
            return [(k + 1, el) for k, el in enumerate(data)]
        return [(0, data)]
    return [(0, obj)]


def is_envelope(obj, text_field):
    """A Twitter v2 response: ``data`` holds the tweets, not the record."""
    data = obj.get("data")
    if not isinstance(data, (list, Mapping)):
        return False
    if text_field is not None:
        return is_missing(lookup(obj, text_field))
    return resolve_group(TEXT_GROUPS, obj.keys()) is None


def read_jsonl(fh, text_field):
    return jsonl_records(numbered_lines(fh), text_field)


def jsonl_records(numbered, text_field):
    """Records of (line number, raw line) pairs of a JSON lines file.

    A pair may also be a ready (line number, BadRecord, 0) triple, which is
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
        if len(raw) > MAX_RECORD_BYTES:  # lines cut by other readers than numbered_lines
            yield lineno, too_long(), 0
            continue
        if too_deep(raw):
            yield lineno, DEEP, 0
            continue
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield lineno, BadRecord("encoding", _decode_error(exc, raw)), 0
            continue
        try:
            obj = loads(s)
        except json.JSONDecodeError as exc:
            yield lineno, BadRecord("malformed_json", f"malformed JSON: {exc.msg} (column {exc.colno})"), 0
            continue
        except (ValueError, RecursionError) as exc:
            yield lineno, decode_failure(exc), 0
            continue
        if type(obj) is dict and "data" not in obj:
            yield lineno, obj, 0  # the common case, kept cheap
            continue
        if isinstance(obj, Mapping) and not is_envelope(obj, text_field):
            yield lineno, obj, 0
            continue
        for sub, rec in _json_object_records(obj, text_field):
            yield lineno, rec, sub
