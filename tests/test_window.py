"""The analysis window, the automatic period, masked periods and observed peaks."""

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from glipca.cli import main
from glipca.counting.prepare import prepare_counts
from glipca.counting.counts import WordCounts
from glipca.counting.window import analysis_window, bulk_window, coarsen
from glipca.datasets import make_trend_corpus
from glipca.model.periods import (MIN_PERIODS, check_size, choose_freq, low_volume_periods,
                                  masked_from_ranges, masked_ranges, observed_peak)
from glipca.pipeline import run_analysis

from .conftest import shared_dataset


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _write(path, times, texts=None):
    texts = texts or [f"post number {i} about apples and pears" for i in range(len(times))]
    with open(path, "w", encoding="utf-8") as fh:
        for i, (t, text) in enumerate(zip(times, texts)):
            fh.write(json.dumps({"id": str(i), "created_at": t, "text": text}) + "\n")
    return path


# --- The window --------------------------------------------------------------


def test_bulk_window_leaves_out_posts_separated_by_years():
    posts = np.zeros(20000, dtype=int)
    posts[5000:5061] = 1500
    posts[[0, 19999]] = 10  # epoch zero and 2041, say
    assert bulk_window(posts) == (5000, 5060)


def test_bulk_window_keeps_a_sparse_but_regular_start():
    posts = np.zeros(4000, dtype=int)
    posts[::3] = 1          # one post every third day for years...
    posts[3000:3600] = 9    # ...then a busy stretch
    assert bulk_window(posts) == (0, 3999 - 3999 % 3)


def test_bulk_window_of_a_dense_window_is_all_of_it():
    posts = np.full(61, 100)
    posts[0] = 3
    assert bulk_window(posts) == (0, 60)


@pytest.fixture(scope="module")
def corpus():
    return make_trend_corpus(lang="en", n_trends=5, n_close_pairs=1, n_background=80,
                             posts_per_day=(500, 900), seed=4)


def _with_wild_times(posts, n=10):
    stamps = {"1970": "1970-01-01T00:00:00+00:00", "1995": "1995-01-01T00:00:00+00:00",
              "2041": "2041-06-01T12:00:00+00:00"}
    wild = pd.DataFrame({
        "id": np.arange(10**6, 10**6 + 3 * n),
        "created_at": [t for t in stamps.values() for _ in range(n)],
        "text": posts.text.iloc[: 3 * n].to_numpy(),
    })
    return pd.concat([posts, wild], ignore_index=True)


def test_wild_timestamps_change_nothing_but_the_dropped_count(corpus):
    # The default on_error="raise": wild times are not errors, only outside.
    kwargs = dict(lang="en", jobs=1, n_resamples=0, n_posts=0)
    clean = run_analysis(corpus.posts, **kwargs)
    wild = run_analysis(_with_wild_times(corpus.posts), **kwargs)
    assert wild.clusters == clean.clusters
    assert [c.peak for c in wild.model.clusters_] == [c.peak for c in clean.model.clusters_]
    assert wild.series.index.equals(clean.series.index)
    s = wild.summary()
    # Epoch zero, 1995 and 2041 are read, and left out of the window.
    assert s["dropped_by_reason"] == {"out_of_window": 30} and s["posts_skipped"] == 0
    assert s["posts_read"] == s["posts_used"] + s["posts_skipped"] + s["posts_dropped"]
    assert s["window"]["data_first"] == "1970-01-01" and s["window"]["first"] == corpus.days[0]
    assert s["window"]["data_last"] == "2041-06-01" and s["window"]["last"] == corpus.days[-1]
    assert "window" not in clean.summary()


def test_counts_analysed_twice_drop_the_posts_outside_once(corpus):
    prepared = prepare_counts(_with_wild_times(corpus.posts), lang="en", jobs=1, cache=False,
                              on_error="skip")
    before = prepared.report.as_dict()
    summaries = [run_analysis(prepared, jobs=1, n_resamples=0, n_posts=0).summary() for _ in range(2)]
    assert summaries[0]["dropped_by_reason"] == summaries[1]["dropped_by_reason"] == {"out_of_window": 30}
    assert summaries[0]["posts_used"] == summaries[1]["posts_used"] == len(corpus.posts)
    assert prepared.report.as_dict() == before


def test_since_and_until_override_the_window(corpus):
    result = run_analysis(corpus.posts, lang="en", jobs=1, n_resamples=0, n_posts=0,
                          since=corpus.days[5], until=corpus.days[40])
    assert result.series.index[0].strftime("%Y-%m-%d") == corpus.days[5]
    assert result.series.index[-1].strftime("%Y-%m-%d") == corpus.days[40]
    window = result.summary()["window"]
    assert window["rule"] == "since/until" and window["posts_outside"] > 0
    assert result.summary()["dropped_by_reason"]["out_of_window"] == window["posts_outside"]


