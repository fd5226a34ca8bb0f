"""The stories stage: what the posts say of each cluster, and the stories they tell.

:func:`tell_stories` reads, from the posts the counting pass kept, each
cluster's representative posts (:mod:`glipca.model.representative`) and,
with the co-occurrence method, its label, coherence and the posts that
hold two of its words (:mod:`glipca.model.labels`). With that method it
then groups the clusters into stories and finds the lone trend words that
tell one (:mod:`glipca.model.story_groups`), describes each story by the
words of its posts (:mod:`glipca.model.descriptive`) and scores how often
the resamples of the clusters stage found it again. Nothing is read or
tokenised again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import pandas as pd

from ..counting.postwords import PostWords, word_columns
from ..counting.parallel import available_cores
from .clusters import BOOTSTRAP, Clusters
from .descriptive import Describer
from .emerging import emergence
from .labels import cluster_label, cluster_stories
from .near_windows import NearPostWindows
from .options import ModelOptions
from .periods import half_height_span
from .representative import representative_posts
from .stability import PostsRoute, cluster_stability, draw_samples
from .stored_descriptive import StoredDescriber
from .story_groups import group_stories, lone_trends

__all__ = ["Story", "Stories", "tell_stories", "story_params"]

#: Fewest descriptive words (none of a cluster's) that make a lone trend word a
#: trend of its own, which joins a story or is one, and the least coherence of
#: the word with them: its posts must say something beyond the word, and say
#: it together (docs/method.md, section 8).
MIN_DESCRIPTIVE = 3
MIN_LONE_COHERENCE = 0.0


@dataclass(frozen=True)
class Story:
    """One story: the clusters (facets) and lone trend word that tell it.

    Attributes
    ----------
    id : int
        Position among the stories, in order of peak.
    label : str
        The label of its main facet (the one most posts tell), or its word.
    peak, start, end : Timestamp
        Peak of the main facet, and the first and last period at half
        height of any facet.
    trend_words : tuple of str
        The facets' words, main facet first, or the lone trend word.
    descriptive : tuple of str
        Words its posts use most distinctively near its peak.
    clusters : tuple of int
        Its facets (cluster ids); empty for a lone trend word.
    coherence : float
        Mean coherence of its facets (NaN when none is defined).
    stability : float or None
        Share of resamples that found it again (None when not computed).
    emerging : bool
    n_posts : int
        Posts near a facet's peak holding two of its words (one, for a lone word).
    """

    id: int
    label: str
    peak: pd.Timestamp
    start: pd.Timestamp
    end: pd.Timestamp
    trend_words: tuple
    descriptive: tuple
    clusters: tuple
    coherence: float
    stability: Optional[float]
    emerging: bool
    n_posts: int

    @property
    def words(self):
        """Trend words, then descriptive words."""
        return self.trend_words + self.descriptive


@dataclass(frozen=True)
class Stories:
    """The clusters told by their posts.

    Attributes
    ----------
    clusters : Clusters
    posts : list of list of RepresentativePost, or None
        Representative posts per cluster, best first (None when not kept).
    described : list of dict, or None
        Per cluster: ``label``, ``coherence`` and ``n_posts_cooccur``
        (None for the series-only method).
    options : ModelOptions
        The options it was made with.
    told : list of Story, or None
        The stories, in order of peak (None for the series-only method).
    stability : ndarray or None
        Bootstrap stability of each cluster (None when not computed).
    n_resamples_run : int
        Resamples the stability scores come from.
    bootstrap : dict
        How the resamples were drawn.
    found_again : ndarray of bool or None
        With the co-occurrence method: which clusters each resample run
        found again, by their series or their posts (n_resamples_run ×
        n_clusters); None otherwise.
    """

    clusters: Clusters
    posts: Optional[list]
    described: Optional[list]
    options: ModelOptions
    told: Optional[list] = field(default=None)
    stability: Optional[np.ndarray] = None
    n_resamples_run: int = 0
    bootstrap: dict = field(default_factory=dict)
    found_again: Optional[np.ndarray] = None


def story_params(options):
    """How stories were made, for ``params.stories`` of ``clusters.json``."""
    test = options.split
    return {
        "grouping": "clusters peaking at most max_gap periods apart whose posts share more "
                    "than chance (G2 > log(n_posts)), most similar first, while the NPMI of "
                    "their posts divided by the gap between their peaks (1 when their spans "
                    "meet) is at least threshold; compounds of one word group where the "
                    "tokenizer joins nouns into compounds",
        "threshold": options.story_threshold,
        "max_gap": test.window,
        "lone_words": None if test.episode_z is None else {
            "min_z": test.episode_z, "min_posts": test.min_posts,
            "min_descriptive": MIN_DESCRIPTIVE, "min_coherence": MIN_LONE_COHERENCE},
        "descriptive_words": options.story_words,
        "stability": "found again when at least half of a story's clusters are, by their "
                     "series or their posts",
    }


def tell_stories(clusters, options=None, *, jobs=None, progress=False):
    """Representative posts, labels and coherence of each cluster, and the stories.

    Parameters
    ----------
    clusters : Clusters
    options : ModelOptions, optional
        ``n_resamples``, ``stability_tolerance``, ``n_posts``,
        ``posts_window``, ``story_threshold`` and ``story_words``.
    jobs : int or None
        Processes for the stability resamples; None for all cores.
    progress : bool, default False
        Show the resamples and the clusters done on progress bars (:mod:`glipca.progress`).

    Returns
    -------
    Stories
    """
    options = options if options is not None else ModelOptions()
    found = clusters.model.clusters_
    series = clusters.trends.series
    resampled = _resampled(clusters, options, jobs, progress)
    posts = None
    if options.n_posts and found:
        # From the words the counting pass kept: only the chosen posts'
        # texts are looked up.
        posts = representative_posts(series.posts, series.counts, found, n=options.n_posts,
                                     window=options.posts_window)
    described, told = None, None
    if clusters.windows is not None:
        described = cluster_stories(clusters.windows, found, clusters.series.index,
                                    tokenizer=series.counted.options.make_tokenizer(),
                                    window=options.posts_window, progress=progress)
        told = _stories(clusters, described, options, resampled)
    return Stories(clusters, posts, described, options, told, *resampled)


def _resampled(clusters, options, jobs, progress):
    """``(stability, n_resamples_run, bootstrap, found_again)`` of the clusters.

    With the posts, a cluster is found again by the series or by its posts,
    as the method makes it (docs/method.md, section 8).
    """
    found, fitted, test = clusters.model.clusters_, clusters.fitted, clusters.options.split
    bootstrap = {"n_resamples": options.n_resamples, **BOOTSTRAP,
                 "tolerance": options.stability_tolerance}
    if not (options.n_resamples and found):
        return None, 0, bootstrap, None
    words = [list(w) for w in clusters.fitted_words]
    cores = [w[:BOOTSTRAP["top_k"]] for w in words]
    peaks = [int(fitted.index.get_loc(c.peak)) for c in found]
    posts = None if test is None else PostsRoute(
        clusters.windows, cores, peaks, test,
        posts=None if isinstance(clusters.trends.series.posts, PostWords) else _held_windows(
            clusters.trends, sorted({w for c in cores for w in c}), peaks, test.window))
    stability, n_run, again = cluster_stability(
        fitted, words, alpha=clusters.model.alpha_, glipca_params=clusters.model.get_params(),
        jobs=available_cores() if jobs is None else jobs, progress=progress,
        posts=posts, return_found=True, **bootstrap,
    )
    return stability, n_run, bootstrap, None if test is None else again


def _stories(clusters, described, options, resampled):
    """The stories of the clusters and of the lone trend words, in order of peak."""
    test, windows = options.split, clusters.windows
    found, index = clusters.model.clusters_, clusters.series.index
    series = clusters.trends.series
    if isinstance(series.posts, PostWords):
        describer = Describer(windows, series.posts, series.counts.words, window=test.window,
                              min_posts=test.min_posts, threshold=test.threshold)
    else:
        windows, describer = _stored(clusters, options)
    in_clusters = {w for c in found for w in c.words}
    cluster_peaks = [int(index.get_loc(c.peak)) for c in found]
    lone = [] if test.episode_z is None else lone_trends(
        windows, clusters.trends.tested, in_clusters, index,
        min_z=test.episode_z, min_posts=test.min_posts, window=test.window,
        episodes=clusters.trends.word_of)
    describer.prepare(cluster_peaks + [p for _, p in lone])
    lone = _telling(describer, lone, in_clusters, options)
    units = [list(c.words) for c in found] + [[w] for w, _ in lone]
    peaks = cluster_peaks + [p for _, p in lone]
    frequencies = series.frequencies
    spans = [half_height_span(c.signal) for c in found] + [
        half_height_span(frequencies[w].to_numpy(dtype=float)) for w, _ in lone]
    groups = group_stories(windows, units[:len(found)], units[len(found):], peaks, test,
                           threshold=options.story_threshold, max_gap=test.window,
                           spans=spans, vocabulary=_compound_parts(series))
    # A trend word belongs to its story: it describes no other.
    taken = {w for u in units for w in u}
    told = []
    for group in groups:
        facets = [k for k in group if k < len(found)]
        words = [units[k][0] for k in group if k >= len(found)]
        if facets:
            told.append(_facets_story(clusters, described, describer, facets, peaks, words,
                                      resampled, options, taken))
        else:
            told.append(_lone_story(clusters, windows, describer, words, peaks[group[0]],
                                    options, taken, resampled))
    told.sort(key=lambda s: (s.peak, s.clusters[:1] or (len(found),), s.trend_words))
    return [Story(i, *_fields(s)[1:]) for i, s in enumerate(told)]


def _telling(describer, lone, taken, options):
    """The lone trend words ``(word, peak)`` whose posts tell a story.

    They must use other words distinctively (not only a hashtag the word
    was played with, nor only a cluster's words ``taken``) and those words
    must go together with it: a word used in posts on many themes
    ("halloween": costumes, films, recipes; "polling": places, lines,
    stations) is a topic of the day, not a story's word.
    """
    described = [describer.words([w], p, options.story_words, exclude=taken) for w, p in lone]
    asked = [i for i in range(len(lone)) if len(described[i]) >= MIN_DESCRIPTIVE]
    # All at once: a store's describer reads the posts of all their peaks in one pass.
    scores = describer.coherences([([lone[i][0]] + described[i], lone[i][1]) for i in asked])
    return [lone[i] for i, score in zip(asked, scores) if score >= MIN_LONE_COHERENCE]


def _stored(clusters, options):
    """Post windows and describer of the posts of a count store.

    The windows hold the posts near the clusters' peaks and those of the
    strong candidates in no cluster (which may be lone stories) that hold
    one of their words; the describer reads the posts near a peak when asked.
    """
    test, trends = options.split, clusters.trends
    found, index, series = clusters.model.clusters_, clusters.series.index, trends.series
    tested, taken = trends.tested, {w for c in found for w in c.words}
    strong = tested[tested["is_trend"].to_numpy(dtype=bool)
                    & (tested["z"].to_numpy(dtype=float) >= (test.episode_z or np.inf))]
    peaks = [int(index.get_loc(c.peak)) for c in found] + [
        int(index.get_loc(p)) for w, p in zip(strong.index, strong["peak"]) if w not in taken]
    story = trends.story_words()
    # The words asked about: the clusters' and the strong candidates'.
    strong_words = set(strong.index)
    asked = [w for w in story if w in taken or w in strong_words]
    windows = _held_windows(trends, asked, peaks, max(test.window, options.posts_window))
    rows = pd.DatetimeIndex(series.index).get_indexer(series.counts.periods)
    columns = dict(zip(story, word_columns(series.counts.words,
                                           [trends.word_of.get(w, w) for w in story]).tolist()))
    describer = StoredDescriber(series.posts, rows, columns, [columns[w] for w in asked],
                                series.counts.words, window=test.window,
                                min_posts=test.min_posts, threshold=test.threshold)
    return windows, describer


def _held_windows(trends, words, peaks, window):
    """Windows of the posts of a count store within ``window`` of ``peaks`` that
    hold one of ``words``, read now: rows read later would be numbered afresh."""
    series = trends.series
    rows = pd.DatetimeIndex(series.index).get_indexer(series.counts.periods)
    columns = word_columns(series.counts.words, [trends.word_of.get(w, w) for w in words])
    windows = NearPostWindows(series.posts, series.counts, rows, columns, words, min_words=1)
    windows.load(peaks, window)
    return windows


def _compound_parts(series):
    """The words compounds are made of, where the tokenizer joins nouns into
    compounds (Japanese); None elsewhere: a hashtag such as "votetrump" is
    a word of its own, whose posts say whether it tells the story of "vote"."""
    if not series.counted.params.get("tokenizer", {}).get("compounds"):
        return None
    return set(series.counts.words)


def _fields(story):
    return [getattr(story, f) for f in Story.__dataclass_fields__]


def _facets_story(clusters, described, describer, group, peaks, lone, resampled, options,
                  taken):
    """The story told by the clusters ``group`` and the lone trend words ``lone``.

    Its descriptive words are those of its clusters' posts (a lone word that
    joined may be shared with another story, and would bring its posts).
    """
    found, index = clusters.model.clusters_, clusters.series.index
    # The main facet is the one most posts tell; ties to the first.
    main = max(group, key=lambda k: (described[k]["n_posts_cooccur"], -k))
    words = list(dict.fromkeys([w for k in [main] + [k for k in group if k != main]
                                for w in found[k].words] + list(lone)))
    spans = [half_height_span(found[k].signal) for k in group]
    scores = [described[k]["coherence"] for k in group if np.isfinite(described[k]["coherence"])]
    stability = None
    again = resampled[3]
    if again is not None and again.size:
        # Found again when at least half of its facets are.
        hits = again[:, group].sum(axis=1) * 2 >= len(group)
        stability = float(hits.mean())
    rows = set()
    for k in group:
        near, b = clusters.windows.incidence(found[k].words, peaks[k], options.posts_window)
        rows.update(near[np.asarray(b.sum(axis=1)).ravel() >= min(2, len(found[k].words))].tolist())
    return Story(
        id=-1, label=described[main]["label"], peak=found[main].peak,
        start=index[min(lo for lo, _ in spans)], end=index[max(hi for _, hi in spans)],
        trend_words=tuple(words),
        descriptive=tuple(describer.words(
            [w for k in group for w in found[k].words], peaks[main], options.story_words,
            exclude=taken)),
        clusters=tuple(group), coherence=float(np.mean(scores)) if scores else float("nan"),
        stability=stability,
        emerging=any(getattr(found[k], "emerging", None) is not None for k in group),
        n_posts=len(rows),
    )


def _lone_story(clusters, windows, describer, words, peak, options, taken, resampled):
    """The story of lone trend words (strongest first) that no cluster tells, from the
    posts ``windows`` that hold one of them."""
    descriptive = describer.words(words, peak, options.story_words, exclude=taken)
    frequencies = clusters.trends.series.frequencies
    index = frequencies.index
    signal = frequencies[words[0]].to_numpy(dtype=float)
    lo, hi = half_height_span(signal)
    near, _ = windows.incidence(words, peak, options.posts_window)
    label = words[0] if len(words) == 1 else cluster_label(
        windows, words, peak, window=options.posts_window,
        tokenizer=clusters.trends.series.counted.options.make_tokenizer())
    return Story(
        id=-1, label=label, peak=index[peak], start=index[lo], end=index[hi],
        trend_words=tuple(words), descriptive=tuple(descriptive), clusters=(),
        coherence=describer.coherence(list(words) + descriptive, peak),
        stability=_lone_stability(describer, words[0], peak, signal, options, resampled),
        emerging=emergence(signal, signal, frequencies) is not None, n_posts=int(near.size),
    )


def _lone_stability(describer, word, peak, signal, options, resampled):
    """Share of the resamples in which a lone trend word is found again.

    In a resample (the same periods as the clusters'), the word is found
    again when its series still peaks within ``peak_window`` periods of its
    peak and its posts there still tell a story: at least ``min_posts``
    distinct posts hold it, and a descriptive word is still associated
    with them.
    """
    _, n_run, bootstrap, _ = resampled
    if not n_run:
        return None
    test = options.split
    samples = draw_samples(len(signal), bootstrap["fraction"], bootstrap["n_resamples"],
                           bootstrap["seed"])[:n_run]
    hits = 0
    for keep in samples:
        if abs(int(keep[np.argmax(signal[keep])]) - peak) > test.peak_window:
            continue
        if describer.n_told([word], peak, keep) < test.min_posts:
            continue
        hits += bool(describer.words([word], peak, 1, keep=keep))
    return hits / n_run
