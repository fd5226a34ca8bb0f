"""The Newton direction of QUIC: block coordinate descent on the quadratic model.

Hsieh, Sustik, Dhillon & Ravikumar, "QUIC: quadratic approximation for sparse
inverse covariance estimation", JMLR 15:2911-2947 (2014). With
``W = inv(Theta)`` and ``G = S - W``, the direction ``D`` minimises

    tr(G D) + 1/2 tr(W D W D) + alpha * sum_{i != j} |theta_ij + d_ij|

over the free set (``|g_ij| > alpha`` or ``theta_ij != 0``). Where QUIC
visits one entry at a time, rows are updated as blocks here: for row ``i``
the unpenalised diagonal entry is eliminated in closed form, which leaves a
small lasso on the free columns ``J`` with Gram matrix
``W_ii W_JJ - w_J w_J'`` (a Schur complement, hence positive semi-definite).
Per sweep this converges several times further than entry-wise updates (the
diagonal is strongly coupled to its row). ``U = D W`` is kept up to date, so
``(W D W)_{J,i}`` costs ``|J|`` dot products of length ``p`` and a sweep
about ``3 p nnz`` operations, all on contiguous rows.

The loops run compiled ahead of time, from ``_sweeps.c`` (built when the
package is installed: nothing to compile or load at run time, so a
process's first solve costs what the next ones do); where that module was
not built, they are compiled with Numba on first use (cached on disk, but
importing Numba and loading the cache cost a fresh process 0.5 to 1.5 s);
without either, the same function runs in Python with NumPy for the vector
steps, giving the same directions up to rounding, only slower. The C and
Numba builds round alike and give the same directions bit for bit.
"""

import functools

import numpy as np

__all__ = ["newton_direction"]


#: Coordinate descent passes over one row's lasso.
ROW_PASSES = 10


# Vector steps: NumPy versions run in Python; the loops below replace them
# in compiled code (see _compiled_sweeps).
def _dot(x, y):
    return float(x @ y)


def _axpy(a, x, out):
    out += a * x


def _column(A, i, out):
    out[:] = A[:, i]


def _rows_dot(W, J, y, out):
    out[:] = W[J] @ y


def _cross_axpy(a, x, y, out_x, out_y):
    out_y += a * x
    out_x += a * y


def _schur_gram(W, J, wii, wJ, Q):
    Q[...] = wii * W[np.ix_(J, J)] - np.outer(wJ, wJ)


def _dot_loop(x, y):
    # Four partial sums in a fixed order: vectorisable, and the same result
    # on every machine.
    n = x.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    k = 0
    while k + 4 <= n:
        s0 += x[k] * y[k]
        s1 += x[k + 1] * y[k + 1]
        s2 += x[k + 2] * y[k + 2]
        s3 += x[k + 3] * y[k + 3]
        k += 4
    while k < n:
        s0 += x[k] * y[k]
        k += 1
    return (s0 + s1) + (s2 + s3)


def _axpy_loop(a, x, out):
    for k in range(x.shape[0]):
        out[k] += a * x[k]


def _column_loop(A, i, out):
    for k in range(A.shape[0]):
        out[k] = A[k, i]


def _rows_dot_loop(W, J, y, out):
    for t in range(J.shape[0]):
        out[t] = _dot(W[J[t]], y)


def _cross_axpy_loop(a, x, y, out_x, out_y):
    # One pass for both: each row is read once.
    for k in range(x.shape[0]):
        out_y[k] += a * x[k]
        out_x[k] += a * y[k]


def _schur_gram_loop(W, J, wii, wJ, Q):
    m = J.shape[0]
    for t in range(m):
        Wt = W[J[t]]
        for u in range(m):
            Q[t, u] = wii * Wt[J[u]] - wJ[t] * wJ[u]


def _row_lasso(Q, q, w, alpha, n_passes):
    """Coordinate descent for ``1/2 w'Qw - q'w + alpha |w|_1`` from ``w``."""
    m = w.shape[0]
    Qw = np.zeros(m)
    for t in range(m):
        _axpy(w[t], Q[t], Qw)
    for _ in range(n_passes):
        w_max = 0.0
        dw_max = 0.0
        for t in range(m):
            qtt = Q[t, t]
            if qtt <= 0.0:
                continue
            old = w[t]
            z = q[t] - Qw[t] + old * qtt
            new = (z - alpha if z > alpha else z + alpha if z < -alpha else 0.0) / qtt
            if new != old:
                _axpy(new - old, Q[t], Qw)
                w[t] = new
            dw_max = max(dw_max, abs(new - old))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or dw_max <= 1e-12 * w_max:
            break


