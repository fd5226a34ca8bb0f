"""Days the series cannot read: same-day stories and bursts of unrelated words.

Two tests of whether trend clusters read as stories, planted on top of a
corpus of :func:`glipca.datasets.make_trend_corpus`:

* **same-day stories**: two or three trends that peak on the same day, with
  disjoint words used in disjoint posts. Their series rise and fall
  together; only the posts tell them apart.
* **a burst**: on one day, a dozen unrelated words each spike in posts of
  their own (as when one account posts a batch of unrelated lines). Their
  series spike together, yet no post holds two of them: they are no story.

* **a story in facets**: two or more trends that peak within a day of
  each other, each with words of its own in posts of its own, but with
  about ``facet_mix`` of each facet's posts also holding words of another
  facet: one story told in several word groups (as a travel ban is told by
  "muslim ban", "executive order" and "refugees detained");
* **one-word trends** (:mod:`glipca.datasets.oneword`): a hashtag burst
  and a rare bursty word.

All use a random stream of their own, so a seed plants the same base corpus
with or without them; each comes after the ones above in that stream, so
that adding one keeps the others.
"""

from __future__ import annotations

import numpy as np

from .oneword import plant_one_word
from .pools import free_posts

__all__ = ["plant_stories", "plant_same_day", "plant_burst", "plant_facets", "quiet_day"]

#: Width used to keep the same-day and burst days clear of the other trends.
_SIGMA = 2.25


def plant_stories(rng, day_words, burst_words, peaks, sigmas, n_posts_day, offsets, post_trend,
                  *, facet_words=(), facet_mix=0.1, one_words=()):
    """Same-day stories and a burst, on days clear of the planted trends.

    Parameters
    ----------
    rng : numpy.random.Generator
    day_words : list of list of str
        Words of each same-day trend (none: no same-day stories).
    burst_words : list of str
        Burst words (none: no burst).
    facet_words : list of list of str
        Words of each facet of one story (none: no such story).
    facet_mix : float
        Share of each facet's posts that also hold words of another facet.
    one_words : list of (str, int, float, float)
        One-word trends: word, posts on the peak day, width and posts a day
        elsewhere (see :func:`glipca.datasets.oneword.plant_one_word`).
    peaks, sigmas : ndarray
        Peaks and widths of the other trends.
    n_posts_day, offsets : ndarray
        Posts per day, and the index of each day's first post.
    post_trend : ndarray
        Trend of each post, -1 for none: only posts about no trend are used.

    Returns
    -------
    pairs : list of (ndarray, str)
        Posts that hold each planted word.
    trends : list of dict
        ``sigma`` and ``amplitude`` of each same-day trend.
    same_peak, burst_peak : int or None
        The two days.
    facets : list of dict
        ``peak_day``, ``sigma`` and ``amplitude`` of each facet.
    one_peaks : list of int
        Peak day of each one-word trend.
    """
    n_days = len(n_posts_day)
    free = [offsets[d] + np.flatnonzero(post_trend[offsets[d]:offsets[d + 1]] < 0)
            for d in range(n_days)]
    pairs, trends, same_peak, burst_peak = [], [], None, None
    if day_words:
        same_peak = quiet_day(rng, n_days, peaks, sigmas, _SIGMA)
        pairs, trends = plant_same_day(rng, day_words, same_peak, n_posts_day, free,
                                       len(day_words[0]))
    if burst_words:
        burst_peak = quiet_day(rng, n_days, peaks, sigmas, _SIGMA,
                               taken=[] if same_peak is None else [same_peak])
        pairs += plant_burst(rng, burst_words, burst_peak, n_posts_day, free, offsets)
    taken = [d for d in (same_peak, burst_peak) if d is not None]
    facets = []
    if facet_words:
        day = quiet_day(rng, n_days, peaks, sigmas, _SIGMA, taken=taken)
        taken.append(day)
        facet_pairs, facets = plant_facets(rng, facet_words, day, n_posts_day, free, facet_mix)
        pairs += facet_pairs
    one_peaks = []
    for word, n, sigma, floor in one_words:
        day = quiet_day(rng, n_days, peaks, sigmas, _SIGMA, taken=taken)
        taken.append(day)
        one_peaks.append(day)
        pairs.append((plant_one_word(rng, day, n, sigma, floor, n_posts_day, free, offsets), word))
    return pairs, trends, same_peak, burst_peak, facets, one_peaks


def quiet_day(rng, n_days, peaks, sigmas, sigma, taken=(), margin=3):
    """A day at least ``margin`` days from the edges, as far from every planted peak as can be.

    Days at least ``2 * sqrt(sigma**2 + s**2)`` from every trend peak (and
    from the ``taken`` days) are drawn uniformly; if there are none, the
    farthest day is taken.
    """
    days = np.arange(margin, n_days - margin)
    others = list(zip(peaks, sigmas)) + [(d, sigma) for d in taken]
    gap = np.full(days.size, np.inf)
    ok = np.ones(days.size, dtype=bool)
    for p, s in others:
        dist = np.abs(days - p)
        gap = np.minimum(gap, dist)
        ok &= dist >= 2.0 * np.sqrt(sigma ** 2 + s ** 2)
    if ok.any():
        return int(rng.choice(days[ok]))
    return int(days[np.argmax(gap)])


