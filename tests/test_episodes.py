"""Episodes: a word of recurring events partners each of its events."""

import numpy as np
import pandas as pd
import pytest

from glipca.model.cooccurrence import CooccurrenceSplit
from glipca.model.episodes import episode_series
from glipca.model.series import SinglePeakTest


def _series(peaks, n=90, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    columns = {}
    for word, days in peaks.items():
        x = 0.01 + 0.001 * rng.standard_normal(n)
        for d in days:
            x += 0.05 * np.exp(-0.5 * ((t - d) / 1.0) ** 2)
        columns[word] = x
    index = pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC")
    return pd.DataFrame(columns, index=index)


def test_one_episode_per_separated_peak_and_none_for_routines():
    frame = _series({"debate": [20, 60], "once": [30], "weekly": list(range(3, 90, 7)),
                     "twin": [40, 43]})
    test = SinglePeakTest()
    assert test(frame).loc["debate", "reason"] == "several_peaks"
    labels = [str(p.date()) for p in frame.index]
    episodes, word_of, z = episode_series(frame, list(frame.columns), test, labels)
    # Two clearly separated peaks: two episodes; one peak, a routine of 13
    # peaks, or two overlapping bumps: none.
    assert word_of == {"debate@2020-01-21": "debate", "debate@2020-03-01": "debate"}
    assert all(v >= test.min_z for v in z.values())
    first = episodes["debate@2020-01-21"]
    assert first.idxmax() == frame.index[20] and first.iloc[60] == first.iloc[0]
    # Each episode passes the single-peak test on its own.
    assert test(episodes)["is_trend"].all()


def _debates(seed=1):
    from glipca.datasets import make_trend_corpus

    corpus = make_trend_corpus(lang="en", seed=seed, n_trends=4, posts_per_day=(300, 400))
    posts = corpus.posts.copy()
    day = pd.to_datetime(posts["created_at"]).dt.normalize()
    first = day.min()
    for offset, partner in [(20, "lectern"), (45, "gavel")]:
        rows = posts.index[day == first + pd.Timedelta(days=offset)][:60]
        posts.loc[rows, "text"] = posts.loc[rows, "text"] + f" debate {partner}"
    # A word seen on a few days only is too rare to analyse: some talk of
    # them every few days.
    for offset in range(2, 60, 6):
        rows = posts.index[day == first + pd.Timedelta(days=offset)][-3:]
        for row, word in zip(rows, ["debate", "lectern", "gavel"]):
            posts.loc[row, "text"] += f" {word}"
    return posts, first


@pytest.mark.parametrize("episode_z", [18.0, None])
def test_a_recurring_word_tells_each_of_its_events(episode_z):
    from glipca.pipeline import run_analysis

    posts, first = _debates()
    result = run_analysis(posts, lang="en", n_resamples=0, n_posts=1, jobs=1,
                          cooccurrence=CooccurrenceSplit(episode_z=episode_z))
    assert result.peak_tests.loc["debate", "reason"] == "several_peaks"
    found = {(c.peak - first).days: set(c.words) for c in result.model.clusters_
             if "debate" in c.words}
    if episode_z is None:
        assert found == {}
        return
    assert found == {20: {"debate", "lectern"}, 45: {"debate", "gavel"}}
    # Told in words: no episode name reaches the clusters, graph or series.
    assert "debate" in result.series.columns
    assert not any("@" in w for c in result.model.clusters_ for w in c.words)
    assert not any("@" in str(w) for w in result.series.columns)
    assert all(len(p) >= 1 for p in result.posts)
    assert result.params["cooccurrence"]["episodes"]["min_z"] == 18.0
