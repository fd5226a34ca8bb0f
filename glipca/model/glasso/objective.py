"""The graphical lasso objective, its certified duality gap and input checks.

The estimator minimises

    f(Theta) = -log det Theta + tr(S Theta) + alpha * sum_{i != j} |theta_ij|

over positive definite ``Theta`` (the diagonal is not penalised), which is the
objective of :func:`sklearn.covariance.graphical_lasso`. Its dual,
``max log det W + p`` over ``W = S + U`` with ``U_ii = 0`` and
``|U_ij| <= alpha``, is that of Banerjee, El Ghaoui & d'Aspremont, "Model
selection through sparse maximum likelihood estimation for multivariate
Gaussian or binary data", JMLR 9:485-516 (2008); projecting ``inv(Theta)``
onto its feasible set gives the certified gap used as stopping rule.
"""

import warnings

import numpy as np
from scipy import linalg
from sklearn.exceptions import ConvergenceWarning

__all__ = [
    "GraphicalLassoConvergenceWarning",
    "dual_gap",
    "objective",
    "partial_correlation",
]


class GraphicalLassoConvergenceWarning(ConvergenceWarning):
    """The solver stopped at ``max_iter`` before reaching ``tol``."""


def _warn_not_converged(tol, max_iter, alpha, stacklevel):
    """Warn that a fit stopped at ``max_iter``; ``stacklevel`` as for warnings.warn,
    counted from the caller of this function."""
    warnings.warn(
        f"graphical_lasso did not reach tol={tol:g} in {max_iter} "
        f"iterations at alpha={alpha:g}; returning the last positive "
        "definite iterate.",
        GraphicalLassoConvergenceWarning,
        stacklevel=stacklevel + 1,
    )


def _check_emp_cov(emp_cov):
    """Return ``emp_cov`` as a symmetric float64 array, or raise ValueError."""
    S = np.array(emp_cov, dtype=np.float64, order="C", copy=True)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"emp_cov must be a square 2-d array, got shape {S.shape}.")
    if not np.all(np.isfinite(S)):
        raise ValueError("emp_cov contains NaN or infinite values.")
    scale = max(1.0, float(np.max(S, initial=0.0)), -float(np.min(S, initial=0.0)))
    # Symmetrise exactly: round-off asymmetry would otherwise leak into the
    # screening graph and the iterates. Tile by tile, so that the transposed
    # reads stay in cache on large matrices.
    p, step = len(S), 512
    for a in range(0, p, step):
        for b in range(a, p, step):
            upper, lower = S[a:a + step, b:b + step], S[b:b + step, a:a + step].T
            if np.max(np.abs(upper - lower), initial=0.0) > 1e-8 * scale:
                raise ValueError("emp_cov must be symmetric.")
            mean = 0.5 * (upper + lower)
            upper[...] = mean
            lower[...] = mean
    if np.any(np.diag(S) <= 0):
        raise ValueError(
            "emp_cov must have a strictly positive diagonal; drop constant "
            "series before fitting."
        )
    return S


def _check_alpha(alpha):
    alpha = float(alpha)
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a non-negative finite number, got {alpha}.")
    return alpha


def _l1_off(precision):
    return np.abs(precision).sum() - np.abs(np.diag(precision)).sum()


def _logdet(A):
    """log det of a symmetric matrix, ``-inf`` when not positive definite."""
    try:
        L = linalg.cholesky(A, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return -np.inf
    return 2.0 * np.log(np.diag(L)).sum()


def objective(emp_cov, precision, alpha):
    """Penalised negative log-likelihood ``f(Theta)`` minimised by the solver.

    Returns ``inf`` when ``precision`` is not positive definite.
    """
    S = np.asarray(emp_cov, dtype=np.float64)
    precision = np.asarray(precision, dtype=np.float64)
    ld = _logdet(precision)
    if not np.isfinite(ld):
        return np.inf
    return -ld + np.sum(S * precision) + alpha * _l1_off(precision)


def dual_gap(emp_cov, precision, alpha):
    """Certified duality gap of ``precision``: an upper bound on suboptimality.

    The dual of the graphical lasso is ``max log det W + p`` over
    ``W = S + U`` with ``U_ii = 0`` and ``|U_ij| <= alpha``. Two dual points
    are tried and the smaller gap kept: ``inv(precision)`` projected onto
    that set, and the same with ``U_ij = alpha sign(theta_ij)`` wherever
    ``theta_ij != 0`` (the value at the optimum, by stationarity). Near the
    optimum the first one's gap shrinks like the distance to it, the second
    one's like its square. Both are feasible, so the gap is non-negative and
    zero exactly at the optimum. (scikit-learn's ``_dual_gap`` uses
    ``inv(precision)`` unprojected, which is only a gap at dual-feasible
    points; for instance it is 0 at the diagonal start.) Returns ``inf`` when
    ``precision`` or both dual points are not positive definite.
    """
    S = np.asarray(emp_cov, dtype=np.float64)
    precision = np.asarray(precision, dtype=np.float64)
    try:
        L = linalg.cholesky(precision, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return np.inf
    W = linalg.cho_solve((L, True), np.eye(len(S)), check_finite=False)
    f = -2.0 * np.log(np.diag(L)).sum() + np.sum(S * precision)
    f += alpha * _l1_off(precision)
    return _gap_from(S, W, f, alpha, precision)


def _gap_from(S, W, f, alpha, precision=None):
    """Certified gap for primal value ``f`` and ``W = inv(precision)``: the
    projected dual point, and with ``precision`` also the sign-corrected one
    (see :func:`dual_gap`)."""
    Wd = S + np.clip(W - S, -alpha, alpha)
    np.fill_diagonal(Wd, np.diag(S))
    ld = _logdet(Wd)
    gap = f - ld - len(S) if np.isfinite(ld) else np.inf
    if precision is not None:
        support = precision != 0
        np.fill_diagonal(support, False)
        Wd[support] = S[support] + alpha * np.sign(precision[support])
        ld = _logdet(Wd)
        if np.isfinite(ld):
            gap = min(gap, f - ld - len(S))
    return max(gap, 0.0)


def partial_correlation(precision):
    """Partial correlations ``-theta_ij / sqrt(theta_ii theta_jj)``, zero diagonal."""
    precision = np.asarray(precision, dtype=np.float64)
    d = 1.0 / np.sqrt(np.diag(precision))
    rho = -precision * d[:, None] * d[None, :]
    np.fill_diagonal(rho, 0.0)
    return rho
