import datetime as dt
import random

import pandas as pd
import pytest
from click.testing import CliRunner

from glipca.cli import main
from glipca.counting.counts import count_post_words
from glipca.model.cluster import TrendCluster
from glipca.ingest import Post
from glipca.model.representative import representative_posts

from .report_data import HOSTILE_ID, PAYLOAD, analysed_corpus, results_folder  # noqa: F401

UTC = dt.timezone.utc
INDEX = pd.date_range("2021-01-01", periods=10, freq="D", tz="UTC")


def _post(i, day, text, hour=12):
    return Post(str(i), dt.datetime(2021, 1, 1 + day, hour, tzinfo=UTC), text)


def _cluster(words, peak_day, loadings=None):
    loadings = loadings or [1.0] * len(words)
    return TrendCluster(words=words, loadings=loadings, eigenvalue=3.0,
                        peak=INDEX[peak_day], signal=None)


def _tokens(text):
    return text.casefold().split()


def _pick(posts, clusters, **kwargs):
    # As the analysis does: from the words the counting pass keeps.
    counts, kept = count_post_words(posts, _tokens, freq="D", tz="UTC")
    return representative_posts(kept, counts, clusters, **kwargs)


def test_more_words_nearer_the_peak_rank_higher():
    cluster = _cluster(["a", "b", "c", "d"], peak_day=5)
    posts = [
        _post(1, 5, "a b c"),          # three quarters of the words, on the peak
        _post(2, 5, "a b c d"),        # all words, on the peak
        _post(3, 6, "d c b a"),        # all words, a day later
        _post(4, 5, "a"),              # one word: too few
        _post(5, 9, "a b c d"),        # outside the window
        _post(6, 5, "x y z"),
    ]
    (kept,) = _pick(posts, [cluster], n=5, window=3)
    assert [p.id for p in kept] == ["2", "1", "3"]
    assert [p.score for p in kept] == pytest.approx([1.0, 0.75, 0.5])
    assert kept[0].words == ("a", "b", "c", "d")
    assert kept[0].time.startswith("2021-01-06T12:00:00")


def test_top_n_is_bounded_deterministic_and_skips_copies():
    cluster = _cluster(["a", "b"], peak_day=2)
    posts = [_post(i, 2, f"a b {i}", hour=i % 24) for i in range(50)]
    # One text five times, spaced and cased differently.
    posts += [_post(100 + i, 2, " a  b" if i % 2 else "a B", hour=0) for i in range(5)]
    expected = _pick(posts, [cluster], n=4)
    random.Random(0).shuffle(posts)
    again = _pick(posts, [cluster], n=4)
    assert [p.id for p in expected[0]] == [p.id for p in again[0]]
    ids = [p.id for p in expected[0]]
    # Equal scores: earliest first, then smallest id; one copy of a text.
    assert ids == ["0", "100", "24", "48"]


def test_each_cluster_gets_its_own_posts():
    clusters = [_cluster(["a", "b"], 1), _cluster(["c", "d"], 8)]
    posts = [_post(1, 1, "a b"), _post(2, 8, "c d"), _post(3, 1, "c d")]
    kept = _pick(posts, clusters, window=1)
    assert [[p.id for p in k] for k in kept] == [["1"], ["2"]]
    assert [k[0].cluster for k in kept] == [0, 1]


def test_long_texts_are_cut():
    (kept,) = _pick([_post(1, 1, "a b " + "x" * 5000)], [_cluster(["a", "b"], 1)])
    assert len(kept[0].text) <= 2001 and kept[0].text.endswith("…")


def test_pipeline_keeps_hostile_post_verbatim(analysed_corpus):  # noqa: F811
    _, result = analysed_corpus
    first = result.posts[0][0]
    assert first.id.startswith(HOSTILE_ID)
    assert first.text.startswith(PAYLOAD)


def test_cli_prints_the_posts_of_a_cluster(results_folder):  # noqa: F811
    out = CliRunner().invoke(main, ["posts", str(results_folder), "--cluster", "0"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert len(lines) == 5
    cluster, time, pid, text = lines[0].split("\t")
    assert cluster == "0" and pid.startswith(HOSTILE_ID) and text.startswith("<script>")
    everything = CliRunner().invoke(main, ["posts", str(results_folder)])
    assert everything.output.count("\n") == 25
    bad = CliRunner().invoke(main, ["posts", str(results_folder), "--cluster", "99"])
    assert bad.exit_code == 2 and "no cluster 99" in bad.output
