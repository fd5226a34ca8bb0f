import networkx as nx
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from glipca.datasets import make_trend_series
from glipca.model.cluster import GLIPCA, iterative_pca, mp_bound
from glipca.model.cluster.shared import shared_words
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


def _shared_from_series(z, clusters, threshold):
    """Shared words by the definition: residuals of the series themselves."""
    signals = np.column_stack([z[:, m].mean(axis=1) for m, _, _ in clusters])
    shared = set()
    for c, (members, _, _) in enumerate(clusters):
        for i in members:
            own = z[:, [j for j in members if j != i]].mean(axis=1)

            def residual(y):
                return y - own * (own @ y) / (own @ own)

            rx = residual(z[:, i])
            for d in range(len(clusters)):
                rs = residual(signals[:, d])
                if d != c and rx @ rs / np.sqrt((rx @ rx) * (rs @ rs)) >= threshold:
                    shared.add(int(i))
    return shared


@pytest.mark.parametrize("seed", [0, 1])
def test_shared_words_from_correlations_match_the_series_definition(seed):
    rng = np.random.default_rng(seed)
    n, bumps = 200, rng.normal(size=(200, 3))
    # Three groups of four words, two words that follow two groups at once.
    x = np.column_stack([bumps[:, k] + 0.6 * rng.normal(size=n) for k in range(3) for _ in range(4)]
                        + [bumps[:, 0] + bumps[:, 1] + 0.6 * rng.normal(size=n),
                           bumps[:, 1] + bumps[:, 2] + 0.6 * rng.normal(size=n)])
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    corr = z.T @ z / n
    clusters = [(np.array([0, 1, 2, 3, 12]), None, None), (np.array([4, 5, 6, 7, 13]), None, None),
                (np.array([8, 9, 10, 11]), None, None)]
    for threshold in (0.2, 0.3, 0.5):
        expected = _shared_from_series(z, clusters, threshold)
        assert shared_words(corr, clusters, threshold) == expected
    assert {12, 13} <= shared_words(corr, clusters, 0.3)


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
    pairs = [({f"t{a}w{j}" for j in range(5)}, {f"t{b}w{j}" for j in range(5)})
             for a, b in make_trend_series(30, n_close_pairs=2, seed=0).close_pairs]
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
        (np.zeros((2, 3)), "minimum of 3"),
        (np.arange(61.0)[:, None], "minimum of 2"),
    ],
)
def test_input_validation(bad, message):
    with pytest.raises(ValueError, match=message):
        GLIPCA().fit(bad)


@pytest.mark.parametrize(
    "params",
    [{"alpha": -1}, {"alpha": 0}, {"alpha": "ebic"}, {"min_cluster_size": 1},
     {"loading_threshold": 1.5}, {"tol": 0}, {"max_iter": 0}, {"local_refit": "yes"}],
)
def test_bad_parameters_are_refused_by_fit(params):
    name = next(iter(params))
    model = GLIPCA(**params)  # the constructor only stores
    with pytest.raises(ValueError, match=f"'{name}' parameter of GLIPCA"):
        model.fit(np.random.default_rng(0).normal(size=(61, 4)))


def test_clone_and_params_round_trip():
    model = GLIPCA(alpha=0.4, max_cut=0.2)
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert copy.get_params()["alpha"] == 0.4 and copy.get_params(deep=True)["max_cut"] == 0.2
    # Signature order: the params record of the results keeps its order.
    assert list(model.get_params())[:3] == ["alpha", "ebic_gamma", "min_cluster_size"]
    assert model.set_params(alpha="auto", tol=1e-5) is model
    assert model.alpha == "auto" and model.tol == 1e-5
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(penalty=1.0)


def test_labels_are_per_column_not_per_row():
    # Why scikit-learn's clusterer checks do not apply (see below): GLIPCA
    # clusters the columns (words) of its input, not its rows (periods).
    candidates, _, _ = _candidates(0)
    model = GLIPCA().fit(candidates.to_numpy())
    assert candidates.shape[0] != candidates.shape[1]
    assert model.labels_.shape == (candidates.shape[1],) and model.n_features_in_ == candidates.shape[1]
    assert not hasattr(model, "predict") and not hasattr(model, "fit_predict")


@parametrize_with_checks([GLIPCA()])
def test_sklearn_estimator_checks(estimator, check):
    """scikit-learn's estimator checks that apply to GLIPCA; all of them pass.

    Not applicable, hence not run or vacuous:

    - the clusterer checks (``check_clustering``,
      ``check_clusterer_compute_labels_predict``): they require one label per
      *row* and ``fit_predict``; GLIPCA clusters columns (see the test
      above), so it is a plain ``BaseEstimator`` without ``ClusterMixin``;
    - the checks of ``predict``, ``transform`` and ``score`` (for example
      ``check_methods_sample_order_invariance``, ``check_fit2d_predict1d``,
      ``check_pipeline_consistency``, the output half of
      ``check_fit_idempotent``): they run but find no such method;
    - ``check_array_api_input``: skipped by scikit-learn unless
      ``SCIPY_ARRAY_API`` is set; GLIPCA works on NumPy arrays only.
    """
    check(estimator)


def test_sklearn_param_validation_check():
    # Not among the checks above for estimators outside scikit-learn: every
    # parameter is refused by fit when outside its declared constraints.
    check_param_validation("GLIPCA", GLIPCA())
