"""The iterative eigen-step of GLIPCA: extract clusters round by round.

Harakawa, Ito & Iwahashi, Sci. Rep. 12:5709 (2022): each round takes the group
of directly linked words (non-zero partial correlations of a graphical lasso)
with the largest eigenvalue, splits it where its words are only indirectly
correlated (:mod:`.split`), ranks its words by their loading on the leading
principal component, and removes them. Rounds stop when no linked group is
more correlated than independent series would be (:func:`.mp_bound`).
"""

import numpy as np
from scipy.sparse import csgraph, csr_matrix

from .spectral import mp_bound, ranked_by_loading, signal_of, top_eigenpairs
from .split import split_indirect

__all__ = ["iterative_pca", "refine_by_words"]


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
    refine=None,
    on_round=None,
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
    refine : callable, optional
        ``refine(members, loadings) -> list of index lists``: the groups of
        an accepted cluster to keep as clusters (each must still pass the
        size and significance tests); members in no kept group go back to
        the pool. Default: keep the cluster whole.
    on_round : callable, optional
        ``on_round(n_clusters)``, called after each round (for progress).

    Returns
    -------
    clusters : list of (indices, loadings, eigenvalue)
        Indices into ``corr`` ordered by decreasing loading.
    """
    corr, links, adj, graph = _link_graph(corr, links)
    remaining = np.ones(corr.shape[0], dtype=bool)
    clusters = []
    pool = _linked_groups(corr, adj, graph, np.arange(corr.shape[0]), min_size)
    while pool:
        comp, value = _pop_largest(pool)
        if value <= 1.0:
            # A linked group whose masked matrix has no eigenvalue above 1
            # has no positive correlation among its links: nothing to find.
            continue
        group = split_indirect(corr, links, comp, n_samples, min_size, split_threshold, max_cut,
                               local_links, max_factor_corr)
        clusters += _extract(corr, adj, group, remaining, n_samples, min_size, loading_threshold,
                             refine)
        # A round only changes the group it worked on: only that group's
        # components are recomputed.
        pool.update(_linked_groups(corr, adj, graph, comp[remaining[comp]], min_size))
        if on_round is not None:
            on_round(len(clusters))
    return clusters


def _link_graph(corr, links):
    """The correlations, the positive links off the diagonal, which words they
    link, and that as a graph."""
    corr = np.asarray(corr, dtype=float)
    links = np.clip(np.asarray(links, dtype=float), 0.0, None)
    np.fill_diagonal(links, 0.0)
    adj = links > 0
    return corr, links, adj, csr_matrix(adj)


def _linked_groups(corr, adj, graph, nodes, min_size):
    """The pool's entries for ``nodes``: each linked group (keyed by its first
    node) with its leading eigenvalue on the masked correlations."""
    return {comp[0]: (comp, _masked_eigenvalue(corr, adj, comp))
            for comp in _components(graph, nodes, min_size)}


def _pop_largest(pool):
    """Take the group with the largest eigenvalue out of the pool; ties to the
    group with the smallest index."""
    return pool.pop(min(pool, key=lambda k: (-pool[k][1], k)))


def _extract(corr, adj, group, remaining, n_samples, min_size, loading_threshold, refine):
    """The clusters one round finds in ``group``; their words (or the core
    word, when there are none) leave the pool, ``remaining``."""
    members, loadings, eigenvalue = _rank_members(corr, adj, group, loading_threshold)
    if members.size >= min_size and eigenvalue > mp_bound(members.size, n_samples):
        kept = _refined(corr, (members, loadings, eigenvalue), refine, min_size, n_samples)
        for found in kept:
            remaining[found[0]] = False
        if not kept:
            # No part of it holds together: the core leaves, as below.
            remaining[members[:1]] = False
        return kept
    # Nothing significant around this core: set it aside so the next
    # round looks elsewhere. Dropping only the core word keeps any
    # genuine cluster that shares its group.
    remaining[members[:1] if members.size else group[:1]] = False
    return []


def _refined(corr, cluster, refine, min_size, n_samples):
    """The parts of an accepted cluster that ``refine`` keeps, ranked, significant ones only."""
    if refine is None:
        return [cluster]
    kept = []
    for group in refine(cluster[0], cluster[1]):
        found = ranked_by_loading(corr, np.asarray(group, dtype=int))
        if found[0].size >= min_size and found[2] > mp_bound(found[0].size, n_samples):
            kept.append(found)
    return kept


def refine_by_words(split, words, z, proposals, left_out=None):
    """A ``refine`` for :func:`iterative_pca` from ``split(words, peak) -> groups of words``.

    ``z`` holds the standardised series (periods × words); ``peak`` is the
    position of the proposed cluster's signal's maximum. ``proposals`` is
    filled with the number of the proposal each group came from, keyed by
    the group's set of indices; ``left_out`` (a set), when given, with the
    indices of the members that ``split`` put in no group.
    """
    position = {w: i for i, w in enumerate(words)}

    def refine(members, loadings):
        peak = int(np.argmax(signal_of(z, members, loadings)))
        groups = [[position[w] for w in group] for group in split([words[i] for i in members], peak)]
        number = len(set(proposals.values()))
        proposals.update((frozenset(g), number) for g in groups)
        if left_out is not None:
            left_out.update(int(i) for i in members if all(int(i) not in g for g in groups))
        return groups

    return refine


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
    return float(top_eigenpairs(block, 1)[0][0])


def _rank_members(corr, adj, group, loading_threshold):
    """Rank a group's words by their loading on its leading component.

    The loadings come from the unmasked correlations: once the graph has said
    which words belong together, how central each is does not depend on how
    many links the lasso happened to keep.
    """
    vals, vecs = top_eigenpairs(corr[np.ix_(group, group)], 1)
    v = vecs[:, 0]
    core = int(np.argmax(v))
    keep = v >= loading_threshold * v[core]
    # The cluster is the kept words still linked to the core.
    kept = np.flatnonzero(keep)
    sub = adj[np.ix_(group[kept], group[kept])]
    _, labels = csgraph.connected_components(csr_matrix(sub), directed=False)
    core_pos = int(np.flatnonzero(kept == core)[0])
    kept = kept[labels == labels[core_pos]]
    return ranked_by_loading(corr, group[kept])
