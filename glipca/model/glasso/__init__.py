"""Graphical lasso: solver, exact block screening, lambda path and selection.

The estimator minimises

    f(Theta) = -log det Theta + tr(S Theta) + alpha * sum_{i != j} |theta_ij|

over positive definite ``Theta`` (the diagonal is not penalised), which is the
objective of :func:`sklearn.covariance.graphical_lasso`. ``S`` is typically the
correlation matrix of ``T`` standardised daily series of ``p`` words with
``p >> T``, so ``S`` is singular; the solver never needs to invert ``S``.
"""

import math
import warnings

import numpy as np
from scipy import linalg
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

__all__ = [
    "GraphicalLassoConvergenceWarning",
    "GraphicalLassoEBIC",
    "alpha_path",
    "block_threshold",
    "dual_gap",
    "noise_alpha",
    "graphical_lasso",
    "objective",
    "partial_correlation",
    "select_alpha",
]


class GraphicalLassoConvergenceWarning(ConvergenceWarning):
    """The solver stopped at ``max_iter`` before reaching ``tol``."""


# --------------------------------------------------------------------------
# Validation and helpers
# --------------------------------------------------------------------------


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
    ``W = S + U`` with ``U_ii = 0`` and ``|U_ij| <= alpha``. The dual point is
    ``inv(precision)`` projected onto that set, so the gap is non-negative and
    zero exactly at the optimum. (scikit-learn's ``_dual_gap`` uses
    ``inv(precision)`` unprojected, which is only a gap at dual-feasible
    points; for instance it is 0 at the diagonal start.) Returns ``inf`` when
    ``precision`` or the projected dual point is not positive definite.
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
    return _gap_from(S, W, f, alpha)


def _gap_from(S, W, f, alpha):
    """Certified gap for primal value ``f`` and ``W = inv(Theta)``."""
    Wd = S + np.clip(W - S, -alpha, alpha)
    np.fill_diagonal(Wd, np.diag(S))
    ld = _logdet(Wd)
    if not np.isfinite(ld):
        return np.inf
    return max(f - ld - len(S), 0.0)


def partial_correlation(precision):
    """Partial correlations ``-theta_ij / sqrt(theta_ii theta_jj)``, zero diagonal."""
    precision = np.asarray(precision, dtype=np.float64)
    d = 1.0 / np.sqrt(np.diag(precision))
    rho = -precision * d[:, None] * d[None, :]
    np.fill_diagonal(rho, 0.0)
    return rho


def _components(S, alpha):
    """Labels of the connected components of the graph ``|S_ij| > alpha``.

    The graphical lasso solution is block diagonal on these components
    (Witten, Friedman & Simon 2011; Mazumder & Hastie 2012), so each block
    can be solved on its own.
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


# --------------------------------------------------------------------------
# Block solvers
# --------------------------------------------------------------------------


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


def _solve(S, alpha, precision_init, tol, max_iter, verbose):
    """Screen into blocks and solve each; return (W, Theta, n_iter, converged)."""
    p = len(S)
    W = np.zeros_like(S)
    Theta = np.zeros_like(S)
    n_comp, labels = _components(S, alpha)
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
        # Threaded BLAS only pays off on large blocks, and on a busy machine
        # it slows small ones down several-fold.
        with threadpool_limits(limits=1 if len(idx) < 500 else None):
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
        Target certified duality gap (see :func:`dual_gap`).
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
    W, Theta, n_iter, converged = _solve(S, alpha, Theta0, tol, max_iter, verbose)
    if not converged:
        warnings.warn(
            f"graphical_lasso did not reach tol={tol:g} in {max_iter} "
            f"iterations at alpha={alpha:g}; returning the last positive "
            "definite iterate.",
            GraphicalLassoConvergenceWarning,
            stacklevel=2,
        )
    if return_n_iter:
        return W, Theta, n_iter
    return W, Theta


# --------------------------------------------------------------------------
# Lambda path and selection
# --------------------------------------------------------------------------


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


def _blocks_at(weights, sizes, alpha):
    """Largest screening block at ``alpha`` from :func:`_block_sizes`."""
    k = int(np.searchsorted(-weights, -alpha, side="left"))  # weights > alpha
    return int(sizes[k - 1]) if k > 0 else 1


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
        W, Theta, _, ok = _solve(S, alpha, Theta, tol, max_iter, verbose)
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
    W, Theta, _, ok = _solve(S, alpha, None, tol, max_iter, verbose)
    if not ok:
        warnings.warn(
            f"graphical_lasso did not reach tol={tol:g} in {max_iter} "
            f"iterations at alpha={alpha:g}; returning the last positive "
            "definite iterate.",
            GraphicalLassoConvergenceWarning,
            stacklevel=4,
        )
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
