import gzip
import json
import re

import numpy as np
import pandas as pd
import pytest

from glipca.datasets import PlantedCorpus, make_trend_corpus, make_trend_series
from glipca.datasets.text import EN_JOINERS, planted_words

_EN_WORDS, _JA_WORDS = planted_words("en"), planted_words("ja")

SMALL = dict(posts_per_day=(300, 500))
EN_GLUE = {w for j in EN_JOINERS for w in re.findall("[a-z]+", j)}


@pytest.fixture(scope="module")
def corpus():
    return make_trend_corpus(lang="en", seed=1, posts_per_day=(800, 1200))


def planted_tokens(text, lang):
    """The words a generated text was built from, read off its characters:
    planted words are letters (en) or kanji/katakana (ja), glue is not."""
    if lang == "en":
        return [w for w in re.findall("[a-z]+", text.lower()) if w not in EN_GLUE]
    return re.findall("[\u30a0-\u30ff\u4e00-\u9fff\u3005]+", text)


def day_counts(corpus):
    """Word x day counts (one per post) and the number of posts per day."""
    posts = corpus.posts
    day = posts.created_at.str[:10].to_numpy()
    toks = [set(planted_tokens(t, corpus.lang)) for t in posts.text]
    frame = pd.DataFrame({"day": np.repeat(day, [len(t) for t in toks]),
                          "word": [w for t in toks for w in t]})
    counts = pd.crosstab(frame.day, frame.word).reindex(corpus.days, fill_value=0)
    return counts, posts.groupby(day).size().reindex(corpus.days)


@pytest.fixture(scope="module")
def freq(corpus):
    counts, n = day_counts(corpus)
    return counts.div(n, axis=0)


def test_word_lists_are_clean():
    from glipca.tokens import english_stop_words

    assert len(set(_EN_WORDS)) == len(_EN_WORDS) >= 700
    assert all(re.fullmatch("[a-z]{3,}", w) for w in _EN_WORDS)
    assert not english_stop_words() & set(_EN_WORDS)
    assert EN_GLUE <= english_stop_words()
    from glipca.tokens import JAPANESE_STOP_WORDS

    assert len(set(_JA_WORDS)) == len(_JA_WORDS) >= 700
    assert not set(JAPANESE_STOP_WORDS) & set(_JA_WORDS)
    assert all(len(w) >= 2 and planted_tokens(w, "ja") == [w] for w in _JA_WORDS)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_deterministic_by_seed(lang):
    a = make_trend_corpus(lang=lang, seed=3, **SMALL)
    b = make_trend_corpus(lang=lang, seed=3, **SMALL)
    c = make_trend_corpus(lang=lang, seed=4, **SMALL)
    assert a.posts.equals(b.posts)
    assert a.trends == b.trends and a.truth == b.truth
    assert not a.posts.text.equals(c.posts.text.iloc[:len(a.posts)])
    assert a.trends != c.trends


def _roles(c):
    """Each planted word's role, e.g. trend 3 word 1 or seasonal word 0."""
    out = {w: f"t{t['id']}.{i}" for t in c.trends for i, w in enumerate(t["words"])}
    for kind in ("shared", "seasonal", "drifting", "background"):
        out.update({w: f"{kind}{i}" for i, w in enumerate(getattr(c, f"{kind}_words"))})
    return out


def test_structure_does_not_depend_on_volume():
    a = make_trend_corpus(seed=5, posts_per_day=(100, 100))
    b = make_trend_corpus(seed=5, **SMALL)
    assert a.trends == b.trends and a.shared_trends == b.shared_trends
    assert len(a.posts) < len(b.posts)


def test_languages_differ_only_in_words():
    en = make_trend_corpus(lang="en", seed=5, n_days=30, n_trends=4,
                           n_close_pairs=1, posts_per_day=(2000, 2000))
    ja = make_trend_corpus(lang="ja", seed=5, n_days=30, n_trends=4,
                           n_close_pairs=1, posts_per_day=(2000, 2000))
    re_, rj = _roles(en), _roles(ja)
    assert ([{**t, "words": None} for t in en.trends]
            == [{**t, "words": None} for t in ja.trends])
    assert en.posts.created_at.str[:10].equals(ja.posts.created_at.str[:10])
    for a, b in zip(en.posts.text.iloc[::50], ja.posts.text.iloc[::50]):
        assert ([re_[w] for w in planted_tokens(a, "en")]
                == [rj[w] for w in planted_tokens(b, "ja")])


