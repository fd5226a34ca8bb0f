import networkx as nx
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from glipca.model.cluster import GLIPCA, iterative_pca, mp_bound
from glipca.model.series import SinglePeakTest

from .conftest import factor_series


def _candidates(seed):
    frame, truth = factor_series(seed)
    tests = SinglePeakTest()(frame)
    return frame.loc[:, tests["is_trend"].to_numpy()], frame, truth


def _ari(model, frame, truth):
    label = {w: c for c, cl in enumerate(model.clusters_) for w in cl.words}
    words = list(frame.columns)
    return adjusted_rand_score([truth.get(w, -1) for w in words], [label.get(w, -1) for w in words])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_glipca_recovers_planted_trends_and_splits_close_pairs(seed):
    candidates, frame, truth = _candidates(seed)
    model = GLIPCA().fit(candidates)
    assert _ari(model, frame, truth) >= 0.95
    found = {frozenset(c.words) for c in model.clusters_}
    for k in range(6):
        trend = frozenset(w for w, t in truth.items() if t == k)
        # Every trend is one cluster of its own, close pairs included.
        assert any(len(trend & c) >= 0.8 * len(trend) and len(c - trend) <= 1 for c in found)
    clustered = {w for c in found for w in c}
    assert not any(w.startswith("noise") for w in clustered)


def test_shared_words_are_reported_not_clustered():
    candidates, _, _ = _candidates(0)
    model = GLIPCA().fit(candidates)
    clustered = {w for c in model.clusters_ for w in c.words}
    assert not {"shared0", "shared1"} & clustered
    assert set(model.shared_words_) <= {"shared0", "shared1"}


def test_plain_iterative_pca_merges_what_the_graph_keeps_apart():
    candidates, frame, truth = _candidates(0)
    z = (candidates - candidates.mean()) / candidates.std(ddof=0)
    corr = (z.T @ z).to_numpy() / len(z)
    everything = np.ones_like(corr, dtype=bool)
    plain = iterative_pca(corr, everything.astype(float), len(z))
    words = list(candidates.columns)
    merged = [
        {words[i] for i in members}
        for members, _, _ in plain
    ]
    # Without the graph, at least one close pair lands in one cluster.
    pairs = [({f"t0w{j}" for j in range(5)}, {f"t1w{j}" for j in range(5)}),
             ({f"t2w{j}" for j in range(5)}, {f"t3w{j}" for j in range(5)})]
    assert any(c & a and c & b for c in merged for a, b in pairs)


def test_fit_is_deterministic_and_exposes_fitted_state():
    candidates, _, _ = _candidates(1)
    a = GLIPCA().fit(candidates)
    b = GLIPCA().fit(candidates.copy())
    assert [c.words for c in a.clusters_] == [c.words for c in b.clusters_]
    assert [c.loadings for c in a.clusters_] == [c.loadings for c in b.clusters_]
    assert a.alpha_ > 0 and a.precision_.shape == (candidates.shape[1],) * 2
    assert isinstance(a.graph_, nx.Graph)
    assert set(a.graph_.nodes) == set(candidates.columns)
    u, v, w = next(iter(a.graph_.edges(data="weight")))
    i, j = a.words_.index(u), a.words_.index(v)
    assert w == pytest.approx(a.partial_correlation_[i, j])
    assert a.labels_.shape == (candidates.shape[1],)
    # Clusters come in order of their peak.
    peaks = [c.peak for c in a.clusters_]
    assert peaks == sorted(peaks)


def test_fixed_alpha_is_used():
    candidates, _, _ = _candidates(2)
    model = GLIPCA(alpha=0.3).fit(candidates)
    assert model.alpha_ == 0.3
    assert model.alpha_info_["criterion"] == "fixed"


def test_noise_alone_gives_no_cluster():
    rng = np.random.default_rng(3)
    noise = rng.normal(size=(61, 40))
    model = GLIPCA().fit(noise)
    assert model.clusters_ == []


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.ones((61, 3)), "constant"),
        (np.full((61, 3), np.nan), "NaN"),
        (np.zeros((2, 3)), "3 periods"),
        (np.arange(61.0)[:, None], "2 words"),
    ],
)
def test_input_validation(bad, message):
    with pytest.raises(ValueError, match=message):
        GLIPCA().fit(bad)


def test_bad_alpha():
    with pytest.raises(ValueError, match="alpha"):
        GLIPCA(alpha=-1).fit(np.random.default_rng(0).normal(size=(61, 4)))


def test_mp_bound():
    assert mp_bound(61, 61) == pytest.approx(4.0)
    assert mp_bound(2, 61) < mp_bound(20, 61)


@pytest.mark.parametrize("local_refit", [False, True])
@pytest.mark.parametrize("alpha", [0.1, 0.3, 0.6])
def test_close_pairs_are_split_whatever_the_global_penalty(alpha, local_refit):
    # At a large penalty the lasso graph approaches the thresholded
    # correlation graph and links the two events of a close pair.
    candidates, frame, truth = _candidates(0)
    model = GLIPCA(alpha=alpha, local_refit=local_refit).fit(candidates)
    label = {w: c for c, cl in enumerate(model.clusters_) for w in cl.words}
    for a, b in [(0, 1), (2, 3)]:
        la = {label.get(f"t{a}w{j}") for j in range(5)} - {None}
        lb = {label.get(f"t{b}w{j}") for j in range(5)} - {None}
        assert len(la) == 1 and len(lb) == 1 and la != lb

