"""JSON documents, streamed: an array of objects, a v2 envelope, or several objects.

Only the unconsumed tail of the text is held in memory, so a file of any
size is read with memory bounded by its largest record.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping

from .fields import TEXT_GROUPS, TIME_GROUPS, is_missing, lookup, resolve_group
from .files import DECOMPRESSION_ERRORS, Truncated, too_long, truncated_reason
from .jsonl import DEEP, decode_failure, is_envelope
from .limits import MAX_RECORD_BYTES, too_deep
from .records import BadRecord

__all__ = ["read_json"]


JSON_CHUNK = 1 << 16  # characters read at a time from JSON documents


class _JsonStream:
    """Pull-parser over a (possibly huge) JSON text, one value at a time.

    Only the unconsumed tail is buffered, so memory is bounded by the largest
    single value.  Bytes are decoded with ``surrogateescape`` so that a bad
    byte spoils only the value that holds it.
    """

    _WS = re.compile(r"[ \t\r\n]*")  # JSON's blanks, no others
    _BAD = re.compile("[\udc80-\udcff]")
    _NEXT = re.compile(r",[ \t\r\n]{0,64}\{")

    def __init__(self, fh, chunk=None):
        self.fh = fh
        self.chunk = chunk or JSON_CHUNK
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
        except DECOMPRESSION_ERRORS as exc:
            raise Truncated(0, exc) from None
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
        """Decode the next value; return it and whether it held bad bytes.

        Raises :class:`OverLimit` for a value over a limit of
        :mod:`.limits`; the position is then past the value if its end is
        known, else unchanged (see :meth:`resync`).
        """
        self.peek()
        while True:
            try:
                obj, end = self.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # An error near the end of the buffer, or an open string, may
                # only mean that the value continues in the next chunk.
                near_end = exc.pos >= len(self.buf) - 8 or exc.msg.startswith("Unterminated string")
                if near_end and not self.eof and len(self.buf) - self.pos > MAX_RECORD_BYTES:
                    raise OverLimit(too_long(), False) from None
                if near_end and self._fill(max(self.chunk, len(self.buf) - self.pos)):
                    continue
                raise
            except (ValueError, RecursionError) as exc:
                raise OverLimit(decode_failure(exc), False) from None
            if end == len(self.buf) and not self.eof:
                # A number cut at the chunk end would decode as a shorter one.
                self._fill(self.chunk)
                continue
            bad = self._BAD.search(self.buf, self.pos, end) is not None
            start, self.pos = self.pos, end
            if end - start > MAX_RECORD_BYTES:  # in characters: bytes can only be more
                raise OverLimit(too_long(), True)
            if too_deep(self.buf, start, end):
                raise OverLimit(DEEP, True)
            return obj, bad

    def resync(self, accept):
        """Find the next array element, after damage, that ``accept`` takes.

        Looks for ``,`` followed by ``{`` and decodes from there; returns
        ``(value, bad)`` with the position after it, or None at the end of
        the input.  A best effort: an element is missed when its comma and
        brace are more than 64 blanks apart.
        """
        start = self.pos + 1
        while True:
            m = self._NEXT.search(self.buf, start)
            if m is None:
                # Keep only a tail that may hold the start of a match, so
                # that _fill can drop the rest.
                self.pos = start = max(self.pos, len(self.buf) - 64)
                if not self._fill(self.chunk):
                    self.pos = len(self.buf)
                    return None
                start = self.pos
                continue
            self.pos = m.end() - 1
            try:
                found = self.value()
            except (json.JSONDecodeError, OverLimit):
                start = self.pos + 1
                continue
            if accept(found[0]) and self.peek() in (",", "]"):
                return found
            start = self.pos = m.end()


class OverLimit(Exception):
    """A value over a limit; ``args``: the :class:`BadRecord` to report, and
    whether the stream has moved past the value."""


def _looks_like_record(members, text_field):
    if text_field is not None:
        return not is_missing(lookup(members, text_field))
    return resolve_group(TEXT_GROUPS, members.keys()) is not None


class _End(Exception):
    """Damage that cannot be read past: the rest of the input is left."""


def read_json(fh, text_field, time_field=None):
    """Records of a JSON document: (element number, record or BadRecord, 0).

    A damaged array element is skipped and reading resumes at the next
    element that looks like a record (:meth:`_JsonStream.resync`).
    """
    yield from _JsonReader(fh, text_field, time_field).records()


class _JsonReader:
    """One reading of a JSON document: the stream, and the number of the
    last element or object read (``index``)."""

    def __init__(self, fh, text_field, time_field):
        self.stream = _JsonStream(fh)
        self.text_field = text_field
        self.time_field = time_field
        self.index = 0

    def records(self):
        """What :func:`read_json` yields; damage that cannot be read past ends
        it with a fatal :class:`BadRecord`."""
        stream = self.stream
        # Nothing is read before the ``try`` below, which turns a broken gzip
        # stream or bad JSON into a record error.
        try:
            stream.skip_bom()
            while True:
                c = stream.peek()
                if c == "":
                    return
                if c == "[" or c == "," and self.index:
                    # A comma here: damage closed an array early; read on as
                    # if it had not.
                    stream.pos += 1
                    yield from self.array_records()
                elif c == "{":
                    yield from self.object_records()
                else:
                    self.index += 1
                    yield self.index, BadRecord("malformed_json", f"malformed JSON: unexpected {c!r}", fatal=True), 0
                    return
        except _End:
            return
        except json.JSONDecodeError as exc:
            yield self.index + 1, BadRecord("malformed_json", f"malformed JSON: {exc.msg}", fatal=True), 0
        except OverLimit as exc:
            yield self.index + 1, exc.args[0]._replace(fatal=True), 0
        except Truncated as exc:
            yield self.index + 1, BadRecord("truncated", truncated_reason(exc.args[1]), fatal=True), 0

    def element(self):
        """(item, whether the stream moved past the element)."""
        self.index += 1
        try:
            obj, bad = self.stream.value()
        except json.JSONDecodeError as exc:
            return (self.index, BadRecord("malformed_json", f"malformed JSON: {exc.msg}"), 0), False
        except OverLimit as exc:
            return (self.index, exc.args[0], 0), exc.args[1]
        return (self.index, _checked(obj, bad), 0), True

    def accept(self, obj):
        """Whether ``obj`` looks like a record: where to resume after damage."""
        if not isinstance(obj, Mapping) or not _looks_like_record(obj, self.text_field):
            return False
        if self.time_field is not None:
            return not is_missing(lookup(obj, self.time_field))
        return resolve_group(TIME_GROUPS, obj.keys()) is not None

    def recover(self):
        """The next element that looks like a record, after damage."""
        found = self.stream.resync(self.accept)
        if found is None:
            raise _End
        self.index += 1
        return (self.index, _checked(*found), 0), True

    def array_records(self):
        """The elements of an array; called just after its '['."""
        stream = self.stream
        if stream.peek() == "]":
            stream.pos += 1
            return
        item, moved = self.element()
        while True:
            yield item
            if not moved:
                item, moved = self.recover()
                continue
            try:
                if stream.expect(",]") == "]":
                    return
            except json.JSONDecodeError as exc:
                item, moved = (self.index + 1, BadRecord("malformed_json", f"malformed JSON: {exc.msg}"), 0), False
                continue
            item, moved = self.element()

    def object_records(self):
        """An object at the top level; called at its '{'."""
        # An object is either a record or a v2 envelope whose "data"
        # array is streamed; its other members are kept (they are small
        # in practice) to tell the two apart at the end.
        stream = self.stream
        start_index = self.index
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
                if key == "data" and stream.peek() == "[" and not _looks_like_record(members, self.text_field):
                    stream.pos += 1
                    streamed = True
                    yield from self.array_records()
                else:
                    members[key], bad = stream.value()
                    any_bad |= bad
                if stream.expect(",}") == "}":
                    break
        if streamed:
            return
        self.index = start_index + 1
        if any_bad:
            yield self.index, BadRecord("encoding", "invalid UTF-8 bytes"), 0
            return
        if is_envelope(members, self.text_field) and isinstance(members["data"], Mapping):
            members = members["data"]
        yield self.index, members, 0


def _checked(obj, bad):
    if bad:
        return BadRecord("encoding", "invalid UTF-8 bytes")
    if not isinstance(obj, Mapping):
        return BadRecord("not_object", f"expected a JSON object, got {type(obj).__name__}")
    return obj