def test_epoch_zero_is_dropped_but_a_bulk_before_1990_is_refused(tmp_path):
    # (A few epoch-zero defaults among real times are read and left out of
    # the window: test_wild_timestamps_change_nothing_but_the_dropped_count.)
    # Dates given as numbers (20200101 ...) read as epoch seconds: August 1970.
    numbers = [{"id": i, "text": f"post {i}", "created_at": 20200101 + i % 28} for i in range(840)]
    bad = tmp_path / "numbers.jsonl"
    bad.write_text("".join(json.dumps(r) + "\n" for r in numbers), encoding="utf-8")
    result = _cli("analyse", bad, "--out", tmp_path / "o2", "--lang", "en")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "before 1990" in lines[0] and "--time-field" in lines[0]


def test_since_after_the_last_post_is_one_clear_error(tmp_path):
    path = _write(tmp_path / "p.jsonl", [f"2020-01-{d:02d}T10:00:00Z" for d in range(1, 29)] * 30)
    result = _cli("analyse", path, "--out", tmp_path / "o", "--lang", "en", "--since", "2021-01-01")
    assert result.exit_code == 2
    assert "no posts between since=2021-01-01" in result.output and "Traceback" not in result.output


# --- Too few periods, too many ---------------------------------------------


@pytest.mark.parametrize("days, expected", [
    (1, f"all 300 posts fall in one period (2020-01-01 at freq D); at least {MIN_PERIODS} "
        "periods are needed"),
    (3, f"the posts span 3 periods (2020-01-01 to 2020-01-03 at freq D); at least {MIN_PERIODS} "
        "periods are needed"),
])
def test_too_few_periods_is_one_line_and_exit_2(tmp_path, days, expected):
    times = [f"2020-01-{1 + i % days:02d}T{i % 24:02d}:00:00Z" for i in range(300)]
    path = _write(tmp_path / "p.jsonl", times)
    for freq in (["--freq", "D"], []):  # given, and chosen by the default --freq auto
        result = _cli("analyse", path, "--out", tmp_path / "o", "--lang", "en", *freq)
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0] and "--freq" in lines[0]


def test_a_grid_beyond_the_memory_budget_is_refused_naming_the_options():
    with pytest.raises(ValueError, match=r"`since`/`until` or use a coarser `freq`"):
        check_size(24 * 60 * 365 * 10, 2000, "1min")
    check_size(24 * 365 * 3, 2000, "h")  # three years hourly fit


def test_the_memory_guard_refuses_before_the_series_are_made():
    import tracemalloc

    from glipca.model.series import relative_frequency

    # Seven years of hours and 2,000 words: the dense counts alone would be
    # 0.9 GB, and the series with their working copies over the budget.
    n_periods, n_words = 24 * 365 * 7, 2000
    rows = np.arange(3 * n_words) * 37 % n_periods
    counts = sp.csr_matrix((np.full(3 * n_words, 20), (rows, np.repeat(np.arange(n_words), 3))),
                           shape=(n_periods, n_words))
    wc = WordCounts(counts=counts, words=[f"w{j:04d}" for j in range(n_words)],
                    periods=pd.date_range("2014-01-01", periods=n_periods, freq="h", tz="UTC"),
                    posts=np.full(n_periods, 40), freq="h")
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            relative_frequency(wc)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(info.value).startswith("61,320 periods at freq h × 2,000 words would need about 7 GiB "
                                      "(budget 4 GiB): narrow the window with `since`/`until`")
    assert peak < n_periods * n_words  # far below the 8 bytes per cell of the dense counts


# --- The automatic period --------------------------------------------------


def test_coarsen_equals_counting_at_the_coarser_period(corpus):
    daily = prepare_counts(corpus.posts, lang="en", jobs=1, freq="D").counts
    weekly = prepare_counts(corpus.posts, lang="en", jobs=1, freq="W").counts
    coarse, rows = coarsen(daily, "W")
    assert coarse.periods.equals(weekly.periods) and coarse.words == weekly.words
    assert np.array_equal(coarse.posts, weekly.posts)
    assert (coarse.counts != weekly.counts).nnz == 0
    assert np.array_equal(coarse.posts[rows], weekly.posts[rows])


