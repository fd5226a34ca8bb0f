import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import chi2_contingency

from glipca.model.cluster import GLIPCA
from glipca.model.cooccurrence import (CooccurrenceSplit, association, coherence,
                                       cooccurrence_groups, log_likelihood_ratio, npmi,
                                       word_set_keys)

from .conftest import factor_series, post_windows


def test_npmi_by_hand():
    # 10 posts: a in 4, b in 5, both in 2; c in 1 and never with a.
    counts = np.array([[4, 2, 0], [2, 5, 1], [0, 1, 1]])
    got = npmi(counts, 10)
    p_ab = 0.2
    expected = math.log(p_ab / (0.4 * 0.5)) / -math.log(p_ab)
    assert got[0, 1] == pytest.approx(expected) == pytest.approx(0.0)
    p_bc = 0.1
    assert got[1, 2] == pytest.approx(math.log(p_bc / (0.5 * 0.1)) / -math.log(p_bc))
    assert got[0, 2] == -1.0  # never together
    assert np.allclose(np.diag(got), 1.0)
    # Always together, in every post: the top of the scale.
    assert npmi(np.array([[6, 6], [6, 6]]), 6)[0, 1] == 1.0


def test_log_likelihood_ratio_matches_scipy_g_test():
    counts = np.array([[30, 12], [12, 50]])
    n = 400
    table = [[12, 30 - 12], [50 - 12, n - 30 - 50 + 12]]
    g2, *_ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
    assert log_likelihood_ratio(counts, n)[0, 1] == pytest.approx(g2)
    # Fewer shared posts than chance: negative.
    assert log_likelihood_ratio(np.array([[100, 1], [1, 100]]), 400)[0, 1] < 0


def test_association_bar_rises_with_the_number_of_posts():
    # Two words in 40 posts each among 1,000 (1.6 shared posts expected).
    # Ten shared posts are far beyond chance; five would pass a test at the
    # 5 % level (G2 > 3.84) but not the bar of log(1000) = 6.9.
    assert association(np.array([[40, 10], [10, 40]]), 1_000)[0, 1]
    weak = np.array([[40, 5], [5, 40]])
    assert 3.84 < log_likelihood_ratio(weak, 1_000)[0, 1] < math.log(1_000)
    assert not association(weak, 1_000)[0, 1]
    # Ten shared posts among 200 are what chance gives (8 expected).
    assert not association(np.array([[40, 10], [10, 40]]), 200)[0, 1]
    # One shared post is never enough, however rare the words.
    assert not association(np.array([[1, 1], [1, 1]]), 10_000)[0, 1]


def test_average_linkage_does_not_chain():
    # a-b and b-c strongly associated, a-c never: not one group at 0.2;
    # d-e a separate pair; f alone.
    s = -np.ones((6, 6))
    np.fill_diagonal(s, 1.0)
    for i, j, v in [(0, 1, 0.8), (1, 2, 0.7), (3, 4, 0.6)]:
        s[i, j] = s[j, i] = v
    groups = cooccurrence_groups(s, 0.2)
    assert groups == [[0, 1], [3, 4]]
    # A looser bar lets the chain through: (0.7 + -1) / 2 < 0, so still not
    # at 0.0, but at -0.2 it is one group.
    assert cooccurrence_groups(s, -0.2)[0] == [0, 1, 2]


def _two_stories_and_a_burst(rng, n_background=3000):
    posts = []
    for _ in range(120):
        posts.append([w for w in ("castro", "fidel", "cuba", "death") if rng.random() < 0.6] or ["castro"])
    for _ in range(80):
        posts.append([w for w in ("recount", "stein", "jill") if rng.random() < 0.6] or ["recount"])
    # Burst: each word spikes in posts of its own.
    for w in ("apple", "lamp", "river", "cloud"):
        posts += [[w, f"filler{rng.integers(50)}"] for _ in range(40)]
    vocab = [f"filler{i}" for i in range(50)]
    posts += [list(rng.choice(vocab, 3)) for _ in range(n_background)]
    return posts


def test_split_separates_same_day_stories_and_drops_burst_words():
    posts = _two_stories_and_a_burst(np.random.default_rng(0))
    windows = post_windows(posts)
    words = ["castro", "recount", "fidel", "stein", "apple", "cuba", "lamp", "jill", "death",
             "river", "cloud"]
    groups = CooccurrenceSplit().split(windows, words, 0)
    assert groups == [["castro", "fidel", "cuba", "death"], ["recount", "stein", "jill"]]


def test_window_counts_only_posts_near_the_peak():
    posts = [["a", "b"]] * 5 + [["a"], ["b"]] * 5 + [["a", "b"]] * 7
    periods = np.array([0] * 5 + [1] * 10 + [5] * 7)
    windows = post_windows(posts, periods)
    n, counts = windows.counts(["a", "b", "zzz"], 1, 1)
    assert n == 15
    assert counts.tolist() == [[10, 5, 0], [5, 10, 0], [0, 0, 0]]
    assert windows.n_posts(5, 0) == 7


