"""Word time series: relative frequencies, low-volume periods, the single-peak test.

The input is a :class:`glipca.counts.WordCounts` (posts containing each word in
each period); the output is a :class:`pandas.DataFrame` indexed by period with
one column per word. Nothing here knows about solvers or clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal, stats

from ..counting.periods import period_label

__all__ = [
    "relative_frequency",
    "low_volume_periods",
    "standardize",
    "SinglePeakTest",
]


def low_volume_periods(posts, *, min_posts=20, min_fraction=0.1):
    """Boolean mask of periods with too few posts to estimate frequencies.

    A period is low-volume when it has fewer than ``min_posts`` posts or fewer
    than ``min_fraction`` times the median number of posts per period. On such
    a period one post containing a word is a large relative frequency, which
    would look like a peak.
    """
    posts = np.asarray(posts, dtype=float)
    positive = posts[posts > 0]
    median = float(np.median(positive)) if positive.size else 0.0
    threshold = max(float(min_posts), min_fraction * median)
    return posts < threshold


def relative_frequency(
    word_counts,
    *,
    min_count=20,
    min_periods=3,
    min_posts=20,
    min_fraction=0.1,
    max_words=None,
):
    """Word × period relative frequencies with low-volume periods masked.

    Parameters
    ----------
    word_counts : WordCounts
        Posts containing each word per period, and posts per period.
    min_count : int, default=20
        Drop words found in fewer posts than this in total.
    min_periods : int, default=3
        Drop words present in fewer periods than this.
    min_posts, min_fraction : see :func:`low_volume_periods`.
    max_words : int, optional
        Keep only the most frequent words (ties broken alphabetically).

    Returns
    -------
    DataFrame
        Index: periods; columns: words (sorted); values: the share of the
        period's posts that contain the word. Low-volume periods are not
        observed: their values are linearly interpolated from the neighbouring
        observed periods (nearest value at the edges), and the mask is stored
        in ``frame.attrs["masked_periods"]`` as a list of ISO dates.
    """
    wc = word_counts.prune(min_count=min_count, min_periods=min_periods)
    totals = wc.total()
    order = np.arange(len(wc.words))
    if max_words is not None and len(order) > max_words:
        # Sort by descending total, then by word, for a deterministic cut.
        words = np.asarray(wc.words, dtype=object)
        order = np.lexsort((words, -totals))[:max_words]
        order.sort()
    counts = wc.counts[:, order].toarray().astype(float)
    words = [wc.words[i] for i in order]
    posts = np.asarray(wc.posts, dtype=float)
    masked = low_volume_periods(posts, min_posts=min_posts, min_fraction=min_fraction)
    if masked.all():
        raise ValueError("every period has too few posts to estimate word frequencies")
    with np.errstate(invalid="ignore", divide="ignore"):
        freq = counts / posts[:, None]
    freq[masked, :] = np.nan
    frame = pd.DataFrame(freq, index=wc.periods, columns=pd.Index(words, name="word"))
    frame.index.name = "period"
    if masked.any():
        frame = frame.interpolate(method="linear", axis=0, limit_direction="both")
    frame.attrs["masked_periods"] = [period_label(t) for t in wc.periods[masked]]
    return frame


def standardize(frame):
    """Centre each column and scale it to unit variance (population std).

    Constant columns cannot be standardised and raise ``ValueError``.
    """
    values = np.asarray(frame, dtype=float)
    centred = values - values.mean(axis=0)
    scale = np.sqrt((centred**2).mean(axis=0))
    if np.any(scale <= 0):
        bad = np.flatnonzero(scale <= 0)[:5]
        names = [str(frame.columns[i]) for i in bad] if hasattr(frame, "columns") else bad
        raise ValueError(f"constant series cannot be standardised: {names}")
    out = centred / scale
    if isinstance(frame, pd.DataFrame):
        return pd.DataFrame(out, index=frame.index, columns=frame.columns)
    return out


@dataclass
class SinglePeakTest:
    """Keep words whose series has one prominent, localised peak.

    A word passes when, on the lightly smoothed series,

    * its highest peak stands out from the noise: prominence of at least
      ``min_z`` times a robust noise scale (1.4826 × the median absolute
      first difference / √2, which a single bump barely moves);
    * no other peak reaches ``max_secondary`` times that prominence
      (weekly or recurring words have several comparable peaks);
    * the peak is localised: its width at half prominence is at most
      ``max_width`` of the window (a slow drift is not an event).

    With ``detrend`` (default) peaks are measured above a robust straight
    line (Theil–Sen), so that a steady rise or fall is not mistaken for an
    event at the window's edge. Peaks on the first or last period count: the series is padded with its
    median so that an event at the window's edge still has a prominence.

    Calling the test on a DataFrame returns one row per word with the
    columns ``is_trend``, ``peak``, ``prominence``, ``z``, ``width``,
    ``secondary``, ``n_peaks`` and ``reason``. Any callable with that contract
    can replace it.
    """

    min_z: float = 6.0
    max_secondary: float = 0.5
    max_width: float = 0.25
    smooth: bool = True
    detrend: bool = True

    def params(self):
        return {
            "name": "single_peak",
            "min_z": self.min_z,
            "max_secondary": self.max_secondary,
            "max_width": self.max_width,
            "smooth": self.smooth,
            "detrend": self.detrend,
        }

    def __call__(self, frame):
        values = np.asarray(frame, dtype=float)
        n_periods = values.shape[0]
        rows = [self._test_one(values[:, j], n_periods) for j in range(values.shape[1])]
        out = pd.DataFrame(
            rows,
            index=pd.Index(frame.columns, name="word"),
            columns=["is_trend", "peak_index", "prominence", "z", "width", "secondary", "n_peaks", "reason"],
        )
        out.insert(1, "peak", frame.index[out["peak_index"].to_numpy()])
        return out.drop(columns="peak_index")

    def _test_one(self, x, n_periods):
        if self.smooth and n_periods >= 5:
            # [1, 2, 1] / 4 with reflected ends: tames one-day noise spikes
            # while keeping a bump of a few days nearly intact.
            padded = np.concatenate([x[1:2], x, x[-2:-1]])
            xs = 0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]
        else:
            xs = x
        if self.detrend:
            # Measure peaks above a robust straight line: a word that rises
            # or falls steadily is then flat, while a bump of a few days
            # barely moves the Theil-Sen line.
            slope, intercept = stats.theilslopes(xs)[:2]
            xs = xs - (intercept + slope * np.arange(n_periods))
        peak_at = int(np.argmax(xs))
        # Noise from the raw day-to-day differences (smoothed differences are
        # autocorrelated and would understate it), scaled to what remains of
        # white noise after the kernel (its gain is sqrt(6) / 4).
        diffs = np.diff(x)
        noise = 1.4826 * np.median(np.abs(diffs - np.median(diffs))) / np.sqrt(2.0)
        if self.smooth and n_periods >= 5:
            noise *= np.sqrt(6.0) / 4.0
        span = float(xs.max() - xs.min())
        if span <= 0:
            return (False, peak_at, 0.0, 0.0, float(n_periods), 0.0, 0, "flat")
        # A noise-free series would make any wiggle infinitely significant.
        noise = max(noise, 1e-3 * span)
        base = float(np.median(xs))
        padded = np.concatenate([[min(base, xs.min())], xs, [min(base, xs.min())]])
        peaks, props = signal.find_peaks(padded, prominence=0)
        if peaks.size == 0:
            return (False, peak_at, 0.0, 0.0, float(n_periods), 0.0, 0, "no_peak")
        prom = props["prominences"]
        order = np.argsort(-prom, kind="stable")
        main = order[0]
        main_prom = float(prom[main])
        secondary = float(prom[order[1]] / main_prom) if peaks.size > 1 else 0.0
        widths = signal.peak_widths(padded, peaks[[main]], rel_height=0.5, prominence_data=(
            props["prominences"][[main]], props["left_bases"][[main]], props["right_bases"][[main]]))[0]
        width = float(widths[0])
        z = main_prom / noise
        n_significant = int(np.sum(prom >= self.max_secondary * main_prom))
        peak_at = int(peaks[main] - 1)
        peak_at = min(max(peak_at, 0), n_periods - 1)
        if z < self.min_z:
            reason = "weak_peak"
        elif secondary >= self.max_secondary:
            reason = "several_peaks"
        elif width > self.max_width * n_periods:
            reason = "too_wide"
        else:
            reason = ""
        return (reason == "", peak_at, main_prom, float(z), width, secondary, n_significant, reason or "ok")
