"""Robust straight lines through many series at once (Theil–Sen).

The Theil–Sen line (Theil 1950, "A rank-invariant method of linear and
polynomial regression analysis"; Sen 1968, "Estimates of the regression
coefficient based on Kendall's tau", JASA 63) has as slope the median of
the slopes between all pairs of points and as intercept
``median(y) - slope * median(x)``. A bump of a few periods moves it little,
which is why the single-peak test measures peaks above it.

All pairs cost O(n²) per series. Series of at most ``max_points`` points get
the exact estimate, equal to :func:`scipy.stats.theilslopes`, computed for
many series at once. A longer series is first reduced to the medians of
``ceil(n / max_points)`` consecutive points, and the slope is the Theil–Sen
slope through those block medians (placed at their blocks' centres): O(n)
per series, and as robust to a bump, since a bump of a few periods moves a
block median by at most one rank. The intercept is always taken on the full
series.
"""

from __future__ import annotations

import numpy as np

__all__ = ["theil_sen", "MAX_POINTS"]

#: Longest series fitted on all pairs of points.
MAX_POINTS = 256
# Slopes held at once (float64): bounds memory whatever the number of series.
_CHUNK = 1 << 22


def theil_sen(values, *, max_points=MAX_POINTS):
    """Theil–Sen line of each column of ``values`` against 0, 1, ..., n - 1.

    Parameters
    ----------
    values : array of shape (n, p)
        One series per column, without missing values.
    max_points : int, default=MAX_POINTS
        Series longer than this are reduced to block medians first (see the
        module notes); shorter ones get the exact all-pairs estimate.

    Returns
    -------
    slope, intercept : arrays of shape (p,)
    """
    values = np.asarray(values, dtype=float)
    n, p = values.shape
    if n < 2:
        raise ValueError("a line needs at least two periods")
    if max_points < 2:
        raise ValueError("max_points must be at least 2")
    # One row per series: medians along contiguous rows are several times
    # faster than down the columns of a (periods x words) table.
    rows = np.ascontiguousarray(values.T)
    if n <= max_points:
        x, y = np.arange(n, dtype=float), rows
    else:
        x, y = _block_medians(rows, -(-n // max_points))
    slope = _median_slope(x, y)
    # Same expression as scipy.stats.theilslopes: the median of 0..n-1 is
    # exactly (n - 1) / 2.
    intercept = np.median(rows, axis=1) - slope * ((n - 1) / 2)
    return slope, intercept


def _block_medians(rows, size):
    """Medians of consecutive blocks of ``size`` points of each row, and the
    blocks' centres."""
    n = rows.shape[1]
    full = n // size
    x = size * np.arange(full) + (size - 1) / 2
    y = np.median(rows[:, : full * size].reshape(len(rows), full, size), axis=2)
    rest = n - full * size
    if rest:
        x = np.append(x, full * size + (rest - 1) / 2)
        y = np.column_stack([y, np.median(rows[:, full * size:], axis=1)])
    return x, y


def _median_slope(x, y):
    """Median over pairs ``i < j`` of ``(y[j] - y[i]) / (x[j] - x[i])``, per row."""
    i, j = np.triu_indices(len(x), 1)
    dx = x[j] - x[i]
    out = np.empty(len(y))
    step = max(1, _CHUNK // max(len(i), 1))
    for a in range(0, len(out), step):
        block = y[a:a + step]
        out[a:a + step] = np.median((block[:, j] - block[:, i]) / dx, axis=1)
    return out
