"""How much to trust each trend cluster: a bootstrap over days.

A cluster that reflects a real event is found again when some days are left
out: its words keep rising and falling together. A cluster forced out of
noise depends on a few coincidences and falls apart. The score of a cluster
is the fraction of resamples in which its core words (the most central
ones) come out together in one cluster.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from .cluster import GLIPCA

__all__ = ["cluster_stability"]


def _words_of(cluster):
    return list(cluster.words) if hasattr(cluster, "words") else list(cluster)


def cluster_stability(series, clusters, *, alpha, n_resamples=20, fraction=0.8, top_k=5,
                      seed=0, glipca_params=None):
    """Bootstrap stability score of each cluster.

    Each resample keeps a random ``fraction`` of the periods (without
    replacement, so that no day counts twice and inflates a correlation) and
    refits :class:`glipca.GLIPCA` on the same words with the penalty fixed
    to ``alpha``.

    Parameters
    ----------
    series : DataFrame of shape (n_periods, n_words)
        The series the clusters were found in (candidate words).
    clusters : list of TrendCluster or list of list of str
        Clusters, words most central first.
    alpha : float
        Graphical lasso penalty, normally the fitted ``GLIPCA.alpha_``:
        choosing it again in every resample would cost a whole path.
    n_resamples : int, default=20
        Number of resamples; the score moves in steps of ``1 / n_resamples``.
    fraction : float, default=0.8
        Share of periods each resample keeps.
    top_k : int, default=5
        Core words per cluster: its ``top_k`` most central words.
    seed : int, default=0
        Seed of the resampling; the scores are a deterministic function of
        the arguments.
    glipca_params : dict, optional
        Other :class:`glipca.GLIPCA` parameters (as ``get_params()`` gives
        them). ``local_refit`` is always off: it chooses a penalty for each
        group by a path of its own and would make every refit several times
        slower, while it only decides how groups split, not which words a
        cluster's core sits with.

    Returns
    -------
    ndarray of shape (n_clusters,)
        Scores in [0, 1].
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    if top_k < 2:
        raise ValueError(f"top_k must be at least 2, got {top_k}")
    cores = [_words_of(c)[:top_k] for c in clusters]
    if not cores:
        return np.zeros(0)
    series = pd.DataFrame(series)
    n_periods = series.shape[0]
    n_keep = max(3, int(round(fraction * n_periods)))
    params = dict(glipca_params or {})
    params.update(alpha=float(alpha), local_refit=False)
    template = GLIPCA(**params)
    rng = np.random.default_rng(seed)
    together = np.zeros(len(cores))
    # One thread: the matrices are small, and several BLAS threads on a busy
    # machine make each refit many times slower, not faster.
    with threadpool_limits(1), warnings.catch_warnings():
        # A refit that stops short of the solver's tolerance still gives its
        # clusters; one warning per resample would only be noise.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(n_resamples):
            keep = np.sort(rng.choice(n_periods, size=n_keep, replace=False))
            label = _refit_labels(series.iloc[keep], template)
            for i, core in enumerate(cores):
                found = {label.get(w, -1) for w in core}
                together[i] += len(found) == 1 and -1 not in found
    return together / n_resamples


def _refit_labels(sample, template):
    """Word -> cluster index of a fit of a clone of ``template``; words in no
    cluster are absent."""
    # A word seen on only a few days can be constant on a resample; it
    # cannot be clustered there, which counts against its cluster.
    sample = sample.loc[:, sample.std(ddof=0).to_numpy() > 0]
    if sample.shape[1] < 2:
        return {}
    model = clone(template).fit(sample)
    return {w: c for c, cluster in enumerate(model.clusters_) for w in cluster.words}
