"""The analysis window, and counts at a coarser period.

A few posts with wild timestamps (a byte flip, an epoch-zero default, a
clock set to 2041) must not stretch the period grid over decades: the grid
would be mostly empty, every series mostly interpolation, and the run would
cost memory in proportion to the span. By default the window is the span of
periods that holds the bulk of the posts (:func:`bulk_window`, rule in
docs/method.md); ``since`` and ``until`` replace the rule on their side.
Posts outside the window are dropped and counted (``out_of_window``). A
bulk dated before 1990 is refused, unless ``since`` asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..ingest.timestamps import PLAUSIBLE_YEAR
from .counts import WordCounts
from .periods import Periods, parse_span, period_label, zone

__all__ = ["bulk_window", "Window", "analysis_window", "trim", "coarsen", "parse_bound", "parse_span"]

#: Share of the posts the core of the window holds.
CORE_SHARE = 0.95
#: Gaps of empty periods the window grows across, as a share of the core.
MAX_GAP = 0.05


def bulk_window(posts, *, share=CORE_SHARE, max_gap=MAX_GAP):
    """First and last index of the periods that hold the bulk of the posts.

    The core is the shortest run of periods holding at least ``share`` of the
    posts (the earliest such run on ties). The window then grows outward to
    every period with posts that is reached across gaps of at most
    ``max(1, max_gap * core length)`` empty periods, so that a sparse but
    regular start or end is kept while posts separated from the rest by
    years are not.

    Parameters
    ----------
    posts : array of int, shape (n_periods,)
        Posts per period on a contiguous grid.

    Returns
    -------
    first, last : int
        Inclusive bounds; ``(0, -1)`` when there are no posts.
    """
    posts = np.asarray(posts, dtype=np.int64)
    total = int(posts.sum())
    if total == 0:
        return 0, -1
    need = int(np.ceil(share * total))
    cum = np.cumsum(posts)
    before = cum - posts  # posts before each period
    # For every start, the first end at which the run holds `need` posts.
    ends = np.searchsorted(cum, before + need, side="left")
    ok = ends < len(posts)
    starts = np.flatnonzero(ok)
    lengths = ends[ok] - starts
    best = int(np.argmin(lengths))
    first, last = int(starts[best]), int(ends[ok][best])
    gap = max(1, int(max_gap * (last - first + 1)))
    present = np.flatnonzero(posts > 0)
    left = present[present < first][::-1]
    for k in left:
        if first - k - 1 > gap:
            break
        first = int(k)
    right = present[present > last]
    for k in right:
        if k - last - 1 > gap:
            break
        last = int(k)
    return first, last


def parse_bound(value, tz, *, end=False):
    """A ``--since`` / ``--until`` value as an aware timestamp in zone ``tz``.

    A bare date as ``until`` means the end of that day. Raises a one-line
    ``ValueError`` naming the option for anything else than a date or time.
    """
    name = "until" if end else "since"
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name}: expected a date or time such as 2016-10-01, got {value!r}") from None
    if stamp is pd.NaT:
        raise ValueError(f"{name}: expected a date or time such as 2016-10-01, got {value!r}")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(zone(tz), ambiguous=True, nonexistent="shift_forward")
    if end and isinstance(value, str) and len(value.strip()) <= 10:
        stamp = stamp + pd.Timedelta(days=1)  # the whole day, exclusive end
    elif end:
        stamp = stamp + pd.Timedelta(microseconds=1)
    return stamp


@dataclass(frozen=True)
class Window:
    """The periods analysed: bounds, how they were chosen, what was dropped."""

    first: str
    last: str
    rule: str
    dropped: int
    span_first: str = ""
    span_last: str = ""

    def to_dict(self):
        return {"first": self.first, "last": self.last, "rule": self.rule,
                "posts_outside": self.dropped, "data_first": self.span_first,
                "data_last": self.span_last}


def analysis_window(counts, *, since=None, until=None, last=None):
    """The window of ``counts``: by the bulk rule, or ``since`` / ``until``.

    ``last`` (``"60D"``, see :func:`parse_span`) replaces ``since``: the
    window is the periods that start within that span before the end of
    its last period (``until``, else the bulk rule's end).

    Returns
    -------
    counts : WordCounts
        Trimmed to the window.
    window : Window
    rows : array of int64
        New row of each period of ``counts`` (-1 outside the window).
    """
    if since is not None and last is not None:
        raise ValueError("give since or last, not both")
    span = None if last is None else parse_span(last)
    posts = np.asarray(counts.posts)
    present = np.flatnonzero(posts > 0)
    if present.size == 0:
        raise ValueError("no posts were found in the input")
    starts = counts.periods
    lo, hi = 0, len(posts) - 1
    if since is not None:
        # The period that holds `since`: the last one starting at or before
        # it, unless `since` is past that period's end.
        bound = parse_bound(since, counts.tz)
        lo = max(0, int(np.searchsorted(starts, bound, side="right")) - 1)
        step = starts[-1] - starts[-2] if len(starts) > 1 else pd.Timedelta(days=1)
        if lo == len(starts) - 1 and bound >= starts[lo] + step:
            lo += 1
    if until is not None:
        hi = int(np.searchsorted(starts, parse_bound(until, counts.tz, end=True), side="left")) - 1
    if hi < lo or not posts[lo:hi + 1].any():
        raise ValueError(
            f"no posts between since={since or '-'} and until={until or '-'}: the posts run "
            f"from {period_label(starts[present[0]])} to {period_label(starts[present[-1]])}")
    # The bulk rule decides the sides that since / until leave open.
    first, last = (lo + k for k in bulk_window(posts[lo:hi + 1]))
    first, last = (lo if since is not None else first), (hi if until is not None else last)
    if span is not None:
        step = starts[last] - starts[last - 1] if last else pd.Timedelta(days=1)
        first = max(0, int(np.searchsorted(starts, starts[last] + step - span, side="left")))
    if since is None and starts[first].year < PLAUSIBLE_YEAR:
        # A few epoch-zero posts fall outside the bulk; a bulk before 1990 is
        # a file of wrongly read times, which would otherwise be analysed
        # silently as a corpus of 1970.
        raise ValueError(
            f"the bulk of the posts is dated from {period_label(starts[first])} to "
            f"{period_label(starts[last])}, before {PLAUSIBLE_YEAR}: are the times dates given "
            "as numbers (read as epoch seconds)? Check `time_field`, or give `since` to "
            "analyse them")
    rule = "/".join(name for name, v in (("since", since), ("last", span), ("until", until))
                    if v is not None)
    trimmed = trim(counts, first, last)
    rows = np.arange(len(posts), dtype=np.int64) - first
    rows[(rows < 0) | (rows > last - first)] = -1
    window = Window(
        first=period_label(starts[first]), last=period_label(starts[last]), rule=rule or "bulk",
        dropped=int(posts.sum() - trimmed.posts.sum()),
        span_first=period_label(starts[present[0]]), span_last=period_label(starts[present[-1]]))
    return trimmed, window, rows


def trim(counts, first, last):
    """``counts`` restricted to periods ``first`` .. ``last`` (inclusive)."""
    if first == 0 and last == counts.n_periods - 1:
        return counts
    return WordCounts(counts=counts.counts[first:last + 1], words=counts.words,
                      periods=counts.periods[first:last + 1], posts=counts.posts[first:last + 1],
                      freq=counts.freq, tz=counts.tz)


def coarsen(counts, freq):
    """Counts of daily (or finer) periods summed into the periods of ``freq``.

    A post falls in one period, so the sum of the posts containing a word
    over the days of a week is the number of posts of that week containing
    it: nothing is counted twice.

    Returns
    -------
    counts : WordCounts
    rows : array of int64
        Row of the coarser period that holds each period of ``counts``.
    """
    periods = Periods(freq, zone(counts.tz))
    keys = np.array([periods.key(t.to_pydatetime()) for t in counts.periods], dtype=np.int64)
    lo, hi = int(keys.min()), int(keys.max())
    rows = keys - lo
    group = sp.csr_matrix((np.ones(len(keys), dtype=np.int64), (rows, np.arange(len(keys)))),
                          shape=(hi - lo + 1, len(keys)))
    coarse = WordCounts(counts=(group @ counts.counts).tocsr(), words=counts.words,
                        periods=periods.index(lo, hi), posts=group @ counts.posts,
                        freq=str(freq), tz=counts.tz)
    return coarse, rows
