"""Planted word series: counts of words per period with known trends.

:func:`make_trend_series` skips posts and tokenising: it draws the number of
posts per period that contain each word directly, from the same model of
trends as :func:`glipca.datasets.make_trend_corpus` (a Gaussian bump with a
jitter shared by the trend's words, words drawn from the trend's posts). It
is the one source of bump-shaped test series for tests and benchmarks of
the later stages (peak test, graphical lasso, clustering) at any size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .placement import pair_shared, place_trends

__all__ = ["PlantedSeries", "make_trend_series"]


@dataclass(eq=False)
class PlantedSeries:
    """Word counts per period with a planted truth.

    Attributes
    ----------
    counts : ndarray of int64, shape (n_periods, n_words)
        Posts of each period containing each word.
    posts : ndarray of int64, shape (n_periods,)
        Posts per period.
    index : pandas.DatetimeIndex
        Period starts (UTC).
    words : list of str
        ``t{k}w{j}`` for word ``j`` of trend ``k``, ``shared{i}``,
        ``noise{i}`` and ``dup{i}`` (a near-copy of a trend word).
    truth : dict of str to int
        Trend id of every trend word and near-copy; other words are absent.
    shared_trends : dict of str to tuple of int
        The two trends behind each shared word.
    trends : list of dict
        ``id``, ``peak`` (period index), ``sigma`` (width in periods) and
        ``words`` of each trend.
    close_pairs : list of tuple of int
        Trends that peak ``close_gap`` periods apart.
    """

    counts: np.ndarray
    posts: np.ndarray
    index: pd.DatetimeIndex
    words: list
    truth: dict
    shared_trends: dict = field(default_factory=dict)
    trends: list = field(default_factory=list)
    close_pairs: list = field(default_factory=list)

    @property
    def frame(self):
        """Relative frequencies: a DataFrame indexed by period, one column
        per word."""
        return pd.DataFrame(self.counts / self.posts[:, None], index=self.index,
                            columns=pd.Index(self.words, name="word"))

    def label_of(self, word):
        """Trend id of ``word``, or -1 for a word outside every trend."""
        return self.truth.get(word, -1)


def make_trend_series(n_words=30, *, words_per_trend=5, heavy_tailed=False,
                      n_close_pairs=0, close_gap=3, n_shared=0, n_noise=20,
                      n_duplicates=0, n_periods=61, freq="D", start="2020-03-08",
                      width=(1.5, 3.0), amplitude=(0.02, 0.05), posts_per_period=(3000, 6000), weekly=0.0,
                      daily_cycle=0.0, seed=0):
    """Generate word counts per period in which bump-shaped trends are planted.

    Trend ``k`` has a peak ``p``, a width ``sigma``, an amplitude ``a`` and a lognormal jitter ``J`` (sigma 0.3) per
    period. ``Poisson(N(t) * a * exp(-(t - p)**2 / (2 sigma**2)) * J(t))``
    posts of period ``t`` are about it, and each of its words is in each such
    post with its own probability (0.3 to 0.9): the trend's words are
    *directly* correlated. Every word is also in a background share of
    posts (lognormal around 5e-4).

    Parameters
    ----------
    n_words : int
        Trend words, split into trends of ``words_per_trend`` words (the last
        one smaller if need be) or, with ``heavy_tailed``, of sizes
        ``2 + Pareto(1.5) * words_per_trend / 3`` (most trends a handful of
        words, a few hundreds).
    n_close_pairs, close_gap : int
        Pairs of trends peaking ``close_gap`` periods apart, with disjoint
        words (only *indirectly* correlated).
    n_shared : int
        Words in the posts of two trends (the first two bridge close pairs).
    n_noise : int
        Words with a constant rate (0.001 to 0.01).
    n_duplicates : int
        Near-copies of trend words (each in 97 % of its word's posts).
    n_periods, freq, start
        The period grid.
    width : tuple of float
        Range of the trends' widths, in periods.
    amplitude : tuple of float
        Range of the trends' amplitudes: the share of a period's posts about
        the trend at its peak. Smaller amplitudes give noisier series.
    posts_per_period : tuple of float
        Mean posts in the first and the last period (linear in between).
    weekly, daily_cycle : float
        Relative amplitude of a weekly rhythm and of a daily one (fewest
        posts at 08:00 UTC, most at 20:00; for sub-daily ``freq``).
    seed : int
        Seed; the output is a deterministic function of the arguments.

    Returns
    -------
    PlantedSeries

    Notes
    -----
    Trends are kept apart as in :func:`make_trend_corpus` when the window
    has room (eight periods per trend); otherwise peaks are uniform and
    bumps overlap.
    """
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=int(n_periods), freq=freq, tz="UTC")
    sizes = _trend_sizes(rng, n_words, words_per_trend, heavy_tailed)
    peaks, sigmas, close_pairs = _place_peaks(rng, len(index), len(sizes), n_close_pairs,
                                              close_gap, width)
    posts = _posts_per_period(rng, index, posts_per_period, weekly, daily_cycle)
    topical = _topical_posts(rng, posts, peaks, sigmas, amplitude)
    columns, words, truth, trends = _trend_columns(rng, sizes, topical, peaks, sigmas)
    shared_trends, shared = _shared_columns(rng, n_shared, topical, peaks, sigmas, close_pairs)
    words += list(shared_trends)
    trend_counts = _with_background(rng, columns + shared, posts)
    noise = rng.binomial(posts[:, None], rng.uniform(0.001, 0.01, n_noise))
    words += [f"noise{i}" for i in range(n_noise)]
    dups, dup_truth = _near_copies(rng, trend_counts, words, truth, n_words, n_duplicates)
    words += list(dup_truth)
    truth.update(dup_truth)
    counts = np.hstack([trend_counts, noise, dups]).astype(np.int64)
    return PlantedSeries(counts=counts, posts=posts.astype(np.int64), index=index,
                         words=words, truth=truth, shared_trends=shared_trends,
                         trends=trends, close_pairs=close_pairs)


def _place_peaks(rng, T, n_trends, n_close_pairs, close_gap, width):
    """Peaks, widths and close pairs of the trends."""
    if n_close_pairs and 8 * n_trends > T:
        raise ValueError("close pairs need at least 8 periods per trend")
    if 8 * n_trends <= T:
        peaks, sigmas, close_pairs, _ = place_trends(
            rng, T, n_trends, n_close_pairs, close_gap, width=width)
    else:
        peaks = rng.uniform(1, T - 2, n_trends)
        sigmas, close_pairs = rng.uniform(*width, n_trends), []
    return peaks, sigmas, close_pairs


def _posts_per_period(rng, index, posts_per_period, weekly, daily_cycle):
    """Posts of each period: a linear trend with a weekly and a daily rhythm."""
    T = len(index)
    t = np.arange(T)
    lo, hi = posts_per_period
    volume = np.linspace(lo, hi, T) * (1 + weekly * np.sin(2 * np.pi * t / 7))
    hours = index.hour.to_numpy() + index.minute.to_numpy() / 60
    volume = volume * (1 + daily_cycle * np.cos(2 * np.pi * (hours - 20) / 24))
    return np.maximum(rng.poisson(volume), 1)


def _topical_posts(rng, posts, peaks, sigmas, amplitude):
    """Posts of each period about each trend (periods x trends)."""
    T, n_trends = len(posts), len(peaks)
    t = np.arange(T)
    amplitude = rng.uniform(*amplitude, n_trends)
    bumps = np.exp(-0.5 * ((t[:, None] - peaks) / sigmas) ** 2)
    jitter = np.exp(0.3 * rng.standard_normal((T, n_trends)))
    return rng.poisson(posts[:, None] * amplitude * bumps * jitter)


def _trend_columns(rng, sizes, topical, peaks, sigmas):
    """Counts of every trend word, drawn from its trend's posts, with names,
    labels and the trends' descriptions."""
    columns, words, truth, trends = [], [], {}, []
    for k, size in enumerate(sizes):
        names = [f"t{k}w{j}" for j in range(size)]
        q = rng.uniform(0.3, 0.9, size)
        columns.append(rng.binomial(topical[:, [k]], q))
        words += names
        truth.update(dict.fromkeys(names, k))
        trends.append({"id": k, "peak": int(round(peaks[k])),
                       "sigma": float(sigmas[k]), "words": names})
    return columns, words, truth, trends


def _shared_columns(rng, n_shared, topical, peaks, sigmas, close_pairs):
    """The two trends behind each shared word, and its counts (one column each)."""
    shared_words = [f"shared{i}" for i in range(n_shared)]
    shared_trends = pair_shared(rng, shared_words, peaks, sigmas, close_pairs) \
        if n_shared else {}
    columns = [rng.binomial(topical[:, [a]], 0.5) + rng.binomial(topical[:, [b]], 0.5)
               for a, b in shared_trends.values()]
    return shared_trends, columns


def _with_background(rng, columns, posts):
    """The columns side by side, each word also in a background share of posts."""
    trend_counts = np.hstack(columns) if columns else np.zeros((len(posts), 0), np.int64)
    background = rng.lognormal(np.log(5e-4), 0.5, trend_counts.shape[1])
    return trend_counts + rng.binomial(posts[:, None], background)


def _near_copies(rng, trend_counts, words, truth, n_words, n_duplicates):
    """Counts of near-copies of random trend words, and their names' labels."""
    source = rng.choice(n_words, n_duplicates, replace=n_duplicates > n_words)
    dups = rng.binomial(trend_counts[:, source], 0.97)
    return dups, {f"dup{i}": truth[words[j]] for i, j in enumerate(source)}


def _trend_sizes(rng, n_words, per_trend, heavy_tailed):
    if n_words < 2 or per_trend < 2:
        raise ValueError("need n_words >= 2 and words_per_trend >= 2")
    sizes = []
    while sum(sizes) < n_words:
        size = 2 + int(rng.pareto(1.5) * per_trend / 3) if heavy_tailed else per_trend
        sizes.append(min(size, 400, n_words - sum(sizes)))
    if sizes[-1] < 2 and len(sizes) > 1:  # no one-word trend
        sizes[-2] += sizes.pop()
    return sizes
