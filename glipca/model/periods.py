"""Which periods an analysis uses: observed ones, enough of them, and their length.

* :func:`low_volume_periods`: periods with too few posts to estimate a
  frequency (masked, then interpolated, by
  :func:`glipca.model.series.relative_frequency`);
* :func:`analysis_periods`: the window (:mod:`glipca.counting.window`), the
  period length and the checks, in that order;
* :func:`check_periods` and :func:`check_size`: one-line errors for too few
  periods and for a grid beyond the memory budget;
* :func:`choose_freq`: the period length of ``--freq auto``;
* :func:`masked_ranges` and :func:`observed_peak`: masked periods as
  ranges, and peaks that are never a masked period;
  :func:`masked_from_ranges` reads the ranges back.

The rules are written in docs/method.md, section 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..counting.periods import period_label
from ..counting.window import analysis_window, coarsen

__all__ = ["low_volume_periods", "posts_floor", "small_data", "analysis_periods", "check_periods", "check_size",
           "choose_freq", "masked_runs", "masked_ranges", "masked_from_ranges", "observed_peak", "sub_daily", "MIN_PERIODS",
           "MAX_MASKED", "AUTO_FREQS"]

#: Fewest periods an analysis accepts: the noise scale of the single-peak
#: test is a median of differences, and a peak must be narrower than a
#: quarter of the window; two weeks of days is the least that allows both.
MIN_PERIODS = 14
#: Memory the word series may take, with the working copies of the later
#: stages (about eight arrays of periods × words float64).
MEMORY_BUDGET = 4 * 2**30
_COPIES = 8
#: Periods ``--freq auto`` tries, finest first.
AUTO_FREQS = ("D", "W", "MS")
#: Share of masked periods above which a run is warned about.
MAX_MASKED = 0.25
#: Posts a period needs to be observed: on fewer, one post holding a word
#: is a large relative frequency, which would look like a peak.
MIN_POSTS = 20
#: The least that floor goes down to for small data.
LEAST_POSTS = 5


def small_data(posts):
    """Whether fewer than :data:`MIN_PERIODS` periods hold :data:`MIN_POSTS` posts.

    Such data (a few hundred posts) gets floors that scale with it
    (:func:`posts_floor`, :func:`glipca.model.series.count_floor`) and a
    single-peak test whose noise is at least counting noise.
    """
    return int(np.sum(np.asarray(posts) >= MIN_POSTS)) < MIN_PERIODS


def posts_floor(posts, min_posts=None):
    """Posts a period needs to be observed.

    ``min_posts`` when given; otherwise :data:`MIN_POSTS`, or for
    :func:`small_data` half the median posts of the periods that have posts
    (at most :data:`MIN_POSTS`, never under :data:`LEAST_POSTS`).
    """
    if min_posts is not None:
        return int(min_posts)
    posts = np.asarray(posts, dtype=float)
    if not small_data(posts):
        return MIN_POSTS
    positive = posts[posts > 0]
    typical = float(np.median(positive)) if positive.size else 0.0
    return int(min(MIN_POSTS, max(LEAST_POSTS, typical // 2)))


def low_volume_periods(posts, *, min_posts=None, min_fraction=0.1, periods=None):
    """Boolean mask of periods with too few posts to estimate frequencies.

    A period is low-volume when it has fewer than ``min_posts`` posts
    (default: :func:`posts_floor`) or fewer than ``min_fraction`` times the
    median number of posts per period. On such
    a period one post containing a word is a large relative frequency, which
    would look like a peak.

    With ``periods`` shorter than a day (a DatetimeIndex), the median is taken
    over the periods at the same time of day: night hours are compared with
    other nights, not with evenings, so that the daily rhythm of posting does
    not mask every night. ``min_posts`` still applies to every period.
    """
    posts = np.asarray(posts, dtype=float)
    min_posts = posts_floor(posts, min_posts)
    if periods is not None and sub_daily(periods):
        phase = (periods - periods.normalize()).asi8
        typical = pd.Series(np.where(posts > 0, posts, np.nan)).groupby(phase).transform("median")
        typical = np.nan_to_num(typical.to_numpy())
        return posts < np.maximum(float(min_posts), min_fraction * typical)
    positive = posts[posts > 0]
    median = float(np.median(positive)) if positive.size else 0.0
    threshold = max(float(min_posts), min_fraction * median)
    return posts < threshold


def analysis_periods(counts, *, since=None, until=None, last=None, auto=False, min_posts=None,
                     min_fraction=0.1):
    """The counts an analysis uses: its window, its period length, checked.

    Parameters
    ----------
    counts : WordCounts
        All counted posts (daily when ``auto``).
    since, until, last : str, optional
        See :func:`glipca.counting.window.analysis_window`.
    auto : bool
        Choose the period length (:func:`choose_freq`).
    min_posts : int, optional
        Posts a period needs to be observed (default :func:`posts_floor`).

    Returns
    -------
    counts : WordCounts
    window : glipca.counting.window.Window
    tried : list of dict or None
        The period lengths ``auto`` tried.
    rows : array of int64 or None
        New row of each period of the given counts (-1: outside the
        window); None when the periods are unchanged.
    """
    n = counts.n_periods
    counts, window, rows = analysis_window(counts, since=since, until=until, last=last)
    tried = None
    if auto:
        counts, tried, coarse = choose_freq(counts, min_posts=min_posts, min_fraction=min_fraction)
        if coarse is not None:
            rows = np.where(rows >= 0, coarse[np.maximum(rows, 0)], -1)
    check_periods(counts, min_posts=min_posts, min_fraction=min_fraction)
    unchanged = counts.n_periods == n and np.array_equal(rows, np.arange(n))
    return counts, window, tried, None if unchanged else rows


def check_periods(counts, *, min_posts=None, min_fraction=0.1):
    """One-line ``ValueError`` when ``counts`` have too few (observed) periods.

    The message states the least the data lacks (periods, or posts per
    period) and the one change that would give it, never a change that
    cannot (docs/method.md, section 2).
    """
    floor = posts_floor(counts.posts, min_posts)
    masked = low_volume_periods(counts.posts, min_posts=floor, min_fraction=min_fraction,
                                periods=counts.periods)
    n, observed = len(masked), int(np.sum(~masked))
    if n >= MIN_PERIODS and observed >= MIN_PERIODS:
        return
    first, last = period_label(counts.periods[0]), period_label(counts.periods[-1])
    total = int(np.sum(counts.posts))
    if n < MIN_PERIODS:
        what = (f"all {total} posts fall in one period ({first} at freq {counts.freq})" if n == 1
                else f"the posts span {n} periods ({first} to {last} at freq {counts.freq})")
        raise ValueError(f"{what}; at least {MIN_PERIODS} periods are needed: "
                         + _shorter_periods(counts, total, floor))
    # Posts per period are what the data lacks: say how many the 14th
    # busiest period has, the floor that would leave 14 periods observed.
    busiest = int(np.sort(np.asarray(counts.posts))[-MIN_PERIODS])
    advice = (f"the {MIN_PERIODS}th busiest has {busiest}; lower `min_posts` to {busiest} "
              "(noisier frequencies) or add posts" if busiest > 0 else
              f"only {int(np.sum(np.asarray(counts.posts) > 0))} periods have posts at all")
    raise ValueError(
        f"only {observed} of {n} periods ({first} to {last} at freq {counts.freq}) have at least "
        f"{floor} posts (`min_posts`); at least {MIN_PERIODS} are needed: {advice}")


def _shorter_periods(counts, total, floor):
    """Advice for too few periods: the period length that would give enough, if any."""
    periods = pd.DatetimeIndex(counts.periods)
    span = (periods[-1] - periods[0]) + (periods[-1] - periods[-2] if len(periods) > 1
                                         else pd.Timedelta(days=1))
    if total < MIN_PERIODS * floor:
        return (f"{total} posts are too few for {MIN_PERIODS} periods of at least {floor} posts "
                f"(`min_posts`); add posts")
    if span >= pd.Timedelta(days=MIN_PERIODS) and counts.freq != "D":
        return "use `freq='D'`"
    hours = max(1, int(span / pd.Timedelta(hours=1)) // MIN_PERIODS)
    return f"use a finer `freq` (e.g. `freq='{min(hours, 12)}h'`)"


def check_size(n_periods, n_words, freq):
    """One-line ``ValueError`` when the word series would not fit the memory budget."""
    need = n_periods * max(n_words, 1) * 8 * _COPIES
    if need > MEMORY_BUDGET:
        raise ValueError(
            f"{n_periods:,} periods at freq {freq} × {n_words:,} words would need about "
            f"{need / 2**30:.0f} GiB (budget {MEMORY_BUDGET / 2**30:.0f} GiB): narrow the window "
            "with `since`/`until` or use a coarser `freq`")


def choose_freq(counts, *, min_posts=None, min_fraction=0.1):
    """The finest period of :data:`AUTO_FREQS` with enough observed periods.

    ``counts`` are daily counts (over the analysis window). A period is
    chosen when at most :data:`MAX_MASKED` of its periods are low-volume
    and at least :data:`MIN_PERIODS` are observed; when none qualifies, the
    one with the smallest masked share among those with enough observed
    periods (the run is then warned about), else daily.  Without
    ``min_posts``, periods need :data:`MIN_POSTS` posts, unless no period
    length leaves enough of them: the floor then scales with the data
    (:func:`posts_floor`).

    Returns
    -------
    counts : WordCounts
        At the chosen period.
    tried : list of dict
        ``freq``, ``periods`` and ``masked`` of each period tried.
    rows : array of int64 or None
        Row of the chosen period holding each given period (None: daily).
    """
    at = {}  # freq -> (counts, rows): each period length coarsened once

    def coarsened(freq):
        if freq not in at:
            at[freq] = (counts, None) if freq == counts.freq else coarsen(counts, freq)
        return at[freq]

    tried, best = _first_fit(coarsened, MIN_POSTS if min_posts is None else min_posts,
                             min_fraction)
    if best is None and min_posts is None:
        # No period length leaves enough periods of MIN_POSTS posts: small
        # data, whose floor scales with it (posts_floor).
        tried, best = _first_fit(coarsened, None, min_fraction)
    return (best[1], tried, best[2]) if best else (counts, tried, None)


def _first_fit(coarsened, min_posts, min_fraction):
    """``(tried, (masked share, counts, rows) or None)`` of :func:`choose_freq`'s rule."""
    tried, best = [], None
    for freq in AUTO_FREQS:
        c, rows = coarsened(freq)
        masked = low_volume_periods(c.posts, min_posts=min_posts, min_fraction=min_fraction,
                                    periods=c.periods)
        tried.append({"freq": freq, "periods": int(len(masked)), "masked": int(masked.sum())})
        enough = int(np.sum(~masked)) >= MIN_PERIODS
        if enough and masked.mean() <= MAX_MASKED:
            return tried, (masked.mean(), c, rows)
        if enough and (best is None or masked.mean() < best[0]):
            best = (masked.mean(), c, rows)
    return tried, best


