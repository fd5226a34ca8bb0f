import numpy as np
import pandas as pd
import pytest
from scipy import signal, sparse, stats

from glipca.counting.counts import WordCounts
from glipca.counting.prepare import prepare_counts
from glipca.datasets import make_trend_corpus, make_trend_series
from glipca.model.series import SinglePeakTest, low_volume_periods, relative_frequency, standardize
from glipca.model.trend import MAX_POINTS, theil_sen

from .conftest import shared_dataset

DAYS = 61


def _frame(columns):
    index = pd.date_range("2020-03-08", periods=DAYS, freq="D", tz="UTC")
    return pd.DataFrame(columns, index=index)


def _bump(center, sigma=2.0, height=1.0):
    t = np.arange(DAYS)
    return height * np.exp(-0.5 * ((t - center) / sigma) ** 2)


@pytest.fixture
def shapes():
    rng = np.random.default_rng(0)
    noise = lambda: rng.normal(0, 0.01, DAYS)  # noqa: E731
    t = np.arange(DAYS)
    return _frame(
        {
            "bump": 0.05 + _bump(30) + noise(),
            "edge": 0.05 + _bump(0) + noise(),
            "weekly": 0.5 + 0.4 * (t % 7 == 5) + noise(),
            "drift": 0.01 * t + noise(),
            "flat": 0.3 + noise(),
            "double": 0.05 + _bump(12) + _bump(45) + noise(),
            "broad": 0.05 + _bump(30, sigma=12) + noise(),
            "falling": 0.6 - 0.01 * t + noise(),
        }
    )


def test_single_peak_test_keeps_bumps_and_rejects_the_rest(shapes):
    result = SinglePeakTest()(shapes)
    assert result.loc["bump", "is_trend"] and result.loc["edge", "is_trend"]
    assert result.loc["bump", "peak"] == shapes.index[30]
    assert result.loc["edge", "peak"] == shapes.index[0]
    # Recurring spikes either show as several peaks or raise the noise
    # scale so that none stands out: both are rejections.
    assert result.loc["weekly", "reason"] in {"several_peaks", "weak_peak"}
    assert result.loc["double", "reason"] == "several_peaks"
    # Steady rises and falls are flat once the robust line is removed.
    assert result.loc["drift", "reason"] == "weak_peak"
    assert result.loc["falling", "reason"] == "weak_peak"
    assert result.loc["broad", "reason"] == "too_wide"
    assert result.loc["flat", "reason"] == "weak_peak"
    assert not result.loc[["weekly", "double", "drift", "falling", "broad", "flat"], "is_trend"].any()


def test_trend_on_a_rising_baseline_is_kept():
    t = np.arange(DAYS)
    frame = _frame({"w": 0.1 + 0.005 * t + 0.5 * _bump(50, sigma=2)})
    result = SinglePeakTest()(frame)
    assert result.loc["w", "is_trend"]
    assert result.loc["w", "peak"] == frame.index[50]


def test_single_peak_test_reports_every_word(shapes):
    result = SinglePeakTest()(shapes)
    assert list(result.index) == list(shapes.columns)
    assert set(result.columns) >= {"is_trend", "peak", "prominence", "z", "width", "reason"}


def test_low_volume_periods():
    posts = np.array([1000, 900, 0, 5, 1100, 80, 1000])
    assert low_volume_periods(posts).tolist() == [False, False, True, True, False, True, False]


def _counts(matrix, posts, words):
    periods = pd.date_range("2020-01-01", periods=len(posts), freq="D", tz="UTC")
    return WordCounts(
        counts=sparse.csr_matrix(np.asarray(matrix, dtype=np.int64)),
        words=list(words),
        periods=periods,
        posts=np.asarray(posts, dtype=np.int64),
        freq="D",
        tz="UTC",
    )


def test_relative_frequency_divides_by_posts_and_masks_thin_days():
    posts = [100, 100, 2, 100, 100]
    matrix = [[10, 50], [20, 50], [2, 0], [30, 50], [40, 50]]
    frame = relative_frequency(_counts(matrix, posts, ["a", "b"]), min_count=1, min_periods=1)
    assert frame.columns.tolist() == ["a", "b"]
    # The two-post day would read 100 %; it is masked and interpolated.
    assert frame["a"].tolist() == pytest.approx([0.1, 0.2, 0.25, 0.3, 0.4])
    assert frame.attrs["masked_periods"] == ["2020-01-03"]