def test_auto_takes_days_when_days_are_full_and_weeks_when_they_are_thin(corpus):
    daily = prepare_counts(corpus.posts, lang="en", jobs=1, freq="D").counts
    chosen, tried, rows = choose_freq(daily)
    assert chosen is daily and rows is None and [t["freq"] for t in tried] == ["D"]
    # 8 to 16 posts a day for 20 weeks: most days are too thin, weeks are not.
    thin = make_trend_corpus(lang="en", n_days=140, n_trends=2, n_close_pairs=0,
                             n_background=40, posts_per_day=(8, 16), seed=1)
    counts = prepare_counts(thin.posts, lang="en", jobs=1, freq="D").counts
    chosen, tried, rows = choose_freq(counts)
    assert chosen.freq == "W" and [t["freq"] for t in tried] == ["D", "W"]
    assert tried[0]["masked"] > 0.25 * tried[0]["periods"]
    assert np.array_equal(np.bincount(rows, weights=counts.posts), chosen.posts)
    # With a floor of 5 posts (given), the same days are full enough.
    assert choose_freq(counts, min_posts=5)[0] is counts


# --- Masked periods --------------------------------------------------------


def test_masked_periods_are_written_as_ranges():
    index = pd.date_range("2020-03-02", periods=10, freq="D", tz="UTC")
    masked = np.array([1, 1, 1, 0, 0, 1, 0, 0, 1, 1], dtype=bool)
    assert masked_ranges(index, masked) == ["2020-03-02/2020-03-04", "2020-03-07",
                                            "2020-03-10/2020-03-11"]
    hours = pd.date_range("2020-03-02", periods=4, freq="h", tz="UTC")
    assert masked_ranges(hours, [0, 1, 1, 0]) == [
        "2020-03-02T01:00:00+00:00/2020-03-02T02:00:00+00:00"]


def test_a_peak_is_never_a_masked_period():
    frame = pd.DataFrame({"w": np.zeros(8)}, index=pd.date_range("2020-03-02", periods=8))
    frame.attrs["masked"] = (True, True, True, False, False, False, False, False)
    # Leading masked periods hold the first observed value, copied back; a
    # stray interpolation must not make one of them the peak.
    signal = np.array([5.0, 5.0, 5.0, 4.0, 2.0, 1.0, 1.5, 1.0])
    assert observed_peak(signal, frame) == (3, True)
    signal = np.array([0.0, 0.0, 0.0, 1.0, 3.0, 1.0, 1.5, 1.0])
    assert observed_peak(signal, frame) == (4, False)
    del frame.attrs["masked"]
    assert observed_peak(signal, frame) == (4, False)


def test_hourly_night_hours_are_not_masked_for_being_nights():
    index = pd.date_range("2020-03-02", periods=24 * 14, freq="h", tz="UTC")
    posts = np.where(index.hour < 6, 30, 800)
    assert not low_volume_periods(posts, periods=index).any()
    assert low_volume_periods(posts).sum() == 6 * 14


# --- Real data -------------------------------------------------------------


@pytest.mark.parametrize("name, freq", [("koume_tweets", "MS"), ("livedoor_news", "MS")])
def test_sparse_real_data_runs_with_default_options(tmp_path, name, freq):
    path = shared_dataset(name)
    result = _cli("analyse", path, "--out", tmp_path / "o", "--resamples", "0", "--posts", "0")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "o" / "clusters.json").read_text(encoding="utf-8"))
    s = doc["summary"]
    assert doc["params"]["freq"] == freq and s["clusters"] >= 1
    assert s["freq_auto"]["chosen"] == freq and s["n_masked_periods"] >= 1
    # How many months were interpolated: on the terminal and in the report.
    thin = s["n_masked_periods"]
    assert f"; {thin} interpolated)" in result.output
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    share = f"{thin / s['periods']:.0%}"
    assert f"Low-volume periods (interpolated)</th><td>{thin} of {s['periods']} ({share}): " in page
    if name == "livedoor_news":  # 7 articles of 2000-2006 are left out
        assert s["dropped_by_reason"] == {"out_of_window": 7}
    else:  # 28 % of months thin: warned about in the summary, terminal and report
        assert s["warnings"] and "glipca: warning: 34 of 120 periods (28%)" in result.output
        assert "34 of 120 periods (28%) had too few posts" in page


def test_corona_clusters_peak_on_observed_days(tmp_path):
    path = shared_dataset("corona_nlp")
    result = _cli("analyse", path, "--out", tmp_path / "o", "--resamples", "0", "--posts", "0")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "o" / "clusters.json").read_text(encoding="utf-8"))
    masked = doc["summary"]["masked_periods"]
    assert masked[0] == "2020-03-02/2020-03-10"
    assert all(not c["peak"].startswith("2020-03-0") and c["peak"] != "2020-03-10"
               for c in doc["clusters"])
    # Nor any other masked day: every peak is an observed period.
    series = pd.read_parquet(tmp_path / "o" / "series.parquet")
    thin = set(series.index[masked_from_ranges(series.index, masked)].strftime("%Y-%m-%d"))
    assert len(thin) == doc["summary"]["n_masked_periods"]
    assert doc["clusters"] and not {c["peak"] for c in doc["clusters"]} & thin


