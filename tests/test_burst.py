"""Candidates by burst: the pre-screen, the vocabulary, the graph-size limit,
and the planted one-word trends and story facets they are tested on."""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from glipca.counting.counts import WordCounts
from glipca.counting.options import count_options
from glipca.counting.stage import count_posts
from glipca.datasets import make_trend_corpus, make_trend_series
from glipca.datasets.oneword import tail_words
from glipca.model.options import ModelOptions
from glipca.model.series import SinglePeakTest, burst_words, relative_frequency
from glipca.model.trends import find_trends, strength, strongest
from glipca.model.word_series import word_series


def _random_frame(rng, n_periods=61, n_words=400, hourly=False):
    """Series of every shape the test meets: noise at many volumes, rare
    words, spikes, bumps, several peaks, drifts, masked periods."""
    t = np.arange(n_periods)
    posts = rng.integers(800, 3000, n_periods).astype(float)
    if hourly:
        posts *= 0.2 + np.sin(np.pi * (t % 24) / 24) ** 2
    rate = np.exp(rng.uniform(np.log(1e-5), np.log(0.05), n_words))[None, :] * np.ones((n_periods, 1))
    kind = rng.integers(0, 5, n_words)
    for j in np.flatnonzero(kind == 1):  # a bump
        rate[:, j] *= 1 + rng.uniform(1, 40) * np.exp(-(t - rng.integers(n_periods)) ** 2
                                                      / (2 * rng.uniform(0.5, 6) ** 2))
    for j in np.flatnonzero(kind == 2):  # two bumps
        for _ in range(2):
            rate[:, j] *= 1 + rng.uniform(2, 20) * np.exp(-(t - rng.integers(n_periods)) ** 2 / 4)
    for j in np.flatnonzero(kind == 3):  # a drift
        rate[:, j] *= np.linspace(1, rng.uniform(0.2, 5), n_periods)
    counts = rng.binomial(posts.astype(int)[:, None], np.minimum(rate, 1))
    periods = pd.date_range("2020-01-01", periods=n_periods, freq="h" if hourly else "D", tz="UTC")
    if not hourly:
        posts[rng.choice(n_periods, 3, replace=False)] = 5  # masked periods
    wc = WordCounts(sp.csr_matrix(counts), [f"w{j:04d}" for j in range(n_words)], periods,
                    posts.astype(np.int64), freq="h" if hourly else "D")
    return relative_frequency(wc, min_count=1, min_periods=1)


