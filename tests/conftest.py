"""Shared fixtures: small generated inputs, and the optional shared datasets."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _word_count_cache(tmp_path_factory):
    """Point the word-count cache at a temporary folder, never the user's."""
    import os

    before = os.environ.get("GLIPCA_CACHE")
    os.environ["GLIPCA_CACHE"] = str(tmp_path_factory.mktemp("glipca-cache"))
    yield
    if before is None:
        os.environ.pop("GLIPCA_CACHE", None)
    else:
        os.environ["GLIPCA_CACHE"] = before


def shared_dataset(name):
    """Path of a dataset in ../shared/data, or skip the test when absent."""
    path = SHARED / name / f"{name}.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared datasets are not beside this checkout)")
    return path


def factor_series(seed=0, n_days=61, n_trends=6, words_per_trend=5, gap=3, n_noise=20, volume=3000):
    """Word series from a latent-factor model of trends, with known truth.

    Trends 0/1 and 2/3 peak ``gap`` days apart. Each trend's words share its
    daily jitter (they appear in the same posts), so they are directly
    correlated; the two trends of a pair share only the smooth bump. Two
    words ("shared0", "shared1") appear in both trends of a pair.
    """
    rng = np.random.default_rng(seed)
    days = np.arange(n_days)
    peaks = np.sort(rng.choice(np.arange(6, n_days - 6, 8), size=n_trends, replace=False)).astype(float)
    peaks[1], peaks[3] = peaks[0] + gap, peaks[2] + gap
    sigma = rng.uniform(1.5, 3.0, n_trends)
    posts = np.linspace(volume, 2 * volume, n_days).round().astype(int)
    rate = 0.03 * np.exp(-0.5 * ((days[None, :] - peaks[:, None]) / sigma[:, None]) ** 2)
    topical = rng.poisson(posts * rate * np.exp(rng.normal(0, 0.3, rate.shape)))
    columns, truth = {}, {}
    for k in range(n_trends):
        for j in range(words_per_trend):
            counts = rng.binomial(topical[k], rng.uniform(0.3, 0.9)) + rng.binomial(posts, 5e-4)
            columns[f"t{k}w{j}"] = counts / posts
            truth[f"t{k}w{j}"] = k
    for s, (a, b) in enumerate([(0, 1), (2, 3)]):
        counts = rng.binomial(topical[a], 0.5) + rng.binomial(topical[b], 0.5) + rng.binomial(posts, 5e-4)
        columns[f"shared{s}"] = counts / posts
    for i in range(n_noise):
        columns[f"noise{i}"] = rng.binomial(posts, rng.uniform(0.001, 0.01)) / posts
    index = pd.date_range("2020-03-08", periods=n_days, freq="D", tz="UTC")
    return pd.DataFrame(columns, index=index), truth
