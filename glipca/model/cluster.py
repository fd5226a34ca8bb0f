"""GLIPCA: graphical-lasso-guided iterative principal component analysis.

The estimator reads trend clusters off the direct-correlation graph of word
series. Each round takes the group of directly linked words with the largest
eigenvalue, splits it where the graph says its words are only indirectly
correlated, ranks its words by their loading on the leading principal
component, and removes them. Rounds stop when no group of directly linked
words is more correlated than independent series of the same length would be.
See ``docs/method.md`` for the reasoning behind each step.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from scipy import linalg
from scipy.sparse import csgraph, csr_matrix
from sklearn.exceptions import ConvergenceWarning

from .glasso import alpha_path, graphical_lasso, partial_correlation, select_alpha

__all__ = ["GLIPCA", "TrendCluster", "iterative_pca", "mp_bound"]


def mp_bound(n_variables, n_samples):
    """Largest eigenvalue expected of the correlation matrix of independent series.

    The Marchenko–Pastur upper edge ``(1 + sqrt(p / T))**2`` for ``p`` series of
    ``T`` samples. A group whose leading eigenvalue stays below it is
    indistinguishable from noise.
    """
    return (1.0 + np.sqrt(n_variables / n_samples)) ** 2


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


def _top_eigs(matrix, k):
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


def iterative_pca(
    corr,
    links,
    n_samples,
    *,
    min_size=2,
    loading_threshold=0.5,
    split_threshold=0.25,
    max_cut=0.3,
    max_factor_corr=0.85,
    local_links=None,
):
    """Extract clusters by graph-guided iterative eigendecomposition.

    Parameters
    ----------
    corr : ndarray of shape (p, p)
        Correlation matrix of the standardised series.
    links : ndarray of shape (p, p)
        Strength of the direct link between words (positive partial
        correlations; zero for none). Passing all ones gives plain iterative
        PCA without the graph.
    n_samples : int
        Number of time points, for the significance bound.
    min_size : int, default=2
        Smallest cluster.
    loading_threshold : float, default=0.5
        A word joins a cluster when its loading on the group's leading
        component is at least this fraction of the largest loading.
    split_threshold : float, default=0.25
        Words whose loading on the second component of the linked group is at
        least this fraction of its largest magnitude belong to one side of a
        split; words in between (shared words) go back to the pool.
    max_cut : float, default=0.3
        A split is accepted when the direct-link weight across it is at most
        this fraction of the smaller side's internal link weight.
    max_factor_corr : float, default=0.85
        A split is refused when the two sides' signals, corrected for the
        attenuation that noise causes, correlate at least this much: they are
        one event.
    local_links : callable, optional
        ``local_links(corr_block) -> links``: re-estimates the links
        inside a group of at most ``n_samples / 2`` words before splitting it.

    Returns
    -------
    clusters : list of (indices, loadings, eigenvalue)
        Indices into ``corr`` ordered by decreasing loading.
    """
    corr = np.asarray(corr, dtype=float)
    links = np.clip(np.asarray(links, dtype=float), 0.0, None)
    np.fill_diagonal(links, 0.0)
    adj = links > 0
    graph = csr_matrix(adj)
    remaining = np.ones(corr.shape[0], dtype=bool)
    clusters = []
    # The pool of linked groups, each with its leading eigenvalue on the
    # masked correlations. A round only changes the group it worked on, so
    # only that group's components are recomputed.
    pool = {}
    for comp in _components(graph, np.arange(corr.shape[0]), min_size):
        pool[comp[0]] = (comp, _masked_eigenvalue(corr, adj, comp))
    while pool:
        # Largest eigenvalue first; ties to the group with the smallest index.
        key = min(pool, key=lambda k: (-pool[k][1], k))
        comp, value = pool.pop(key)
        if value <= 1.0:
            # A linked group whose masked matrix has no eigenvalue above 1
            # has no positive correlation among its links: nothing to find.
            continue
        group = _split_indirect(
            corr, links, comp, n_samples, min_size, split_threshold, max_cut, local_links,
            max_factor_corr,
        )
        members, loadings, eigenvalue = _rank_members(corr, adj, group, loading_threshold)
        if members.size >= min_size and eigenvalue > mp_bound(members.size, n_samples):
            clusters.append((members, loadings, eigenvalue))
            remaining[members] = False
        else:
            # Nothing significant around this core: set it aside so the next
            # round looks elsewhere. Dropping only the core word keeps any
            # genuine cluster that shares its group.
            remaining[members[:1] if members.size else group[:1]] = False
        for part in _components(graph, comp[remaining[comp]], min_size):
            pool[part[0]] = (part, _masked_eigenvalue(corr, adj, part))
    return clusters


def _components(graph, nodes, min_size):
    """Connected components (of at least ``min_size`` nodes) of ``graph`` on ``nodes``."""
    if nodes.size < min_size:
        return []
    n_comp, labels = csgraph.connected_components(graph[nodes][:, nodes], directed=False)
    sizes = np.bincount(labels, minlength=n_comp)
    return [nodes[labels == c] for c in range(n_comp) if sizes[c] >= min_size]


def _masked_eigenvalue(corr, adj, comp):
    """Leading eigenvalue of the correlations restricted to direct links."""
    block = np.where(adj[np.ix_(comp, comp)], corr[np.ix_(comp, comp)], 0.0)
    np.fill_diagonal(block, 1.0)
    return float(_top_eigs(block, 1)[0][0])


def _same_factor(c, a, b, max_factor_corr):
    """Whether two sets of words look like noisy measures of one signal.

    Noise lowers the correlation between the two sets' means even when they
    follow the same event. Dividing the mean cross-correlation by the
    geometric mean of the within-set correlations (the correction for
    attenuation) estimates the correlation of the underlying signals: near 1
    for one event split in two by noisy links, and the correlation of the
    events themselves for two distinct events a few days apart.
    """
    within = []
    for side in (a, b):
        block = c[np.ix_(side, side)]
        k = block.shape[0]
        within.append((block.sum() - np.trace(block)) / (k * (k - 1)))
    if min(within) <= 0:
        return False
    cross = c[np.ix_(a, b)].mean()
    return cross / np.sqrt(within[0] * within[1]) >= max_factor_corr


def _split_indirect(corr, links, group, n_samples, min_size, split_threshold, max_cut, local_links,
                    max_factor_corr):
    """Narrow a linked group down to words that are directly correlated.

    Two trends that are only indirectly correlated form, in the masked matrix,
    two dense blocks joined by few links (often through shared words). The
    second eigenvector then has opposite signs on the two blocks and a second
    eigenvalue above the noise bound. Keep the stronger block and repeat.

    When ``local_links`` is given and the group has at most ``n_samples / 2``
    words, the links inside the group are re-estimated from the group's own
    correlations: with fewer words than periods the local problem is well
    posed and needs a much smaller penalty than the whole vocabulary, so
    indirect correlations that the global penalty left as links disappear.
    """
    while group.size >= 2 * min_size:
        c = corr[np.ix_(group, group)]
        if local_links is not None and group.size <= n_samples // 2:
            w = np.clip(np.asarray(local_links(c), dtype=float), 0.0, None)
        else:
            w = links[np.ix_(group, group)].copy()
        np.fill_diagonal(w, 0.0)
        # Links select the correlations that count; their partial
        # correlations weigh the cut between two sides.
        sub = np.where(w > 0, c, 0.0)
        np.fill_diagonal(sub, np.diag(c))
        vals, vecs = _top_eigs(sub, 2)
        # Parts of the group joined by a stray link barely share an
        # eigenvector: the leading one lives on the strongest part. Keep
        # that part before looking for a split inside it.
        v1 = vecs[:, 0]
        support = v1 >= split_threshold * v1.max()
        if min_size <= support.sum() < group.size:
            group = group[support]
            continue
        if vals.size < 2 or vals[1] <= mp_bound(group.size, n_samples):
            break
        v2 = vecs[:, 1]
        scale = np.abs(v2).max()
        pos = v2 >= split_threshold * scale
        neg = v2 <= -split_threshold * scale
        if pos.sum() < min_size or neg.sum() < min_size:
            break
        cut = w[np.ix_(pos, neg)].sum()
        internal = min(w[np.ix_(pos, pos)].sum(), w[np.ix_(neg, neg)].sum()) / 2.0
        if internal <= 0 or cut > max_cut * internal:
            break
        if _same_factor(c, pos, neg, max_factor_corr):
            break
        side_vals = [_top_eigs(sub[np.ix_(side, side)], 1)[0][0] for side in (pos, neg)]
        keep = pos if side_vals[0] >= side_vals[1] else neg
        group = group[keep]
    return group


def _rank_members(corr, adj, group, loading_threshold):
    """Rank a group's words by their loading on its leading component.

    The loadings come from the unmasked correlations: once the graph has said
    which words belong together, how central each is does not depend on how
    many links the lasso happened to keep.
    """
    vals, vecs = _top_eigs(corr[np.ix_(group, group)], 1)
    v = vecs[:, 0]
    core = int(np.argmax(v))
    keep = v >= loading_threshold * v[core]
    # The cluster is the kept words still linked to the core.
    kept = np.flatnonzero(keep)
    sub = adj[np.ix_(group[kept], group[kept])]
    _, labels = csgraph.connected_components(csr_matrix(sub), directed=False)
    core_pos = int(np.flatnonzero(kept == core)[0])
    kept = kept[labels == labels[core_pos]]
    return _ranked(corr, group[kept])


def _ranked(corr, members):
    """Members by decreasing loading on their own leading component.

    Returns the ordered members, their loadings and the leading eigenvalue.
    Ties go to the smaller index, so that the order is reproducible.
    """
    if members.size < 2:
        return members, np.ones(members.size), 1.0
    vals, vecs = _top_eigs(corr[np.ix_(members, members)], 1)
    loadings = vecs[:, 0]
    order = np.lexsort((members, -np.round(loadings, 12)))
    return members[order], loadings[order], float(vals[0])


def _shared_words(z, clusters, threshold):
    """Cluster members that still follow another cluster once their own is known.

    A word used for two events moves with both. For each member, take its
    cluster's signal without it (the mean of the other members' standardised
    series) and each other cluster's signal; when the member's partial
    correlation with another cluster's signal, given its own cluster's,
    reaches ``threshold``, the member describes neither event on its own and
    is taken out.
    """
    if len(clusters) < 2:
        return set()
    z = z - z.mean(axis=0)
    signals = np.column_stack([z[:, members].mean(axis=1) for members, _, _ in clusters])
    ss = (signals**2).sum(axis=0)
    shared = set()
    for c, (members, _, _) in enumerate(clusters):
        k = members.size
        if k < 2:
            continue
        x = z[:, members]
        own = (x.sum(axis=1, keepdims=True) - x) / (k - 1)
        # Partial correlations given one centred control, in closed form for
        # every member and every signal at once.
        oo = (own**2).sum(axis=0)
        xo = (x * own).sum(axis=0) / oo
        so = (own.T @ signals) / oo[:, None]
        xs = x.T @ signals
        num = xs - xo[:, None] * so * oo[:, None]
        var_x = (x**2).sum(axis=0) - xo**2 * oo
        var_s = ss[None, :] - so**2 * oo[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            partial = num / np.sqrt(var_x[:, None] * var_s)
        partial[:, c] = -np.inf
        partial = np.nan_to_num(partial, nan=-np.inf)
        for i, value in zip(members, partial.max(axis=1)):
            if value >= threshold:
                shared.add(int(i))
    return shared


class GLIPCA:
    """Graphical-lasso-guided iterative PCA for trend clustering.

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
        two sides' signals reaches this value.
    shared_threshold : float, default=0.65
        A member whose partial correlation with another cluster's signal,
        given its own cluster's signal, reaches this value is a shared word
        and is removed.
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
    """

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

    def get_params(self):
        """The constructor's parameters, by name, in signature order."""
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != "self"}

    def _validate(self, series):
        if isinstance(series, pd.DataFrame):
            words = [str(c) for c in series.columns]
            index = series.index
            values = series.to_numpy(dtype=float)
        else:
            values = np.asarray(series, dtype=float)
            if values.ndim != 2:
                raise ValueError(f"series must be 2-D (periods × words), got shape {values.shape}")
            words = [str(i) for i in range(values.shape[1])]
            index = pd.RangeIndex(values.shape[0])
        if values.ndim != 2 or values.shape[0] < 3:
            raise ValueError("series needs at least 3 periods")
        if values.shape[1] < 2:
            raise ValueError("series needs at least 2 words")
        if not np.all(np.isfinite(values)):
            raise ValueError("series contains NaN or infinite values")
        std = values.std(axis=0)
        if np.any(std <= 0):
            bad = [words[i] for i in np.flatnonzero(std <= 0)[:5]]
            raise ValueError(f"constant series cannot be clustered: {bad}")
        if len(set(words)) != len(words):
            raise ValueError("word labels must be unique")
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            if not (np.isscalar(self.alpha) and float(self.alpha) > 0):
                raise ValueError(f"alpha must be a positive number or 'auto', got {self.alpha!r}")
        return values, words, index

    def fit(self, series, y=None):
        """Find trend clusters in word series.

        Parameters
        ----------
        series : DataFrame or array of shape (n_periods, n_words)
            One column per word (e.g. candidate trend words' relative
            frequencies).

        Returns
        -------
        self
        """
        values, words, index = self._validate(series)
        n_samples = values.shape[0]
        z = (values - values.mean(axis=0)) / values.std(axis=0)
        corr = (z.T @ z) / n_samples
        corr = (corr + corr.T) / 2.0
        np.fill_diagonal(corr, 1.0)

        if isinstance(self.alpha, str):
            # The smallest penalty whose screening blocks have at most
            # 3 x n_periods words (docs/method.md, section 4); the solver's
            # fit at that penalty is returned with it.
            self.alpha_, self.alpha_info_, (self.covariance_, self.precision_) = select_alpha(
                corr, n_samples, criterion="block", tol=self.tol, max_iter=self.max_iter,
                return_estimates=True,
            )
        else:
            self.alpha_ = float(self.alpha)
            self.alpha_info_ = {"criterion": "fixed", "alpha": self.alpha_}
            self.covariance_, self.precision_ = graphical_lasso(
                corr, self.alpha_, tol=self.tol, max_iter=self.max_iter
            )
        partial = partial_correlation(self.precision_)
        # Tiny partial correlations are solver round-off, not links.
        partial[np.abs(partial) < 1e-8] = 0.0
        self.partial_correlation_ = partial
        self.correlation_ = corr
        self.words_ = words

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
        )
        shared = _shared_words(z, found, self.shared_threshold)
        clusters = []
        for members, _, _ in found:
            members = np.array([i for i in members if int(i) not in shared], dtype=int)
            if members.size < self.min_cluster_size:
                continue
            clusters.append(self._describe(members, corr, z, index))
        clusters.sort(key=lambda c: (c.peak, -c.eigenvalue, c.words[0]))
        self.clusters_ = clusters
        self.shared_words_ = sorted(words[i] for i in shared)
        self.labels_ = np.full(len(words), -1, dtype=int)
        position = {w: i for i, w in enumerate(words)}
        for c, cluster in enumerate(clusters):
            self.labels_[[position[w] for w in cluster.words]] = c
        self.graph_ = self._graph(words, partial)
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
        members, loadings, eigenvalue = _ranked(corr, members)
        # Representative signal: loading-weighted mean of standardised series.
        signal = z[:, members] @ (loadings / loadings.sum())
        peak = index[int(np.argmax(signal))]
        return TrendCluster(
            words=[self.words_[i] for i in members],
            loadings=[float(x) for x in loadings],
            eigenvalue=eigenvalue,
            peak=peak,
            signal=signal,
        )

    @staticmethod
    def _graph(words, partial):
        graph = nx.Graph()
        graph.add_nodes_from(words)
        rows, cols = np.nonzero(np.triu(partial, k=1))
        graph.add_weighted_edges_from(
            (words[i], words[j], float(partial[i, j])) for i, j in zip(rows, cols)
        )
        return graph

    def cluster_graph(self, index):
        """The direct-correlation subgraph of one cluster's words."""
        return self.graph_.subgraph(self.clusters_[index].words).copy()
