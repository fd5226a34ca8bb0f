import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from glipca.counting.counts import WordCounts
from glipca.model.series import SinglePeakTest, low_volume_periods, relative_frequency, standardize

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
