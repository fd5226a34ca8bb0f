"""Tests for glipca.counting.counts: streaming word x period counting."""

import collections
import datetime as dt
import itertools
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from glipca.counting import counts as counts_module
from glipca.counting.counts import WordCounts, count_words
from glipca.ingest import IngestReport, Post, read_posts
from glipca.tokens import EnglishTokenizer

UTC = dt.timezone.utc
SHARED = Path(__file__).resolve().parents[2] / "shared"
TROLLS = SHARED / "data" / "russian_troll_tweets_2016q4" / "russian_troll_tweets_2016q4.jsonl"


def split(text):
    return text.split()


def post(text, *time, tz=UTC):
    return Post(f"{text}@{time}", dt.datetime(*time, tzinfo=tz), text)


def test_hand_computed_example():
    posts = [
        post("flu flu fever", 2020, 3, 1, 9),
        post("fever cough", 2020, 3, 1, 18),
        post("flu", 2020, 3, 3, 12),
        post("", 2020, 3, 3, 13),  # counts as a post, adds no word
    ]
    wc = count_words(posts, split)
    assert wc.words == ["cough", "fever", "flu"]
    assert list(wc.periods) == list(pd.date_range("2020-03-01", periods=3, freq="D", tz="UTC"))
    assert wc.posts.tolist() == [2, 0, 2]  # the empty day is present with 0 posts
    assert wc.counts.toarray().tolist() == [
        [1, 2, 1],  # "flu" twice in one post counts once
        [0, 0, 0],
        [0, 0, 1],
    ]
    assert isinstance(wc.counts, sp.csr_matrix) and wc.counts.dtype == np.int64
    assert wc.posts.dtype == np.int64
    assert wc.total().tolist() == [1, 2, 2]
    assert wc.periods_present().tolist() == [1, 1, 2]
    assert (wc.freq, wc.tz) == ("D", "UTC")
    assert wc.periods.freq == "D"


def test_tz_day_boundaries():
    posts = [
        post("late", 2020, 1, 1, 14, 59),  # 23:59 in Tokyo
        post("early", 2020, 1, 1, 15, 30),  # 00:30 next day in Tokyo
    ]
    in_utc = count_words(posts, split)
    assert in_utc.posts.tolist() == [2]
    tokyo = count_words(posts, split, tz="Asia/Tokyo")
    assert tokyo.posts.tolist() == [1, 1]
    assert tokyo.periods[0] == pd.Timestamp("2020-01-01", tz="Asia/Tokyo")
    assert str(tokyo.periods.tz) == "Asia/Tokyo"
    assert tokyo.to_frame().loc[pd.Timestamp("2020-01-02", tz="Asia/Tokyo"), "early"] == 1


def test_dst_days_are_calendar_days():
    ny = ZoneInfo("America/New_York")
    posts = [post("a", 2020, 3, 7, 23, tz=ny), post("b", 2020, 3, 9, 0, 30, tz=ny)]
    wc = count_words(posts, split, tz="America/New_York")
    assert [p.day for p in wc.periods] == [7, 8, 9]
    assert wc.periods[2] - wc.periods[1] == pd.Timedelta(hours=23)  # spring forward
    assert wc.posts.tolist() == [1, 0, 1]


def test_naive_times_are_taken_in_tz():
    naive = Post("n", dt.datetime(2020, 1, 1, 23, 30), "x")
    wc = count_words([naive], split, tz="Asia/Tokyo")
    assert wc.periods[0] == pd.Timestamp("2020-01-01", tz="Asia/Tokyo")


@pytest.mark.parametrize(
    "freq, starts",
    [
        ("12h", ["2020-03-01 00:00", "2020-03-01 12:00", "2020-03-02 00:00"]),
        ("2D", ["2020-03-01"]),  # aligned on 1970-01-01
        ("W", ["2020-02-24", "2020-03-02"]),  # weeks end on Sunday, start on Monday
        ("W-WED", ["2020-02-27"]),
        ("MS", ["2020-03-01"]),
    ],
)
def test_other_frequencies(freq, starts):
    posts = [post("a", 2020, 3, 1, 1), post("b", 2020, 3, 1, 13), post("c", 2020, 3, 2, 1)]
    wc = count_words(posts, split, freq=freq)
    assert list(wc.periods) == [pd.Timestamp(s, tz="UTC") for s in starts]
    assert wc.posts.sum() == 3
    assert wc.freq == freq


