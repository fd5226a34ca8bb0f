"""Shared fixtures: small generated inputs, and the optional shared datasets."""

from pathlib import Path

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


def factor_series(seed=0):
    """Six planted trends of five words (two close pairs, three days apart),
    two words bridging the pairs and 20 noise words: ``(frame, truth)``.
    See :func:`glipca.datasets.make_trend_series`."""
    from glipca.datasets import make_trend_series

    planted = make_trend_series(30, n_close_pairs=2, n_shared=2, seed=seed)
    return planted.frame, planted.truth


def post_windows(posts, periods=None, copies=False):
    """PostWindows from posts given as lists of words (``copies``: with copy keys)."""
    import numpy as np
    import scipy.sparse as sp

    from glipca.model.cooccurrence import PostWindows, word_set_keys

    words = sorted({w for p in posts for w in p})
    col = {w: j for j, w in enumerate(words)}
    rows = [i for i, p in enumerate(posts) for _ in set(p)]
    cols = [col[w] for p in posts for w in set(p)]
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(posts), len(words)))
    periods = np.zeros(len(posts), dtype=int) if periods is None else np.asarray(periods)
    return PostWindows(periods, matrix, words, keys=word_set_keys(matrix) if copies else None)