def masked_runs(masked):
    """Runs of True in ``masked`` as ``(first, stop)`` positions, ``stop`` exclusive."""
    masked = np.asarray(masked, dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], masked.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def masked_ranges(periods, masked):
    """Runs of masked periods as labels: ``"a"`` or ``"a/b"`` (ISO 8601 interval)."""
    out = []
    for a, b in ((a, stop - 1) for a, stop in masked_runs(masked)):
        first, last = period_label(periods[a]), period_label(periods[b])
        out.append(first if a == b else f"{first}/{last}")
    return out


def masked_from_ranges(periods, ranges):
    """Boolean mask over ``periods`` of the runs :func:`masked_ranges` wrote.

    Labels that are not among ``periods`` are ignored: a saved series and
    its summary always agree, and a figure is no place to fail.
    """
    labels = [period_label(p) for p in periods]
    where = {label: i for i, label in enumerate(labels)}
    masked = np.zeros(len(labels), dtype=bool)
    for run in ranges:
        first, _, last = str(run).partition("/")
        a, b = where.get(first), where.get(last or first)
        if a is not None and b is not None:
            masked[a:b + 1] = True
    return masked


def observed_peak(signal, frame):
    """Index of the highest observed period of ``signal``, and whether it is
    the first or last observed period (an event at the window's edge may
    have started before it or go on after it).

    ``frame`` carries the mask (``frame.attrs["masked"]``, set by
    :func:`glipca.model.series.relative_frequency`); without it every
    period is observed.
    """
    signal = np.asarray(signal, dtype=float)
    masked = np.asarray(frame.attrs.get("masked", ()), dtype=bool)
    observed = np.flatnonzero(~masked) if masked.shape == signal.shape else np.arange(len(signal))
    k = int(observed[np.argmax(signal[observed])])
    return k, bool(k in (observed[0], observed[-1]))


def sub_daily(index):
    """Whether ``index`` (a DatetimeIndex) has periods shorter than a day."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 2:
        return False
    return bool((index[1:] - index[:-1]).min() < pd.Timedelta(days=1))


def half_height_span(signal):
    """First and last position of the peak's run at half height or more.

    Height is measured from the signal's median, so that an event's width
    is that of the event, not of its baseline.
    """
    signal = np.asarray(signal, dtype=float)
    k = int(np.argmax(signal))
    base = float(np.median(signal))
    above = signal >= base + 0.5 * (signal[k] - base)
    lo, hi = k, k
    while lo > 0 and above[lo - 1]:
        lo -= 1
    while hi < len(signal) - 1 and above[hi + 1]:
        hi += 1
    return lo, hi
