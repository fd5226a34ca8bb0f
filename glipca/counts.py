"""Count words per period into a sparse period x word matrix.

Counting streams: posts are read in chunks, each chunk is tokenised (in
worker processes with ``jobs > 1``, see :mod:`glipca.parallel`), and only
the (period, word) pairs of a bounded number of chunks are held before they
are folded into sparse matrices.  Memory grows with the vocabulary and the
count matrix, never with the number of posts.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from array import array
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .parallel import map_chunks

__all__ = ["WordCounts", "count_words"]

_CHUNK = 1 << 20  # (period, word) pairs held before folding them in
# Posts per tokenising task: large enough that sending a task costs little
# next to tokenising it, small enough to keep workers evenly busy.
_TASK = 2000


@dataclass(eq=False)  # arrays have no single truth value to compare
class WordCounts:
    """Number of posts per period that contain each word.

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix of shape (n_periods, n_words), int64
        ``counts[t, j]``: posts of period ``t`` containing ``words[j]`` (a
        word counts once per post).
    words : list of str
        Column labels, sorted lexicographically (by code point).
    periods : pandas.DatetimeIndex
        Period starts, tz-aware and contiguous at ``freq``, including periods
        without posts.
    posts : numpy.ndarray of int64
        Posts per period, including posts without any word.
    freq : str
        Period length, as given to :func:`count_words`.
    tz : str
        Zone in which period boundaries were computed.
    """

    counts: sp.csr_matrix
    words: list
    periods: pd.DatetimeIndex
    posts: np.ndarray
    freq: str = "D"
    tz: str = "UTC"

    def __post_init__(self):
        self.counts = sp.csr_matrix(self.counts, dtype=np.int64)
        self.words = list(self.words)
        self.periods = pd.DatetimeIndex(self.periods)
        self.posts = np.asarray(self.posts, dtype=np.int64)
        shape = (len(self.periods), len(self.words))
        if self.counts.shape != shape:
            raise ValueError(f"counts has shape {self.counts.shape}, expected {shape}")
        if self.posts.shape != (shape[0],):
            raise ValueError(f"posts has shape {self.posts.shape}, expected ({shape[0]},)")

    @property
    def n_periods(self) -> int:
        """Number of periods (rows)."""
        return self.counts.shape[0]

    @property
    def n_words(self) -> int:
        """Number of words (columns)."""
        return self.counts.shape[1]

    def total(self) -> np.ndarray:
        """Posts containing each word, over all periods (int64)."""
        return np.asarray(self.counts.sum(axis=0), dtype=np.int64).ravel()

    def periods_present(self) -> np.ndarray:
        """Number of periods in which each word occurs (int64)."""
        c = self.counts.copy()
        c.eliminate_zeros()
        return np.bincount(c.indices, minlength=self.n_words).astype(np.int64)

    def prune(self, min_count=1, min_periods=1) -> "WordCounts":
        """Drop rare words.

        Parameters
        ----------
        min_count : int, default 1
            Keep words contained in at least this many posts in all.
        min_periods : int, default 1
            Keep words present in at least this many periods.

        Returns
        -------
        WordCounts
            A new object; periods and posts per period are unchanged.
        """
        keep = (self.total() >= min_count) & (self.periods_present() >= min_periods)
        idx = np.flatnonzero(keep)
        return WordCounts(
            counts=self.counts[:, idx].tocsr(),
            words=[self.words[i] for i in idx],
            periods=self.periods.copy(),
            posts=self.posts.copy(),
            freq=self.freq,
            tz=self.tz,
        )

    def to_frame(self) -> pd.DataFrame:
        """Dense DataFrame (index periods, columns words); for small data."""
        frame = pd.DataFrame(self.counts.toarray(), index=self.periods, columns=self.words)
        frame.index.name = "period"
        return frame


# --------------------------------------------------------------------------
# Periods: each maps an aware datetime to an integer key and back.

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_FREQ = re.compile(r"\s*(\d*)\s*([A-Za-z]+)(?:-([A-Za-z]{3}))?\s*")
_SECONDS = {"h": 3600, "H": 3600, "min": 60, "T": 60, "s": 1, "S": 1}


class _Periods:
    """Calendar periods of a frequency string, in local wall-clock time.

    Supported: ``"D"`` and multiples (``"2D"``), hours, minutes and seconds
    (``"12h"``, ``"30min"``, ``"10s"``), weeks (``"W"``, ``"W-MON"``; like
    pandas, ``W-XXX`` weeks end on XXX, so ``"W"`` weeks start on Monday),
    and months (``"MS"``, ``"M"``, ``"ME"``: all labelled by their first
    day).  Multi-day, sub-day and multi-month periods are aligned on
    1970-01-01 00:00 local time.
    """

    def __init__(self, freq, zone):
        m = _FREQ.fullmatch(str(freq))
        if m is None:
            raise ValueError(f"unsupported freq {freq!r}")
        n = int(m.group(1) or 1)
        unit, anchor = m.group(2), m.group(3)
        if n < 1:
            raise ValueError(f"freq must be positive, got {freq!r}")
        self.zone, self.n = zone, n
        if unit in ("D", "d") and anchor is None:
            self.kind = "day"
        elif unit in _SECONDS and anchor is None:
            self.kind, self.step = "seconds", n * _SECONDS[unit]
        elif unit == "W" and n == 1:
            end = (anchor or "SUN").upper()
            if end not in _WEEKDAYS:
                raise ValueError(f"unsupported freq {freq!r}")
            self.kind = "week"
            # The ordinal of some week start: day 1 (0001-01-01) is a Monday.
            self.start_ordinal = 1 + (_WEEKDAYS.index(end) + 1) % 7
        elif unit in ("M", "MS", "ME") and anchor is None:
            self.kind = "month"
        else:
            raise ValueError(
                f"unsupported freq {freq!r}; use e.g. 'D', '2D', '12h', '30min', 'W', 'W-MON' or 'MS'"
            )

    def key(self, t):
        """Integer key of the period holding aware datetime ``t``."""
        local = t.astimezone(self.zone)
        kind = self.kind
        if kind == "day":
            if self.n == 1:
                return local.toordinal()
            return (local.toordinal() - _EPOCH_ORDINAL) // self.n
        if kind == "seconds":
            secs = (local.toordinal() - _EPOCH_ORDINAL) * 86400 + local.hour * 3600 + local.minute * 60 + local.second
            return secs // self.step
        if kind == "week":
            return (local.toordinal() - self.start_ordinal) // 7
        return (local.year * 12 + local.month - 1) // self.n

    def start(self, k):
        """Naive local start of the period with key ``k``."""
        kind = self.kind
        if kind == "day":
            day = k if self.n == 1 else k * self.n + _EPOCH_ORDINAL
            return dt.datetime.fromordinal(day)
        if kind == "seconds":
            return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=k * self.step)
        if kind == "week":
            return dt.datetime.fromordinal(k * 7 + self.start_ordinal)
        year, month0 = divmod(k * self.n, 12)
        return dt.datetime(year, month0 + 1, 1)

    def index(self, lo, hi):
        """DatetimeIndex of the starts of periods ``lo``..``hi``."""
        naive = pd.DatetimeIndex([self.start(k) for k in range(lo, hi + 1)])
        # A wall-clock start can fall in a DST gap or overlap; take the
        # first valid instant rather than failing.
        index = naive.tz_localize(
            self.zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
        )
        if self.kind == "day" and len(index):
            # Calendar days conform to pandas' "D" even across DST; setting
            # it lets downstream code shift and resample.
            try:
                index.freq = f"{self.n}D"
            except ValueError:  # a midnight lost to a DST gap
                pass
        return index


def _zone(tz):
    if str(tz).upper() == "UTC":
        return dt.timezone.utc
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None


# --------------------------------------------------------------------------
# Accumulation


class _Accumulator:
    """Folds (period, word id) pairs into sparse parts of bounded total size."""

    def __init__(self):
        self.parts = []  # (rows, cols, data) triples, rows as absolute keys
        self.stored = 0
        self.merged = 0
        self.post_counts = {}

    def add(self, keys, rows, cols, n_words):
        """Add posts (their period keys) and their (period key, word id) pairs."""
        if len(keys):
            uk, nk = np.unique(keys, return_counts=True)
            for k, c in zip(uk.tolist(), nk.tolist()):
                self.post_counts[k] = self.post_counts.get(k, 0) + c
        if len(cols):
            self.parts.append(_fold(rows, cols, np.ones(len(cols), dtype=np.int64), n_words))
            self.stored += len(self.parts[-1][0])
            # Merging when the parts have doubled keeps memory within a small
            # factor of the final matrix at amortised linear cost.
            if self.stored > 2 * self.merged + _CHUNK:
                self.merge(n_words)

    def merge(self, n_words):
        if len(self.parts) > 1:
            rows, cols, data = (np.concatenate(a) for a in zip(*self.parts))
            self.parts = [_fold(rows, cols, data, n_words)]
        self.stored = self.merged = len(self.parts[0][0]) if self.parts else 0


def _fold(rows, cols, data, n_words):
    """Sum duplicate (row, col) entries; rows may be any int64 keys."""
    lo = int(rows.min())
    m = sp.coo_matrix((data, (rows - lo, cols)), shape=(int(rows.max()) - lo + 1, n_words))
    m = m.tocsr().tocoo()  # tocsr sums duplicates without sorting
    return m.row.astype(np.int64) + lo, m.col.astype(np.int64), m.data.astype(np.int64)


def _progress_bar(posts, progress):
    enabled = bool(progress) and sys.stderr.isatty()
    if not enabled:
        return posts, None
    from tqdm import tqdm

    bar = tqdm(posts, file=sys.stderr, unit=" posts", mininterval=0.5, desc="counting")
    return bar, bar


def count_words(posts, tokenizer, *, freq="D", tz="UTC", progress=False, report=None,
                jobs=1) -> WordCounts:
    """Count, per period, the posts that contain each word.

    Parameters
    ----------
    posts : iterable of Post
        Anything with ``time`` (aware datetime; naive ones are taken to be
        in ``tz``) and ``text``; consumed once.
    tokenizer : callable
        ``tokenizer(text) -> list of str``.
    freq : str, default "D"
        Period length: ``"D"``, ``"2D"``, ``"12h"``, ``"30min"``, ``"W"``,
        ``"W-MON"``, ``"MS"``... Boundaries are wall-clock times in ``tz``.
    tz : str, default "UTC"
        Zone (zoneinfo name) for period boundaries, e.g. ``"Asia/Tokyo"``.
    progress : bool, default False
        Show a progress bar on stderr (only when it is a terminal).
    report : IngestReport, optional
        The report the posts are being read with; its skip count is shown
        on the progress bar.
    jobs : int, default 1
        Processes that tokenise.  With ``jobs > 1`` the tokenizer must be
        picklable, and reading stays in this process.  The result is the
        same for any number of jobs.

    Returns
    -------
    WordCounts
    """
    zone = _zone(tz)
    periods = _Periods(freq, zone)
    vocab = {}
    setdefault = vocab.setdefault
    acc = _Accumulator()
    held = []  # (keys, rows, cols) arrays not yet folded in
    n_held = 0
    iterable, bar = _progress_bar(posts, progress)
    chunks = _chunks(iterable, periods.key, zone)
    try:
        for keys, (words, lens, ids) in map_chunks(tokenizer, chunks, jobs):
            # Local word ids -> global ones; ``len(vocab)`` is read before
            # each insertion, so a new word gets the next id.
            to_global = np.fromiter(
                (setdefault(w, len(vocab)) for w in words), dtype=np.int64, count=len(words)
            )
            keys = np.frombuffer(keys, dtype=np.int64)
            rows = np.repeat(keys, np.frombuffer(lens, dtype=np.int32))
            cols = to_global[np.frombuffer(ids, dtype=np.int32)]
            held.append((keys, rows, cols))
            n_held += len(cols) + len(keys)
            if n_held >= _CHUNK:
                acc.add(*(np.concatenate(a) for a in zip(*held)), len(vocab))
                held, n_held = [], 0
                if bar is not None and report is not None:
                    bar.set_postfix(skipped=report.n_skipped, refresh=False)
        if held:
            acc.add(*(np.concatenate(a) for a in zip(*held)), len(vocab))
        acc.merge(len(vocab))
    finally:
        if bar is not None:
            bar.close()
    return _assemble(acc, vocab, periods, freq, tz)


def _chunks(posts, key, zone):
    """Group posts into (period keys, texts) tasks of ``_TASK`` posts."""
    keys, texts = array("q"), []
    for post in posts:
        t = post.time
        if t.tzinfo is None:
            t = t.replace(tzinfo=zone)
        keys.append(key(t))
        texts.append(post.text)
        if len(texts) >= _TASK:
            yield keys, texts
            keys, texts = array("q"), []
    if texts:
        yield keys, texts


def _assemble(acc, vocab, periods, freq, tz):
    words = list(vocab)
    n_words = len(words)
    # Columns sorted by word, so that the result does not depend on the
    # order in which words were first met.
    order = sorted(range(n_words), key=words.__getitem__)
    new_id = np.empty(n_words, dtype=np.int64)
    new_id[order] = np.arange(n_words, dtype=np.int64)
    words = [words[i] for i in order]

    if not acc.post_counts:
        return WordCounts(
            counts=sp.csr_matrix((0, n_words), dtype=np.int64),
            words=words,
            periods=pd.DatetimeIndex([], tz=periods.zone),
            posts=np.zeros(0, dtype=np.int64),
            freq=str(freq),
            tz=str(tz),
        )
    lo, hi = min(acc.post_counts), max(acc.post_counts)
    n_periods = hi - lo + 1
    posts = np.zeros(n_periods, dtype=np.int64)
    for k, c in acc.post_counts.items():
        posts[k - lo] = c
    if acc.parts:
        rows, cols, data = acc.parts[0]
        counts = sp.csr_matrix((data, (rows - lo, new_id[cols])), shape=(n_periods, n_words))
    else:
        counts = sp.csr_matrix((n_periods, n_words), dtype=np.int64)
    counts.sort_indices()
    return WordCounts(
        counts=counts,
        words=words,
        periods=periods.index(lo, hi),
        posts=posts,
        freq=str(freq),
        tz=str(tz),
    )
