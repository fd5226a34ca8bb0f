import numpy as np
import pytest

from glipca.model.stability import cluster_stability

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
