"""Record types shared by the readers: posts, errors and the reading report."""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Post", "InputError", "IngestReport", "RecordError", "BadRecord"]


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
        whole (the message then names the file alone).
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
        where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
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
        Good posts left out: ``"retweet"`` and ``"duplicate"`` on request,
        and whatever later stages leave out (:meth:`drop`).  Always
        ``read == used + n_skipped + n_dropped``.
    files : list of str
        Files opened, in order.
    empty_files : list of str
        Files that held no data at all.
    examples : dict
        Reason key -> the first error message for it, to show the user.
    repaired : collections.Counter
        Valid records repaired, by what was repaired: ``"unencodable"``
        for text or ids whose lone surrogates were replaced by U+FFFD
        (counted whether the post was then used or dropped).
    notes : list of str
        One-line remarks on the input, such as records that disagree on
        which field holds the text.
    fields : dict
        File name (without its folder) -> what its posts were read with:
        ``text``, ``time`` and ``id`` fields, date order or time format,
        column separator (:meth:`glipca.ingest.fields.Schema.decided`).
    """

    read: int = 0
    used: int = 0
    skipped: collections.Counter = field(default_factory=collections.Counter)
    dropped: collections.Counter = field(default_factory=collections.Counter)
    files: list = field(default_factory=list)
    empty_files: list = field(default_factory=list)
    examples: dict = field(default_factory=dict)
    repaired: collections.Counter = field(default_factory=collections.Counter)
    notes: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)

    @property
    def n_skipped(self) -> int:
        """Total number of records skipped."""
        return sum(self.skipped.values())

    @property
    def n_dropped(self) -> int:
        """Total number of posts dropped on request."""
        return sum(self.dropped.values())

    @property
    def balanced(self) -> bool:
        """Whether every record read is accounted for: used, skipped or dropped."""
        return self.read == self.used + self.n_skipped + self.n_dropped

    def drop(self, reason, n=1):
        """Move ``n`` used posts to ``dropped[reason]`` (for stages after reading)."""
        self.used -= n
        self.dropped[reason] += n

    def merge(self, other):
        """Add the counts, examples and notes of ``other`` (a part of the same input)."""
        self.read += other.read
        self.used += other.used
        self.skipped.update(other.skipped)
        self.dropped.update(other.dropped)
        self.repaired.update(other.repaired)
        for k, v in other.examples.items():
            self.examples.setdefault(k, v)
        self.notes.extend(n for n in other.notes if n not in self.notes)
        for k, v in other.fields.items():
            self.fields.setdefault(k, v)

    def require_posts(self):
        """Raise a one-line :class:`ValueError` saying why, if no post was used."""
        if self.used:
            return
        if not self.read:
            raise ValueError("no posts were found in the input: " + (
                "the input files are empty" if self.files and len(self.empty_files) == len(self.files)
                else "no records were read"))
        why = f"{self.read} record{'s' if self.read > 1 else ''} read, {self.n_skipped} skipped"
        if self.skipped:
            why += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items())) + ")"
        if self.dropped:
            why += f", {self.n_dropped} dropped"
        example = self.examples.get(max(self.skipped, key=self.skipped.get)) if self.skipped else None
        raise ValueError(f"no posts were found in the input: {why}" + (f"; e.g. {example}" if example else ""))

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
            "repaired": {k: self.repaired[k] for k in sorted(self.repaired)},
            "notes": list(self.notes),
            "fields": {k: self.fields[k] for k in sorted(self.fields)},
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
            repaired=collections.Counter({k: int(v) for k, v in d.get("repaired", {}).items()}),
            notes=list(d.get("notes", [])),
            fields=dict(d.get("fields", {})),
        )


class RecordError(Exception):
    """A record that was decoded but cannot become a post (raised by the schema)."""

    def __init__(self, key, field, reason):
        super().__init__(reason)
        self.key, self.field, self.reason = key, field, reason


class BadRecord(NamedTuple):
    """A record that could not even be decoded."""

    key: str
    reason: str
    fatal: bool = False  # True when the rest of the file cannot be read