@pytest.mark.parametrize("lang,offset", [("en", "+00:00"), ("ja", "+09:00")])
def test_posts_frame(lang, offset):
    c = make_trend_corpus(lang=lang, seed=0, n_days=30, n_trends=4,
                          n_close_pairs=1, **SMALL)
    posts = c.posts
    assert list(posts.columns) == ["id", "created_at", "text"]
    assert posts.id.is_unique
    assert posts.created_at.str.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" + re.escape(offset)).all()
    stamps = pd.to_datetime(posts.created_at)
    assert stamps.is_monotonic_increasing
    # Same calendar day in local time and in UTC (see the Notes).
    assert (stamps.dt.tz_convert("UTC").dt.date == stamps.dt.date).all()
    assert posts.created_at.str[:10].unique().tolist() == c.days
    assert c.days[0] == "2020-03-08" and len(c.days) == 30
    # Volume grows from about 300 to about 500 posts a day.
    n = posts.groupby(posts.created_at.str[:10]).size()
    assert 200 < n.iloc[:5].mean() < 400 and 400 < n.iloc[-5:].mean() < 600


def test_planted_roles(corpus):
    words = ([w for t in corpus.trends for w in t["words"]]
             + corpus.distractor_words + corpus.background_words)
    assert len(words) == len(set(words)) == 8 * 6 + 3 + 5 + 5 + 300
    assert [t["id"] for t in corpus.trends] == list(range(8))
    assert [t["peak_day"] for t in corpus.trends] == sorted(
        t["peak_day"] for t in corpus.trends)
    assert set(corpus.truth) == {w for t in corpus.trends for w in t["words"]}
    assert len(corpus.close_pairs) == 2
    for i, j in corpus.close_pairs:
        assert corpus.trends[j]["peak_day"] - corpus.trends[i]["peak_day"] == 3
    # Two shared words bridge close pairs, the third joins distant trends.
    pairs = list(corpus.shared_trends.values())
    assert sum(p in corpus.close_pairs for p in pairs) == 2
    i, j = pairs[2]
    assert abs(corpus.trends[i]["peak_day"] - corpus.trends[j]["peak_day"]) >= 8
    w = corpus.trends[0]["words"][0]
    assert corpus.label_of(w) == 0 and corpus.kind_of(w) == "trend"
    assert corpus.label_of(corpus.seasonal_words[0]) == -1
    assert corpus.kind_of(corpus.shared_words[0]) == "shared"
    assert corpus.kind_of(corpus.background_words[-1]) == "background"
    assert corpus.kind_of("nonexistent") is None


def test_trend_words_peak_near_their_trend(corpus, freq):
    for trend in corpus.trends:
        p, s = trend["peak_day"], trend["sigma"]
        near = np.abs(np.arange(len(corpus.days)) - p) <= 2 * s
        for w in trend["words"]:
            f = freq[w].to_numpy()
            assert abs(int(np.argmax(f)) - p) <= 2 * s + 1
            assert f[near].mean() > 5 * f[~near].mean()


def test_close_pairs_are_correlated_but_distinct(corpus, freq):
    r = freq.corr()
    for i, j in corpus.close_pairs:
        a, b = corpus.trends[i]["words"], corpus.trends[j]["words"]
        within = np.mean([r.loc[x, y] for x in a for y in a if x < y])
        cross = np.mean([r.loc[x, y] for x in a for y in b])
        assert within > 0.85
        assert 0.3 < cross < 0.8