def test_coherence_by_hand():
    # Window of 8 posts: a in 4, b in 4, both in 2; c only with a, once.
    posts = [["a", "b"], ["a", "b"], ["a", "c"], ["a"], ["b"], ["b"], ["x"], ["x"]]
    windows = post_windows(posts)
    got, n_cooccur = coherence(windows, ["a", "b", "c"], 0)
    ab = math.log((2 / 8) / (0.5 * 0.5)) / -math.log(2 / 8)  # 0: independent
    ac = math.log((1 / 8) / (0.5 * 1 / 8)) / -math.log(1 / 8)
    bc = -1.0
    assert got == pytest.approx((ab + ac + bc) / 3)
    assert n_cooccur == 3
    # Only the first ``top`` words count.
    assert coherence(windows, ["a", "b", "c"], 0, top=2)[0] == pytest.approx(ab)


def test_glipca_without_split_is_unchanged_and_split_groups_are_kept():
    frame, truth = factor_series(0)
    plain = GLIPCA().fit(frame)
    again = GLIPCA().fit(frame, split=lambda words, peak: [list(words)])
    assert [c.words for c in again.clusters_] == [c.words for c in plain.clusters_]

    # A split that keeps only the first three words of each proposal: the
    # rest go back to the pool and may form clusters of their own.
    calls = []

    def first_three(words, peak):
        calls.append((tuple(words), peak))
        return [list(words[:3])] if len(words) >= 3 else []

    model = GLIPCA().fit(frame, split=first_three)
    assert calls and all(0 <= peak < len(frame) for _, peak in calls)
    assert all(c.size <= 3 for c in model.clusters_)
    proposed = {w for words, _ in calls for w in words[:3]}
    clustered = {w for c in model.clusters_ for w in c.words}
    assert clustered <= proposed
    # Left out: words the split put in no group, and in no cluster at the end.
    dropped = {w for words, _ in calls for w in (words[3:] if len(words) >= 3 else words)}
    assert model.left_out_ and set(model.left_out_) == dropped - clustered
    assert plain.left_out_ == []


@pytest.mark.parametrize("lang,seed", [("en", 2), ("ja", 3)])
def test_posts_separate_same_day_stories_and_drop_burst_words(lang, seed):
    from glipca.datasets import make_trend_corpus
    from glipca.evaluation import score_clusters
    from glipca.pipeline import run_analysis

    corpus = make_trend_corpus(lang=lang, seed=seed, n_trends=6, n_close_pairs=1,
                               posts_per_day=(800, 1200), same_day=3, n_burst=12)
    result = run_analysis(corpus.posts, lang=lang, n_resamples=0, n_posts=0, jobs=1)
    score = score_clusters(result.clusters, corpus)
    assert score["same_day_split"] and score["all_trends_recovered"]
    assert score["close_pairs_split"] == 1.0
    assert score["distractors_by_kind"]["burst"] == 0
    assert score["ari"] >= 0.95
    assert result.params["cooccurrence"]["window"] == 3
    assert all(s["coherence"] > 0.3 and s["n_posts_cooccur"] > 0 for s in result.stories)
    # The series alone cannot: same-day stories share a bump, and so do
    # the burst words.
    plain = GLIPCA(**result.model.get_params()).fit(result.series[result.model.words_])
    plain_score = score_clusters([c.words for c in plain.clusters_], corpus)
    assert not plain_score["same_day_split"]
    assert plain_score["distractors_by_kind"]["burst"] >= 6


def test_copies_of_one_post_count_once():
    posts = [["a", "b"]] * 30 + [["a", "b", f"w{i}"] for i in range(4)] + [["a"]] * 5
    assert post_windows(posts, copies=True).n_distinct(["a", "b"], 0, 0) == 5
    assert post_windows(posts).n_distinct(["a", "b"], 0, 0) == 34
    keys = word_set_keys(sp.csr_matrix([[1, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]]))
    assert (keys[0] == keys[1]).all() and len(np.unique(keys, axis=0)) == 3


def test_split_drops_a_group_that_copies_of_one_post_tell():
    rng = np.random.default_rng(1)
    # "castro fidel" in 40 different posts; "album listen" in 40 copies of
    # one line (one account posting it again and again).
    posts = ([["castro", "fidel", f"w{i}"] for i in range(40)] + [["album", "listen", "new"]] * 40
             + [[f"w{rng.integers(200)}", f"v{rng.integers(50)}"] for _ in range(2000)])
    words = ["castro", "album", "fidel", "listen"]
    assert CooccurrenceSplit().split(post_windows(posts), words, 0) == [["castro", "fidel"],
                                                                  ["album", "listen"]]
    assert CooccurrenceSplit().split(post_windows(posts, copies=True), words, 0) == [
        ["castro", "fidel"]]
    # Four different posts are not enough for the default min_posts = 5.
    few = posts[:4] + posts[40:]
    assert CooccurrenceSplit().split(post_windows(few, copies=True), words, 0) == []
    assert CooccurrenceSplit(min_posts=4).split(post_windows(few, copies=True), words, 0) == [
        ["castro", "fidel"]]
