"""The proximal Newton solver for one screening block (QUIC).

Hsieh, Sustik, Dhillon & Ravikumar, "QUIC: quadratic approximation for sparse
inverse covariance estimation", JMLR 15:2911-2947 (2014): each iteration
minimises a second-order model of the smooth part plus the l1 penalty by
coordinate descent on the free set (:mod:`.direction`), then takes an Armijo
step that keeps the iterate positive definite.
"""

import numpy as np
from scipy import linalg

from .direction import newton_direction
from .objective import _gap_from, _l1_off


#: At most this many pairs per variable enter the free set in one iteration
#: (a working set). Without it, dense problems (p = 1000 words in groups of
#: 50, alpha = 0.3) passed through iterates with 90 % of the entries free
#: while the solution has 2.5 % (docs/performance.md).
NEW_PER_ROW = 10


def _inverse(L):
    """Symmetric inverse from a lower Cholesky factor (LAPACK ``potri``)."""
    Winv, info = linalg.lapack.dpotri(L, lower=1)
    if info != 0:
        raise linalg.LinAlgError("potri failed")
    # potri fills the lower triangle of a Fortran array only; its transpose
    # is a C-ordered view holding the upper triangle.
    Winv = Winv.T
    W = np.triu(Winv)
    W += np.triu(Winv, 1).T
    return W


def _cholesky(A):
    """Lower Cholesky factor, or None when ``A`` is not positive definite."""
    try:
        return linalg.cholesky(A, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return None


def _solve_block(S, alpha, Theta, tol, max_iter, verbose):
    """Proximal Newton (QUIC, Hsieh et al. 2014) for one connected block.

    Every accepted iterate has a successful Cholesky factorisation, so the
    returned ``Theta`` is positive definite whether or not it converged.
    Convergence is judged by a certified duality gap (see
    :func:`graphical_lasso`).
    """
    p = len(S)
    L = _cholesky(Theta)
    W = _inverse(L)
    f = -2.0 * np.log(np.diag(L)).sum() + np.sum(S * Theta) + alpha * _l1_off(Theta)
    gap = np.inf
    for it in range(1, max_iter + 1):
        G = S - W
        # More coordinate descent sweeps as the iterates settle (QUIC's rule).
        r, c, d = newton_direction(W, G, Theta, alpha, 1 + it // 3, max_new=NEW_PER_ROW * p)
        off = r != c
        ro, co, do = r[off], c[off], d[off]
        th = Theta[ro, co]
        # The direction is symmetric and stored on the upper triangle: each
        # off-diagonal entry counts twice. Along Theta + step D, the trace
        # and the penalty change only on the free set.
        tr_sd = np.sum(S[r, c] * d) + np.sum(S[ro, co] * do)
        l1 = alpha * _l1_off(Theta)
        # Predicted decrease of the model (negative for a descent direction).
        decrease = (np.sum(G[r, c] * d) + np.sum(G[ro, co] * do)
                    + 2.0 * alpha * (np.abs(th + do).sum() - np.abs(th).sum()))
        tr_st = np.sum(S * Theta)
        step = 1.0
        while True:
            Z = Theta.copy()
            Z[r, c] += step * d
            Z[co, ro] += step * do
            Lz = _cholesky(Z)
            if Lz is not None:
                fz = (-2.0 * np.log(np.diag(Lz)).sum() + tr_st + step * tr_sd + l1
                      + 2.0 * alpha * (np.abs(th + step * do).sum() - np.abs(th).sum()))
                if fz <= f + 1e-3 * step * decrease or step < 1e-6:
                    break
            step *= 0.5
            if step < 1e-10:
                break
        if Lz is None or fz > f:  # no progress possible: keep the iterate
            return W, Theta, it, False
        Theta, L = Z, Lz
        # Exact value at the new iterate: the sums above are only updates.
        f = -2.0 * np.log(np.diag(L)).sum() + np.sum(S * Theta) + alpha * _l1_off(Theta)
        W = _inverse(L)
        # The certified gap costs a factorisation: only check it once the
        # model predicts a decrease near the tolerance. It is the projected
        # dual point's gap, stricter than dual_gap's best: stopping on the
        # smaller one returns estimates only just within tol, and moved
        # GLIPCA's stability scores on the bundled sample by up to 0.1
        # (docs/performance.md).
        if -decrease <= 10 * tol or it == max_iter:
            gap = _gap_from(S, W, f, alpha)
        if verbose:
            free = len(d) + len(do)
            print(f"[glasso] p={p} iter {it}: objective {f:.10g}, step {step:g}, "
                  f"free {free}, model decrease {-decrease:.3g}, gap {gap:.3g}")
        if gap <= tol:
            return W, Theta, it, True
    return W, Theta, max_iter, False
