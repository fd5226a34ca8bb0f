import json

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from glipca.datasets import PlantedCorpus
from glipca.evaluation import score_clusters

A = ["a1", "a2", "a3", "a4"]
B = ["b1", "b2", "b3", "b4"]
C = ["c1", "c2", "c3", "c4"]


def toy_corpus(close_pairs=((0, 1),)):
    trends = [{"id": k, "peak": "2020-03-10", "sigma": 2.0, "words": w}
              for k, w in enumerate([A, B, C])]
    return PlantedCorpus(
        posts=pd.DataFrame(columns=["id", "created_at", "text"]), lang="en",
        trends=trends, close_pairs=list(close_pairs), shared_words=["s1"],
        seasonal_words=["z1"], drifting_words=["d1"],
        background_words=["g1", "g2"],
        truth={w: k for k, ws in enumerate([A, B, C]) for w in ws})


@pytest.fixture
def corpus():
    return toy_corpus()


def test_perfect_clusters(corpus):
    s = score_clusters([A, B, C], corpus)
    assert s["ari"] == 1.0 and s["purity"] == 1.0
    assert s["n_clusters"] == 3 and s["n_trends"] == 3
    assert s["trends_recovered"] == 3 and s["all_trends_recovered"]
    assert s["recovered"] == [0, 1, 2]
    assert s["close_pairs_split"] == 1.0
    assert s["distractors_in_clusters"] == 0
    assert s["trend_words_unclustered"] == 0
    assert s["n_words_scored"] == 15  # 12 trend words and 3 distractors
    json.dumps(s)


def test_merged_close_pair(corpus):
    s = score_clusters([A + B[:3], C], corpus)
    assert s["recovered"] == [0, 2]
    assert not s["all_trends_recovered"]
    assert s["close_pairs_split"] == 0.0
    assert s["purity"] == pytest.approx(8 / 11)
    assert s["trend_words_unclustered"] == 1
    assert s["ari"] < 1


def test_tie_has_no_majority(corpus):
    s = score_clusters([A + B, C], corpus)
    assert s["recovered"] == [2]
    assert s["purity"] == pytest.approx(8 / 12)


def test_distractors_counted_by_kind_and_in_ari(corpus):
    clusters = [A + ["s1", "z1"], B + ["g2"], C + ["notplanted"]]
    s = score_clusters(clusters, corpus)
    assert s["distractors_in_clusters"] == 4
    assert s["distractors_by_kind"] == {
        "shared": 1, "seasonal": 1, "drifting": 0, "burst": 0, "background": 1,
        "unplanted": 1}
    # Scored words: all trend words and distractors, and the background
    # words in clusters; the word that was never planted is left out.
    words = A + B + C + ["s1", "z1", "d1", "g2"]
    truth = [0] * 4 + [1] * 4 + [2] * 4 + [-1, -1, -1, -1]
    pred = [0] * 4 + [1] * 4 + [2] * 4 + [0, 0, -1, 1]
    assert s["n_words_scored"] == len(words)
    assert s["ari"] == pytest.approx(adjusted_rand_score(truth, pred))
    assert s["purity"] == pytest.approx(12 / 16)
    assert s["trends_recovered"] == 3


def test_unclustered_distractors_agree_with_truth(corpus):
    assert score_clusters([A, B, C], corpus)["ari"] == 1.0
    # Background words count only once clustered.
    assert score_clusters([A, B, C], corpus)["n_words_scored"] == 15
    # A cluster made only of distractors costs ARI but no recovered trend.
    s = score_clusters([A, B, C, ["s1", "d1"]], corpus)
    assert s["ari"] < 1 and s["trends_recovered"] == 3
    assert s["distractors_by_kind"]["drifting"] == 1


def test_half_of_the_words_is_enough(corpus):
    assert score_clusters([A[:2], B, C], corpus)["recovered"] == [0, 1, 2]
    assert score_clusters([A[:1] + ["s1"], B, C], corpus)["recovered"] == [1, 2]


def test_trend_split_over_two_clusters_is_not_recovered(corpus):
    s = score_clusters([A[:2], A[2:], B, C], corpus)
    assert s["recovered"] == [1, 2]
    assert s["close_pairs_split"] == 0.0


def test_order_of_clusters_and_words_does_not_matter(corpus):
    a = score_clusters([A, B[::-1], C + ["s1"]], corpus)
    b = score_clusters([C[::-1] + ["s1"], A, B], corpus)
    assert a == b


def test_no_clusters(corpus):
    s = score_clusters([[], []], corpus)
    assert s["n_clusters"] == 0 and s["purity"] == 0.0
    assert s["ari"] == 0.0 and s["trends_recovered"] == 0
    assert s["trend_words_unclustered"] == 12


def test_no_close_pairs():
    s = score_clusters([A, B, C], toy_corpus(close_pairs=()))
    assert s["close_pairs_split"] is None
    json.dumps(s)


def test_word_in_two_clusters_is_an_error(corpus):
    with pytest.raises(ValueError, match="a1"):
        score_clusters([A, ["a1", "b1"]], corpus)
