import numpy as np
import pytest

from glipca.model import stability
from glipca.model.stability import cluster_stability, settled

from .report_data import analysed_corpus  # noqa: F401  (session fixture)


def test_planted_trends_are_stable(analysed_corpus):  # noqa: F811
    corpus, result = analysed_corpus
    assert len(result.model.clusters_) == len(corpus.trends)
    # Computed by the pipeline with its defaults (20 resamples of 80 % of days).
    assert np.all(result.stability >= 0.9), result.stability


def test_clusters_forced_from_noise_are_not(analysed_corpus):  # noqa: F811
    corpus, result = analysed_corpus
    background = [w for w in corpus.background_words if w in result.all_series.columns][:24]
    # Clusters made by hand from background words: what a permissive
    # setting would force out of noise.
    noise = [background[i:i + 4] for i in range(0, 24, 4)]
    planted = [c.words for c in result.model.clusters_]
    series = result.all_series[[w for c in planted + noise for w in c]]
    scores = cluster_stability(series, planted + noise, alpha=result.model.alpha_,
                               n_resamples=10, glipca_params=result.model.get_params())
    assert np.all(scores[:len(planted)] >= 0.9), scores
    assert np.all(scores[len(planted):] <= 0.3), scores


def test_scores_are_deterministic_given_a_seed(analysed_corpus):  # noqa: F811
    _, result = analysed_corpus
    args = (result.series, result.model.clusters_)
    kwargs = dict(alpha=result.model.alpha_, n_resamples=3)
    first = cluster_stability(*args, seed=1, **kwargs)
    assert np.array_equal(first, cluster_stability(*args, seed=1, **kwargs))
    assert first.shape == (len(result.model.clusters_),)
    assert np.all((first >= 0) & (first <= 1))


def test_no_clusters_and_bad_arguments(analysed_corpus):  # noqa: F811
    _, result = analysed_corpus
    assert cluster_stability(result.series, [], alpha=0.3).shape == (0,)
    with pytest.raises(ValueError, match="fraction"):
        cluster_stability(result.series, [["a", "b"]], alpha=0.3, fraction=0)
    with pytest.raises(ValueError, match="n_resamples"):
        cluster_stability(result.series, [["a", "b"]], alpha=0.3, n_resamples=0)


#: Scores of the shared planted corpus's clusters before the resamples could
#: stop early or run in parallel (20 resamples, one process).
BEFORE = [1.0, 1.0, 1.0, 1.0, 0.95]


def test_scores_stay_within_the_tolerance_of_all_resamples(analysed_corpus):  # noqa: F811
    _, result = analysed_corpus
    # The pipeline's defaults: at most 20 resamples, stopped once settled.
    assert result.n_resamples_run < 20
    assert np.all(np.abs(result.stability - BEFORE) <= 0.05 + 1e-9), result.stability
    full, n_run = cluster_stability(result.series, result.model.clusters_, alpha=result.model.alpha_,
                                    glipca_params=result.model.get_params(), tolerance=0,
                                    return_n_resamples=True)
    assert n_run == 20 and np.array_equal(full, BEFORE)


def test_workers_give_the_same_scores(analysed_corpus, monkeypatch):  # noqa: F811
    _, result = analysed_corpus
    args = (result.series, result.model.clusters_)
    kwargs = dict(alpha=result.model.alpha_, n_resamples=10, tolerance=0, seed=2,
                  glipca_params=result.model.get_params())
    alone = cluster_stability(*args, jobs=1, **kwargs)
    # Start the workers however fast the resamples are.
    monkeypatch.setattr(stability, "POOL_MIN_SECONDS", 0.0)
    assert np.array_equal(cluster_stability(*args, jobs=2, **kwargs), alone)


@pytest.mark.parametrize("rate", [0.05, 0.1, 0.5, 0.9, 1.0])
def test_early_scores_are_within_the_tolerance_of_the_full_count(rate):
    # Simulated resample outcomes: stopping where the rule says, the score
    # is within 0.05 of all 20 resamples' score about 95 % of the time.
    rng = np.random.default_rng(int(rate * 100))
    within, runs = 0, []
    for _ in range(2000):
        outcomes = rng.random(20) < rate
        for n in range(1, 21):
            if settled(int(outcomes[:n].sum()), n, 20, 0.05):
                break
        within += abs(outcomes[:n].mean() - outcomes.mean()) <= 0.05 + 1e-12
        runs.append(n)
    assert within / 2000 >= 0.93
    if rate in (0.0, 1.0):
        assert max(runs) < 20  # unanimous resamples stop early


def test_settled_rule():
    assert settled(20, 20, 20, 0.05) and settled(0, 20, 20, 0.0)
    assert not settled(5, 5, 20, 0.0)  # tolerance 0: every resample runs
    assert settled(13, 13, 20, 0.05) and not settled(12, 12, 20, 0.05)
    assert not settled(9, 18, 20, 0.01) and settled(9, 18, 20, 0.05)