@pytest.mark.parametrize("freq", ["Q", "3W", "bad", "0D"])
def test_unsupported_frequency(freq):
    with pytest.raises(ValueError):
        count_words([], split, freq=freq)


def test_no_posts():
    wc = count_words([], split, tz="Asia/Tokyo")
    assert wc.counts.shape == (0, 0) and wc.words == [] and len(wc.periods) == 0
    assert wc.to_frame().shape == (0, 0)


def test_prune_and_frame():
    posts = [post("a b", 2020, 3, 1), post("a c", 2020, 3, 2), post("a b", 2020, 3, 2)]
    wc = count_words(posts, split)
    assert wc.prune(min_count=2).words == ["a", "b"]
    assert wc.prune(min_periods=2).words == ["a", "b"]
    pruned = wc.prune(min_count=3, min_periods=2)
    assert pruned.words == ["a"]
    assert pruned.posts.tolist() == wc.posts.tolist()
    frame = wc.to_frame()
    assert frame.columns.tolist() == ["a", "b", "c"]
    assert frame.to_numpy().tolist() == [[1, 1, 0], [2, 1, 1]]


def test_word_counts_validates_shapes():
    with pytest.raises(ValueError):
        WordCounts(sp.csr_matrix((2, 3)), ["a", "b"], pd.DatetimeIndex([], tz="UTC"), np.zeros(2))


def naive_counts(posts, tz):
    """Reference: a dict of (local date, word) -> posts containing it."""
    zone = ZoneInfo(tz)
    table = collections.Counter()
    per_day = collections.Counter()
    for p in posts:
        day = p.time.astimezone(zone).date()
        per_day[day] += 1
        for w in set(p.text.split()):
            table[day, w] += 1
    return table, per_day


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10 * 24 * 60 - 1),
            st.lists(st.sampled_from(["a", "b", "c", "dd", "ee", "zz"]), max_size=5),
        ),
        max_size=30,
    ),
    st.sampled_from(["UTC", "Asia/Tokyo", "America/New_York"]),
)
def test_matches_reference_with_tiny_chunks(items, tz):
    base = dt.datetime(2020, 3, 5, tzinfo=UTC)
    posts = [Post(str(i), base + dt.timedelta(minutes=m), " ".join(ws)) for i, (m, ws) in enumerate(items)]
    # Tiny chunks exercise flushing and merging of partial matrices.
    with mock.patch.object(counts_module, "_CHUNK", 3):
        wc = count_words(iter(posts), split, tz=tz)
    table, per_day = naive_counts(posts, tz)
    days = [p.date() for p in wc.periods]
    assert wc.posts.tolist() == [per_day.get(d, 0) for d in days]
    assert sum(wc.posts) == len(posts)
    dense = wc.counts.toarray()
    for (day, word), n in table.items():
        assert dense[days.index(day), wc.words.index(word)] == n
    assert dense.sum() == sum(table.values())
    assert wc.words == sorted(wc.words)
    if days:
        assert days == [days[0] + dt.timedelta(d) for d in range(len(days))]


def test_deterministic_regardless_of_order():
    posts = [post(t, 2020, 3, d) for d, t in [(1, "x y"), (2, "y z"), (1, "w"), (3, "z")]]
    a = count_words(posts, split)
    b = count_words(reversed(posts), split)
    assert a.words == b.words
    assert (a.counts != b.counts).nnz == 0


def test_progress_bar_is_off_without_a_terminal(capsys):
    count_words([post("a", 2020, 3, 1)], split, progress=True, report=IngestReport())
    assert capsys.readouterr().err == ""


def test_russian_troll_slice(tmp_path):
    if not TROLLS.exists():
        pytest.skip(f"{TROLLS} is absent (the shared datasets are not beside this checkout)")
    path = tmp_path / "slice.jsonl"
    with TROLLS.open(encoding="utf-8") as src:
        path.write_text("".join(itertools.islice(src, 2000)), encoding="utf-8")
    report = IngestReport()
    wc = count_words(read_posts(path, report=report), EnglishTokenizer())
    assert report.used == 2000 and report.n_skipped == 0
    assert wc.posts.sum() == 2000
    assert wc.periods[0] == pd.Timestamp("2016-10-01", tz="UTC")  # naive times read as UTC
    assert wc.counts.shape == (len(wc.periods), len(wc.words))
    assert {"trump", "hillary"} <= set(wc.words)
    assert not {"the", "https", "rt"} & set(wc.words)
    # Once per post: no word is in more posts than there are.
    assert (wc.counts.toarray() <= wc.posts[:, None]).all()
