"""The GLIPCA estimator: graphical-lasso-guided iterative principal component
analysis for trend clustering.

Harakawa, Ito & Iwahashi, Sci. Rep. 12:5709 (2022). The estimator reads trend
clusters off the direct-correlation graph of word series: a graphical lasso
(:mod:`glipca.model.glasso`) gives the links, the iterative eigen-step
(:mod:`.iterative`) extracts clusters, shared words are taken out
(:mod:`.shared`), and each cluster is described by its ranked words, its
signal and its peak. See ``docs/method.md`` for the reasoning behind each
step.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import NamedTuple

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from ...progress import progress_bar
from ..glasso import alpha_path, graphical_lasso, partial_correlation, select_alpha
from .iterative import iterative_pca, refine_by_words
from .shared import shared_words
from .spectral import ranked_by_loading, signal_of, standardized_correlation

__all__ = ["GLIPCA", "TrendCluster", "GraphEstimate", "estimate_graph", "partial_graph"]


@dataclass
class TrendCluster:
    """One trend cluster: its words ranked by centrality, and its summary."""

    words: list
    loadings: list
    eigenvalue: float
    peak: object
    signal: np.ndarray = field(repr=False)

    @property
    def size(self):
        return len(self.words)


class GraphEstimate(NamedTuple):
    """A graphical lasso of word series: the penalty, how it was chosen, the estimates."""

    alpha: float
    alpha_info: dict
    covariance: np.ndarray
    precision: np.ndarray
    partial_correlation: np.ndarray


def estimate_graph(corr, n_samples, alpha="auto", *, tol=1e-4, max_iter=200, cov_init=None):
    """The graphical lasso of a correlation matrix, as :class:`GLIPCA` fits it.

    Parameters
    ----------
    corr : ndarray of shape (n_words, n_words)
        Correlation matrix of the series.
    n_samples : int
        Periods behind ``corr``.
    alpha : float or "auto"
        The penalty, or "auto" to choose it (docs/method.md, section 4).
    tol, max_iter, cov_init
        As :func:`glipca.graphical_lasso`.

    Returns
    -------
    GraphEstimate
    """
    if isinstance(alpha, str):
        # The smallest penalty whose screening blocks have at most
        # 3 x n_periods words (docs/method.md, section 4); the solver's
        # fit at that penalty is returned with it.
        alpha_, info, (covariance, precision) = select_alpha(
            corr, n_samples, criterion="block", tol=tol, max_iter=max_iter,
            return_estimates=True,
        )
    else:
        alpha_ = float(alpha)
        info = {"criterion": "fixed", "alpha": alpha_}
        covariance, precision = graphical_lasso(corr, alpha_, tol=tol, max_iter=max_iter,
                                                cov_init=cov_init)
    partial = partial_correlation(precision)
    # Tiny partial correlations are solver round-off, not links.
    partial[np.abs(partial) < 1e-8] = 0.0
    return GraphEstimate(alpha_, info, covariance, precision, partial)


def partial_graph(words, partial):
    """Words as nodes, an edge for each non-zero partial correlation (``weight``)."""
    graph = nx.Graph()
    graph.add_nodes_from(words)
    rows, cols = np.nonzero(np.triu(partial, k=1))
    graph.add_weighted_edges_from(
        (words[i], words[j], float(partial[i, j])) for i, j in zip(rows, cols)
    )
    return graph


class GLIPCA(BaseEstimator):
    """Graphical-lasso-guided iterative PCA for trend clustering.

    The clusters are groups of *columns* (words) of the series; the rows are
    periods. Parameters are checked when :meth:`fit` is called.

    Parameters
    ----------
    alpha : float or "auto", default="auto"
        Graphical lasso penalty on the correlation matrix. ``"auto"`` chooses
        it without ground truth: the smallest penalty at which no screening
        block has more than 3 x n_periods words, and no smaller than the
        penalty that would link independent series by chance
        (``select_alpha(criterion="block")``; docs/method.md).
    ebic_gamma : float, default=0.0
        EBIC's extra penalty for many variables (0 is the BIC), used only to
        choose the penalty of the optional local re-estimation.
    min_cluster_size : int, default=2
        Smallest cluster reported.
    loading_threshold : float, default=0.5
        Relative loading a word needs to belong to a cluster.
    split_threshold : float, default=0.25
        Relative loading on the second component that puts a word on one
        side of a split between indirectly correlated trends.
    max_cut : float, default=0.3
        Largest relative link weight across an accepted split.
    max_factor_corr : float, default=0.85
        A split is refused when the attenuation-corrected correlation of the
        two sides' signals reaches this value (the corrected correlation can
        exceed 1).
    shared_threshold : float, default=0.65
        A member whose partial correlation with another cluster's signal,
        given its own cluster's signal, reaches this value is a shared word
        and is removed; above 1, none is.
    local_refit : bool, default=False
        Re-estimate the links inside a group of at most ``n_periods / 2``
        words with a graphical lasso of its own before splitting it. Slower;
        the split tests already weigh links by their partial correlation.
    tol : float, default=1e-4
        Graphical lasso tolerance (duality gap).
    max_iter : int, default=200
        Graphical lasso iterations.

    Attributes
    ----------
    clusters_ : list of TrendCluster
        The clusters in order of peak, then of decreasing eigenvalue.
    labels_ : ndarray of int
        Cluster index of every input word, -1 when in none.
    shared_words_ : list of str
        Words removed from clusters because they link two of them.
    left_out_ : list of str
        Words that ``split`` left out of a proposed cluster and that are in
        no cluster of the fit (empty without ``split``).
    alpha_ : float
        The penalty used.
    alpha_info_ : dict
        How the penalty was chosen.
    covariance_, precision_ : ndarray
        Graphical lasso estimates on the correlation matrix.
    partial_correlation_ : ndarray
        Partial correlations from ``precision_``.
    graph_ : networkx.Graph
        Words as nodes, an edge for every non-zero partial correlation, with
        the partial correlation as ``weight``.
    correlation_ : ndarray
        Correlation matrix of the input series.
    words_ : list of str
        The input words, in column order.
    n_features_in_ : int
        Number of words (columns) seen in :meth:`fit`.
    feature_names_in_ : ndarray of str
        The column names, when :meth:`fit` got a DataFrame with string
        column names.
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "ebic_gamma": [Interval(Real, 0, None, closed="left")],
        "min_cluster_size": [Interval(Integral, 2, None, closed="left")],
        "loading_threshold": [Interval(Real, 0, 1, closed="both")],
        "split_threshold": [Interval(Real, 0, 1, closed="both")],
        "max_cut": [Interval(Real, 0, None, closed="left")],
        "max_factor_corr": [Interval(Real, 0, None, closed="neither")],
        "shared_threshold": [Interval(Real, 0, None, closed="neither")],
        "local_refit": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        alpha="auto",
        *,
        ebic_gamma=0.0,
        min_cluster_size=2,
        loading_threshold=0.5,
        split_threshold=0.25,
        max_cut=0.3,
        max_factor_corr=0.85,
        shared_threshold=0.65,
        local_refit=False,
        tol=1e-4,
        max_iter=200,
    ):
        self.alpha = alpha
        self.ebic_gamma = ebic_gamma
        self.min_cluster_size = min_cluster_size
        self.loading_threshold = loading_threshold
        self.split_threshold = split_threshold
        self.max_cut = max_cut
        self.max_factor_corr = max_factor_corr
        self.shared_threshold = shared_threshold
        self.local_refit = local_refit
        self.tol = tol
        self.max_iter = max_iter

    def get_params(self, deep=True):
        """Parameters by name, in the constructor's order.

        As :meth:`sklearn.base.BaseEstimator.get_params` (GLIPCA holds no
        nested estimator, so ``deep`` changes nothing), but in signature order
        rather than sorted, which keeps the params record written with the
        results in a stable, readable order.
        """
        params = super().get_params(deep=deep)
        names = [n for n in inspect.signature(type(self).__init__).parameters if n in params]
        return {name: params[name] for name in names}

    def _check_series(self, series):
        """Values, word labels and period index of ``series``."""
        words = index = None
        if isinstance(series, pd.DataFrame):
            words = [str(c) for c in series.columns]
            index = series.index
        values = validate_data(self, series, dtype=np.float64, ensure_min_samples=3,
                               ensure_min_features=2)
        if words is None:
            words = [str(i) for i in range(values.shape[1])]
            index = pd.RangeIndex(values.shape[0])
        std = values.std(axis=0)
        if np.any(std <= 0):
            bad = [words[i] for i in np.flatnonzero(std <= 0)[:5]]
            raise ValueError(f"constant series cannot be clustered: {bad}")
        if len(set(words)) != len(words):
            raise ValueError("word labels must be unique")
        return values, words, index

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, series, y=None, *, split=None, cov_init=None, estimate=None, progress=False):
        """Find trend clusters in word series.

        Parameters
        ----------
        series : DataFrame or array of shape (n_periods, n_words)
            One column per word (e.g. candidate trend words' relative
            frequencies); at least 3 periods and 2 words, none constant.
        y : None
            Ignored.
        split : callable, optional
            ``split(words, peak) -> list of list of str``: the groups of a
            proposed cluster's words (most central first) to keep as
            clusters, given the position of its peak period, such as
            :meth:`glipca.model.cooccurrence.CooccurrenceSplit.split`. Words
            in no group go back to the pool. Default: the series alone
            decide, as in the paper.
        cov_init : array of shape (n_words, n_words), optional
            Start of the graphical lasso when ``alpha`` is fixed, such as the
            ``covariance_`` of a fit on similar series (see
            :func:`glipca.graphical_lasso`).
        estimate : GraphEstimate, optional
            The graphical lasso of these very series at this ``alpha``
            (:func:`estimate_graph`), made already: it is used as is.
        progress : bool, default False
            Show the penalty choice and the clustering rounds on a progress
            bar (:mod:`glipca.progress`).

        Returns
        -------
        self
        """
        # The graphical lasso (with the penalty's choice) shows as one step:
        # its blocks are solved in one call.
        first = "model: penalty" if isinstance(self.alpha, str) else "model: graph"
        with progress_bar(progress, desc=first, unit=" rounds") as bar:
            return self._fit(series, split, cov_init, estimate, bar)

    def _fit(self, series, split, cov_init, estimate, bar):
        values, words, index = self._check_series(series)
        n_samples = values.shape[0]
        z, corr = standardized_correlation(values)

        if estimate is None:
            estimate = estimate_graph(corr, n_samples, self.alpha, tol=self.tol,
                                      max_iter=self.max_iter, cov_init=cov_init)
        self.alpha_, self.alpha_info_ = estimate.alpha, estimate.alpha_info
        self.covariance_, self.precision_ = estimate.covariance, estimate.precision
        partial = estimate.partial_correlation
        self.partial_correlation_ = partial
        self.correlation_ = corr
        self.words_ = words

        bar.set_description_str("model: clustering")

        def on_round(n_clusters):
            bar.update()
            bar.set_postfix(clusters=n_clusters, refresh=False)

        proposals, left_out = {}, set()
        found = iterative_pca(
            corr,
            partial,
            n_samples,
            min_size=self.min_cluster_size,
            loading_threshold=self.loading_threshold,
            split_threshold=self.split_threshold,
            max_cut=self.max_cut,
            max_factor_corr=self.max_factor_corr,
            local_links=self._local_links(n_samples) if self.local_refit else None,
            refine=None if split is None else refine_by_words(split, words, z, proposals,
                                                              left_out),
            on_round=on_round,
        )
        # Parts of one proposal have alike series by construction; their
        # posts, not their series, said which words go where.
        siblings = None if split is None else [proposals[frozenset(m.tolist())] for m, _, _ in found]
        shared = shared_words(corr, found, self.shared_threshold, siblings)
        clusters = []
        for members, _, _ in found:
            members = np.array([i for i in members if int(i) not in shared], dtype=int)
            if members.size < self.min_cluster_size:
                continue
            clusters.append(self._describe(members, corr, z, index))
        self.shared_words_ = sorted(words[i] for i in shared)
        self.set_clusters(clusters)
        self.left_out_ = [words[i] for i in sorted(left_out) if self.labels_[i] < 0]
        self.graph_ = partial_graph(words, partial)
        return self

    def set_clusters(self, clusters):
        """Replace the clusters (e.g. extended from the posts), in order of peak.

        ``labels_`` follows; words outside the fitted series get no label.

        Parameters
        ----------
        clusters : list of TrendCluster

        Returns
        -------
        self
        """
        self.clusters_ = sorted(clusters, key=lambda c: (c.peak, -c.eigenvalue, c.words[0]))
        self.labels_ = np.full(len(self.words_), -1, dtype=int)
        position = {w: i for i, w in enumerate(self.words_)}
        for c, cluster in enumerate(self.clusters_):
            self.labels_[[position[w] for w in cluster.words if w in position]] = c
        return self

    def _local_links(self, n_samples):
        """Links within a small group, from a graphical lasso on its own."""

        cache = {}

        def links(block):
            # The same group comes back in later rounds; its links do not change.
            key = block.tobytes()
            if key not in cache:
                cache[key] = _links(block)
            return cache[key]

        def _links(block):
            alphas = alpha_path(block, n_alphas=10, alpha_min_ratio=0.05)
            alpha, _ = select_alpha(
                block, n_samples, gamma=self.ebic_gamma, alphas=alphas, tol=self.tol,
                max_iter=self.max_iter,
            )
            with warnings.catch_warnings():
                # A block that does not fully converge still gives its links.
                warnings.simplefilter("ignore", ConvergenceWarning)
                _, precision = graphical_lasso(block, alpha, tol=self.tol, max_iter=self.max_iter)
            partial = partial_correlation(precision)
            partial[partial < 1e-8] = 0.0
            return partial

        return links

    def _describe(self, members, corr, z, index):
        # Ranked again: taking out shared words changes the component.
        members, loadings, eigenvalue = ranked_by_loading(corr, members)
        signal = signal_of(z, members, loadings)
        peak = index[int(np.argmax(signal))]
        return TrendCluster(
            words=[self.words_[i] for i in members],
            loadings=[float(x) for x in loadings],
            eigenvalue=eigenvalue,
            peak=peak,
            signal=signal,
        )

    def cluster_graph(self, index):
        """The direct-correlation subgraph of one cluster's words."""
        return self.graph_.subgraph(self.clusters_[index].words).copy()