def test_the_peak_test_reports_observed_peaks():
    from glipca.model.series import SinglePeakTest

    index = pd.date_range("2020-03-02", periods=30, freq="D", tz="UTC")
    values = 0.01 + 0.002 * np.sin(np.arange(30))
    values[:6] = 0.2  # masked days, holding the first observed value copied back
    frame = pd.DataFrame({"w": values}, index=index)
    frame.attrs["masked"] = tuple([True] * 5 + [False] * 25)
    assert SinglePeakTest()(frame).loc["w", "peak"] == index[5]
    del frame.attrs["masked"]
    assert SinglePeakTest()(frame).loc["w", "peak"] < index[5]


@pytest.mark.parametrize("freq", ["D", "3D", "h", "30min", "W-MON", "MS"])
@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Australia/Lord_Howe"])
def test_a_period_index_is_the_starts_of_its_periods(freq, tz):
    import datetime as dt

    from glipca.counting.periods import Periods, zone

    periods = Periods(freq, zone(tz))
    lo = periods.key(dt.datetime(2019, 12, 30, tzinfo=dt.timezone.utc))
    hi = periods.key(dt.datetime(2021, 1, 2, tzinfo=dt.timezone.utc))
    index = periods.index(lo, hi)
    naive = pd.DatetimeIndex([periods.start(k) for k in range(lo, hi + 1)])
    assert index.equals(naive.tz_localize(zone(tz), ambiguous=np.ones(len(naive), dtype=bool),
                                          nonexistent="shift_forward"))
    assert index.unit == naive.unit and len(index) == hi - lo + 1


def test_a_grid_of_too_many_periods_is_refused_before_it_is_made(tmp_path):
    # Two posts decades apart at one-minute periods: 21 million periods.
    times = [f"2020-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z" for i in range(200)]
    path = _write(tmp_path / "p.jsonl", ["2001-01-01T00:00:00Z"] + times + ["2041-06-01T00:00:00Z"])
    for command in ("count", "analyse"):
        result = _cli(command, path, "--out", tmp_path / command, "--lang", "en", "--freq", "1min",
                      "--on-error", "skip", "--no-cache")
        assert result.exit_code == 2
        assert result.output == ("glipca: error: the posts span 21,255,841 periods at freq 1min (2001-01-01 to "
                                 "2041-06-01), more than the 10,000,000 a count may hold: use a coarser --freq, "
                                 "or leave out the posts far from the rest\n")
    result = _cli("count", path, "--out", tmp_path / "hourly", "--lang", "en", "--freq", "h", "--no-cache")
    assert result.exit_code == 0, result.output


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=120),
       st.lists(st.tuples(st.integers(-4000, 4000), st.integers(1, 10)), max_size=4),
       st.integers(0, 30))
def test_posts_outside_the_window_are_what_the_accounting_drops(bulk, wild, skipped):
    """Any posts per period, with a few far-off periods: the window keeps
    some posts, and read = used + skipped + dropped after the drop."""
    from glipca.ingest import IngestReport

    offset = 4000
    posts = np.zeros(len(bulk) + 2 * offset, dtype=np.int64)
    posts[offset:offset + len(bulk)] = bulk
    for at, n in wild:
        posts[offset + at if at < 0 else offset + len(bulk) + at - 1] += n
    nonzero = np.flatnonzero(posts)
    if not nonzero.size:
        return
    posts = posts[nonzero[0]:nonzero[-1] + 1]
    wc = WordCounts(counts=sp.csr_matrix(posts[:, None]), words=["w"], posts=posts,
                    periods=pd.date_range("2001-01-01", periods=len(posts), freq="D", tz="UTC"))
    total = int(posts.sum())
    report = IngestReport(read=total + skipped, used=total, skipped=Counter({"bad_time": skipped}))
    trimmed, window, rows = analysis_window(wc)
    report.drop("out_of_window", window.dropped)
    assert report.balanced and report.used == int(trimmed.posts.sum()) > 0
    assert trimmed.posts[0] > 0 and trimmed.posts[-1] > 0
    kept = rows >= 0
    assert np.array_equal(trimmed.posts, posts[kept]) and window.dropped == int(posts[~kept].sum())
    assert np.array_equal(rows[kept], np.arange(kept.sum()))
