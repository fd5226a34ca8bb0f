"""CSV and TSV files with a header row."""

from __future__ import annotations

import collections
import csv
import sys

from .files import Truncated, numbered_lines, too_long, truncated_reason
from .records import BadRecord

__all__ = ["read_delimited", "sniff_separator", "SEPARATORS", "separator_name"]

#: Separators a table may use, in order of preference on a tie.
SEPARATORS = (",", ";", "\t", "|")
#: Lines of a table looked at to tell its separator.
SNIFF_LINES = 20


def separator_name(sep):
    """How messages show a separator: ``','``, ``';'``, ``tab``."""
    return "tab" if sep == "\t" else repr(sep)


def sniff_separator(fh, default):
    """The separator of a table, told from its header and first rows.

    Each of :data:`SEPARATORS` is tried on the first :data:`SNIFF_LINES`
    lines; the one that splits the header in two or more columns and the
    most rows into as many fields as the header wins (then the one giving
    more columns, then the earlier).  ``default`` when none splits the
    header.  Leaves ``fh`` rewound.
    """
    lines = []
    for _ in range(SNIFF_LINES):
        line = fh.readline(1 << 20)
        if not line:
            break
        lines.append(line.decode("utf-8", "replace").lstrip("\ufeff"))
    fh.seek(0)
    lines = [line for line in lines if line.strip()]
    best, best_score = default, None
    for sep in SEPARATORS:
        try:
            rows = list(csv.reader(lines, delimiter=sep))
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agree = sum(len(r) == width for r in rows[1:]) / max(len(rows) - 1, 1)
        score = (agree, width)
        if best_score is None or score > best_score:
            best, best_score = sep, score
    return best


class _Lines:
    """The physical lines of a file, decoded one by one, numbered, and the
    (line number, bytes) items of the record being read; lines can be
    pushed back to be read again."""

    def __init__(self, fh):
        self.lineno = self.last_bad = self.too_long = 0
        self.record = []
        self.pushed = collections.deque()
        self._source = numbered_lines(fh)

    def _items(self):
        while True:
            item = self.pushed.popleft() if self.pushed else next(self._source, None)
            if item is None:
                return
            yield item

    def __iter__(self):
        # Decode line by line ourselves: this gives exact physical line
        # numbers and confines a bad byte to the record that holds it.
        for item in self._items():
            lineno, raw = item[0], item[1]
            self.lineno = lineno
            self.record.append(item)
            if len(item) == 3:  # over the size limit: not kept
                self.too_long = lineno
                yield "\n"
                continue
            try:
                s = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.last_bad = lineno
                s = raw.decode("utf-8", "replace")
            if lineno == 1 and s.startswith("\ufeff"):
                s = s[1:]
            yield s

    def unclosed_quote(self):
        """Why the record just read must be a quote never closed, or None."""
        record = self.record
        if len(record) < 2 or sum(i[1].count(b'"') for i in record if len(i) == 2) % 2 == 0:
            return None
        n = len(record) - 1
        return (f"a quote opened on this line is not closed (it ran over the next "
                f"{'line' if n == 1 else f'{n} lines'})")


def read_delimited(fh, delimiter):
    """Records of a CSV or TSV file: (line where the record starts, dict or BadRecord, 0).

    A row with more fields than the header is an error (``too_many_fields``)
    unless the extra fields are empty (a trailing delimiter): the extra
    fields are most likely an unquoted delimiter inside the text, which
    would otherwise be cut there.  A record over several lines with an odd
    number of quote characters has a quote that is never closed: it would
    swallow the lines after it (to the end of the file) into one field, so
    it is an error (``malformed_csv``) and reading resumes at its second line.
    """
    lines = _Lines(fh)
    _allow_large_csv_fields()
    reader = csv.reader(iter(lines), delimiter=delimiter)
    header = None
    while True:
        lines.record.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start = lines.record[0][0] if lines.record else lines.lineno + 1
            if header is None:
                yield start, BadRecord("malformed_csv", f"unreadable header: {exc}", fatal=True), 0
                return
            kind = "TSV" if delimiter == "\t" else "CSV"
            yield start, BadRecord("malformed_csv", f"malformed {kind}: {exc}"), 0
            continue
        except Truncated as exc:
            yield lines.lineno + 1, BadRecord("truncated", truncated_reason(exc.args[1]), fatal=True), 0
            return
        start = lines.record[0][0]
        reason = lines.unclosed_quote()
        if reason is not None:
            if header is None:
                yield start, BadRecord("malformed_csv", f"unreadable header: {reason}", fatal=True), 0
                return
            yield start, BadRecord("malformed_csv", reason), 0
            lines.pushed.extendleft(reversed(lines.record[1:]))
            # A new reader: the old one may have met the end of the file.
            reader = csv.reader(iter(lines), delimiter=delimiter)
            continue
        out = _row(lines, row, start, header)
        if out is _HEADER:
            header = [h.strip() for h in row]
        elif out is not None:
            yield out
            if isinstance(out[1], BadRecord) and out[1].fatal:
                return


#: :func:`_row`'s answer for the header row.
_HEADER = object()


def _row(lines, row, start, header):
    """What a row read whole is: a record or error to yield, the header, or
    None for a row to pass over."""
    if lines.too_long >= start:
        line, lines.too_long = lines.too_long, 0
        return line, too_long(), 0
    if not row or (len(row) == 1 and not row[0].strip()):
        return None
    if lines.last_bad >= start:
        if header is None:
            return start, BadRecord("encoding", "invalid UTF-8 in the header", fatal=True), 0
        return start, BadRecord("encoding", "invalid UTF-8 bytes"), 0
    if header is None:
        return _HEADER
    if len(row) > len(header) and any(f.strip() for f in row[len(header):]):
        return start, BadRecord("too_many_fields", f"expected {len(header)} fields, found {len(row)}"), 0
    return start, dict(zip(header, row)), 0


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
