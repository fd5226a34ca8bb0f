"""What one analysis produced: every stage's value, and the records made of them.

:class:`AnalysisResult` holds the chain of stage values (:class:`Stages`:
counts, series, trends, graph, clusters, stories) and reads, from them,
what the results folder writes: the ``params`` and ``summary`` records and
the tables' content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Optional

import numpy as np
import pandas as pd

from .counting.periods import period_label
from .counting.prepare import PreparedCounts
from .model.clusters import Clusters
from .model.graph import Graph
from .model.periods import MAX_MASKED
from .model.stories import Stories, story_params
from .model.trends import Trends
from .model.word_series import Series
from .progress import StageTimes

__all__ = ["AnalysisResult", "Stages"]


class Stages(NamedTuple):
    """The value of each stage of one analysis, in order."""

    counts: PreparedCounts
    series: Series
    trends: Trends
    graph: Graph
    clusters: Clusters
    stories: Stories

    @classmethod
    def of(cls, stories):
        """The chain that ends in ``stories``."""
        clusters = stories.clusters
        graph = clusters.graph
        trends = graph.trends
        return cls(trends.series.counted, trends.series, trends, graph, clusters, stories)


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis produced, from counts to stories.

    Attributes
    ----------
    stages : Stages
        Each stage's value: a notebook can go on from any of them with
        other options (:func:`glipca.pipeline.resume`).
    timings : StageTimes
        Wall time of each stage in seconds; printed, never written to
        ``clusters.json``, which must not change between runs.
    previous : tuple or None
        ``(name, clusters.json document)`` of the previous results to tell
        what changed since (``against``).
    """

    stages: Stages
    timings: StageTimes = field(default_factory=StageTimes)
    previous: Optional[tuple] = None

    # -- what the results folder reads, by stage -------------------------

    @property
    def counts(self):
        """Word counts of the analysis window (WordCounts)."""
        return self.stages.series.counts

    @property
    def report(self):
        """Posts read, used, skipped and dropped (IngestReport)."""
        return self.stages.series.report

    @property
    def all_series(self):
        """Relative frequencies of every word tested (the most frequent, and the burst words)."""
        return self.stages.series.frequencies

    @property
    def peak_tests(self):
        """The single-peak test, one row per word (``peaks.csv``)."""
        return self.stages.trends.tests

    @property
    def series(self):
        """Series of the candidate words and of the words that joined a
        cluster through its posts."""
        return self.stages.clusters.series

    @property
    def model(self):
        """The fitted :class:`~glipca.model.cluster.GLIPCA`."""
        return self.stages.clusters.model

    @property
    def hierarchy(self):
        return self.stages.clusters.hierarchy

    @property
    def stability(self):
        """Bootstrap stability score per cluster (None when not computed)."""
        return self.stages.stories.stability

    @property
    def n_resamples_run(self):
        return self.stages.stories.n_resamples_run

    @property
    def post_windows(self):
        """Candidate words of each post, by period (None for the series-only method)."""
        return self.stages.clusters.windows

    @property
    def posts(self):
        """Representative posts per cluster (None when not collected)."""
        return self.stages.stories.posts

    @property
    def stories(self):
        """Per cluster: ``label``, ``coherence``, ``n_posts_cooccur`` (None
        for the series-only method)."""
        return self.stages.stories.described

    @property
    def told_stories(self):
        """The stories, in order of peak (list of Story; None for the
        series-only method)."""
        return self.stages.stories.told

    @property
    def post_words(self):
        """Each counted post's period, words, id, time and text (PostWords)."""
        return self.stages.series.posts

    @property
    def window(self):
        return self.stages.series.window

    @property
    def freq_tried(self):
        return self.stages.series.freq_tried

    @property
    def from_cache(self):
        return self.stages.counts.from_cache

    @property
    def content(self):
        """``[name, size, SHA-256]`` of each input file (None for a data frame)."""
        return self.stages.counts.content

    @property
    def counts_key(self):
        """Key of the word counts in the cache (None for a data frame or a store)."""
        return self.stages.counts.key

    @property
    def store(self):
        """Name of the count store analysed (None for posts)."""
        return self.stages.counts.store

    @property
    def clusters(self):
        """Clusters as lists of words, most central first."""
        return [c.words for c in self.model.clusters_]

    @property
    def correlation(self):
        words = self.model.words_
        return pd.DataFrame(self.model.correlation_, index=words, columns=words)

    @property
    def params(self):
        """Every parameter of the analysis, JSON-ready, in a fixed order."""
        return analysis_params(self.stages)

    def summary(self):
        """Counts a reader needs to judge the run, as a JSON-ready dict."""
        periods = self.all_series.index
        summary = {
            "posts_read": int(self.report.read),
            "posts_used": int(self.report.used),
            "posts_skipped": int(self.report.n_skipped),
            "skipped_by_reason": {k: int(v) for k, v in sorted(self.report.skipped.items())},
            "posts_dropped": int(self.report.n_dropped),
            "dropped_by_reason": {k: int(v) for k, v in sorted(self.report.dropped.items())},
            "periods": int(len(periods)),
            "first_period": period_label(periods[0]),
            "last_period": period_label(periods[-1]),
            "masked_periods": list(self.all_series.attrs.get("masked_periods", [])),
            "vocabulary": int(len(self.counts.words)),
            "words": int(self.all_series.shape[1]),
            "candidate_words": int(len(self.stages.trends.words)),
            "alpha": float(self.model.alpha_),
            "graph_edges": int(self.model.graph_.number_of_edges()),
            "clusters": int(len(self.model.clusters_)),
            **({} if self.stories is None else {"mean_coherence": _mean_coherence(self.stories)}),
            **({} if self.told_stories is None else {"stories": len(self.told_stories)}),
            "stability_resamples": int(self.n_resamples_run),
        }
        # Only when there is something to say: repairs and notes are rare,
        # and the summary of clean input stays as it was.
        if self.report.repaired:
            summary["posts_repaired"] = {k: int(v) for k, v in sorted(self.report.repaired.items())}
        if self.report.notes:
            summary["input_notes"] = list(self.report.notes)
        emerging = sum(getattr(c, "emerging", None) is not None for c in self.model.clusters_)
        if emerging:
            summary["emerging_clusters"] = int(emerging)
        vocabulary = self.all_series.attrs.get("vocabulary")
        if vocabulary is not None:
            # Candidates by burst: how the tested words were chosen, and how
            # many passed the test before the graph-size limit.
            summary["tested_words"] = {**vocabulary,
                                       "passed": int(self.peak_tests["is_trend"].sum())}
        summary.update(self._coverage())
        if self.stages.clusters.set_aside:
            summary["set_aside"] = self.stages.clusters.set_aside
        return summary

    def _coverage(self):
        """Window, automatic period and interpolation, when there is something to say."""
        out = {}
        if self.window is not None and (self.window.dropped or self.window.rule != "bulk"):
            out["window"] = self.window.to_dict()
        if self.freq_tried and self.counts.freq != self.freq_tried[0]["freq"]:
            out["freq_auto"] = {"chosen": self.counts.freq, "tried": self.freq_tried}
        masked = np.asarray(self.all_series.attrs.get("masked", ()), dtype=bool)
        if masked.any():
            share = float(masked.mean())
            # masked_periods lists runs of periods; this is how many periods.
            out["n_masked_periods"] = int(masked.sum())
            if share > MAX_MASKED:
                out["warnings"] = [
                    f"{int(masked.sum())} of {len(masked)} periods ({share:.0%}) have too few "
                    "posts and are interpolated: read the peaks with care, or use a coarser "
                    "`freq` or `since`/`until`"]
        return out


