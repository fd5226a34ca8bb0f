"""Word time series: relative frequencies, low-volume periods, the single-peak test.

The input is a :class:`glipca.counting.counts.WordCounts` (posts containing
each word in each period); the output is a :class:`pandas.DataFrame` indexed
by period with one column per word. Nothing here knows about solvers or
clusters. The single-peak test is this package's reading of the paper's
"signals with a single peak" (docs/method.md, section 3); its robust line
is Theil–Sen (:mod:`glipca.model.trend`). Every step is computed for all
words at once except the peak search, which is O(T) per word.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal

from .periods import check_size, small_data, low_volume_periods, masked_ranges, sub_daily
from .trend import theil_sen

__all__ = [
    "relative_frequency",
    "count_floor",
    "low_volume_periods",
    "standardize",
    "SinglePeakTest",
    "burst_words",
]


#: Posts a word must be in to be analysed, when there are posts enough.
MIN_COUNT = 20


def count_floor(n_posts, min_count=None):
    """Posts a word must be in: ``min_count`` when given; otherwise
    :data:`MIN_COUNT`, or one post in a hundred when that is lower, never
    under 5, so that a burst in a few hundred posts is not pruned (up to
    2,000 posts: data that small has, at most, a few periods of 20 posts,
    :func:`glipca.model.periods.small_data`)."""
    if min_count is not None:
        return int(min_count)
    return int(min(MIN_COUNT, max(5, int(n_posts) // 100)))


def _no_word_passes(word_counts, min_count, min_periods):
    """Why no word is left, and what to change."""
    top = int(word_counts.total().max()) if word_counts.n_words else 0
    return (f"no word is in at least {min_count} posts and {min_periods} periods: of "
            f"{word_counts.n_words} distinct words the most frequent is in {top} posts; lower "
            "`min_count` or `min_periods`, or give more posts (a flood of words that never "
            "repeat leaves nothing to analyse)")


def relative_frequency(
    word_counts,
    *,
    min_count=None,
    min_periods=3,
    min_posts=None,
    min_fraction=0.1,
    max_words=None,
    min_peak_count=None,
    prescreen=None,
):
    """Word × period relative frequencies with low-volume periods masked.

    Parameters
    ----------
    word_counts : WordCounts
        Posts containing each word per period, and posts per period.
    min_count : int, optional
        Drop words found in fewer posts than this in total (default
        :func:`count_floor` of the posts counted).
    min_periods : int, default=3
        Drop words present in fewer periods than this.
    min_posts, min_fraction : see :func:`low_volume_periods`.
    max_words : int, optional
        Keep only the most frequent words (ties broken alphabetically).
    min_peak_count : int, optional
        Also keep, beyond the ``max_words`` most frequent, every word with at
        least this many posts in one observed period (a burst), when it
        passes ``prescreen`` (see :func:`burst_words`).
    prescreen : callable, optional
        Frame -> boolean array, a necessary condition of passing the peak
        test (:meth:`SinglePeakTest.could_pass`); None keeps every burst word.

    Returns
    -------
    DataFrame
        Index: periods; columns: words (sorted); values: the share of the
        period's posts that contain the word. Low-volume periods are not
        observed: their values are linearly interpolated from the neighbouring
        observed periods (nearest value at the edges), and the mask is stored
        in ``frame.attrs["masked_periods"]`` as a list of ISO dates; the
        posts per period are in ``frame.attrs["posts"]``; with
        ``min_peak_count``, how the vocabulary was chosen is in
        ``frame.attrs["vocabulary"]``.
    """
    min_count = count_floor(np.sum(word_counts.posts), min_count)
    wc = word_counts.prune(min_count=min_count, min_periods=min_periods)
    if not wc.words:
        raise ValueError(_no_word_passes(word_counts, min_count, min_periods))
    totals = wc.total()
    order = np.arange(len(wc.words))
    if max_words is not None and len(order) > max_words:
        # Sort by descending total, then by word, for a deterministic cut.
        words = np.asarray(wc.words, dtype=object)
        order = np.lexsort((words, -totals))[:max_words]
        order.sort()
    posts = np.asarray(wc.posts, dtype=float)
    masked = low_volume_periods(posts, min_posts=min_posts, min_fraction=min_fraction,
                                periods=wc.periods)
    if masked.all():
        raise ValueError("every period has too few posts to estimate word frequencies")
    vocabulary = None
    if min_peak_count is not None:
        extra, vocabulary = burst_words(wc, order, masked, min_peak_count, prescreen)
        vocabulary["by_volume"] = int(len(order))
        order = np.union1d(order, extra)
    # Refused before the first dense array is made, not after.
    check_size(wc.n_periods, len(order), wc.freq)
    frame = _frame(wc, order, masked)
    if vocabulary is not None:
        vocabulary["tested"] = int(len(order))
        frame.attrs["vocabulary"] = vocabulary
    return frame


def _frame(wc, order, masked, columns=None):
    """The frequencies of the words ``order`` (indices into ``wc.words``);
    ``columns``: ``wc.counts`` as CSC, when already converted."""
    # Word by period, as pandas stores a frame's block: no copy on the way
    # to the DataFrame, and contiguous rows for the peak test.
    columns = wc.counts.tocsc() if columns is None else columns
    counts = columns[:, order].T.toarray()
    words = [wc.words[i] for i in order]
    posts = np.asarray(wc.posts, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        freq = counts / posts
    freq[:, masked] = np.nan
    frame = pd.DataFrame(freq.T, index=wc.periods, columns=pd.Index(words, name="word"))
    frame.index.name = "period"
    if masked.any():
        frame = frame.interpolate(method="linear", axis=0, limit_direction="both")
    frame.attrs["masked_periods"] = masked_ranges(wc.periods, masked)
    frame.attrs["masked"] = tuple(bool(m) for m in masked)
    # The peak test weighs each period's noise by its volume (hourly data).
    frame.attrs["posts"] = tuple(int(v) for v in wc.posts)
    return frame


#: Words whose series are pre-screened at once: bounds the memory of the
#: dense frames whatever the size of the vocabulary.
BURST_CHUNK = 20000


def burst_words(wc, exclude, masked, min_peak_count, prescreen=None, *, chunk=BURST_CHUNK):
    """Words with a burst: at least ``min_peak_count`` posts in one observed period.

    Parameters
    ----------
    wc : WordCounts
        The pruned counts.
    exclude : array of int
        Indices of words already kept (the most frequent).
    masked : array of bool
        The periods that are not observed.
    min_peak_count : int
    prescreen : callable, optional
        Frame -> boolean array; a word is kept only where it is True. Run on
        ``chunk`` words at a time, so that memory stays bounded.

    Returns
    -------
    indices : array of int
        The words kept, sorted.
    vocabulary : dict
        ``bursts`` (words with such a period, outside ``exclude``) and
        ``prescreened`` (those the prescreen kept).
    """
    counts = wc.counts[np.flatnonzero(~masked)] if masked.any() else wc.counts
    # Sparse column maxima: O(non-zero cells), whatever the vocabulary.
    peak = np.asarray(counts.max(axis=0).todense()).ravel()
    eligible = np.flatnonzero(peak >= min_peak_count)
    eligible = np.setdiff1d(eligible, exclude, assume_unique=True)
    kept = eligible
    if prescreen is not None and eligible.size:
        columns = wc.counts.tocsc()
        parts = [part[np.asarray(prescreen(_frame(wc, part, masked, columns)), dtype=bool)]
                 for part in np.array_split(eligible, -(-eligible.size // chunk))]
        kept = np.concatenate(parts)
    return kept, {"bursts": int(eligible.size), "prescreened": int(kept.size)}


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
    event at the window's edge. Peaks on the first or last period count:
    the series is padded with its median so that an event at the window's
    edge still has a prominence.

    For periods shorter than a day, when the frame carries its posts per
    period (``frame.attrs["posts"]``, as :func:`relative_frequency` sets
    it), the noise of each period follows its volume, peaks are ranked by
    prominence over that noise, and counting noise is a floor
    (docs/method.md); daily and longer periods are tested as above.

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
        xs, noise, gain, span, base, observed = self._prepare(frame)
        tests = [self._test_one(xs[j], noise[j], gain, span[j], base[j], observed)
                 for j in range(len(xs))]
        out = pd.DataFrame(
            tests,
            index=pd.Index(frame.columns, name="word"),
            columns=["is_trend", "peak_index", "prominence", "z", "width", "secondary", "n_peaks", "reason"],
        )
        out.insert(1, "peak", frame.index[out["peak_index"].to_numpy()])
        return out.drop(columns="peak_index")

    def could_pass(self, frame):
        """A necessary condition of passing the test, for all words at once.

        The test's ``z`` is the main peak's prominence over the noise of its
        period; no prominence exceeds the span of the padded, detrended
        series, and no period's noise is below the smallest gain times the
        noise scale. So ``span / max(noise * min(gain), 1e-3 * span)`` bounds
        ``z`` from above, with the vectorised part of the test only (no loop
        over words): a word below ``min_z`` here fails the test.

        Returns
        -------
        ndarray of bool
            One per word (column of ``frame``); False only for words that
            cannot pass.
        """
        _, noise, gain, span, _, _ = self._prepare(frame)
        low_gain = 1.0 if gain is None else float(np.min(gain))
        unit = np.maximum(noise * low_gain, 1e-3 * span)
        # A relative slack keeps the bound safe from rounding in the division.
        return (span > 0) & (span * (1.0 + 1e-9) >= self.min_z * unit)

    def significant_peaks(self, frame):
        """Every peak of each word that passes the test's bars on its own.

        A peak counts when its prominence is at least ``min_z`` noise units
        and at least ``max_secondary`` of the word's most significant
        peak's: the peaks that make a word fail as ``several_peaks``.

        Returns
        -------
        list of list of (int, float, float)
            Per word (column of ``frame``), its peaks' positions, widths at
            half prominence and z (prominence in noise units), in order of
            time.
        """
        xs, noise, gain, span, base, _ = self._prepare(frame)
        out = []
        for j in range(len(xs)):
            if span[j] <= 0:
                out.append([])
                continue
            padded, peaks, props, weight = self._peaks(xs[j], base[j], gain)
            if peaks.size == 0:
                out.append([])
                continue
            at = np.clip(peaks - 1, 0, len(xs[j]) - 1)
            unit = np.maximum(noise[j] * (1.0 if gain is None else gain[at]), 1e-3 * span[j])
            keep = np.flatnonzero((weight >= self.max_secondary * weight.max())
                                  & (props["prominences"] / unit >= self.min_z))
            widths = signal.peak_widths(padded, peaks[keep], rel_height=0.5, prominence_data=(
                props["prominences"][keep], props["left_bases"][keep],
                props["right_bases"][keep]))[0] if keep.size else []
            z = props["prominences"] / unit
            out.append([(int(at[k]), float(w), float(z[k])) for k, w in zip(keep, widths)])
        return out

    def _peaks(self, xs, base, gain):
        """Peaks of one padded series, their properties and significance."""
        n_periods = len(xs)
        low = min(base, xs.min())
        padded = np.concatenate([[low], xs, [low]])
        peaks, props = signal.find_peaks(padded, prominence=0)
        prom = props["prominences"]
        # Peaks are ranked by significance: with uneven noise (hours of the
        # day), a tall spike in a quiet night hour counts less than a bump
        # in busy hours.
        weight = prom if gain is None else prom / gain[np.clip(peaks - 1, 0, n_periods - 1)]
        return padded, peaks, props, weight

    def _prepare(self, frame):
        """Detrended rows, noise scale and gain, span, median and observed periods."""
        # One row per word: every median and difference below runs along
        # contiguous rows, several times faster than down the columns.
        rows = np.ascontiguousarray(np.asarray(frame, dtype=float).T)
        n_words, n_periods = rows.shape
        smooth = self.smooth and n_periods >= 5
        xs = _smooth(rows) if smooth else rows
        if self.detrend:
            # Measure peaks above a robust straight line: a word that rises
            # or falls steadily is then flat, while a bump of a few periods
            # barely moves the Theil-Sen line.
            slope, intercept = theil_sen(xs.T)
            xs = xs - (intercept[:, None] + slope[:, None] * np.arange(n_periods))
        weights, reference = _volume(frame)
        noise, gain = self._noise(rows, smooth, weights)
        if weights is not None:
            # Counting noise is a floor: hourly, a word seen in a handful of
            # posts has a zero median change, yet two or three posts in one
            # hour are no event. A frequency from N posts varies by at least
            # sqrt(expected count) / N, and an expected count under one is
            # taken as one.
            expected = rows.mean(axis=1) * reference
            noise = np.maximum(noise, np.sqrt(np.maximum(expected, 1.0)) / reference)
        else:
            noise = np.maximum(noise, _counting_noise(frame, rows, smooth))
        span = xs.max(axis=1) - xs.min(axis=1)
        base = np.median(xs, axis=1)
        masked = np.asarray(frame.attrs.get("masked", ()), dtype=bool) if hasattr(frame, "attrs") else ()
        observed = None if len(masked) != n_periods or not masked.any() else ~masked
        return xs, noise, gain, span, base, observed

    def _noise(self, rows, smooth, weights):
        """Noise scale of each word at the reference volume, and the gain
        that turns it into the noise of each (smoothed) period (None when
        every period has the same noise).

        The scale comes from the raw period-to-period differences (smoothed
        differences are autocorrelated and would understate it); the kernel
        keeps ``sqrt(6) / 4`` of white noise. With volume ``weights`` (the
        standard error of a frequency in each period relative to a period of
        median volume), differences are first divided by their expected
        scale, so that quiet night hours neither inflate the scale of busy
        hours nor pass their own noise off as peaks.
        """
        diffs = np.diff(rows, axis=1)
        if weights is not None:
            diffs = diffs / np.sqrt(0.5 * (weights[1:] ** 2 + weights[:-1] ** 2))
        centre = np.median(diffs, axis=1)[:, None]
        noise = 1.4826 * np.median(np.abs(diffs - centre), axis=1) / np.sqrt(2.0)
        if weights is None:
            return noise * (np.sqrt(6.0) / 4.0) if smooth else noise, None
        if smooth:
            w2 = np.concatenate([weights[1:2], weights, weights[-2:-1]]) ** 2
            gain = np.sqrt(w2[:-2] + 4.0 * w2[1:-1] + w2[2:]) / 4.0
        else:
            gain = weights
        return noise, gain

    def _test_one(self, xs, noise, gain, span, base, observed=None):
        n_periods = len(xs)
        peak_at = int(np.argmax(xs))
        if span <= 0:
            return (False, peak_at, 0.0, 0.0, float(n_periods), 0.0, 0, "flat")
        padded, peaks, props, weight = self._peaks(xs, base, gain)
        if peaks.size == 0:
            return (False, peak_at, 0.0, 0.0, float(n_periods), 0.0, 0, "no_peak")
        prom = props["prominences"]
        order = np.argsort(-weight, kind="stable")
        main = order[0]
        main_prom = float(prom[main])
        secondary = float(weight[order[1]] / weight[main]) if peaks.size > 1 else 0.0
        widths = signal.peak_widths(padded, peaks[[main]], rel_height=0.5, prominence_data=(
            props["prominences"][[main]], props["left_bases"][[main]], props["right_bases"][[main]]))[0]
        width = float(widths[0])
        peak_at = int(peaks[main] - 1)
        peak_at = min(max(peak_at, 0), n_periods - 1)
        if observed is not None and not observed[peak_at]:
            # A peak is an observed period: the highest one under the peak.
            lo, hi = props["left_bases"][main], props["right_bases"][main] - 1
            under = np.flatnonzero(observed[max(lo, 0):max(hi, 1)]) + max(lo, 0)
            under = under[under < n_periods]
            if under.size:
                peak_at = int(under[np.argmax(xs[under])])
        # A noise-free series would make any wiggle infinitely significant.
        if gain is not None:
            noise = noise * gain[peak_at]
        z = main_prom / max(noise, 1e-3 * span)
        n_significant = int(np.sum(weight >= self.max_secondary * weight[main]))
        if z < self.min_z:
            reason = "weak_peak"
        elif secondary >= self.max_secondary:
            reason = "several_peaks"
        elif width > self.max_width * n_periods:
            reason = "too_wide"
        else:
            reason = ""
        return (reason == "", peak_at, main_prom, float(z), width, secondary, n_significant, reason or "ok")


def _smooth(rows):
    """[1, 2, 1] / 4 along each row, with reflected ends: tames one-period
    noise spikes while keeping a bump of a few periods nearly intact."""
    padded = np.concatenate([rows[:, 1:2], rows, rows[:, -2:-1]], axis=1)
    return 0.25 * padded[:, :-2] + 0.5 * padded[:, 1:-1] + 0.25 * padded[:, 2:]


def _counting_noise(frame, rows, smooth):
    """The least noise of each word's (smoothed) daily frequencies: counting noise.

    A frequency from ``N`` posts varies by at least ``sqrt(expected count)
    / N`` (an expected count under one taken as one), ``N`` the median
    posts of a period.  With a few hundred posts a word is in one or two
    posts a day, its median change is zero, and without this floor two or
    three posts on one day would pass for a peak of any size.  Only for
    :func:`glipca.model.periods.small_data`: with more posts, a word's
    measured noise decides, as the method was calibrated.  Zero otherwise,
    and when the frame does not carry its posts per period.
    """
    posts = frame.attrs.get("posts") if hasattr(frame, "attrs") else None
    if posts is None or len(posts) != len(frame) or not small_data(posts):
        return 0.0
    posts = np.asarray(posts, dtype=float)
    reference = max(float(np.median(posts[posts > 0])), 1.0) if np.any(posts > 0) else 1.0
    expected = rows.mean(axis=1) * reference
    floor = np.sqrt(np.maximum(expected, 1.0)) / reference
    # The [1, 2, 1] / 4 kernel keeps sqrt(6) / 4 of white noise.
    return floor * (np.sqrt(6.0) / 4.0) if smooth else floor


def _volume(frame):
    """Relative standard error of a frequency per period, and the reference
    volume; ``(None, None)`` for daily or longer periods.

    A share estimated from ``N`` posts has a standard error proportional to
    ``1 / sqrt(N)``; the weights are ``sqrt(reference / N)`` with the median
    volume as reference. Only for periods shorter than a day, where the
    daily rhythm of posting makes volumes differ tenfold between night and
    evening, and only when the frame carries its posts per period
    (``frame.attrs["posts"]``, set by :func:`relative_frequency`).
    """
    posts = frame.attrs.get("posts") if hasattr(frame, "attrs") else None
    if posts is None or len(posts) != len(frame) or not sub_daily(frame.index):
        return None, None
    posts = np.asarray(posts, dtype=float)
    reference = max(float(np.median(posts[posts > 0])), 1.0) if np.any(posts > 0) else 1.0
    return np.sqrt(reference / np.maximum(posts, 1.0)), reference
