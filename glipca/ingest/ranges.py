"""Plain JSON lines files cut into runs of whole lines, read where they are parsed.

The process that plans the work only finds the cuts, reading the file in
large blocks and counting LF bytes (no line is split, decoded or copied
into a Python object), so that the processes that parse the lines also
read them, and the lines are not sent from one process to another.  A run
of lines, :class:`LineRange`, reads its lines as :func:`~glipca.ingest.
files.numbered_lines` reads them from the whole file: the same bytes under
the same line numbers.
"""

from __future__ import annotations

import itertools

from .files import numbered_lines
from .records import InputError

__all__ = ["LineRange", "line_ranges"]


class LineRange:
    """``n`` whole lines of a file, from byte ``start``, the first numbered ``first``.

    Iterating opens the file and yields the (line number, bytes) pairs (or
    ready ``(line number, BadRecord, 0)`` triples) of
    :func:`~glipca.ingest.files.numbered_lines`.
    """

    __slots__ = ("path", "start", "first", "n")

    def __init__(self, path, start, first, n):
        self.path, self.start, self.first, self.n = path, start, first, n

    def __len__(self):
        return self.n

    def __getstate__(self):
        return self.path, self.start, self.first, self.n

    def __setstate__(self, state):
        self.path, self.start, self.first, self.n = state

    def __iter__(self):
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.start)
                yield from itertools.islice(numbered_lines(fh, first=self.first), self.n)
        except OSError as exc:
            # As the reader says it when the whole file is read in one go.
            raise InputError(self.path, 0, None, f"cannot read: {exc.strerror or exc}", "file") from None


def line_ranges(fh, path, size):
    """Runs of whole lines of about ``size`` bytes of an uncompressed UTF-8 file.

    ``fh`` is the file, read from its current position (its start) to its
    end. A line is counted where :func:`numbered_lines` counts one: at each
    LF byte, and at a last line without one.
    """
    start, pos, first, n = fh.tell(), fh.tell(), 1, 0
    while True:
        block = fh.read(size)
        if not block:
            break
        pos += len(block)
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            continue  # inside a line longer than a block
        n += block.count(b"\n")
        end = pos - len(block) + cut
        yield LineRange(path, start, first, n)
        start, first, n = end, first + n, 0
    if pos > start:
        yield LineRange(path, start, first, 1)  # a last line without LF