def _mean_coherence(stories):
    scores = [s["coherence"] for s in stories if np.isfinite(s["coherence"])]
    return float(np.mean(scores)) if scores else None



def analysis_params(stages):
    """The ``params`` record of ``clusters.json``: each stage's options, in a fixed order."""
    counted, series, trends = stages.counts.params, stages.series.options, stages.trends.options
    clusters, stories = stages.clusters, stages.stories.options
    model, hierarchy = clusters.model, clusters.hierarchy
    peak_test = trends.peak_test
    params = {
        "lang": counted["lang"],
        "tz": counted["tz"],
        "freq": stages.series.counts.freq,
        "tokenizer": counted["tokenizer"],
        "min_count": stages.series.min_count,
        "min_periods": series.min_periods,
        "max_words": series.max_words,
        "peak_test": peak_test.params() if hasattr(peak_test, "params") else repr(peak_test),
        "glipca": model.get_params(),
        "alpha_selection": model.alpha_info_,
        "on_error": counted["on_error"],
        "drop_retweets": counted["drop_retweets"],
        "drop_duplicates": counted["drop_duplicates"],
        "hierarchy": {"method": hierarchy.method, "metric": hierarchy.metric,
                      "threshold": hierarchy.threshold},
        "stability": stages.stories.bootstrap,
        "posts": {"n": stories.n_posts, "window": stories.posts_window},
    }
    if series.min_posts is not None:  # the default floor depends on the posts alone
        params["min_posts"] = int(series.min_posts)
    if series.bursts:
        params["min_peak_count"] = series.min_peak_count
        params["max_trends"] = trends.max_trends
    if clusters.windows is not None:
        params["cooccurrence"] = clusters.options.split.params()
        params["stories"] = story_params(stories)
    return params
