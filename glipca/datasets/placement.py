"""Where planted trends peak, and which trends a shared word bridges."""

from __future__ import annotations

import numpy as np

__all__ = ["place_trends", "pair_shared"]


def place_trends(rng, n_days, n_trends, n_close_pairs, gap, max_tries=500,
                 width=(1.5, 3.0)):
    """Peak days and widths of the trends, and the close pairs (by id).

    Widths of single trends are uniform in ``width``; close pairs get the
    common width at which their bumps correlate at 0.55 to 0.7.

    Groups (a close pair, or a single trend) are placed one at a time at a
    uniformly drawn feasible day; a dead end restarts the draw.
    """
    n_single = n_trends - 2 * n_close_pairs
    # Close pairs: equal widths whose Gaussian bumps correlate at c, i.e.
    # exp(-gap**2 / (4 sigma**2)) = c.
    c = rng.uniform(0.55, 0.7, n_close_pairs)
    pair_sigma = gap / (2 * np.sqrt(-np.log(c)))
    single_sigma = rng.uniform(*width, n_single)
    groups = [(0, s) for s in single_sigma] + [(gap, s) for s in pair_sigma]
    edge_first = n_single > 0 and rng.random() < 0.5
    # The edge trend first, then the pairs (hardest to fit), then the rest.
    order = ([0] if edge_first else []) + list(range(n_single, len(groups))) \
        + list(range(1 if edge_first else 0, n_single))
    lo, hi = 1, n_days - 2
    days = np.arange(n_days)
    for _ in range(max_tries):
        placed = []  # (peak days, sigma)
        starts = {}
        for rank, g in enumerate(order):
            span, sigma = groups[g]
            ok = (days >= lo) & (days + span <= hi)
            if rank == 0 and edge_first:
                ok &= (days <= lo + 2) | (days >= hi - 2)
            for peaks, s in placed:
                sep = 2.0 * np.sqrt(sigma ** 2 + s ** 2)
                for p in peaks:
                    ok &= (np.abs(days - p) >= sep) & (np.abs(days + span - p) >= sep)
            cand = np.flatnonzero(ok)
            if cand.size == 0:
                break
            s0 = int(rng.choice(cand))
            starts[g] = s0
            placed.append(((s0, s0 + span) if span else (s0,), sigma))
        else:
            break
    else:
        raise ValueError(f"cannot place {n_trends} trends ({n_close_pairs} "
                         f"close pairs) in {n_days} days; use fewer trends or "
                         "more days")
    peaks, sigmas, pair_of = [], [], []
    for g, (span, sigma) in enumerate(groups):
        for p in ((starts[g], starts[g] + span) if span else (starts[g],)):
            peaks.append(p)
            sigmas.append(sigma)
            pair_of.append(g if span else -1)
    # Trend ids follow the peak days.
    rank = np.lexsort((np.arange(len(peaks)), peaks))
    peaks = np.array(peaks)[rank]
    sigmas = np.array(sigmas)[rank]
    pair_of = np.array(pair_of)[rank]
    pairs = sorted((tuple(int(i) for i in np.flatnonzero(pair_of == g)), g)
                   for g in set(pair_of.tolist()) - {-1})
    close_pairs = [p for p, _ in pairs]
    pair_corr = [float(c[g - n_single]) for _, g in pairs]
    return peaks, sigmas, close_pairs, pair_corr


def pair_shared(rng, shared_words, peaks, sigmas, close_pairs):
    """Assign each shared word to two trends: the first two to close pairs
    (round robin), the others to distant pairs of trends."""
    out = {}
    n_close = min(len(shared_words), 2) if close_pairs else 0
    for i, w in enumerate(shared_words[:n_close]):
        out[w] = tuple(close_pairs[i % len(close_pairs)])
    n = len(peaks)
    cand = [(i, j) for i in range(n) for j in range(i + 1, n)]
    dist = np.array([abs(peaks[i] - peaks[j]) for i, j in cand], dtype=float)
    # Distant: the two bumps barely overlap, so the series peaks twice.
    far = [cand[m] for m in np.flatnonzero(
        dist >= 4 * np.array([max(sigmas[i], sigmas[j]) for i, j in cand]))]
    if not far:
        far = [cand[int(np.argmax(dist))]]
    for m, w in enumerate(shared_words[n_close:]):
        if m % len(far) == 0:
            far = [far[i] for i in rng.permutation(len(far))]
        out[w] = tuple(int(k) for k in far[m % len(far)])
    return out
