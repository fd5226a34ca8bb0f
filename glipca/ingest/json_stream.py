"""JSON documents, streamed: an array of objects, a v2 envelope, or several objects.

Only the unconsumed tail of the text is held in memory, so a file of any
size is read with memory bounded by its largest record.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping

from .fields import TEXT_GROUPS, is_missing, lookup, resolve_group
from .files import DECOMPRESSION_ERRORS, Truncated, truncated_reason
from .jsonl import is_envelope
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
        return not is_missing(lookup(members, text_field))
    return resolve_group(TEXT_GROUPS, members.keys()) is not None


def read_json(fh, text_field):
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
            return index, BadRecord("malformed_json", f"malformed JSON: {exc.msg}", fatal=True), 0
        if bad:
            return index, BadRecord("encoding", "invalid UTF-8 bytes"), 0
        if not isinstance(obj, Mapping):
            return index, BadRecord("not_object", f"expected a JSON object, got {type(obj).__name__}"), 0
        return index, obj, 0

    def array():
        # Called just after '['.
        if stream.peek() == "]":
            stream.pos += 1
            return
        while True:
            item = element()
            yield item
            if isinstance(item[1], BadRecord) and item[1].fatal:
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
                    if isinstance(item[1], BadRecord) and item[1].fatal:
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
                                if isinstance(item[1], BadRecord) and item[1].fatal:
                                    return
                        else:
                            members[key], bad = stream.value()
                            any_bad |= bad
                        if stream.expect(",}") == "}":
                            break
                if not streamed:
                    index = start_index + 1
                    if any_bad:
                        yield index, BadRecord("encoding", "invalid UTF-8 bytes"), 0
                        continue
                    if is_envelope(members, text_field) and isinstance(members["data"], Mapping):
                        members = members["data"]
                    yield index, members, 0
            else:
                index += 1
                yield index, BadRecord("malformed_json", f"malformed JSON: unexpected {c!r}", fatal=True), 0
                return
    except json.JSONDecodeError as exc:
        yield index + 1, BadRecord("malformed_json", f"malformed JSON: {exc.msg}", fatal=True), 0
    except Truncated as exc:
        yield index + 1, BadRecord("truncated", truncated_reason(exc.args[1]), fatal=True), 0
