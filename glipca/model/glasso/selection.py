"""Choosing the penalty: a warm-started path scored by (E)BIC, or the size of
the screening blocks floored at the chance-link bound.

EBIC is that of Foygel & Drton, "Extended Bayesian information criteria for
Gaussian graphical models", NeurIPS 23 (2010). The chance-link bound
(:func:`noise_alpha`) is Theorem 2 of Banerjee, El Ghaoui & d'Aspremont,
JMLR 9:485-516 (2008). Block sizes come from exact screening (Witten,
Friedman & Simon 2011; Mazumder & Hastie 2012; :mod:`.screening`).
"""

import math

import numpy as np

from .objective import (
    _check_alpha,
    _check_emp_cov,
    _logdet,
    _warn_not_converged,
    partial_correlation,
)
from .screening import _block_sizes, _blocks_at, _threshold_from
from .solver import solve_blocks

__all__ = ["GraphicalLassoEBIC", "alpha_path", "noise_alpha", "select_alpha"]


def alpha_path(emp_cov, n_alphas=12, alpha_min_ratio=0.3):
    """Decreasing geometric grid of penalties from the largest useful one.

    Above ``alpha_max = max_{i != j} |S_ij|`` the solution is diagonal, so the
    grid starts there.

    Parameters
    ----------
    emp_cov : array-like of shape (p, p)
    n_alphas : int, default=12
    alpha_min_ratio : float, default=0.3
        Smallest penalty as a fraction of ``alpha_max``.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    """
    S = np.abs(np.asarray(emp_cov, dtype=np.float64))
    if S.shape[0] < 2:
        return np.ones(max(int(n_alphas), 1))
    np.fill_diagonal(S, 0.0)
    alpha_max = float(S.max())
    if alpha_max <= 0:
        alpha_max = 1.0
    return np.geomspace(alpha_max, alpha_max * alpha_min_ratio, int(n_alphas))


