"""Stories: clusters grouped by their posts, lone trend words, descriptive words, stability."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from glipca.model.cooccurrence import CooccurrenceSplit
from glipca.model.stability import PostsRoute, draw_samples, kept_posts
from glipca.model.story_groups import (contains_one_another, group_clusters, group_stories,
                                       posts_similarity)

from .conftest import post_windows


def _story_posts(rng, words, n, share=0.6):
    out = []
    for _ in range(n):
        held = [w for w in words if rng.random() < share] or [words[0]]
        out.append(held + [f"filler{rng.integers(400)}"])
    return out


def _day(rng, n_background=10000):
    """One day: a story in three facets whose posts mix a little, two stories in
    disjoint posts (castro, recount), and background posts."""
    facets = [["muslim", "ban"], ["executive", "order"], ["refugees", "detained"]]
    posts = []
    for i, words in enumerate(facets):
        told = _story_posts(rng, words, 150)
        other = facets[(i + 1) % 3]
        for post in told[:15]:  # 10 % hold a word of another facet
            post.append(other[rng.integers(2)])
        posts += told
    posts += _story_posts(rng, ["castro", "fidel", "cuba"], 150)
    posts += _story_posts(rng, ["recount", "stein"], 120)
    posts += [[f"filler{i}" for i in rng.integers(400, size=3)] for _ in range(n_background)]
    return posts, facets


def test_facets_of_one_story_group_and_disjoint_stories_stay_apart():
    posts, facets = _day(np.random.default_rng(0))
    windows = post_windows(posts, copies=True)
    clusters = facets + [["castro", "fidel", "cuba"], ["recount", "stein"]]
    groups = group_clusters(windows, clusters, [0] * 5, CooccurrenceSplit(), threshold=0.1)
    assert groups == [[0, 1, 2], [3], [4]]


def test_far_peaks_do_not_group_and_spans_that_meet_do():
    posts, facets = _day(np.random.default_rng(1))
    windows = post_windows(posts, copies=True)
    # Peaks three periods apart are not one story, unless their spans meet.
    assert group_clusters(windows, facets[:2], [0, 3], CooccurrenceSplit(),
                          threshold=0.1) == [[0], [1]]
    assert group_clusters(windows, facets[:2], [0, 3], CooccurrenceSplit(), threshold=0.1,
                          spans=[(0, 2), (1, 4)]) == [[0, 1]]


def test_the_farther_apart_two_clusters_peak_the_more_their_posts_must_share():
    posts, facets = _day(np.random.default_rng(2))
    windows = post_windows(posts, copies=True)
    test = CooccurrenceSplit()
    rows = [windows.incidence(f, 0, test.window)[0] for f in facets[:2]]
    shared = posts_similarity(windows, *rows, (0, 0), test.window, test)
    assert 0.05 < shared < 0.5  # facets of one story: their posts overlap a little

    def grouped(peaks, threshold):
        return group_clusters(windows, facets[:2], peaks, test, threshold=threshold, max_gap=3)

    # One period apart: the NPMI itself; two: half of it; four: beyond the window.
    assert grouped([0, 1], shared - 1e-9) == [[0, 1]]
    assert grouped([0, 2], shared - 1e-9) == [[0], [1]]
    assert grouped([0, 2], shared / 2 - 1e-9) == [[0, 1]]
    assert grouped([0, 3], shared / 3 - 1e-9) == [[0, 1]]
    assert grouped([0, 4], -1.0 + 1e-9) == [[0], [1]]


def test_compounds_of_one_name_do_not_split_a_story():
    # Headlines use one compound or the other, rarely both in one post.
    rng = np.random.default_rng(2)
    posts = [["北方領土", "首相"] for _ in range(40)] + [["北方領土訪問", "外相"] for _ in range(40)]
    posts += [[f"x{i}" for i in rng.integers(300, size=3)] for _ in range(2000)]
    windows = post_windows(posts, copies=True)
    vocabulary = set(windows.column) | {"訪問"}
    groups = group_clusters(windows, [["北方領土", "首相"], ["北方領土訪問", "外相"]], [0, 0],
                            CooccurrenceSplit(), threshold=0.1, vocabulary=vocabulary)
    assert groups == [[0, 1]]
    assert contains_one_another("北方領土", "北方領土訪問", vocabulary)
    assert contains_one_another("voter", "voterfraud", {"fraud"})
    # "billy" is not "bill" and a word; nor is "magazine" "maga" and one.
    assert not contains_one_another("bill", "billy", {"bill", "billy"})
    assert not contains_one_another("maga", "magazine", {"maga", "magazine"})
    assert not contains_one_another("vote", "votetrump", {"trump"})  # under half of it


def test_a_word_two_stories_share_joins_one_without_joining_them():
    rng = np.random.default_rng(3)
    a = _story_posts(rng, ["castro", "fidel"], 150)
    b = _story_posts(rng, ["recount", "stein"], 150)
    for post in a[:60] + b[:60]:
        post.append("news")
    background = [[f"filler{i}" for i in rng.integers(400, size=3)] for _ in range(3000)]
    windows = post_windows(a + b + background, copies=True)
    groups = group_stories(windows, [["castro", "fidel"], ["recount", "stein"]], [["news"]],
                           [0, 0, 0], CooccurrenceSplit(), threshold=0.1)
    assert sorted(map(sorted, groups)) in ([[0, 2], [1]], [[0], [1, 2]])


def test_posts_route_finds_a_cluster_its_posts_tell_in_every_resample():
    rng = np.random.default_rng(4)
    posts, periods = [], []
    for day in range(20):
        n = 120 if day == 10 else 10
        for post in _story_posts(rng, ["veterans", "day"], n, share=0.7):
            posts.append(post)
            periods.append(day)
        for _ in range(200):
            posts.append([f"filler{i}" for i in rng.integers(400, size=3)])
            periods.append(day)
    windows = post_windows(posts, periods, copies=True)
    route = PostsRoute(windows, [["veterans", "day"], ["filler1", "filler2"]], [10, 10],
                       CooccurrenceSplit())
    assert route.groups == [["veterans", "day"], None]
    found = np.array([route(keep) for keep in draw_samples(20, 0.8, 10, 0)])
    assert found[:, 0].all() and not found[:, 1].any()
    # The same as the split run on the posts of the kept periods.
    keep = draw_samples(20, 0.8, 1, 0)[0]
    assert CooccurrenceSplit().split(kept_posts(windows, keep), ["veterans", "day"], 10) == \
        [["veterans", "day"]]


# -- planted truth, end to end -------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def _mixed_corpus(lang, seed):
    """Three same-day trends, 10 % of each one's posts given a word of another, a burst
    of unrelated words, and a one-word hashtag whose 200 posts hold two of three
    everyday words."""
    from glipca.datasets import make_trend_corpus
    from glipca.tokens import make_tokenizer

    corpus = make_trend_corpus(lang=lang, seed=seed, n_trends=6, n_close_pairs=1,
                               posts_per_day=(800, 1200), same_day=3, n_burst=12)
    rng = np.random.default_rng(seed)
    tokenizer = make_tokenizer(lang)
    join = "と" if lang == "ja" else " and the "
    texts = corpus.posts["text"].tolist()
    held = [set(tokenizer(t)) for t in texts]
    facets = [t["words"] for t in corpus.trends if t["id"] in corpus.same_day]
    for i, words in enumerate(facets):
        mine = [r for r, h in enumerate(held) if h & set(words)]
        for r in rng.choice(mine, size=len(mine) // 10, replace=False):
            texts[r] = texts[r].rstrip("。.") + join + facets[(i + 1) % 3][rng.integers(6)]
    context = ["女性", "行進", "首都"] if lang == "ja" else ["women", "march", "washington"]
    tag = "女性行進" if lang == "ja" else "womensmarch"
    everyday = rng.random(len(texts)) < 0.03
    for r in np.flatnonzero(everyday):
        texts[r] = texts[r].rstrip("。.") + join + context[rng.integers(3)]
    posts = corpus.posts.assign(text=texts)
    burst = pd.Timestamp(corpus.burst_day)
    days = [burst] * 200 + [pd.Timestamp(d) for d in corpus.days[::4] if pd.Timestamp(d) != burst]
    zone = "+09:00" if lang == "ja" else "+00:00"
    extra = [{"id": 10 ** 7 + i, "created_at": f"{(d + pd.Timedelta(hours=12)):%Y-%m-%dT%H:%M:%S}{zone}",
              "text": join.join([tag, *rng.choice(context, 2, replace=False),
                                 *rng.choice(corpus.background_words[10:], 2, replace=False)])}
             for i, d in enumerate(days)]
    return corpus, pd.concat([posts, pd.DataFrame(extra)], ignore_index=True), tag, context


@pytest.mark.parametrize("lang,seed", [("en", 0), ("ja", 2)])
def test_planted_facets_same_day_stories_hashtag_and_burst(lang, seed):
    from glipca.pipeline import run_analysis

    corpus, posts, tag, context = _mixed_corpus(lang, seed)
    result = run_analysis(posts, lang=lang, n_resamples=0, n_posts=0, jobs=1)
    told = result.told_stories
    story_of = {c: s.id for s in told for c in s.clusters}
    same = [t for t in corpus.trends if t["id"] in corpus.same_day]
    facets = [next(k for k, c in enumerate(result.model.clusters_) if set(c.words) & set(t["words"]))
              for t in same]
    # (a) the three facets are one story of three clusters.
    assert len({story_of[k] for k in facets}) == 1
    assert len(told[story_of[facets[0]]].clusters) == 3
    # (c) the hashtag is a story, described by the words its posts use.
    hashtag = [s for s in told if tag in s.trend_words]
    assert len(hashtag) == 1 and set(context) <= set(hashtag[0].words)
    # No burst word, distractor or background word is a story's trend word;
    # every planted trend is in one.
    allowed = {w for t in corpus.trends for w in t["words"]} | set(corpus.shared_words) | {
        tag, *context}
    assert {w for s in told for w in s.trend_words} <= allowed
    assert {story_of.get(k) for k in range(len(result.model.clusters_))} - {None} == {
        s.id for s in told if s.clusters}
    # Stories are in order of peak, with their ids.
    assert [s.id for s in told] == list(range(len(told)))
    assert [s.peak for s in told] == sorted(s.peak for s in told)


def test_planted_same_day_stories_in_disjoint_posts_are_two():
    from glipca.datasets import make_trend_corpus
    from glipca.pipeline import run_analysis

    corpus = make_trend_corpus(lang="en", seed=1, n_trends=6, n_close_pairs=1,
                               posts_per_day=(800, 1200), same_day=2, n_burst=12)
    result = run_analysis(corpus.posts, lang="en", n_resamples=0, n_posts=0, jobs=1)
    story_of = {c: s.id for s in result.told_stories for c in s.clusters}
    same = [t for t in corpus.trends if t["id"] in corpus.same_day]
    clusters = [next(k for k, c in enumerate(result.model.clusters_)
                     if set(c.words) & set(t["words"])) for t in same]
    assert len({story_of[k] for k in clusters}) == 2


def test_stories_in_the_outputs_round_trip_and_series_only_has_none(tmp_path):
    from glipca.datasets import make_trend_corpus
    from glipca.pipeline import run_analysis
    from glipca.report.folder import read_results, write_results
    from glipca.result import TrendResult, load

    corpus = make_trend_corpus(lang="en", seed=3, n_trends=4, n_close_pairs=0,
                               posts_per_day=(400, 600), same_day=2, n_burst=0)
    result = run_analysis(corpus.posts, lang="en", n_resamples=4, n_posts=2, jobs=1)
    doc = write_results(result, tmp_path / "out", plots=False)
    stories = doc["stories"]
    assert doc["summary"]["stories"] == len(stories) == len(result.told_stories)
    assert list(stories[0]) == ["id", "label", "peak", "start", "end", "words", "n_trend_words",
                                "clusters", "coherence", "stability", "emerging", "n_posts"]
    assert all(c["story"] is not None for c in doc["clusters"])
    for s in stories:
        assert all(doc["clusters"][c]["story"] == s["id"] for c in s["clusters"])
        assert s["start"] <= s["peak"] <= s["end"] and 0 <= s["stability"] <= 1
    assert [s["peak"] for s in stories] == sorted(s["peak"] for s in stories)
    assert doc["params"]["stories"]["threshold"] == result.params["stories"]["threshold"]
    back = read_results(tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "stories.csv")
    assert len(table) == len(stories) and back.stories["label"].tolist() == [
        s["label"] for s in stories]
    assert back.equals(TrendResult.from_analysis(result)._results)
    loaded = load(tmp_path / "out")
    frame = loaded.stories
    assert list(frame.columns) == ["label", "peak", "start", "end", "words", "clusters",
                                   "coherence", "stability", "emerging", "n_posts"]
    assert frame.index.tolist() == [s["id"] for s in stories]
    assert frame["words"].tolist() == [s["words"] for s in stories]
    assert loaded.story_of(stories[0]["clusters"][0]) == stories[0]["id"]
    # Byte-identical on a second run.
    again = run_analysis(corpus.posts, lang="en", n_resamples=4, n_posts=2, jobs=1)
    write_results(again, tmp_path / "again", plots=False)
    for name in ("clusters.json", "stories.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
    # The series-only method tells no stories and writes no story fields.
    plain = run_analysis(corpus.posts, lang="en", n_resamples=0, n_posts=0, jobs=1,
                         cooccurrence=False)
    doc = write_results(plain, tmp_path / "plain", plots=False)
    assert "stories" not in doc and "stories" not in doc["summary"]
    assert all("story" not in c for c in doc["clusters"])
    assert not (tmp_path / "plain" / "stories.csv").exists()
    assert load(tmp_path / "plain").stories.empty
    assert json.loads((tmp_path / "plain" / "clusters.json").read_text())["clusters"]
