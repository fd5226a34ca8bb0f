"""Baseline trend-clustering methods, for comparison with GLIPCA.

Every baseline takes the same input as GLIPCA, the candidate word series
(a DataFrame: one row per period, one column per word, as in
``run_analysis(...).series``), and returns clusters as lists of words. The
methods that need a number of clusters are given the true number of planted
trends, which favours them.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans

__all__ = ["BASELINES", "ABLATIONS", "average_linkage", "correlation_components",
           "glipca_without_graph", "kmeans", "kshape", "plain_iterative_pca",
           "run_baselines"]


def _standardize(series):
    x = np.asarray(series, dtype=float)
    sd = x.std(axis=0)
    # A flat series carries no shape; leave it at zero rather than divide by 0.
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _correlation(series):
    z = _standardize(series)
    return (z.T @ z) / z.shape[0]


def _groups(words, labels, min_size=1):
    """Clusters from integer labels (label -1: no cluster), in the order of
    their first word, so that the output does not depend on label values."""
    out = {}
    for w, lab in zip(words, labels):
        if lab >= 0:
            out.setdefault(lab, []).append(w)
    return [c for c in out.values() if len(c) >= min_size]


def kmeans(series, n_clusters, *, seed=0):
    """k-means on the standardised series (words are the samples).

    On standardised series the squared Euclidean distance is ``2T(1 - r)``,
    so this clusters by correlation; every word is put in some cluster.
    """
    z = _standardize(series).T
    model = KMeans(n_clusters=min(n_clusters, z.shape[0]), n_init=10,
                   random_state=seed).fit(z)
    return _groups(series.columns, model.labels_)


def average_linkage(series, n_clusters):
    """Average-linkage hierarchical clustering on the distance ``1 - r``,
    cut into ``n_clusters`` clusters."""
    dist = np.clip(1.0 - _correlation(series), 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(tree, t=n_clusters, criterion="maxclust")
    return _groups(series.columns, labels)


def kshape(series, n_clusters, *, seed=0):
    """Shape-based clustering (k-Shape, Paparrizos & Gravano 2015) from
    tslearn, on z-normalised series. Needs the ``bench`` extra."""
    with warnings.catch_warnings():
        # tslearn warns at import about its optional HDF5 support.
        warnings.simplefilter("ignore", UserWarning)
        from tslearn.clustering import KShape

    z = _standardize(series).T[:, :, None]
    model = KShape(n_clusters=min(n_clusters, z.shape[0]), n_init=1,
                   random_state=seed).fit(z)
    return _groups(series.columns, model.labels_)


def correlation_components(series, threshold=0.5, min_size=2):
    """Connected components of the graph linking words whose correlation
    exceeds ``threshold``; components of ``min_size`` words or more."""
    adj = _correlation(series) > threshold
    np.fill_diagonal(adj, False)
    _, labels = connected_components(csr_matrix(adj), directed=False)
    return _groups(series.columns, labels, min_size=min_size)


def mp_edge(n_variables, n_samples):
    """Marchenko–Pastur upper edge ``(1 + sqrt(p / T))**2``: the largest
    eigenvalue expected of the correlation matrix of ``p`` independent series
    of length ``T``."""
    return (1.0 + np.sqrt(n_variables / n_samples)) ** 2


def plain_iterative_pca(series, *, loading_threshold=0.5, min_size=2):
    """Iterative PCA on the full correlation matrix, without any graph.

    Repeat: take the leading eigenvector of the correlation matrix of the
    remaining words; if its eigenvalue is above the Marchenko–Pastur edge,
    the words whose loading has the sign of the largest one and at least
    ``loading_threshold`` times its size form a cluster, and are removed.
    Stop at the first eigenvalue under the edge.
    """
    words = np.asarray(series.columns)
    corr = _correlation(series)
    n_samples = len(series)
    remaining = np.arange(len(words))
    clusters = []
    while remaining.size >= min_size:
        sub = corr[np.ix_(remaining, remaining)]
        vals, vecs = np.linalg.eigh(sub)
        if vals[-1] <= mp_edge(remaining.size, n_samples):
            break
        v = vecs[:, -1]
        v = v * np.sign(v[np.argmax(np.abs(v))])
        members = np.flatnonzero(v >= loading_threshold * v.max())
        if members.size >= min_size:
            members = members[np.argsort(-v[members], kind="stable")]
            clusters.append(words[remaining[members]].tolist())
            remaining = np.delete(remaining, members)
        else:
            # A lone dominant word is no cluster; drop it and look further.
            remaining = np.delete(remaining, np.argmax(v))
    return clusters


def glipca_without_graph(series):
    """Ablation: GLIPCA's own eigen-step (``glipca.model.cluster.iterative_pca``)
    with every pair of words linked, i.e. without the graphical lasso."""
    from glipca.model.cluster import iterative_pca

    corr = _correlation(series)
    full = np.ones(corr.shape, dtype=bool)
    words = np.asarray(series.columns)
    return [words[np.asarray(c[0])].tolist()
            for c in iterative_pca(corr, full, len(series))]


#: name -> function(series, n_trends, seed) -> clusters
BASELINES = {
    "k-means (true k)": lambda s, k, seed: kmeans(s, k, seed=seed),
    "average linkage (true k)": lambda s, k, seed: average_linkage(s, k),
    "k-Shape (true k)": lambda s, k, seed: kshape(s, k, seed=seed),
    "corr. components r>0.5": lambda s, k, seed: correlation_components(s),
    "plain iterative PCA": lambda s, k, seed: plain_iterative_pca(s),
}

#: Variants of GLIPCA itself, reported but not held to "worse than GLIPCA".
ABLATIONS = {
    "GLIPCA without graph": lambda s, k, seed: glipca_without_graph(s),
}


def run_baselines(series, n_trends, *, seed=0, methods=None):
    """Run baselines on the candidate series.

    Returns a dict: method name -> list of clusters, or a string saying why
    the method was skipped (a missing optional dependency).
    """
    out = {}
    for name, fn in (methods or BASELINES).items():
        try:
            out[name] = fn(series, n_trends, seed)
        except ImportError as exc:
            out[name] = f"skipped: {exc.name or exc} is not installed"
    return out
