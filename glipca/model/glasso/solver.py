"""The graphical lasso: screen into blocks, then solve each block.

Blocks come from exact screening (:mod:`.screening`); pairs have a closed
form; larger blocks go to the proximal Newton solver of QUIC (Hsieh et al.,
JMLR 15:2911-2947, 2014; :mod:`.newton`). ``S`` is typically the correlation
matrix of ``T`` standardised daily series of ``p`` words with ``p >> T``, so
``S`` is singular; the solver never needs to invert ``S``.
"""

import functools
import math

import numpy as np
from scipy import linalg
from threadpoolctl import ThreadpoolController

from .newton import _solve_block
from .objective import _check_alpha, _check_emp_cov, _logdet, _warn_not_converged
from .screening import screening_blocks

__all__ = ["graphical_lasso", "one_blas_thread", "solve_blocks"]


@functools.lru_cache(maxsize=1)
def _blas():
    # Finding the BLAS libraries reads the process's memory map: 5-7 ms,
    # which a fresh ``threadpool_limits`` per block paid every time (0.5 s
    # per fit on hourly series with 70 blocks), so they are found once.
    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS runs one thread.

    On a machine busy with other work, threaded factorisations of even
    p = 1000 blocks ran 5 to 70 times slower than one thread
    (docs/performance.md); idle, they gain < 2x.
    """
    return _blas().limit(limits=1)


def _solve_pair(S, alpha):
    """Closed form for a 2 x 2 block with ``|s_12| > alpha``, or None."""
    a, b, s = S[0, 0], S[1, 1], S[0, 1]
    # Stationarity gives W = S + alpha * Gamma with W_ii = S_ii and
    # W_12 = s_12 - alpha * sign(s_12); Theta is its inverse.
    w = s - math.copysign(alpha, s)
    det = a * b - w * w
    if not det > 0:
        return None
    W = np.array([[a, w], [w, b]])
    Theta = np.array([[b, -w], [-w, a]]) / det
    return W, Theta


def solve_blocks(S, alpha, precision_init, tol, max_iter, verbose):
    """Screen ``S`` into blocks and solve each block.

    ``S`` must already be checked (see :func:`graphical_lasso`, which adds
    the checks and the convergence warning). ``precision_init`` is a
    positive definite start or None.

    Returns
    -------
    covariance, precision : ndarray of shape (p, p)
    n_iter : int
        Largest number of Newton iterations over the blocks.
    converged : bool
        Whether every block reached its share of ``tol``.
    """
    p = len(S)
    W = np.zeros_like(S)
    Theta = np.zeros_like(S)
    n_comp, labels = screening_blocks(S, alpha)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    n_iter, converged = 0, True
    for idx in np.split(order, bounds):
        if len(idx) == 1:
            i = idx[0]
            W[i, i] = S[i, i]
            Theta[i, i] = 1.0 / S[i, i]
            continue
        block = np.ix_(idx, idx)
        Sb = S[block]
        if len(idx) == 2:
            res = _solve_pair(Sb, alpha)
            if res is not None:
                W[block], Theta[block] = res
                continue
        T0 = None
        if precision_init is not None:
            T0 = precision_init[block]
            if not np.isfinite(_logdet(T0)):
                T0 = None
        if T0 is None:
            T0 = np.diag(1.0 / np.diag(Sb))
        with one_blas_thread():
            # Gaps of independent blocks add up; share the tolerance by size.
            Wb, Tb, it, ok = _solve_block(
                Sb, alpha, T0, tol * len(idx) / p, max_iter, verbose
            )
        W[block], Theta[block] = Wb, Tb
        n_iter = max(n_iter, it)
        converged &= ok
    return W, Theta, n_iter, converged


def _initial_precision(S, cov_init):
    if cov_init is None:
        return None
    C = np.array(cov_init, dtype=np.float64, copy=True)
    if C.shape != S.shape:
        raise ValueError(f"cov_init has shape {C.shape}, expected {S.shape}.")
    np.fill_diagonal(C, np.diag(S))
    try:
        L = linalg.cholesky(C, lower=True, check_finite=True)
    except (linalg.LinAlgError, ValueError):
        return None  # unusable start: fall back to the diagonal one
    return linalg.cho_solve((L, True), np.eye(len(S)))


def graphical_lasso(
    emp_cov,
    alpha,
    *,
    tol=1e-4,
    max_iter=100,
    cov_init=None,
    return_n_iter=False,
    verbose=False,
):
    """L1-penalised precision estimate with exact block screening.

    Parameters
    ----------
    emp_cov : array-like of shape (p, p)
        Empirical covariance or correlation matrix; may be singular.
    alpha : float
        Penalty on the off-diagonal entries of the precision matrix.
    tol : float, default=1e-4
        Target duality gap, certified at the projection of ``inv(precision)``
        onto the dual feasible set (a stricter test than :func:`dual_gap`,
        which also tries a second dual point).
    max_iter : int, default=100
        Maximum number of iterations per block.
    cov_init : array-like of shape (p, p), default=None
        Initial covariance guess; its diagonal is replaced by that of
        ``emp_cov``. Ignored if not positive definite.
    return_n_iter : bool, default=False
        Whether to return the number of iterations (maximum over blocks).
    verbose : bool, default=False
        Print progress.

    Returns
    -------
    covariance : ndarray of shape (p, p)
        Inverse of ``precision``.
    precision : ndarray of shape (p, p)
        Positive definite precision estimate. If the solver did not converge,
        the last iterate, with a :class:`GraphicalLassoConvergenceWarning`.
    n_iter : int
        Only returned if ``return_n_iter`` is True.
    """
    S = _check_emp_cov(emp_cov)
    alpha = _check_alpha(alpha)
    Theta0 = _initial_precision(S, cov_init)
    W, Theta, n_iter, converged = solve_blocks(S, alpha, Theta0, tol, max_iter, verbose)
    if not converged:
        _warn_not_converged(tol, max_iter, alpha, stacklevel=2)
    if return_n_iter:
        return W, Theta, n_iter
    return W, Theta
