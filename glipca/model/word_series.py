"""The series stage: word counts to relative frequencies per period.

:func:`word_series` takes the counting stage's value (word counts with
their posts) and returns a :class:`Series`: the analysis window and period
length chosen (docs/method.md, section 2), the posts outside the window
dropped and counted, and each word's share of posts per period, thin
periods masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import pandas as pd

from ..counting.prepare import PreparedCounts
from ..counting.window import Window
from ..ingest import IngestReport
from .options import ModelOptions
from .periods import analysis_periods
from .series import count_floor, relative_frequency

__all__ = ["Series", "word_series"]


@dataclass(frozen=True)
class Series:
    """Relative frequencies of words per period, with what they come from.

    Attributes
    ----------
    frequencies : DataFrame
        Periods × words (the most frequent words and the burst words that
        pass the pre-screen); masked periods and, with burst candidates,
        ``attrs["vocabulary"]`` (counts of words by volume, with a burst,
        pre-screened and tested).
    counts : WordCounts
        The counts of the analysis window, in its periods.
    posts : PostWords or None
        Each counted post's period (of the window), words, id, time and text.
    report : IngestReport
        Posts read, used, skipped and dropped, those outside the window too.
    window : Window
        The analysis window and how it was chosen.
    freq_tried : list of dict or None
        Period lengths ``freq="auto"`` tried.
    counted : PreparedCounts
        The counting stage's value.
    min_count : int
        Posts a word had to be in (``options.min_count``, or its floor for
        the posts counted).
    options : ModelOptions
        The options it was made with.
    """

    frequencies: pd.DataFrame
    counts: object
    posts: object
    report: IngestReport
    window: Window
    freq_tried: Optional[list]
    counted: PreparedCounts
    options: ModelOptions
    min_count: int
    #: Results of the tests run on these frequencies (:meth:`remember`).
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def index(self):
        """The periods (DatetimeIndex)."""
        return self.frequencies.index

    def remember(self, key, compute):
        """``compute()``, run once per ``key`` on these series (None: every time).

        A test of the series (the single-peak test, the episodes) gives the
        same answer for the same parameters, and the frequencies are not
        changed in place: a notebook that goes on from a Series with another
        penalty or cluster option does not retest every word.
        """
        if key is None:
            return compute()
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def word_series(counted, options=None):
    """The word × period relative frequencies of an analysis.

    Parameters
    ----------
    counted : PreparedCounts
        From :func:`glipca.counting.count_posts` (or the cache, or a store).
    options : ModelOptions, optional
        ``min_count``, ``min_periods``, ``max_words`` and
        ``min_peak_count`` are read here (and the peak test's pre-screen).

    Returns
    -------
    Series
    """
    options = options if options is not None else ModelOptions()
    counts, report = counted.counts, counted.report
    report.require_posts()
    if len(counts.words) == 0 or int(np.sum(counts.posts)) == 0:
        raise ValueError("no words were found in the posts")
    since, until, last = counted.window
    # The window that holds the bulk of the posts (or since/until), and with
    # freq="auto" the period length (docs/method.md, section 2).
    counts, window, freq_tried, rows = analysis_periods(
        counts, since=since, until=until, last=last, auto=counted.choose_freq,
        min_posts=options.min_posts)
    if window.dropped:
        # A copy: the counts (and their report) may be analysed again, and
        # must not count the same posts as dropped twice.
        report = IngestReport.from_dict(report.as_dict())
        report.drop("out_of_window", window.dropped)
    posts = counted.posts
    if rows is not None and posts is not None:
        posts = posts.regroup(rows)
    min_count = count_floor(np.sum(counts.posts), options.min_count)
    # Candidates by burst (docs/method.md, section 2): beyond the most
    # frequent words, every word with enough posts in one period, screened
    # by a necessary condition of the peak test; the series-only method
    # keeps the paper's vocabulary, chosen by volume.
    bursts = options.bursts
    prescreen = getattr(options.peak_test, "could_pass", None) if bursts else None
    frequencies = relative_frequency(counts, min_count=min_count,
                                     min_periods=options.min_periods,
                                     max_words=options.max_words, min_posts=options.min_posts,
                                     min_peak_count=options.min_peak_count if bursts else None,
                                     prescreen=prescreen)
    return Series(frequencies, counts, posts, report, window, freq_tried, counted, options,
                  min_count)
