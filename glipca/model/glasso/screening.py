"""Exact screening: the blocks a graphical lasso solution splits into.

The solution at penalty ``alpha`` is block diagonal on the connected
components of the graph ``|S_ij| > alpha`` (Witten, Friedman & Simon, "New
insights and faster computations for the graphical lasso", JCGS 20:892-900,
2011; Mazumder & Hastie, "Exact covariance thresholding into connected
components for large-scale graphical lasso", JMLR 13:781-794, 2012), so each
block is solved on its own. As ``alpha`` decreases the components merge in
the order of single linkage on ``1 - |S_ij|``, which gives the largest block
at every penalty without solving anything.
"""

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["block_threshold", "screening_blocks"]


def screening_blocks(S, alpha):
    """Connected components of the graph ``|S_ij| > alpha``.

    Returns ``(n_components, labels)``, as
    :func:`scipy.sparse.csgraph.connected_components`.
    """
    p = len(S)
    rows, cols = [], []
    step = max(1, 2_000_000 // max(p, 1))
    for a in range(0, p, step):  # by row blocks: no dense p x p temporaries
        r, c = np.nonzero(np.abs(S[a:a + step]) > alpha)
        rows.append(r + a)
        cols.append(c)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    off = rows != cols
    A = csr_matrix((np.ones(int(off.sum()), dtype=np.int8), (rows[off], cols[off])),
                   shape=(p, p))
    n, labels = connected_components(A, directed=False)
    return n, labels


def _block_sizes(emp_cov, return_abs=False):
    """Largest screening block as a function of the penalty, exactly.

    Components of ``|S_ij| > alpha`` merge, as ``alpha`` decreases, in the
    order of single linkage on the distance ``1 - |S_ij|``. Returns
    ``(weights, sizes)``: the ``|S_ij|`` at which each merge happens
    (decreasing) and the largest block just after it (non-decreasing), so
    that the largest block at ``alpha`` is ``sizes[k]`` for the last ``k``
    with ``weights[k] > alpha`` (1 if none). Costs one pass over ``S`` and an
    ``O(p^2)`` minimum spanning tree; no solver call. With ``return_abs``,
    also the condensed ``|S_ij|``, ``i < j``.
    """
    from scipy.cluster.hierarchy import linkage

    S = np.asarray(emp_cov, dtype=np.float64)
    p = len(S)
    absd = np.empty(p * (p - 1) // 2)
    pos = 0
    for i in range(p - 1):  # row by row: squareform would copy S twice more
        row = S[i, i + 1:]
        np.abs(row, out=absd[pos:pos + len(row)])
        pos += len(row)
    if p < 2:
        out = np.zeros(0), np.zeros(0, dtype=np.int64)
        return out + (absd,) if return_abs else out
    dist = np.subtract(1.0 + 1e-12, absd)  # keep distances positive
    Z = linkage(dist, method="single")
    del dist
    weights = 1.0 + 1e-12 - Z[:, 2]
    sizes = np.maximum.accumulate(Z[:, 3].astype(np.int64))
    if return_abs:
        return weights, sizes, absd
    return weights, sizes


def _threshold_from(weights, sizes, absd, max_block):
    over = np.flatnonzero(sizes > max_block)
    if over.size == 0:
        return 0.0
    w = weights[over[0]]
    # The first oversized merge happens at |S_ij| = w; at that penalty its
    # edge is not in the graph (strict inequality). Take the exact matrix
    # entry: the distance round trip can be off by an ulp.
    cand = absd[np.abs(absd - w) <= 1e-9]
    return float(cand.max()) if cand.size else float(w)


def block_threshold(emp_cov, max_block):
    """Smallest penalty at which no screening block exceeds ``max_block``.

    The graphical lasso solution is block diagonal on the connected
    components of ``|S_ij| > alpha``; this returns the smallest ``alpha``
    (a value of some ``|S_ij|``, or 0 when the whole matrix fits) for which
    every component has at most ``max_block`` variables.
    """
    max_block = int(max_block)
    if max_block < 1:
        raise ValueError(f"max_block must be at least 1, got {max_block}.")
    weights, sizes, absd = _block_sizes(emp_cov, return_abs=True)
    return _threshold_from(weights, sizes, absd, max_block)


def _blocks_at(weights, sizes, alpha):
    """Largest screening block at ``alpha`` from :func:`_block_sizes`."""
    k = int(np.searchsorted(-weights, -alpha, side="left"))  # weights > alpha
    return int(sizes[k - 1]) if k > 0 else 1
