"""Eigen-steps shared by the rounds of GLIPCA: leading eigenpairs with fixed
signs, the noise bound on the leading eigenvalue, and the ranking of a
group's words by their loading.

The bound is the upper edge of the Marchenko-Pastur law (Marchenko & Pastur,
"Distribution of eigenvalues for some sets of random matrices", Math. USSR
Sbornik 1:457-483, 1967) for the correlation matrix of independent series.
"""

import numpy as np
from scipy import linalg

__all__ = ["mp_bound", "ranked_by_loading", "signal_of", "standardized_correlation", "top_eigenpairs"]


def mp_bound(n_variables, n_samples):
    """Largest eigenvalue expected of the correlation matrix of independent series.

    The Marchenko–Pastur upper edge ``(1 + sqrt(p / T))**2`` for ``p`` series of
    ``T`` samples. A group whose leading eigenvalue stays below it is
    indistinguishable from noise.
    """
    return (1.0 + np.sqrt(n_variables / n_samples)) ** 2


def top_eigenpairs(matrix, k):
    """The ``k`` largest eigenpairs of a symmetric matrix, largest first.

    Eigenvector signs are fixed so that their entries sum to a positive number
    (ties: the largest entry is positive), which makes results reproducible.
    """
    n = matrix.shape[0]
    k = min(k, n)
    vals, vecs = linalg.eigh(matrix, subset_by_index=[n - k, n - 1])
    vals, vecs = vals[::-1], vecs[:, ::-1]
    for j in range(k):
        s = vecs[:, j].sum()
        if abs(s) < 1e-12:
            s = vecs[np.argmax(np.abs(vecs[:, j])), j]
        if s < 0:
            vecs[:, j] = -vecs[:, j]
    return vals, vecs


def standardized_correlation(values):
    """Standardised series and their correlation matrix.

    Parameters
    ----------
    values : array of shape (n_periods, n_words)
        No column constant.

    Returns
    -------
    z : array of shape (n_periods, n_words)
        Each column centred and scaled to unit (population) variance.
    corr : array of shape (n_words, n_words)
        Exactly symmetric, with a unit diagonal (round-off removed).
    """
    z = (values - values.mean(axis=0)) / values.std(axis=0)
    corr = (z.T @ z) / len(z)
    corr = (corr + corr.T) / 2.0
    np.fill_diagonal(corr, 1.0)
    return z, corr


def ranked_by_loading(corr, members):
    """Members by decreasing loading on their own leading component.

    Returns the ordered members, their loadings and the leading eigenvalue.
    Ties go to the smaller index, so that the order is reproducible.
    """
    if members.size < 2:
        return members, np.ones(members.size), 1.0
    vals, vecs = top_eigenpairs(corr[np.ix_(members, members)], 1)
    loadings = vecs[:, 0]
    order = np.lexsort((members, -np.round(loadings, 12)))
    return members[order], loadings[order], float(vals[0])


def signal_of(z, members, loadings):
    """Representative signal: the loading-weighted mean of standardised series."""
    loadings = np.asarray(loadings, dtype=float)
    return z[:, members] @ (loadings / loadings.sum())
