"""Splitting a linked group where its words are only indirectly correlated.

The split step of GLIPCA (Harakawa, Ito & Iwahashi, Sci. Rep. 12:5709, 2022):
two trends joined by a few links (often through shared words) show up as
opposite signs on the second eigenvector of the link-masked correlations.
See docs/method.md for the tests that accept a split.
"""

import numpy as np

from .spectral import mp_bound, top_eigenpairs

__all__ = ["split_indirect"]


def _same_factor(c, a, b, max_factor_corr):
    """Whether two sets of words look like noisy measures of one signal.

    Noise lowers the correlation between the two sets' means even when they
    follow the same event. Dividing the mean cross-correlation by the
    geometric mean of the within-set correlations (the correction for
    attenuation) estimates the correlation of the underlying signals: near 1
    for one event split in two by noisy links, and the correlation of the
    events themselves for two distinct events a few days apart.
    """
    within = []
    for side in (a, b):
        block = c[np.ix_(side, side)]
        k = block.shape[0]
        within.append((block.sum() - np.trace(block)) / (k * (k - 1)))
    if min(within) <= 0:
        return False
    cross = c[np.ix_(a, b)].mean()
    return cross / np.sqrt(within[0] * within[1]) >= max_factor_corr


def split_indirect(corr, links, group, n_samples, min_size, split_threshold, max_cut, local_links,
                   max_factor_corr):
    """Narrow a linked group down to words that are directly correlated.

    Two trends that are only indirectly correlated form, in the masked matrix,
    two dense blocks joined by few links (often through shared words). The
    second eigenvector then has opposite signs on the two blocks and a second
    eigenvalue above the noise bound. Keep the stronger block and repeat.

    When ``local_links`` is given and the group has at most ``n_samples / 2``
    words, the links inside the group are re-estimated from the group's own
    correlations: with fewer words than periods the local problem is well
    posed and needs a much smaller penalty than the whole vocabulary, so
    indirect correlations that the global penalty left as links disappear.
    """
    while group.size >= 2 * min_size:
        c = corr[np.ix_(group, group)]
        if local_links is not None and group.size <= n_samples // 2:
            w = np.clip(np.asarray(local_links(c), dtype=float), 0.0, None)
        else:
            w = links[np.ix_(group, group)].copy()
        np.fill_diagonal(w, 0.0)
        # Links select the correlations that count; their partial
        # correlations weigh the cut between two sides.
        sub = np.where(w > 0, c, 0.0)
        np.fill_diagonal(sub, np.diag(c))
        vals, vecs = top_eigenpairs(sub, 2)
        # Parts of the group joined by a stray link barely share an
        # eigenvector: the leading one lives on the strongest part. Keep
        # that part before looking for a split inside it.
        v1 = vecs[:, 0]
        support = v1 >= split_threshold * v1.max()
        if min_size <= support.sum() < group.size:
            group = group[support]
            continue
        if vals.size < 2 or vals[1] <= mp_bound(group.size, n_samples):
            break
        v2 = vecs[:, 1]
        scale = np.abs(v2).max()
        pos = v2 >= split_threshold * scale
        neg = v2 <= -split_threshold * scale
        if pos.sum() < min_size or neg.sum() < min_size:
            break
        cut = w[np.ix_(pos, neg)].sum()
        internal = min(w[np.ix_(pos, pos)].sum(), w[np.ix_(neg, neg)].sum()) / 2.0
        if internal <= 0 or cut > max_cut * internal:
            break
        if _same_factor(c, pos, neg, max_factor_corr):
            break
        side_vals = [top_eigenpairs(sub[np.ix_(side, side)], 1)[0][0] for side in (pos, neg)]
        keep = pos if side_vals[0] >= side_vals[1] else neg
        group = group[keep]
    return group