def test_relative_frequency_filters_rare_words_and_caps_vocabulary():
    posts = [100] * 4
    matrix = [[5, 1, 9], [5, 0, 9], [5, 0, 9], [5, 0, 9]]
    wc = _counts(matrix, posts, ["common", "rare", "top"])
    frame = relative_frequency(wc, min_count=3, min_periods=2)
    assert frame.columns.tolist() == ["common", "top"]
    frame = relative_frequency(wc, min_count=1, min_periods=1, max_words=1)
    assert frame.columns.tolist() == ["top"]


def test_standardize():
    frame = _frame({"a": np.arange(DAYS, dtype=float), "b": np.sin(np.arange(DAYS))})
    z = standardize(frame)
    assert np.allclose(z.mean(), 0) and np.allclose(z.std(ddof=0), 1)
    with pytest.raises(ValueError, match="constant"):
        standardize(_frame({"c": np.ones(DAYS)}))


# --- Theil-Sen line and the vectorised test against today's per-word test ---


@pytest.mark.parametrize("n", [2, 3, 5, 61, 92, 256])
def test_theil_sen_equals_scipy_up_to_max_points(n):
    rng = np.random.default_rng(n)
    values = np.column_stack([rng.random(n), rng.random(n) < 0.2, np.zeros(n),
                              np.arange(n) % 7 == 5, rng.poisson(2, n)]).astype(float)
    slope, intercept = theil_sen(values)
    for j in range(values.shape[1]):
        ref = stats.theilslopes(values[:, j])
        # Bit for bit: the same pairs, the same median, the same intercept.
        assert slope[j] == ref[0] and intercept[j] == ref[1]


def test_theil_sen_on_long_series_uses_block_medians_and_resists_a_bump():
    n = 8760
    t = np.arange(n)
    rng = np.random.default_rng(0)
    line = 0.2 + 1e-5 * t
    bump = 0.5 * np.exp(-0.5 * ((t - 4000) / 3.0) ** 2)
    values = np.column_stack([line + bump + 0.01 * rng.standard_normal(n), line])
    slope, intercept = theil_sen(values)
    assert slope == pytest.approx([1e-5, 1e-5], rel=0.05)
    assert intercept == pytest.approx([0.2, 0.2], abs=2e-3)
    # The reduction: at most MAX_POINTS points enter the all-pairs median.
    assert -(-n // -(-n // MAX_POINTS)) <= MAX_POINTS


def _reference_test(frame, min_z=6.0, max_secondary=0.5, max_width=0.25):
    """The single-peak test as it was written first: one word at a time,
    scipy's Theil-Sen line. The fast test must agree with it bit for bit."""
    rows = []
    values = np.asarray(frame, dtype=float)
    n = len(values)
    for x in values.T:
        padded = np.concatenate([x[1:2], x, x[-2:-1]])
        xs = 0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]
        slope, intercept = stats.theilslopes(xs)[:2]
        xs = xs - (intercept + slope * np.arange(n))
        d = np.diff(x)
        noise = 1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0) * np.sqrt(6.0) / 4.0
        span = float(xs.max() - xs.min())
        if span <= 0:
            rows.append((False, int(np.argmax(xs)), 0.0, 0.0, float(n), 0.0, 0, "flat"))
            continue
        low = min(float(np.median(xs)), xs.min())
        peaks, props = signal.find_peaks(np.concatenate([[low], xs, [low]]), prominence=0)
        prom = props["prominences"]
        main = np.argsort(-prom, kind="stable")[0]
        second = float(np.sort(prom)[-2] / prom[main]) if peaks.size > 1 else 0.0
        width = signal.peak_widths(np.concatenate([[low], xs, [low]]), peaks[[main]], 0.5,
                                   (prom[[main]], props["left_bases"][[main]],
                                    props["right_bases"][[main]]))[0][0]
        z = prom[main] / max(noise, 1e-3 * span)
        reason = ("weak_peak" if z < min_z else "several_peaks" if second >= max_secondary
                  else "too_wide" if width > max_width * n else "ok")
        rows.append((reason == "ok", min(max(int(peaks[main]) - 1, 0), n - 1), float(prom[main]),
                     float(z), float(width), second, int(np.sum(prom >= max_secondary * prom[main])),
                     reason))
    out = pd.DataFrame(rows, index=pd.Index(frame.columns, name="word"), columns=[
        "is_trend", "peak_index", "prominence", "z", "width", "secondary", "n_peaks", "reason"])
    out.insert(1, "peak", frame.index[out["peak_index"].to_numpy()])
    return out.drop(columns="peak_index")