def test_shared_words_follow_two_trends(corpus, freq):
    t = np.arange(len(corpus.days))
    for w, (i, j) in corpus.shared_trends.items():
        f = freq[w].to_numpy()
        for k in (i, j):
            trend = corpus.trends[k]
            near = np.abs(t - trend["peak_day"]) <= trend["sigma"]
            assert f[near].mean() > 3 * np.median(f)
    # The distant one peaks twice: a trough between the peaks.
    w, (i, j) = list(corpus.shared_trends.items())[2]
    pi, pj = corpus.trends[i]["peak_day"], corpus.trends[j]["peak_day"]
    f = freq[w].to_numpy()
    assert f[(pi + pj) // 2] < 0.5 * min(f[pi], f[pj])


def test_seasonal_and_drifting_words(corpus, freq):
    weekday = pd.to_datetime(pd.Index(corpus.days)).day_of_week
    for w in corpus.seasonal_words:
        by_day = freq[w].groupby(weekday).mean()
        assert by_day.max() > 2 * by_day.min()
        # Periodic: each weekly peak recurs seven days later.
        assert freq[w].autocorr(7) > 0.3
    t = np.arange(len(corpus.days))
    for w in corpus.drifting_words:
        assert abs(np.corrcoef(t, freq[w])[0, 1]) > 0.5


def test_english_tokenizer_returns_planted_words(corpus):
    from glipca.tokens import EnglishTokenizer

    tok = EnglishTokenizer()
    planted = set(corpus.word_kinds)
    for text in corpus.posts.text.iloc[::50]:
        words = tok(text)
        assert set(words) <= planted
        assert sorted(set(words)) == sorted(planted_tokens(text, "en"))


def test_japanese_tokenizer_returns_planted_words():
    from glipca.tokens import JapaneseTokenizer

    c = make_trend_corpus(lang="ja", seed=2, n_background=600, **SMALL)
    tok = JapaneseTokenizer()
    planted = set(c.word_kinds)
    rng = np.random.default_rng(0)
    for text in c.posts.text.iloc[rng.choice(len(c.posts), 200, replace=False)]:
        words = tok(text)
        assert set(words) <= planted, text
        assert sorted(set(words)) == sorted(planted_tokens(text, "ja")), text


@pytest.mark.parametrize("name", ["posts.jsonl", "posts.jsonl.gz"])
def test_write_jsonl(tmp_path, name):
    c = make_trend_corpus(lang="ja", seed=0, n_days=20, n_trends=2,
                          n_close_pairs=1, posts_per_day=(50, 50))
    path = c.write_jsonl(tmp_path / name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    back = pd.DataFrame(records)
    pd.testing.assert_frame_equal(back, c.posts)


def test_edge_peaks_happen():
    edges = 0
    for seed in range(8):
        c = make_trend_corpus(seed=seed, posts_per_day=(20, 20))
        p = [t["peak_day"] for t in c.trends]
        edges += min(p) <= 3 or max(p) >= len(c.days) - 4
    assert edges >= 2


@pytest.mark.parametrize("kwargs,match", [
    (dict(lang="fr"), "lang"),
    (dict(n_trends=3, n_close_pairs=2), "n_close_pairs"),
    (dict(n_trends=30, n_days=30), "cannot place"),
    (dict(n_background=5000), "distinct words"),
    (dict(n_days=5), "n_days"),
    (dict(same_day=1), "same_day"),
    (dict(n_burst=-1), "n_burst"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_trend_corpus(posts_per_day=(10, 10), **kwargs)


def test_returns_planted_corpus():
    c = make_trend_corpus(n_trends=2, n_close_pairs=0, n_shared=1, n_days=20,
                          posts_per_day=(50, 50))
    assert isinstance(c, PlantedCorpus)
    assert c.close_pairs == [] and len(c.shared_words) == 1
    assert c.params["n_trends"] == 2


# --- make_trend_series -------------------------------------------------------


def test_trend_series_is_deterministic_and_labelled():
    a = make_trend_series(30, n_close_pairs=2, n_shared=2, n_duplicates=3, seed=4)
    b = make_trend_series(30, n_close_pairs=2, n_shared=2, n_duplicates=3, seed=4)
    assert np.array_equal(a.counts, b.counts) and a.words == b.words
    assert a.counts.shape == (61, 30 + 2 + 20 + 3)
    assert len(a.trends) == 6 and all(len(t["words"]) == 5 for t in a.trends)
    assert set(a.truth) == {w for t in a.trends for w in t["words"]} | {"dup0", "dup1", "dup2"}
    assert a.label_of("noise0") == -1 and a.label_of("t3w1") == 3
    assert (a.counts <= a.posts[:, None]).all() and (a.counts.std(axis=0) > 0).all()
    freq = a.frame
    assert list(freq.columns) == a.words and freq.index.equals(a.index)


def test_trend_series_plants_bumps_close_pairs_and_shared_words():
    s = make_trend_series(30, n_close_pairs=2, n_shared=2, n_noise=5, seed=1)
    freq = s.frame
    for trend in s.trends:
        # The words of a trend peak within a few periods of its peak.
        peaks = freq[trend["words"]].to_numpy().argmax(axis=0)
        assert np.all(np.abs(peaks - trend["peak"]) <= 3)
    for i, j in s.close_pairs:
        assert abs(s.trends[i]["peak"] - s.trends[j]["peak"]) == 3
    assert [s.shared_trends[f"shared{i}"] for i in range(2)] == s.close_pairs
    words = freq[[w for t in s.trends for w in t["words"]]]
    corr = np.corrcoef(words.to_numpy().T)
    same = np.equal.outer([s.truth[w] for w in words], [s.truth[w] for w in words])
    off = ~np.eye(len(same), dtype=bool)
    # Words of one trend correlate more than words of different trends.
    assert np.median(corr[same & off]) > 0.8 > np.median(corr[~same])


def test_trend_series_many_trends_and_daily_cycle():
    s = make_trend_series(400, words_per_trend=12, heavy_tailed=True, n_noise=80,
                          n_duplicates=12, n_periods=24 * 20, freq="h",
                          daily_cycle=0.8, seed=2)
    assert s.counts.shape == (480, 492) and len(s.index) == 480
    assert max(len(t["words"]) for t in s.trends) > 2 * min(len(t["words"]) for t in s.trends)
    by_hour = pd.Series(s.posts, index=s.index).groupby(s.index.hour).mean()
    assert by_hour.idxmax() == 20 and by_hour.idxmin() == 8
    assert by_hour.max() > 5 * by_hour.min()
    dup = s.frame[[f"dup{i}" for i in range(12)]]
    assert all(s.truth[w] >= 0 for w in dup.columns)


@pytest.fixture(scope="module")
def stories():
    return make_trend_corpus(lang="en", seed=2, posts_per_day=(600, 900), same_day=3, n_burst=12)


def test_same_day_and_burst_options_keep_the_base_corpus():
    base = make_trend_corpus(lang="en", seed=2, **SMALL)
    more = make_trend_corpus(lang="en", seed=2, same_day=2, n_burst=5, **SMALL)
    # Same trends, same volume; only the new words are added to posts.
    assert [t for t in more.trends if t["id"] < len(base.trends)] == base.trends
    assert len(more.posts) == len(base.posts)
    assert more.posts.created_at.str[:10].tolist() == base.posts.created_at.str[:10].tolist()
    assert set(base.truth) < set(more.truth)


def test_same_day_stories_peak_together_in_disjoint_posts(stories):
    same = [t for t in stories.trends if t["id"] in stories.same_day]
    assert len(same) == 3 and len({t["peak"] for t in same}) == 1
    others = [t["peak_day"] for t in stories.trends if t["id"] not in stories.same_day]
    assert min(abs(same[0]["peak_day"] - p) for p in others) >= 3
    counts, posts = day_counts(stories)
    for t in same:
        # The day-to-day jitter can move the top by a day or two.
        top = (counts[t["words"]].sum(axis=1) / posts).to_numpy().argmax()
        assert abs(top - t["peak_day"]) <= 2
    words_of = [set(t["words"]) for t in same]
    toks = [set(planted_tokens(x, "en")) for x in stories.posts.text]
    for a in range(3):
        for b in range(a + 1, 3):
            assert not any(s & words_of[a] and s & words_of[b] for s in toks)


def test_burst_words_spike_on_one_day_each_in_its_own_posts(stories):
    burst = set(stories.burst_words)
    assert len(burst) == 12 and not burst & set(stories.truth)
    assert {stories.kind_of(w) for w in burst} == {"burst"}
    counts, _ = day_counts(stories)
    assert (counts[sorted(burst)].idxmax() == stories.burst_day).all()
    day = stories.posts.created_at.str[:10] == stories.burst_day
    toks = [set(planted_tokens(x, "en")) & burst for x in stories.posts.text[day]]
    # On the burst day, posts holding two burst words are chance meetings
    # of their low everyday rates, not the spike.
    assert sum(len(t) >= 2 for t in toks) <= 0.05 * sum(len(t) >= 1 for t in toks)
