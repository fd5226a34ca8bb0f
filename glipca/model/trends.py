"""The trends stage: which words' series have a single peak.

:func:`find_trends` runs the single-peak test (or any test given in
:class:`~glipca.model.options.ModelOptions`) on every word of a
:class:`~glipca.model.word_series.Series` and returns :class:`Trends`: the
candidate words for the graph, and, for the co-occurrence method, the
episodes of words of recurring events (:mod:`glipca.model.episodes`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..counting.periods import period_label
from .episodes import find_episodes
from .options import ModelOptions
from .word_series import Series

__all__ = ["Trends", "find_trends", "strength", "strongest"]


@dataclass(frozen=True)
class Trends:
    """Candidate trend words and every word's single-peak test.

    Attributes
    ----------
    series : Series
    tests : DataFrame
        The test's result, one row per word (``peaks.csv``).
    candidates : DataFrame
        Periods × the words that pass (with burst candidates, at most
        ``max_trends`` of them, the strongest: :func:`strongest`).
    tested : DataFrame
        ``tests`` and the episodes' rows.
    pool : DataFrame
        The series and the episodes' series: every word a story may take.
    word_of : dict
        Word of each episode.
    options : ModelOptions
        The options it was made with.
    """

    series: Series
    tests: pd.DataFrame
    candidates: pd.DataFrame
    tested: pd.DataFrame
    pool: pd.DataFrame
    word_of: dict
    options: ModelOptions

    @property
    def words(self):
        """The candidate words."""
        return list(self.candidates.columns)

    def story_words(self):
        """Words that may tell a story with an orphan: single-peak words, and
        words rejected only because they peak more than once."""
        tested = self.tested
        keep = tested["is_trend"].to_numpy(dtype=bool).copy()
        if "reason" in tested:
            keep |= (tested["reason"] == "several_peaks").to_numpy()
        return list(tested.index[keep])


def strength(tests, frame):
    """How strong each word's peak is: the test's ``z``, bounded by counting noise.

    A word seen in a handful of posts outside its peak has no period-to-period
    noise, and the test's ``z`` then only says that the peak stands out from
    nothing (it reaches the test's ceiling). Its peak cannot be more certain
    than its posts: a share from ``N`` posts varies by ``sqrt(n) / N`` for
    ``n`` expected posts (at least one). The strength is the peak's
    prominence over the larger of the test's noise (``prominence / z``) and
    that counting noise at the median volume of a period.

    Returns
    -------
    ndarray of float
        One per word (row of ``tests``, column of ``frame``); 0 where the
        test found no peak.
    """
    prominence = tests["prominence"].to_numpy(dtype=float)
    z = tests["z"].to_numpy(dtype=float)
    posts = np.asarray(frame.attrs.get("posts", ()), dtype=float)
    volume = float(np.median(posts[posts > 0])) if np.any(posts > 0) else 1.0
    expected = np.asarray(frame.mean(axis=0), dtype=float) * volume
    counting = np.sqrt(np.maximum(expected, 1.0)) / volume
    with np.errstate(invalid="ignore", divide="ignore"):
        noise = np.where(z > 0, prominence / z, np.inf)
    return np.where(z > 0, prominence / np.maximum(noise, counting), 0.0)


def strongest(tests, frame, limit):
    """The words that pass the test, at most ``limit`` of them, strongest first.

    Ranked by :func:`strength`, ties broken by word, so that the cut is
    deterministic. Returns a boolean array, one per word.
    """
    passed = tests["is_trend"].to_numpy(dtype=bool)
    if passed.sum() <= limit:
        return passed
    score = strength(tests, frame)
    words = np.asarray(tests.index, dtype=object)
    order = [i for i in np.lexsort((words, -score)) if passed[i]][:limit]
    keep = np.zeros(passed.size, dtype=bool)
    keep[order] = True
    return keep


def find_trends(series, options=None):
    """The single-peak test of every word, and the candidates it keeps.

    Parameters
    ----------
    series : Series
    options : ModelOptions, optional
        ``peak_test``, ``max_trends`` (with burst candidates) and, for the
        episodes, ``cooccurrence``.

    Returns
    -------
    Trends

    Raises
    ------
    ValueError
        When fewer than two words pass the test.
    """
    options = options if options is not None else ModelOptions()
    frame, test = series.frequencies, options.peak_test
    key = _test_key(test)
    tests = series.remember(key and ("peak_test", key), lambda: test(frame))
    passed = tests["is_trend"].to_numpy(dtype=bool)
    if options.bursts:
        passed = strongest(tests, frame, options.max_trends)
    candidates = frame.loc[:, passed]
    if candidates.shape[1] < 2:
        raise ValueError(
            f"only {candidates.shape[1]} word(s) passed the single-peak test; "
            "nothing to cluster (lower `min_count` or the test's thresholds)"
        )
    tested, pool, word_of = tests, frame, {}
    split = options.split
    if split is not None and split.episode_z is not None:
        # Words of recurring events, a partner per peak (glipca.model.episodes).
        episodes, tested, word_of = series.remember(key and ("episodes", key), lambda: find_episodes(
            frame, tests, test, [period_label(p) for p in frame.index]))
        pool = pd.concat([frame, episodes], axis=1)
    return Trends(series, tests, candidates, tested, pool, word_of, options)


def _test_key(test):
    """What identifies a peak test's answers: its kind and ``params()``; None
    for a test that cannot say (its answers are then never reused)."""
    params = getattr(test, "params", None)
    if params is None:
        return None
    return type(test).__qualname__, json.dumps(params(), sort_keys=True, default=repr)