def _bump_posts(rng, free, n_posts_day, t, peak, sigma):
    """The posts of a story's bump at ``peak`` (days ``t``), taken out of ``free``
    (a Gaussian rate of width ``sigma`` over a floor, with daily jitter), and
    the bump's amplitude."""
    amplitude, floor = rng.uniform(0.02, 0.05, 2)
    jitter = np.exp(0.3 * rng.standard_normal(len(t)))
    rate = amplitude * (floor + np.exp(-(t - peak) ** 2 / (2 * sigma ** 2))) * jitter
    n_about = rng.poisson(n_posts_day * rate)
    return np.concatenate([free_posts(rng, free, d, n_about[d]) for d in range(len(t))]), amplitude


def plant_same_day(rng, words, day, n_posts_day, free, words_per_trend):
    """Posts and words of trends that all peak on ``day``.

    Parameters
    ----------
    rng : numpy.random.Generator
    words : list of list of str
        Words of each same-day trend.
    day : int
        The common peak day.
    n_posts_day : ndarray
        Posts per day.
    free : list of ndarray
        Per day, posts (global indices) about no trend yet; posts given to
        a trend are taken out, so the trends' posts are disjoint.
    words_per_trend : int

    Returns
    -------
    pairs : list of (ndarray, str)
        Posts that hold each word.
    trends : list of dict
        ``sigma`` and ``amplitude`` of each trend.
    """
    n_days = len(n_posts_day)
    t = np.arange(n_days)
    pairs, trends = [], []
    for trend_words in words:
        sigma = rng.uniform(1.5, 3.0)
        posts, amplitude = _bump_posts(rng, free, n_posts_day, t, day, sigma)
        q = rng.uniform(0.3, 0.9, words_per_trend)
        has = rng.random((posts.size, words_per_trend)) < q
        empty = np.flatnonzero(~has.any(1))
        has[empty, rng.choice(words_per_trend, empty.size, p=q / q.sum())] = True
        pairs += [(posts[has[:, j]], w) for j, w in enumerate(trend_words)]
        trends.append({"sigma": float(sigma), "amplitude": float(amplitude)})
    return pairs, trends


def plant_burst(rng, words, day, n_posts_day, free, offsets):
    """Posts of words that each spike on ``day`` in posts of their own.

    On ``day`` each word is in 1 to 2 % of the posts, none of which holds
    another burst word; on every day it also comes at a low constant rate
    (0.1 to 0.3 %), anywhere, so that it is a word seen on most days.

    Returns
    -------
    list of (ndarray, str)
        Posts that hold each word.
    """
    pairs = []
    for w in words:
        n = int(round(rng.uniform(0.01, 0.02) * n_posts_day[day]))
        spike = free_posts(rng, free, day, n)
        rate = rng.uniform(0.001, 0.003)
        counts = rng.binomial(n_posts_day, rate)
        base = np.concatenate([offsets[d] + rng.choice(n_posts_day[d], counts[d], replace=False)
                               for d in range(len(counts))])
        pairs.append((np.union1d(spike, base), w))
    return pairs


def plant_facets(rng, words, day, n_posts_day, free, mix):
    """Posts and words of the facets of one story around ``day``.

    Each facet peaks on ``day`` or the day after, in posts of its own (as
    :func:`plant_same_day`); then ``mix`` of each facet's posts also take
    the words of another facet, each with that facet's inclusion
    probability (at least one).

    Returns
    -------
    pairs : list of (ndarray, str)
    facets : list of dict
        ``peak_day``, ``sigma`` and ``amplitude`` of each facet.
    """
    n_days, per = len(n_posts_day), len(words[0])
    t = np.arange(n_days)
    posts_of, has_of, q_of, facets = [], [], [], []
    for k in range(len(words)):
        peak = min(day + (int(rng.integers(0, 2)) if k else 0), n_days - 1)
        sigma = rng.uniform(1.5, 2.5)
        posts, amplitude = _bump_posts(rng, free, n_posts_day, t, peak, sigma)
        q = rng.uniform(0.3, 0.9, per)
        posts_of.append(posts)
        has_of.append(_inclusion(rng, posts.size, q))
        q_of.append(q)
        facets.append({"peak_day": int(peak), "sigma": float(sigma), "amplitude": float(amplitude)})
    pairs = [(posts_of[k][has_of[k][:, j]], w) for k in range(len(words)) for j, w in enumerate(words[k])]
    for k, posts in enumerate(posts_of):
        mixed = posts[rng.random(posts.size) < mix]
        other = (k + rng.integers(1, len(words), mixed.size)) % len(words)
        for j in np.unique(other):
            into = mixed[other == j]
            has = _inclusion(rng, into.size, q_of[j])
            pairs += [(into[has[:, i]], w) for i, w in enumerate(words[j])]
    return pairs, facets


def _inclusion(rng, n, q):
    """Which of ``len(q)`` words each of ``n`` posts holds: each with its
    probability, at least one."""
    has = rng.random((n, len(q))) < q
    empty = np.flatnonzero(~has.any(1))
    has[empty, rng.choice(len(q), empty.size, p=q / q.sum())] = True
    return has
