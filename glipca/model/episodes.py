"""Episodes: one single-peak series per peak of a word of recurring events.

A word that peaks at every presidential debate ("debate", "clinton") fails
the single-peak test as ``several_peaks`` and, a word belonging to one
cluster, could name only one debate anyway. When such a word has a few
clearly separated peaks, each of which passes the test's bars on its own
(prominence of ``min_z`` noise units, at least ``max_secondary`` of the
highest), each peak becomes an *episode*: a series equal to the word's
within a window around that peak and to its median elsewhere. Episodes do
not enter the graphical lasso or GLIPCA (Harakawa, Ito & Iwahashi, *Sci.
Rep.* 12:5709, 2022): they are partners when the words the posts left out
of every cluster are regrouped (:mod:`glipca.model.orphans`), and one that
stands out enough opens a story of its own; the co-occurrence test counts
the posts that hold the word itself near the episode's peak. Our extension;
see ``docs/method.md``, section 6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["episode_series", "episode_id", "find_episodes", "told_in_words"]

#: Most peaks a word may have to be cut into episodes: more are a routine.
MAX_EPISODES = 4


def episode_id(word, period):
    """Name of the episode of ``word`` peaking at ``period`` (a label)."""
    return f"{word}@{period}"


def episode_series(series, words, test, labels, *, max_episodes=MAX_EPISODES):
    """Series of the episodes of ``words``, and the word of each episode.

    Parameters
    ----------
    series : DataFrame of shape (n_periods, n_words)
        Holding the columns ``words`` (and the frame's ``attrs``).
    words : list of str
        Words rejected as ``several_peaks``.
    test : SinglePeakTest
        Its :meth:`significant_peaks` finds the peaks.
    labels : sequence of str
        Label of each period, for the episodes' names.
    max_episodes : int, default=MAX_EPISODES

    Returns
    -------
    episodes : DataFrame of shape (n_periods, n_episodes)
    word_of : dict
        Word of each episode.
    z : dict
        Each episode's peak in noise units of its word's series.
    """
    words = list(words)
    columns, word_of, zs = {}, {}, {}
    if words:
        values = series[words]
        # Columns read from the array: a frame's column carries a deep copy
        # of its attrs (masks, posts per period), once per word.
        matrix = values.to_numpy(dtype=float)
        for j, (word, peaks) in enumerate(zip(words, test.significant_peaks(values))):
            if not 2 <= len(peaks) <= max_episodes:
                continue
            # Twice the width at half prominence on each side: the episode
            # holds the whole bump. Overlapping windows are one event.
            spans = [(p - int(np.ceil(2 * w)) - 1, p + int(np.ceil(2 * w)) + 1)
                     for p, w, _ in peaks]
            if any(a[1] >= b[0] for a, b in zip(spans, spans[1:])):
                continue
            x = matrix[:, j]
            for (p, _, z), (lo, hi) in zip(peaks, spans):
                out = np.full(len(x), np.median(x))
                lo, hi = max(lo, 0), min(hi, len(x) - 1)
                out[lo:hi + 1] = x[lo:hi + 1]
                name = episode_id(word, labels[p])
                columns[name], word_of[name], zs[name] = out, word, z
    frame = pd.DataFrame(columns, index=series.index)
    frame.columns.name = series.columns.name
    frame.attrs = dict(series.attrs)
    return frame, word_of, zs


def find_episodes(series, peak_tests, test, labels):
    """Episodes of the words ``test`` rejected as ``several_peaks``.

    Parameters
    ----------
    series : DataFrame of shape (n_periods, n_words)
    peak_tests : DataFrame
        ``test(series)``.
    test : SinglePeakTest
    labels : sequence of str
        Label of each period.

    Returns
    -------
    episodes : DataFrame
        Series of the episodes that pass ``test``.
    peak_tests : DataFrame
        ``peak_tests`` and the episodes' rows, whose ``z`` is that of
        :func:`episode_series` (a series flat but for its episode would
        measure its noise as nil).
    word_of : dict
        Word of each episode.
    """
    if not hasattr(test, "significant_peaks") or "reason" not in peak_tests:
        return series.iloc[:, :0], peak_tests, {}
    several = peak_tests.index[(peak_tests["reason"] == "several_peaks").to_numpy()]
    episodes, word_of, z = episode_series(series, several, test, labels)
    if not word_of:
        return episodes, peak_tests, {}
    tests = test(episodes)
    tests["z"] = [z[w] for w in tests.index]
    keep = tests["is_trend"].to_numpy(dtype=bool)
    episodes, tests = episodes.loc[:, keep], tests[keep]
    return episodes, pd.concat([peak_tests, tests]), {w: word_of[w] for w in episodes.columns}


def told_in_words(model, word_of, columns):
    """Each episode of ``model``'s clusters and graph becomes its word, in place.

    A cluster holding two names of one word keeps the first (the more
    central); the graph's nodes of one word merge.

    Returns
    -------
    list of str
        ``columns`` without the episodes, then the clusters' other words.
    """
    import networkx as nx

    for c in model.clusters_:
        keep, seen = [], set()
        for i, w in enumerate(c.words):
            if word_of.get(w, w) not in seen:
                seen.add(word_of.get(w, w))
                keep.append(i)
        c.words = [word_of.get(c.words[i], c.words[i]) for i in keep]
        c.loadings = [c.loadings[i] for i in keep]
    model.graph_ = nx.relabel_nodes(model.graph_, word_of)
    words = [w for w in columns if w not in word_of]
    return words + sorted({w for c in model.clusters_ for w in c.words} - set(words))
