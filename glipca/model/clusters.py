"""The clusters stage: GLIPCA's trend clusters, checked against their posts.

:func:`find_clusters` fits :class:`~glipca.model.cluster.GLIPCA` on the
graph's candidate words. With the co-occurrence test (our extension,
docs/method.md, section 6) a proposed cluster keeps only the words that
share posts near its peak, and the words it leaves out are regrouped with
their post partners (:mod:`glipca.model.orphans`). Each cluster then gets
its peak (an observed period), whether it is still rising (emerging) and its
place in the hierarchy; the stories stage measures its stability.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Optional

import numpy as np
import pandas as pd

from ..counting.postwords import PostWords, word_columns
from .cluster import GLIPCA
from .cooccurrence import PostWindows, word_set_keys
from .near_windows import NearPostWindows
from .diagnosis import set_aside
from .emerging import emergence
from .episodes import told_in_words
from .graph import Graph
from .hierarchy import ClusterHierarchy, cluster_hierarchy
from .options import ModelOptions
from .orphans import regroup_orphans
from .periods import observed_peak

__all__ = ["Clusters", "find_clusters", "BOOTSTRAP"]

#: How the stability resamples are drawn (recorded in ``params``).
BOOTSTRAP = {"fraction": 0.8, "top_k": 5, "seed": 0}


@dataclass(frozen=True)
class Clusters:
    """Trend clusters with what they were found in.

    Attributes
    ----------
    graph : Graph
    model : GLIPCA
        The fitted estimator; ``model.clusters_`` are the clusters, words
        as the report names them.
    series : DataFrame
        Periods × the candidate words and the words that joined a cluster
        through its posts (as the report names them).
    hierarchy : ClusterHierarchy
    windows : PostWindows or None
        Candidate words of each post, by period (None for the series-only method).
    set_aside : list of dict or None
        Without clusters: the strongest candidates and the step that set
        each aside (:func:`glipca.model.diagnosis.set_aside`).
    options : ModelOptions
        The options it was made with.
    fitted : DataFrame
        The series the clusters were fitted on (episodes under their own
        names), which the stability resamples refit.
    fitted_words : tuple of tuple of str
        Each cluster's words in ``fitted``'s names.
    """

    graph: Graph
    model: GLIPCA
    series: pd.DataFrame
    hierarchy: ClusterHierarchy
    windows: Optional[PostWindows]
    options: ModelOptions
    set_aside: Optional[list] = None
    fitted: Optional[pd.DataFrame] = None
    fitted_words: tuple = ()

    @property
    def trends(self):
        return self.graph.trends


def find_clusters(graph, options=None, *, progress=False):
    """Trend clusters of the graph's words.

    Parameters
    ----------
    graph : Graph
    options : ModelOptions, optional
        GLIPCA's parameters and ``cooccurrence``.
    progress : bool, default False
        Progress bars (:mod:`glipca.progress`).

    Returns
    -------
    Clusters
    """
    options = options if options is not None else ModelOptions()
    trends, test = graph.trends, options.split
    windows = None if test is None else _post_windows(trends)
    split = None if test is None else partial(test.split, windows)
    model = options.make_glipca().fit(trends.candidates, split=split, estimate=graph.estimate,
                                      progress=progress)
    fitted = trends.candidates
    if test is not None:
        model.set_clusters(_regroup(model, test, windows, trends))
        # Words that joined a story from outside the candidates travel with
        # them: the report and the stability refits need their series.
        extra = sorted({w for c in model.clusters_ for w in c.words} - set(fitted.columns))
        fitted = pd.concat([fitted, trends.pool[extra]], axis=1)
    hierarchy = cluster_hierarchy(_place(model, fitted, trends.series.frequencies))
    # Candidates but no cluster: which step set the strongest aside.
    why = None if model.clusters_ else set_aside(
        trends.tests, model, trends.series.index, posts=windows, test=test)
    fitted_words = tuple(tuple(c.words) for c in model.clusters_)
    series = fitted
    if trends.word_of:  # the report speaks of words
        series = trends.series.frequencies[told_in_words(model, trends.word_of, fitted.columns)]
    return Clusters(graph, model, series, hierarchy, windows, options, why, fitted, fitted_words)


def _post_windows(trends):
    """The kept posts' periods, candidate words, texts and copies; an
    episode's column is its word's."""
    series, word_of = trends.series, trends.word_of
    words = trends.story_words()
    rows = pd.DatetimeIndex(series.index).get_indexer(series.counts.periods)
    posts = series.posts
    columns = word_columns(series.counts.words, [word_of.get(w, w) for w in words])
    if not isinstance(posts, PostWords):
        # Posts left in a store: read near the peaks asked about, when asked.
        return NearPostWindows(posts, series.counts, rows, columns, words)
    return PostWindows(rows[posts.period], posts.words[:, columns], words, posts.texts,
                       keys=word_set_keys(posts.words))


def _regroup(model, test, windows, trends):
    """Clusters with the orphans regrouped (:func:`glipca.model.orphans.regroup_orphans`)."""
    words, tested, episodes = list(windows.column), trends.tested, trends.word_of
    pool = trends.pool
    if "peak" in tested:
        position = pool.index.get_indexer(pd.DatetimeIndex(tested.loc[words, "peak"]))
    else:
        position = pool[words].to_numpy().argmax(axis=0)
    # A word cut into episodes is a partner through them alone.
    cut = set(episodes.values()) if episodes else set()
    peaks = {w: p for w, p in zip(words, position.tolist()) if w not in cut}

    def strongest_first(w):
        return -float(tested.loc[w, "z"]), w

    orphans = list(model.left_out_)
    if "z" in tested:
        # The strongest peaks pick their partners first.
        orphans.sort(key=strongest_first)
    # Then the episodes of words of recurring events that stand out enough
    # to open a story, strongest first.
    orphans += sorted((w for w in episodes if float(tested.loc[w, "z"]) >= test.episode_z),
                      key=strongest_first)
    return regroup_orphans(windows, pool[words], test, orphans, peaks, model.clusters_,
                           min_size=model.min_cluster_size, episodes=set(episodes))


def _place(model, fitted, frequencies):
    """Each cluster's peak (an observed period), edge and emergence; returns
    the clusters' signals (periods × clusters)."""
    signals = np.zeros((len(fitted), len(model.clusters_)))
    for k, c in enumerate(model.clusters_):
        signals[:, k] = c.signal
        # A peak is an observed period, never an interpolated one.
        peak, c.edge = observed_peak(c.signal, frequencies)
        c.peak = fitted.index[peak]
        # Still rising at the last observed period: an event under way,
        # reported as emerging rather than as an edge peak.
        c.emerging = emergence(c.signal, fitted[c.words].to_numpy().mean(axis=1), frequencies)
        c.edge = c.edge and c.emerging is None
    return signals
