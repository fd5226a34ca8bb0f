import numpy as np
import pandas as pd
import scipy.sparse as sp

from glipca.model.cooccurrence import CooccurrenceSplit, PostWindows, word_set_keys
from glipca.model.orphans import describe_cluster, regroup_orphans

T = 40


def _spike(rng, at, height=8.0):
    x = rng.normal(1.0, 0.1, T)
    x[at] += height
    x[at + 1] += height / 2
    return np.clip(x, 0.01, None)


def _corpus(seed=0):
    """Series and posts: two stories, a word of another period, a batch.

    * "veterans" (orphan) and "day" peak at period 10 and share 25
      different posts, and 12 more with "parade", which peaks at period 30;
    * "fbi" and "emails" (a cluster) and "anthony" (orphan) peak at 5;
      "anthony" shares its posts with "emails";
    * "lights" (orphan) and "year" peak at 20 and share 30 copies of one
      line only.
    """
    rng = np.random.default_rng(seed)
    peaks = {"veterans": 10, "day": 10, "parade": 30, "fbi": 5, "emails": 5, "anthony": 5,
             "lights": 20, "year": 20}
    series = pd.DataFrame({w: _spike(rng, p) for w, p in peaks.items()},
                          index=pd.date_range("2016-10-01", periods=T, freq="D", tz="UTC"))
    posts, periods = [], []

    def add(period, words, n, distinct=True):
        for i in range(n):
            posts.append(list(words) + ([f"x{period}_{i}_{len(posts)}"] if distinct else []))
            periods.append(period)

    add(10, ["veterans", "day"], 25)
    add(10, ["veterans", "day", "parade"], 12)
    add(30, ["parade"], 30)
    add(5, ["fbi", "emails"], 30)
    add(5, ["anthony", "emails"], 8)
    add(20, ["lights", "year"], 30, distinct=False)
    for p in range(T):
        for w in peaks:
            add(p, [w], 3)
        add(p, ["filler"], 300, distinct=False)
    vocab = sorted({w for post in posts for w in post})
    col = {w: j for j, w in enumerate(vocab)}
    rows = [i for i, post in enumerate(posts) for _ in post]
    cols = [col[w] for post in posts for w in post]
    full = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(posts), len(vocab)))
    words = list(peaks)
    windows = PostWindows(np.array(periods), full[:, [col[w] for w in words]], words,
                          keys=word_set_keys(full))
    return series, windows, peaks


def test_orphans_join_their_partners_story_or_form_one():
    series, windows, peaks = _corpus()
    clusters = [describe_cluster(series, ["fbi", "emails"])]
    out = regroup_orphans(windows, series, CooccurrenceSplit(), ["veterans", "anthony", "lights"],
                          peaks, clusters)
    assert [sorted(c.words) for c in out] == [["anthony", "emails", "fbi"], ["day", "veterans"]]
    # "parade" shares posts with "veterans" but peaks twenty periods later;
    # "lights year" is one line posted thirty times.
    assert out[1].peak == series.index[10]
    # With a window of twenty periods, "parade" is a partner.
    wide = regroup_orphans(windows, series, CooccurrenceSplit(peak_window=20), ["veterans"],
                           peaks, [])
    assert sorted(wide[0].words) == ["day", "parade", "veterans"]


def test_regrouping_is_deterministic_and_needs_enough_posts():
    series, windows, peaks = _corpus()
    args = (windows, series, CooccurrenceSplit(), ["veterans", "lights"], peaks, [])
    first = regroup_orphans(*args)
    assert [c.words for c in first] == [c.words for c in regroup_orphans(*args)]
    # 37 different posts hold two of "veterans day (parade)".
    for min_posts, n_found in ((37, 1), (38, 0)):
        found = regroup_orphans(windows, series, CooccurrenceSplit(min_posts=min_posts),
                                ["veterans"], peaks, [])
        assert len(found) == n_found
    # Without copies counted once, the batch of "lights year" tells a story.
    plain = PostWindows(windows.periods, windows.matrix, list(windows.column))
    batch = regroup_orphans(plain, series, CooccurrenceSplit(), ["lights"], peaks, [])
    assert [sorted(c.words) for c in batch] == [["lights", "year"]]


def test_bundled_sample_stories_from_outside_the_candidates(tmp_path):
    from pathlib import Path

    from glipca.pipeline import run_analysis

    sample = Path(__file__).resolve().parents[1] / "data" / "russian_troll_tweets_2016q4"
    result = run_analysis(sample / "sample.jsonl.gz", lang="en", n_resamples=0, n_posts=1,
                          cache=tmp_path)
    # Pence at Hamilton: "cast" also peaks at the VP debate and fails the
    # single-peak test; the posts bring it to "hamilton" (an orphan of the fit).
    hamilton = next(c for c in result.model.clusters_ if "hamilton" in c.words)
    assert {"pence", "cast"} <= set(hamilton.words) and "hamilton" in result.model.left_out_
    assert "cast" not in result.model.words_ and "cast" in result.series.columns
    assert result.peak_tests.loc["cast", "reason"] == "several_peaks"
    # Every cluster keeps a representative post, and is told by at least
    # min_posts distinct posts near its peak.
    assert all(len(p) >= 1 for p in result.posts)
    test = CooccurrenceSplit()
    index = result.series.index
    for c in result.model.clusters_:
        assert result.post_windows.n_distinct(c.words, index.get_loc(c.peak), 3) >= test.min_posts
    assert result.params["cooccurrence"]["min_posts"] == 5
