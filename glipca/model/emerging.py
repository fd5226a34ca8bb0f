"""Emerging trends: clusters whose signal is still rising at the last observed period.

When posts are followed day by day, the trend that matters most is the one
under way: its peak is today, or still to come. The single-peak test keeps
such words (a peak on the window's last period is measured against the rise
before it, docs/method.md section 3), and the cluster's peak then falls on
the window's last observed period, where an ordinary report would only warn
that the event "may go on after the data". This module says which clusters
are still rising, since when, and how fast; it is this package's own rule,
not the paper's, written in docs/method.md (section 7).

A cluster is *emerging* when, at the last observed period (low-volume
periods are not observations, see :func:`glipca.model.periods.low_volume_periods`),
its signal, smoothed by the single-peak test's [1, 2, 1] / 4 kernel (the
last period is then the mean of the last two),

* its signal is at its highest, or
* its signal is at least :data:`EMERGING_LEVEL` of its height above its
  median, and increasing: the Theil–Sen slope (:mod:`glipca.model.trend`)
  of the final run of periods at that level or more is positive. A slope
  over the run, not the last step, since a day's jitter (a quarter of the
  level and more on real data) would otherwise decide.

and its words' mean frequency on the last observed period is above that of
the period before the rise and not below that of the observed period before
it: an event is under way only while its last observed values still rise (a
fall on the last day, which smoothing halves, is not an event under way).

It started to rise on the first observed period after the last one at which
its signal was at or below its median; its growth rate is the mean relative
growth per period of its words' mean frequency from that last quiet period
to the last observed period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .series import _smooth
from .trend import theil_sen

__all__ = ["EMERGING_LEVEL", "Emergence", "emergence"]

#: Share of its height above the median at which a cluster still rising at
#: the last observed period is emerging although its highest point is
#: earlier (a second day of growth after a first jump, say).
EMERGING_LEVEL = 0.5


@dataclass(frozen=True)
class Emergence:
    """How a still-rising cluster rises.

    Attributes
    ----------
    rising_since : pandas.Timestamp
        The first observed period of the rise: the one after the last
        observed period at which the signal was at or below its median.
    growth_rate : float
        Mean relative growth per period of the words' mean frequency from
        the period before ``rising_since`` to the last observed period: 1.0
        is a doubling every period.
    level : float
        Signal at the last observed period, as a share of its height above
        the median (1.0: at its highest).
    """

    rising_since: pd.Timestamp
    growth_rate: float
    level: float


def emergence(signal, frequency, frame, *, level=EMERGING_LEVEL):
    """Whether a cluster is emerging, and how.

    Parameters
    ----------
    signal : array of shape (n_periods,)
        The cluster's signal, its peak the highest value.
    frequency : array of shape (n_periods,)
        Mean relative frequency of the cluster's words.
    frame : DataFrame
        The word series (periods as index); its mask
        (``frame.attrs["masked"]``) says which periods were observed, and
        its posts per period (``frame.attrs["posts"]``) the smallest
        frequency the growth is measured from.
    level : float, default :data:`EMERGING_LEVEL`

    Returns
    -------
    Emergence or None
        None when the cluster is not rising at the last observed period.
    """
    signal = np.asarray(signal, dtype=float)
    masked = np.asarray(frame.attrs.get("masked", ()), dtype=bool)
    observed = np.flatnonzero(~masked) if masked.shape == signal.shape else np.arange(len(signal))
    if len(observed) < 2:
        return None
    # Lightly smoothed, as the single-peak test smooths: one day's jitter
    # must not decide whether an event is still under way.
    s = _smooth(signal[observed][None, :])[0] if len(observed) >= 5 else signal[observed]
    base = float(np.median(s))
    height = float(s.max()) - base
    if height <= 0:
        return None
    now = (s[-1] - base) / height
    if not (s[-1] >= s.max() or (now >= level and _rising(s, base + level * height))):
        return None
    below = np.flatnonzero(s[:-1] <= base)
    start = int(below[-1]) if below.size else 0
    f = np.asarray(frequency, dtype=float)[observed]
    if f[-1] < f[-2]:
        return None  # falling on the last observed period: no longer rising
    # Words absent when the rise began would make the rate infinite: the
    # floor is one post of that period (the frequencies' resolution).
    posts = frame.attrs.get("posts")
    floor = (1.0 / max(int(posts[observed[start]]), 1) if posts is not None
             and len(posts) == len(signal) else 1e-3 * float(f.max()))
    f0 = max(f[start], floor, np.finfo(float).tiny)
    periods = len(s) - 1 - start
    rate = float((f[-1] / f0) ** (1.0 / periods) - 1.0) if f[-1] > 0 else -1.0
    if rate <= 0:
        # Smoothing carried a collapse on the last period: its words are
        # back below where the rise began.
        return None
    first = start + 1 if below.size else 0
    return Emergence(frame.index[observed[first]], rate, float(min(now, 1.0)))


def _rising(s, threshold):
    """Whether the final run of ``s`` at ``threshold`` or more slopes upward."""
    below = np.flatnonzero(s < threshold)
    run = s[below[-1] + 1:] if below.size else s
    if len(run) < 2:
        return True  # it just crossed the threshold
    return bool(theil_sen(run[:, None])[0][0] > 0)