def _sweeps(W, G, Theta, alpha, ptr, cols, tpos, diag, d, U, n_sweeps, n_passes):
    """``n_sweeps`` passes over the rows; updates ``d`` and ``U = D W`` in place."""
    p = W.shape[0]
    y = np.empty(p)
    m_max = 0
    for i in range(p):
        m_max = max(m_max, ptr[i + 1] - ptr[i] - 1)
    buf = np.empty((m_max, m_max))
    J_all = np.empty(m_max, dtype=np.int64)
    pos_all = np.empty(m_max, dtype=np.int64)
    for _ in range(n_sweeps):
        for i in range(p):
            _column(U, i, y)  # (D W)[:, i] = D w_i
            wii = W[i, i]
            gii = G[i, i] + _dot(W[i], y)  # G + W D W at (i, i)
            m = 0
            for idx in range(ptr[i], ptr[i + 1]):
                if idx != diag[i]:
                    J_all[m] = cols[idx]
                    pos_all[m] = idx
                    m += 1
            J, pos = J_all[:m], pos_all[:m]
            delta = np.zeros(m)
            wJ = np.empty(m)
            if m:
                v = np.empty(m)
                _rows_dot(W, J, y, v)  # (W D W)_{J, i}
                z = np.empty(m)
                for t in range(m):
                    wJ[t] = W[i, J[t]]
                    z[t] = Theta[i, J[t]] + d[pos[t]]
                Q = buf[:m, :m]
                _schur_gram(W, J, wii, wJ, Q)
                q = -(G[i, J] + v) + (gii / wii) * wJ
                for t in range(m):
                    q[t] += _dot(Q[t], z)
                w = z.copy()
                _row_lasso(Q, q, w, alpha, n_passes)
                for t in range(m):
                    delta[t] = w[t] - z[t]
                    d[pos[t]] += delta[t]
                    d[tpos[pos[t]]] += delta[t]
            eps = -(gii + 2.0 * wii * _dot(wJ, delta)) / (wii * wii)
            d[diag[i]] += eps
            # Row i of D changed (J and the diagonal), and column i (J).
            for t in range(m):
                if delta[t] != 0.0:
                    _cross_axpy(delta[t], W[i], W[J[t]], U[i], U[J[t]])
            _axpy(eps, W[i], U[i])


def _returning(loop):
    """Numba overload typer that always returns ``loop`` (same signature)."""

    @functools.wraps(loop)
    def typer(*args):
        return loop

    return typer


@functools.lru_cache(maxsize=1)
def _compiled_sweeps():
    """:func:`_sweeps` compiled: the module built at install (``_sweeps.c``),
    else by Numba (on first use; then from the disk cache), or None when
    neither is available."""
    try:
        from ._sweeps import sweeps
    except ImportError:
        return _numba_sweeps()
    return sweeps


@functools.lru_cache(maxsize=1)
def _numba_sweeps():
    """:func:`_sweeps` compiled by Numba, or None when it cannot be imported."""
    try:
        import numba
        from numba.extending import overload
    except ImportError:  # pragma: no cover - numba is a dependency
        return None
    for python, loop in [(_dot, _dot_loop), (_axpy, _axpy_loop), (_column, _column_loop),
                         (_rows_dot, _rows_dot_loop), (_cross_axpy, _cross_axpy_loop),
                         (_schur_gram, _schur_gram_loop), (_row_lasso, _row_lasso)]:
        overload(python)(_returning(loop))
    return numba.njit(cache=True, nogil=True)(_sweeps)


def free_set(G, Theta, alpha, max_new=None):
    """The free set, diagonal included, as symmetric CSR.

    Free are the non-zeros of ``Theta`` and the entries whose gradient
    exceeds the penalty. With ``max_new``, at most that many pairs not yet
    in ``Theta`` are freed: those with the largest ``|g_ij|`` (a working
    set; the others enter in later iterations if they still violate).

    Returns ``(rows, cols, ptr, tpos, diag)``: entries in row-major order,
    row pointers, the position of each entry's transpose, and the position
    of each diagonal entry.
    """
    p = len(G)
    absg = np.abs(G)
    support = Theta != 0
    new = absg > alpha
    new &= ~support
    n_new = np.count_nonzero(new) // 2
    if max_new is not None and n_new > max_new:
        cut = np.partition(absg[np.triu(new, 1)], n_new - max_new)[n_new - max_new]
        new &= absg >= cut
    free = new
    free |= support
    np.fill_diagonal(free, True)
    rows, cols = np.nonzero(free)
    ptr = np.zeros(p + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=p), out=ptr[1:])
    # The pattern is symmetric: the k-th entry in column-major order is the
    # transpose of the k-th entry in row-major order.
    tpos = np.lexsort((rows, cols))
    diag = np.flatnonzero(rows == cols)
    return rows, cols.astype(np.int64), ptr, tpos, diag


def newton_direction(W, G, Theta, alpha, n_sweeps, *, max_new=None, compiled=True):
    """Approximate proximal Newton direction on the free set.

    Parameters
    ----------
    W, G, Theta : ndarray of shape (p, p)
        ``inv(Theta)``, the gradient ``S - W`` and the current iterate.
    alpha : float
    n_sweeps : int
        Coordinate descent passes over the free set.
    max_new : int, optional
        Most pairs outside the support of ``Theta`` to free (see
        :func:`free_set`).
    compiled : bool, default=True
        Use the Numba-compiled loops when available; False runs them in
        Python (same directions up to rounding).

    Returns
    -------
    rows, cols, d : ndarray
        The direction on the upper triangle (``rows <= cols``); ``D`` is
        symmetric.
    """
    rows, cols, ptr, tpos, diag = free_set(G, Theta, alpha, max_new)
    d = np.zeros(len(rows))
    p = len(W)
    U = np.zeros((p, p))
    sweeps = (_compiled_sweeps() if compiled else None) or _sweeps
    sweeps(np.ascontiguousarray(W), np.ascontiguousarray(G), np.ascontiguousarray(Theta),
           float(alpha), ptr, cols, tpos, diag, d, U, int(n_sweeps), ROW_PASSES)
    upper = rows <= cols
    return rows[upper], cols[upper], d[upper]