def _n_edges(precision):
    off = np.count_nonzero(precision) - np.count_nonzero(np.diag(precision))
    return int(off // 2)


def _criterion(S, precision, n_samples, criterion, gamma):
    p = len(S)
    loglik = 0.5 * n_samples * (_logdet(precision) - np.sum(S * precision))
    edges = _n_edges(precision)
    if criterion == "ebic":
        pen = edges * (math.log(n_samples) + 4.0 * gamma * math.log(p))
    else:  # bic
        pen = edges * math.log(n_samples)
    return -2.0 * loglik + pen, edges


def _select(
    emp_cov,
    n_samples,
    criterion="ebic",
    gamma=0.5,
    alphas=None,
    tol=1e-4,
    max_iter=100,
    patience=3,
    verbose=False,
    max_block=None,
):
    S = _check_emp_cov(emp_cov)
    if criterion not in ("ebic", "bic", "block"):
        raise ValueError(
            f"criterion must be 'ebic', 'bic' or 'block', got {criterion!r}.")
    n_samples = int(n_samples)
    if n_samples < 2:
        raise ValueError("n_samples must be at least 2.")
    if criterion == "block" and max_block is None:
        max_block = 3 * n_samples
    if max_block is not None:
        max_block = int(max_block)
        if max_block < 2:
            raise ValueError(f"max_block must be at least 2, got {max_block}.")
        weights, sizes, absd = _block_sizes(S, return_abs=True)
    if criterion == "block":
        return _select_block(S, n_samples, alphas, tol, max_iter, verbose,
                             max_block, weights, sizes, absd)
    if alphas is None:
        alphas = alpha_path(S)
    alphas = np.sort(np.asarray([_check_alpha(a) for a in alphas]))[::-1]
    values, edges, fitted, converged = [], [], [], []
    best = None
    Theta = None
    since_best = 0
    capped = False
    for alpha in alphas:
        if (max_block is not None and best is not None
                and _blocks_at(weights, sizes, alpha) > max_block):
            capped = True  # blocks only grow as alpha decreases
            break
        W, Theta, _, ok = solve_blocks(S, alpha, Theta, tol, max_iter, verbose)
        value, n_e = _criterion(S, Theta, n_samples, criterion, gamma)
        values.append(float(value))
        edges.append(n_e)
        fitted.append(float(alpha))
        converged.append(bool(ok))
        if best is None or value < best[0]:
            best = (value, float(alpha), W, Theta)
            since_best = 0
        else:
            since_best += 1
            # The criterion is close to unimodal along the path: stop once
            # it has risen for `patience` penalties in a row, which skips
            # the expensive dense end of the path.
            if patience is not None and since_best >= patience:
                break
    info = {
        "criterion": criterion,
        "gamma": float(gamma) if criterion == "ebic" else 0.0,
        "n_samples": n_samples,
        "n_features": int(len(S)),
        "alphas": fitted,
        "values": values,
        "n_edges": edges,
        "converged": converged,
        "alpha": best[1],
        "n_edges_chosen": _n_edges(best[3]),
        "stopped_early": len(fitted) < len(alphas),
    }
    if max_block is not None:
        info["max_block"] = max_block
        info["stopped_at_max_block"] = capped
    return best[1], info, best[2], best[3]


def noise_alpha(emp_cov, n_samples, level=0.05):
    """Penalty below which independent variables may get linked by chance.

    Banerjee, El Ghaoui & d'Aspremont (2008, Theorem 2): with
    ``alpha = max_{i<j} sqrt(S_ii S_jj) t / sqrt(n - 2 + t^2)``, ``t`` the
    upper ``level / (2 p^2)`` quantile of Student's t with ``n - 2`` degrees
    of freedom, the probability that the graphical lasso connects two
    variables that are in fact independent (different components of the true
    graph) is at most ``level`` for Gaussian samples.
    """
    from scipy.stats import t as student_t

    S = np.asarray(emp_cov, dtype=np.float64)
    p, n = len(S), int(n_samples)
    if p < 2 or n < 3:
        return 0.0
    d = np.sort(np.diag(S))
    scale = math.sqrt(d[-1] * d[-2])
    q = float(student_t.isf(level / (2.0 * p * p), n - 2))
    return scale * q / math.sqrt(n - 2 + q * q)


def _select_block(S, n_samples, alphas, tol, max_iter, verbose, max_block,
                  weights, sizes, absd):
    """The smallest penalty whose screening blocks have at most ``max_block``
    variables and that links no pair of independent series by chance; one
    fit."""
    alpha_max = float(absd.max()) if absd.size and absd.max() > 0 else 1.0
    grid = np.geomspace(alpha_max, 0.3 * alpha_max, 12)  # as alpha_path
    threshold = _threshold_from(weights, sizes, absd, max_block)
    del absd
    floor = noise_alpha(S, n_samples)
    if alphas is None:
        alpha = max(threshold, floor)
        alpha = min(alpha, alpha_max)  # above max |S_ij|: already empty
    else:
        alphas = np.sort(np.asarray([_check_alpha(a) for a in alphas]))[::-1]
        ok_alphas = [a for a in alphas if _blocks_at(weights, sizes, a) <= max_block
                     and a >= floor]
        alpha = float(ok_alphas[-1]) if ok_alphas else float(alphas[0])
    W, Theta, _, ok = solve_blocks(S, alpha, None, tol, max_iter, verbose)
    if not ok:
        _warn_not_converged(tol, max_iter, alpha, stacklevel=4)
    n_e = _n_edges(Theta)
    info = {
        "criterion": "block",
        "max_block": max_block,
        "n_samples": n_samples,
        "n_features": int(len(S)),
        "alpha": float(alpha),
        "alpha_noise": float(floor),
        "largest_block": _blocks_at(weights, sizes, alpha),
        "alphas": [float(alpha)],
        "n_edges": [n_e],
        "converged": [bool(ok)],
        "n_edges_chosen": n_e,
        # How the largest block grows along the default path, for the record.
        "path": {"alphas": [float(a) for a in grid],
                 "largest_block": [_blocks_at(weights, sizes, a) for a in grid]},
    }
    return float(alpha), info, W, Theta


def select_alpha(
    emp_cov,
    n_samples,
    *,
    criterion="ebic",
    gamma=0.5,
    alphas=None,
    tol=1e-4,
    max_iter=100,
    patience=3,
    return_estimates=False,
    verbose=False,
    max_block=None,
):
    """Choose the penalty by (extended) BIC along a warm-started path, or by
    the size of the screening blocks.

    EBIC (Foygel & Drton 2010) with ``n`` samples, ``p`` variables and ``|E|``
    edges (non-zero off-diagonal pairs) is::

        -2 l(Theta) + |E| log n + 4 gamma |E| log p,
        l(Theta) = n/2 (log det Theta - tr(S Theta)),

    evaluated at the graphical lasso estimate. ``criterion="bic"`` drops the
    ``gamma`` term.

    ``criterion="block"`` solves no path: it takes the smallest penalty at
    which every connected component of ``|S_ij| > alpha`` (the blocks the
    solution splits into) has at most ``max_block`` variables
    (:func:`block_threshold`, exact), but no less than :func:`noise_alpha`
    (below which independent series may be linked by chance), and fits once. With ``p``
    much larger than ``n``, likelihood criteria are not informative: inside
    a block with more variables than samples the likelihood grows without
    bound as the penalty decreases, while at large penalties the shrunken
    estimate gains too little likelihood per edge, so BIC and EBIC choose
    either the empty graph or the end of the path (see docs/performance.md).

    Parameters
    ----------
    emp_cov : array-like of shape (p, p)
    n_samples : int
        Number of observations behind ``emp_cov`` (days).
    criterion : {"ebic", "bic", "block"}, default="ebic"
    gamma : float, default=0.5
    alphas : array-like, default=None
        Penalties to try; default :func:`alpha_path`. Visited in decreasing
        order, each fit warm-starting the next.
    tol, max_iter : see :func:`graphical_lasso`.
    patience : int or None, default=3
        Stop after this many consecutive penalties that do not improve the
        criterion. None visits all penalties.
    return_estimates : bool, default=False
        Also return ``(covariance, precision)`` at the chosen penalty.
    verbose : bool, default=False
    max_block : int, default=None
        With ``"block"``, the largest block allowed (default ``3 n``). With
        ``"ebic"`` or ``"bic"``, the path stops before the first penalty
        whose largest block exceeds it (None: no limit).

    Returns
    -------
    alpha : float
    info : dict
        JSON-ready record: penalties visited, criterion values, edge counts,
        convergence flags and the choice.
    estimates : tuple of ndarray
        Only if ``return_estimates`` is True.
    """
    alpha, info, W, Theta = _select(
        emp_cov, n_samples, criterion, gamma, alphas, tol, max_iter, patience, verbose,
        max_block,
    )
    if return_estimates:
        return alpha, info, (W, Theta)
    return alpha, info


class GraphicalLassoEBIC:
    """Graphical lasso with the penalty chosen by EBIC.

    Parameters
    ----------
    n_samples : int
        Number of observations behind the matrix passed to :meth:`fit`.
    gamma, alphas, tol, max_iter, patience : see :func:`select_alpha`.

    Attributes
    ----------
    alpha_ : float
    covariance_, precision_ : ndarray of shape (p, p)
    info_ : dict
    """

    def __init__(self, n_samples, *, gamma=0.5, alphas=None, tol=1e-4,
                 max_iter=100, patience=3):
        self.n_samples = n_samples
        self.gamma = gamma
        self.alphas = alphas
        self.tol = tol
        self.max_iter = max_iter
        self.patience = patience

    def fit(self, emp_cov):
        """Fit on an empirical covariance or correlation matrix."""
        self.alpha_, self.info_, self.covariance_, self.precision_ = _select(
            emp_cov, self.n_samples, "ebic", self.gamma, self.alphas,
            self.tol, self.max_iter, self.patience,
        )
        return self

    @property
    def partial_correlation_(self):
        return partial_correlation(self.precision_)