@pytest.mark.parametrize("hourly", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_prescreen_is_necessary_on_random_series(seed, hourly):
    rng = np.random.default_rng(seed)
    frame = _random_frame(rng, n_periods=120 if hourly else 61, hourly=hourly)
    for test in (SinglePeakTest(), SinglePeakTest(min_z=3.0), SinglePeakTest(min_z=12.0, smooth=False),
                 SinglePeakTest(detrend=False)):
        passed = test(frame)["is_trend"].to_numpy(dtype=bool)
        could = test.could_pass(frame)
        # Every word the test passes passes the pre-screen...
        assert not np.any(passed & ~could), list(frame.columns[passed & ~could])
        tests = test(frame)
        weak = tests["reason"].isin(["flat", "weak_peak"]).to_numpy()
        assert passed.any() and weak.any()
        if not hourly:
            # With one noise level for all periods the bound is the test's
            # own z: the pre-screen rules out exactly the weak peaks.
            assert np.array_equal(could, ~weak)


def test_prescreen_is_necessary_on_planted_series():
    for seed in range(3):
        s = make_trend_series(30, n_close_pairs=2, n_shared=2, n_noise=60, n_duplicates=3,
                              weekly=0.3 * seed, seed=seed)
        test = SinglePeakTest()
        passed = test(s.frame)["is_trend"].to_numpy(dtype=bool)
        assert passed.sum() >= 20
        assert not np.any(passed & ~test.could_pass(s.frame))


def test_burst_words_in_chunks_equal_one_chunk():
    frame = _random_frame(np.random.default_rng(7), n_words=300)
    counts = np.round(frame.to_numpy() * np.asarray(frame.attrs["posts"])[:, None]).astype(np.int64)
    wc = WordCounts(sp.csr_matrix(counts), list(frame.columns), frame.index,
                    np.asarray(frame.attrs["posts"]), freq="D")
    masked = np.asarray(frame.attrs["masked"])
    test = SinglePeakTest()
    one, rec = burst_words(wc, np.arange(10), masked, 5, test.could_pass)
    many, _ = burst_words(wc, np.arange(10), masked, 5, test.could_pass, chunk=17)
    assert np.array_equal(one, many)
    # Only words outside those kept, with a period of 5 posts or more.
    peak = counts[~masked].max(axis=0)
    assert rec["bursts"] == int(np.sum(peak[10:] >= 5)) > rec["prescreened"] == len(one) > 0
    assert one.min() >= 10 and np.all(peak[one] >= 5)


def test_options_validate_burst_fields():
    assert ModelOptions().bursts and not ModelOptions(cooccurrence=False).bursts
    assert not ModelOptions(min_peak_count=None).bursts
    for bad in (dict(min_peak_count=0), dict(min_peak_count=2.5), dict(min_peak_count=True),
                dict(max_trends=1)):
        with pytest.raises(ValueError, match=next(iter(bad))):
            ModelOptions(**bad)


# -- planted truth ---------------------------------------------------------

def _count(corpus):
    return count_posts(corpus.posts, count_options(lang=corpus.lang), jobs=1)


def _rank(counted, word):
    """Rank of ``word`` by volume over the whole window (0: most frequent)."""
    counts = counted.counts
    total = counts.total()
    words = np.asarray(counts.words, dtype=object)
    order = np.lexsort((words, -total))
    return int(np.flatnonzero(words[order] == word)[0])


@pytest.fixture(scope="module")
def rare():
    """A rare bursty word below the 300th word by volume, 300 posts on its day."""
    corpus = make_trend_corpus(lang="en", n_days=30, posts_per_day=(1500, 1800), n_trends=4,
                               n_close_pairs=1, n_background=150, rare_burst=300, n_tail=400,
                               hashtag=200, seed=3)
    return corpus, _count(corpus)


def test_rare_bursty_word_is_found_below_the_volume_cut(rare):
    corpus, counted = rare
    word = next(o for o in corpus.one_word if o["kind"] == "rare")
    w, day = word["word"], word["peak"]
    on_day = corpus.posts.created_at.str[:10] == day
    assert corpus.posts.text[on_day].str.contains(rf"\b{w}\b", case=False).sum() >= 300
    options = ModelOptions(max_words=300)
    assert _rank(counted, w) > 400
    # By volume alone it is cut before the test...
    old = word_series(counted, options.replace(min_peak_count=None))
    assert w not in old.frequencies.columns
    # ...by burst it is tested, passes, and is a candidate.
    trends = find_trends(word_series(counted, options), options)
    assert trends.tests.loc[w, "is_trend"] and w in trends.words
    assert str(trends.tests.loc[w, "peak"].date()) == day
    # On the planted posts too, every word of the window that passes the
    # test passes the pre-screen.
    every = relative_frequency(counted.counts)
    test = options.peak_test
    assert not np.any(test(every)["is_trend"].to_numpy(dtype=bool) & ~test.could_pass(every))
    vocabulary = trends.series.frequencies.attrs["vocabulary"]
    assert vocabulary["by_volume"] == 300
    assert vocabulary["tested"] == 300 + vocabulary["prescreened"] == len(trends.tests)


def test_hashtag_burst_reaches_the_candidates(rare):
    corpus, counted = rare
    tag = next(o for o in corpus.one_word if o["kind"] == "hashtag")
    options = ModelOptions(max_words=300)
    trends = find_trends(word_series(counted, options), options)
    assert trends.tests.loc[tag["word"], "is_trend"] and tag["word"] in trends.words
    # Its posts' other words do not peak with it: no other candidate word
    # is in a tenth of its posts.
    posts = corpus.posts.text[corpus.posts.text.str.contains(rf"\b{tag['word']}\b", case=False)]
    assert len(posts) >= 300
    others = [w for w in trends.words if w != tag["word"]]
    share = {w: posts.str.contains(rf"\b{w}\b", case=False).mean() for w in others}
    assert max(share.values()) < 0.1
    # Its planted truth is a story of one word.
    story = corpus.stories[corpus.story_of(tag["word"])]
    assert story["words"] == [tag["word"]] and story["trends"] == []


def test_series_only_method_keeps_the_volume_vocabulary(rare):
    _, counted = rare
    options = ModelOptions(max_words=300, cooccurrence=False)
    series = word_series(counted, options)
    expected = relative_frequency(counted.counts, max_words=300)
    assert list(series.frequencies.columns) == list(expected.columns)
    assert "vocabulary" not in series.frequencies.attrs


def test_graph_size_limit_keeps_the_strongest(rare):
    _, counted = rare
    options = ModelOptions(max_words=300)
    series = word_series(counted, options)
    full = find_trends(series, options)
    n = len(full.words)
    cut = find_trends(series, options.replace(max_trends=n // 2))
    assert len(cut.words) == n // 2 and set(cut.words) < set(full.words)
    score = pd.Series(strength(full.tests, series.frequencies), index=full.tests.index)
    assert score[cut.words].min() >= score[sorted(set(full.words) - set(cut.words))].max()
    # The same cut on the words in another order.
    shuffled = full.tests.iloc[::-1]
    keep = strongest(shuffled, series.frequencies[shuffled.index], n // 2)
    assert sorted(shuffled.index[keep]) == sorted(cut.words)


def test_strength_bounds_the_ceiling_of_rare_words():
    frame = _random_frame(np.random.default_rng(3))
    tests = SinglePeakTest()(frame)
    score = strength(tests, frame)
    z = tests["z"].to_numpy()
    assert np.all(score <= z + 1e-9)
    # Words with no period-to-period noise reach the test's ceiling; their
    # strength is that of their posts instead.
    ceiling = z >= 999
    assert ceiling.any() and np.all(score[ceiling] < 999)


# -- the planted stories ---------------------------------------------------

@pytest.fixture(scope="module")
def facets():
    return make_trend_corpus(lang="en", seed=4, posts_per_day=(600, 900), facets=3, same_day=2)


def _tokens(text):
    return set(re.findall("[a-z]+", text.lower()))


def test_facets_tell_one_story_with_some_mixed_posts(facets):
    ids = facets.facets
    assert len(ids) == 3
    facet = [t for t in facets.trends if t["id"] in ids]
    assert max(t["peak_day"] for t in facet) - min(t["peak_day"] for t in facet) <= 1
    groups = [set(t["words"]) for t in facet]
    toks = [_tokens(x) for x in facets.posts.text]
    touched = [[bool(s & g) for g in groups] for s in toks]
    about = [sum(t) for t in touched if any(t)]
    mixed = sum(n >= 2 for n in about) / len(about)
    assert 0.05 <= mixed <= 0.15
    # One story of three trends; the same-day trends are two stories.
    stories = facets.stories
    assert sum(sorted(s["trends"]) == sorted(ids) for s in stories) == 1
    for k in facets.same_day:
        assert [k] in [s["trends"] for s in stories]
    assert len(stories) == len(facets.trends) - 2


def test_new_options_keep_the_base_corpus():
    small = dict(lang="en", seed=2, posts_per_day=(300, 500), same_day=2, n_burst=5)
    base = make_trend_corpus(**small)
    more = make_trend_corpus(**small, facets=3, hashtag=100, rare_burst=80)
    assert [t for t in more.trends if t["id"] < len(base.trends)] == base.trends
    assert more.burst_day == base.burst_day and more.burst_words == base.burst_words
    assert more.posts.created_at.str[:10].tolist() == base.posts.created_at.str[:10].tolist()
    assert set(base.truth) < set(more.truth)
    assert base.params == make_trend_corpus(**small, facets=0, hashtag=0).params


def test_tail_words_are_distinct_and_tokenised_back():
    words = tail_words(500, exclude=["kabemo"])
    assert len(set(words)) == 500 and "kabemo" not in words
    with pytest.raises(ValueError, match="English"):
        make_trend_corpus(lang="ja", n_tail=10, rare_burst=50)


def test_cli_flags_turn_burst_candidates_off_and_limit_the_graph(tmp_path):
    import json

    from click.testing import CliRunner

    from glipca.cli import main

    corpus = make_trend_corpus(lang="en", n_days=30, posts_per_day=(800, 1000), n_trends=4,
                               n_close_pairs=1, hashtag=120, seed=5)
    path = corpus.write_jsonl(tmp_path / "posts.jsonl")
    docs = {}
    for name, flags in (("default", []), ("off", ["--min-peak-count", "0"]),
                        ("small", ["--max-words", "150", "--min-peak-count", "10", "--max-trends", "5"])):
        out = tmp_path / name
        result = CliRunner().invoke(main, ["analyse", str(path), "--out", str(out), "--lang", "en",
                                             "-q", "--no-plots", "--resamples", "0", *flags])
        assert result.exit_code == 0, result.output
        docs[name] = json.loads((out / "clusters.json").read_text())
    assert docs["default"]["params"]["min_peak_count"] == 20
    assert "min_peak_count" not in docs["off"]["params"]
    assert "tested_words" not in docs["off"]["summary"]
    small = docs["small"]["summary"]
    assert small["candidate_words"] == 5 < small["tested_words"]["passed"]
    assert small["tested_words"]["by_volume"] == 150 < small["tested_words"]["tested"]