def _assert_same_tests(frame):
    new, old = SinglePeakTest()(frame), _reference_test(frame)
    differ = list(new.index[new["is_trend"].to_numpy() != old["is_trend"].to_numpy()])
    assert differ == []
    pd.testing.assert_frame_equal(new, old, check_exact=True)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_fast_test_equals_todays_test_on_planted_corpora(lang):
    corpus = make_trend_corpus(lang=lang, seed=2, posts_per_day=(600, 1200))
    counts = prepare_counts(corpus.posts, lang=lang, jobs=1).counts
    frame = relative_frequency(counts, max_words=2000)
    _assert_same_tests(frame)
    found = set(frame.columns[SinglePeakTest()(frame)["is_trend"].to_numpy()])
    assert len(found & set(corpus.truth)) >= 0.8 * len(corpus.truth)


def test_fast_test_equals_todays_test_on_the_troll_file_daily():
    path = shared_dataset("russian_troll_tweets_2016q4")
    counts = prepare_counts(path, lang="en", jobs=2).counts
    frame = relative_frequency(counts, max_words=2000)
    assert frame.shape == (61, 2000)
    _assert_same_tests(frame)


# --- Periods shorter than a day: the daily rhythm of posting ---------------


def _hourly(daily_cycle, seed=0, **kwargs):
    planted = make_trend_series(60, n_noise=60, n_periods=24 * 30, freq="h",
                                posts_per_period=(400, 400), daily_cycle=daily_cycle,
                                seed=seed, **kwargs)
    frame = planted.frame
    frame.attrs["posts"] = tuple(int(v) for v in planted.posts)
    return planted, frame


def test_low_volume_rule_compares_night_hours_with_other_nights():
    planted, _ = _hourly(0.9)
    index = planted.index
    by_day = low_volume_periods(planted.posts)
    by_hour = low_volume_periods(planted.posts, periods=index)
    # Night hours hold about 5 % of evening volume: the global rule would
    # mask them, the same-hour rule keeps those above ``min_posts``.
    assert by_day[index.hour == 8].mean() > 0.5
    assert not by_hour[planted.posts >= 20].any()
    assert by_hour[planted.posts < 20].all()


def test_hourly_noise_follows_volume():
    planted, frame = _hourly(0.9, seed=3)
    kept = SinglePeakTest()(frame)["is_trend"]
    trend = [w for w in frame.columns if planted.label_of(w) >= 0]
    noise = [w for w in frame.columns if w.startswith("noise")]
    # Night hours hold a tenth of the evening's posts: their frequencies are
    # three times noisier, and without the volumes their spikes pass for
    # second peaks of most trends.
    assert kept[trend].mean() >= 0.75 and not kept[noise].any()
    frame.attrs.pop("posts")
    blind = SinglePeakTest()(frame)["is_trend"]
    assert blind[trend].mean() <= 0.5 and not blind[noise].any()


def test_a_few_posts_in_one_hour_are_no_event_twenty_are():
    _, frame = _hourly(0.0)
    rng = np.random.default_rng(1)
    for name, burst in (("few", 3), ("many", 20)):
        counts = np.zeros(len(frame))
        np.add.at(counts, rng.choice(len(frame), 22, replace=True), 1)
        counts[200] = burst
        frame[name] = counts / 400
    result = SinglePeakTest()(frame)
    assert not result.loc["few", "is_trend"] and result.loc["few", "reason"] == "weak_peak"
    assert result.loc["many", "is_trend"] and result.loc["many", "peak"] == frame.index[200]
