"""Comparing two runs: a planted trend in one corpus only, and the shapes of change."""

import re
from types import SimpleNamespace

import pandas as pd
import pytest

import glipca
from glipca.compare import compare
from glipca.datasets import make_trend_corpus

DROPPED = 2  # the planted trend left out of the second corpus


@pytest.fixture(scope="module")
def runs():
    corpus = make_trend_corpus(lang="en", n_trends=5, n_close_pairs=1, n_background=80,
                               posts_per_day=(600, 1000), seed=3)
    words = corpus.trends[DROPPED]["words"]
    # Every post about a trend holds at least one of its words, and no other
    # post holds any: leaving these out removes the trend and nothing else.
    about = corpus.posts["text"].str.contains(r"\b(?:" + "|".join(words) + r")\b", case=False)
    options = dict(lang="en", n_resamples=0, n_posts=0)
    full = glipca.analyse(corpus.posts, **options)
    without = glipca.analyse(corpus.posts[~about], **options)
    return corpus, full, without


def test_a_trend_in_one_corpus_only_vanishes_and_appears(runs):
    corpus, full, without = runs
    words = set(corpus.trends[DROPPED]["words"])
    result = compare(full, without)
    vanished = result.of_kind("vanished")
    assert len(vanished) == 1
    assert set(vanished["words_a"].iloc[0]) == words
    assert result.counts["matched"] == len(full) - 1 == len(without)
    assert result.counts["appeared"] == 0
    for row in result.of_kind("matched").itertuples():
        assert row.jaccard >= 0.5
    assert len(result.pairs) == len(without) and (result.pairs["shift_days"].abs() <= 1).all()

    back = compare(without, full)
    appeared = back.of_kind("appeared")
    assert len(appeared) == 1 and set(appeared["words_b"].iloc[0]) == words
    assert back.counts["vanished"] == 0


def test_a_run_compared_with_itself_matches_everything(runs):
    _, full, _ = runs
    result = compare(full, full)
    assert result.counts["matched"] == len(full)
    assert (result.frame["jaccard"] == 1).all()
    assert result.pairs["cluster_a"].tolist() == result.pairs["cluster_b"].tolist()


def _run(*clusters):
    return SimpleNamespace(clusters=[
        SimpleNamespace(id=i, words=words.split(), peak=pd.Timestamp(peak, tz="UTC"))
        for i, (peak, words) in enumerate(clusters)
    ])


def test_splits_merges_and_peak_shifts():
    a = _run(("2020-03-10", "a b c d e f"), ("2020-03-20", "g h"), ("2020-03-21", "i j"),
             ("2020-04-01", "k l m"), ("2020-04-20", "p q r"))
    b = _run(("2020-03-10", "a b c"), ("2020-03-11", "d e f"), ("2020-03-20", "g h i j"),
             ("2020-04-01", "k l m"), ("2020-05-10", "p q r"))
    result = compare(a, b)
    kinds = {(tuple(r.clusters_a), tuple(r.clusters_b)): r.kind for r in result.frame.itertuples()}
    assert kinds == {
        ((0,), (0, 1)): "split", ((1, 2), (2,)): "merged", ((3,), (3,)): "matched",
        ((4,), ()): "vanished", ((), (4,)): "appeared",
    }
    # Without the peak condition, the same words twenty days apart match.
    loose = compare(a, b, max_shift=None)
    assert loose.counts["matched"] == 2 and loose.counts["vanished"] == 0
    # The one-to-one pairing keeps the best half of the split.
    pairs = result.pairs.set_index("cluster_a")
    assert pairs.loc[0, "cluster_b"] in (0, 1) and pairs.loc[0, "jaccard"] == 0.5


def test_several_on_both_sides_are_regrouped():
    a = _run(("2020-03-10", "a b c d"), ("2020-03-10", "e f g h"))
    b = _run(("2020-03-10", "a b e"), ("2020-03-10", "c d f g h"))
    assert compare(a, b).counts["regrouped"] == 1


def test_displays_escape_words():
    a = _run(("2020-03-10", "<b>x</b> y&z"))
    b = _run(("2020-03-10", "<b>x</b> y&z"))
    result = compare(a, b)
    html = result._repr_html_()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt; y&amp;z" in html
    assert re.search(r"<td>matched</td><td>0</td><td>0</td><td>1.00</td>", html)
    assert repr(result).startswith("<Comparison: 1 matched>")
    with pytest.raises(ValueError, match="kind"):
        result.of_kind("gone")


def _doc(*clusters):
    return {"clusters": [{"id": i, "words": words.split(), "peak": peak, "peak_frequency": f}
                         for i, (peak, words, f) in enumerate(clusters)]}


def test_changes_since_a_previous_run():
    from glipca.compare import changes_since

    before = _doc(("2016-11-01", "fbi emails comey", 0.02), ("2016-11-05", "vote polls", 0.01),
                  ("2016-11-06", "concert jay", 0.01), ("2016-10-10", "debate tape", 0.03))
    after = _doc(("2016-11-01", "fbi emails comey", 0.021), ("2016-11-07", "vote polls early", 0.03),
                 ("2016-11-06", "concert jay", 0.005), ("2016-11-08", "electionday voted", 0.04))
    got = changes_since(before, after)
    assert got["appeared"] == [3]
    assert got["grew"] == [{"id": 1, "previous_id": 1, "peak_frequency": [0.01, 0.03]}]
    assert got["faded"] == [{"id": 2, "previous_id": 2, "peak_frequency": [0.01, 0.005]}]
    assert got["kept"] == [[0, 0]]
    assert got["vanished"] == [{"previous_id": 3, "words": ["debate", "tape"], "peak": "2016-10-10"}]
    assert got["reshaped"] == []
    assert changes_since(after, after)["kept"] == [[i, i] for i in range(4)]
    # A moving window: a cluster that peaked before the window did not fade away.
    after["summary"] = {"first_period": "2016-10-15"}
    assert changes_since(before, after)["vanished"][0]["before_window"] is True
