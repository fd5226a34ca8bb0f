"""The trends stage: which words' series have a single peak.

:func:`find_trends` runs the single-peak test (or any test given in
:class:`~glipca.model.options.ModelOptions`) on every word of a
:class:`~glipca.model.word_series.Series` and returns :class:`Trends`: the
candidate words for the graph, and, for the co-occurrence method, the
episodes of words of recurring events (:mod:`glipca.model.episodes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..counting.periods import period_label
from .episodes import find_episodes
from .options import ModelOptions
from .word_series import Series

__all__ = ["Trends", "find_trends"]


@dataclass(frozen=True)
class Trends:
    """Candidate trend words and every word's single-peak test.

    Attributes
    ----------
    series : Series
    tests : DataFrame
        The test's result, one row per word (``peaks.csv``).
    candidates : DataFrame
        Periods × the words that pass.
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


def find_trends(series, options=None):
    """The single-peak test of every word, and the candidates it keeps.

    Parameters
    ----------
    series : Series
    options : ModelOptions, optional
        ``peak_test`` and, for the episodes, ``cooccurrence``.

    Returns
    -------
    Trends

    Raises
    ------
    ValueError
        When fewer than two words pass the test.
    """
    options = options if options is not None else ModelOptions()
    frame = series.frequencies
    tests = options.peak_test(frame)
    candidates = frame.loc[:, tests["is_trend"].to_numpy(dtype=bool)]
    if candidates.shape[1] < 2:
        raise ValueError(
            f"only {candidates.shape[1]} word(s) passed the single-peak test; "
            "nothing to cluster (lower `min_count` or the test's thresholds)"
        )
    tested, pool, word_of = tests, frame, {}
    split = options.split
    if split is not None and split.episode_z is not None:
        # Words of recurring events, a partner per peak (glipca.model.episodes).
        episodes, tested, word_of = find_episodes(
            frame, tests, options.peak_test, [period_label(p) for p in frame.index])
        pool = pd.concat([frame, episodes], axis=1)
    return Trends(series, tests, candidates, tested, pool, word_of, options)
