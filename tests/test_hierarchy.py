import numpy as np
import pytest

from glipca.model.hierarchy import ClusterHierarchy, cluster_hierarchy

from .report_data import analysed_corpus  # noqa: F401  (session fixture)


def _planted_trend(words, corpus):
    labels = [corpus.label_of(w) for w in words]
    return max(set(labels), key=labels.count)


def test_close_pairs_are_siblings(analysed_corpus):  # noqa: F811
    corpus, result = analysed_corpus
    assert len(corpus.close_pairs) == 2
    trend_of = {_planted_trend(c.words, corpus): k for k, c in enumerate(result.model.clusters_)}
    h = result.hierarchy
    # A merge of two leaves (indices below n) is a pair of siblings, joined
    # before either meets anything else.
    n = len(h.labels)
    siblings = {frozenset((h.labels[int(a)], h.labels[int(b)]))
                for a, b, _, _ in h.linkage if a < n and b < n}
    for a, b in corpus.close_pairs:
        assert frozenset((trend_of[a], trend_of[b])) in siblings
        # ...and side by side in the dendrogram.
        assert abs(h.order.index(trend_of[a]) - h.order.index(trend_of[b])) == 1


def _signals(seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(60)
    bumps = [np.exp(-0.5 * ((t - p) / 2.0) ** 2) for p in (10, 12, 40, 43, 25)]
    return np.column_stack([b + 0.05 * rng.standard_normal(t.size) for b in bumps])


def test_cut_groups_related_signals_and_levels_are_merge_heights():
    h = cluster_hierarchy(_signals(), labels=[10, 11, 12, 13, 14], threshold=0.5)
    assert sorted(map(sorted, h.groups)) == [[10, 11], [12, 13], [14]]
    assert sorted(h.order) == [10, 11, 12, 13, 14]
    assert h.levels == sorted(set(h.linkage[:, 2].tolist()))
    assert h.cut(h.levels[-1]) == [h.order]
    assert len(h.cut(-1.0)) == 5


def test_round_trip_through_a_dict():
    h = cluster_hierarchy(_signals())
    again = ClusterHierarchy.from_dict(h.to_dict())
    assert again.to_dict() == h.to_dict()
    assert again.cut(0.5) == h.cut(0.5)


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_clusters(n):
    h = cluster_hierarchy(np.ones((10, n)))
    assert h.linkage.shape == (0, 4)
    assert h.groups == ([[0]] if n else [])
    assert h.cut(0.5) == h.groups


def test_bad_labels_are_refused():
    with pytest.raises(ValueError, match="labels"):
        cluster_hierarchy(_signals(), labels=[1, 2])
