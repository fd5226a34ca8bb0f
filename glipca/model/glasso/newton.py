"""The proximal Newton solver for one screening block (QUIC).

Hsieh, Sustik, Dhillon & Ravikumar, "QUIC: quadratic approximation for sparse
inverse covariance estimation", JMLR 15:2911-2947 (2014): each iteration
minimises a second-order model of the smooth part plus the l1 penalty by
coordinate descent on the free set, then takes an Armijo step that keeps the
iterate positive definite.
"""

import math
import warnings

import numpy as np
from scipy import linalg
from scipy.sparse import csr_matrix
from sklearn.exceptions import ConvergenceWarning

from .objective import _gap_from, _l1_off


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


try:  # the Cython lasso used by scikit-learn's own graphical_lasso
    from sklearn.linear_model import _cd_fast

    def _lasso_gram(Q, q, w, alpha, n_sweeps, rng=np.random.RandomState(0)):
        return _cd_fast.enet_coordinate_descent_gram(
            w=w, alpha=alpha, beta=0.0, Q=Q, q=q, y=q, max_iter=n_sweeps,
            tol=1e-12, rng=rng, random=False, positive=False,
        )[0]

except (ImportError, AttributeError, TypeError):  # pragma: no cover
    _cd_fast = None


def _lasso_gram_py(Q, q, w, alpha, n_sweeps):
    """Coordinate descent for ``1/2 w'Qw - q'w + alpha |w|_1`` (fallback)."""
    r = q - Q @ w
    for _ in range(n_sweeps):
        for k in range(len(w)):
            if Q[k, k] <= 0:
                continue
            old = w[k]
            z = r[k] + Q[k, k] * old
            new = math.copysign(max(abs(z) - alpha, 0.0), z) / Q[k, k]
            if new != old:
                r -= (new - old) * Q[:, k]
                w[k] = new
    return w


if _cd_fast is None:  # pragma: no cover
    _lasso_gram = _lasso_gram_py


def _newton_direction(S, W, G, Theta, alpha, n_sweeps):
    """Approximate proximal Newton direction on the free set (QUIC-style).

    The quadratic model ``tr(G D) + 1/2 tr(W D W D) + alpha |Theta + D|_1``
    is minimised by block coordinate descent over rows: for row ``i`` the
    unpenalised diagonal entry is eliminated in closed form, which leaves a
    small lasso with Gram matrix ``W_ii W_JJ - w_J w_J'`` (a Schur
    complement, hence positive semi-definite) on the free columns ``J``.
    ``D`` lives on the sparse free set, so ``(W D W)_{i,.}`` costs
    ``O(nnz(D) + p |J|)`` and a sweep costs about ``O(p nnz)``.
    """
    p = len(S)
    free = np.abs(G) > alpha
    free |= Theta != 0
    np.fill_diagonal(free, True)
    D = csr_matrix(free, dtype=np.float64)
    D.data[:] = 0.0
    D.sort_indices()
    indptr, cols = D.indptr, D.indices
    # Position of the transposed entry of each stored entry (pattern is
    # symmetric), to keep D symmetric while updating rows.
    T = csr_matrix((np.arange(1, D.nnz + 1, dtype=np.float64), cols, indptr),
                   shape=(p, p)).T.tocsr()
    T.sort_indices()
    tpos = T.data.astype(np.int64) - 1
    rows_order = np.arange(p)
    # A few inner sweeps suffice (the outer Newton loop corrects); silence
    # the inner lasso's own convergence warnings.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _sweeps(S, W, G, Theta, alpha, D, tpos, rows_order, n_sweeps)
    return D


def _sweeps(S, W, G, Theta, alpha, D, tpos, rows_order, n_sweeps):
    indptr, cols, data = D.indptr, D.indices, D.data
    for _ in range(n_sweeps):
        for i in rows_order:
            a, b = indptr[i], indptr[i + 1]
            Jall = cols[a:b]
            Wii = W[i, i]
            y = D @ W[i]                       # D w_i
            if b - a == 1:                     # diagonal only
                gii = G[i, i] + W[i] @ y
                data[a] -= gii / (Wii * Wii)
                continue
            k = np.searchsorted(Jall, i)
            sel = np.arange(a, b) != a + k
            J = Jall[sel]
            WJ = W[J]
            v = WJ @ y                          # (W D W)_{J, i}
            gii = G[i, i] + W[i] @ y
            wJ = W[i, J]
            g = G[i, J] + v
            Q = np.ascontiguousarray(WJ[:, J])
            Q *= Wii
            Q -= np.outer(wJ, wJ)
            pos = np.arange(a, b)[sel]
            z = Theta[i, J] + data[pos]
            q = Q @ z - (g - (gii / Wii) * wJ)
            wnew = _lasso_gram(Q, q, z.copy(), alpha, 10)
            delta = wnew - z
            data[pos] += delta
            data[tpos[pos]] += delta
            data[a + k] -= (gii + 2.0 * Wii * (wJ @ delta)) / (Wii * Wii)


def _solve_block(S, alpha, Theta, tol, max_iter, verbose):
    """Proximal Newton (QUIC, Hsieh et al. 2014) for one connected block.

    Every accepted iterate has a successful Cholesky factorisation, so the
    returned ``Theta`` is positive definite whether or not it converged.
    Convergence is judged by the certified duality gap (:func:`dual_gap`).
    """
    p = len(S)
    L = _cholesky(Theta)
    W = _inverse(L)
    f = -2.0 * np.log(np.diag(L)).sum() + np.sum(S * Theta) + alpha * _l1_off(Theta)
    gap = np.inf
    for it in range(1, max_iter + 1):
        G = S - W
        D = _newton_direction(S, W, G, Theta, alpha, 1 + it // 3)
        Dc = D.tocoo()
        r, c, d = Dc.row, Dc.col, Dc.data
        off = r != c
        th = Theta[r, c]
        # Predicted decrease of the model (negative for a descent direction).
        decrease = np.sum(G[r, c] * d) + alpha * (
            np.abs(th + d)[off].sum() - np.abs(th)[off].sum())
        step = 1.0
        while True:
            Z = Theta.copy()
            Z[r, c] += step * d
            Lz = _cholesky(Z)
            if Lz is not None:
                fz = (-2.0 * np.log(np.diag(Lz)).sum() + np.sum(S * Z)
                      + alpha * _l1_off(Z))
                if fz <= f + 1e-3 * step * decrease or step < 1e-6:
                    break
            step *= 0.5
            if step < 1e-10:
                break
        if Lz is None or fz > f:  # no progress possible: keep the iterate
            return W, Theta, it, False
        Theta, L, f = Z, Lz, fz
        W = _inverse(L)
        # The certified gap costs a factorisation: only check it once the
        # model predicts a decrease near the tolerance.
        if -decrease <= 10 * tol or it == max_iter:
            gap = _gap_from(S, W, f, alpha)
        if verbose:
            print(f"[glasso] p={p} iter {it}: objective {f:.10g}, step {step:g}, "
                  f"free {D.nnz}, model decrease {-decrease:.3g}, gap {gap:.3g}")
        if gap <= tol:
            return W, Theta, it, True
    return W, Theta, max_iter, False
