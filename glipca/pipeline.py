"""The whole analysis as one call: posts in, trend clusters out.

Each step is a call into the stage modules; this module only wires them and
records the parameters, so that the CLI, notebooks and benchmarks run exactly
the same analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from .model.cluster import GLIPCA
from .model.cooccurrence import CooccurrenceSplit, PostWindows, word_set_keys
from .model.orphans import regroup_orphans
from .model.hierarchy import cluster_hierarchy
from .ingest import IngestReport
from .report.folder import read_results
from .report.labels import cluster_stories
from .report.posts import representative_posts
from .counting.parallel import available_cores
from .counting.periods import period_label
from .counting.postwords import word_columns
from .counting.prepare import PreparedCounts, prepare_counts
from .counting.store import CountStore
from .model.emerging import emergence
from .model.episodes import find_episodes, told_in_words
from .model.periods import MAX_MASKED, analysis_periods, observed_peak
from .model.series import SinglePeakTest, relative_frequency
from .model.stability import cluster_stability
from .progress import StageTimes
from .options import DEFAULT_JOBS, count_options, default_tz, split_count_options

__all__ = ["AnalysisResult", "run_analysis", "default_tz"]


@dataclass
class AnalysisResult:
    """Everything one analysis produced, from counts to clusters."""

    counts: object
    all_series: pd.DataFrame
    peak_tests: pd.DataFrame
    #: Series of the candidate words (``model.words_``), then of the words
    #: outside them that joined a cluster through its posts.
    series: pd.DataFrame
    model: GLIPCA
    report: IngestReport
    params: dict = field(default_factory=dict)
    #: :class:`glipca.hierarchy.ClusterHierarchy` of the clusters.
    hierarchy: object = None
    #: Bootstrap stability score per cluster (None when not computed).
    stability: object = None
    #: Representative posts per cluster (None when not collected).
    posts: list = None
    #: Whether the word counts were read from the cache.
    from_cache: bool = False
    #: Per cluster, what its posts say: ``label``, ``coherence`` and
    #: ``n_posts_cooccur`` (None for the series-only method).
    stories: list = None
    #: Candidate words of each post, by period
    #: (:class:`glipca.model.cooccurrence.PostWindows`; None for the
    #: series-only method).
    post_windows: object = None
    #: Resamples the stability scores come from (they stop early once the
    #: scores are settled).
    n_resamples_run: int = 0
    #: Wall time of each stage in seconds (:class:`glipca.progress.StageTimes`);
    #: printed, never written to clusters.json, which must not change between
    #: runs.
    timings: StageTimes = field(default_factory=StageTimes)
    #: Each counted post's period, words, id, time and text
    #: (:class:`glipca.counting.postwords.PostWords`).
    post_words: object = None
    #: ``[name, size, SHA-256]`` of each input file (None for a data frame).
    content: list = None
    #: The analysis window (:class:`glipca.counting.window.Window`).
    window: object = None
    #: Period lengths ``freq="auto"`` tried (None when the period was given).
    freq_tried: list = None
    #: Key of the word counts in the cache (None for a data frame or a
    #: store); in ``run.json``, not in ``clusters.json``, which depends on
    #: the posts and options only.
    counts_key: str = None
    #: Folder name of the count store analysed (None for posts).
    store: str = None
    #: ``(name, clusters.json document)`` of the previous results to tell
    #: what changed since (``against``), or None.
    previous: tuple = None

    @property
    def clusters(self):
        """Clusters as lists of words, most central first."""
        return [c.words for c in self.model.clusters_]

    @property
    def correlation(self):
        words = self.model.words_
        return pd.DataFrame(self.model.correlation_, index=words, columns=words)

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
            "candidate_words": int(self.peak_tests["is_trend"].sum()),
            "alpha": float(self.model.alpha_),
            "graph_edges": int(self.model.graph_.number_of_edges()),
            "clusters": int(len(self.model.clusters_)),
            **({} if self.stories is None else {"mean_coherence": _mean_coherence(self.stories)}),
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
        summary.update(self._coverage())
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
                    "--freq or --since/--until"]
        return out


def _mean_coherence(stories):
    scores = [s["coherence"] for s in stories if np.isfinite(s["coherence"])]
    return float(np.mean(scores)) if scores else None


def _post_windows(post_words, counts, index, words, word_of):
    """The kept posts' periods (rows of ``index``), ``words``, texts and copies;
    an episode's column is its word's (``word_of``)."""
    rows = pd.DatetimeIndex(index).get_indexer(counts.periods)
    matrix = post_words.words[:, word_columns(counts.words, [word_of.get(w, w) for w in words])]
    return PostWindows(rows[post_words.period], matrix, words, post_words.texts,
                       keys=word_set_keys(post_words.words))


def _story_words(peak_tests):
    """Words that may tell a story with an orphan: single-peak words, and
    words rejected only because they peak more than once."""
    keep = peak_tests["is_trend"].to_numpy(dtype=bool).copy()
    if "reason" in peak_tests:
        keep |= (peak_tests["reason"] == "several_peaks").to_numpy()
    return list(peak_tests.index[keep])


def _regroup(model, test, windows, all_series, peak_tests, episodes=()):
    """Clusters with the orphans regrouped (:func:`glipca.model.orphans.regroup_orphans`)."""
    words = list(windows.column)
    if "peak" in peak_tests:
        position = all_series.index.get_indexer(pd.DatetimeIndex(peak_tests.loc[words, "peak"]))
    else:
        position = all_series[words].to_numpy().argmax(axis=0)
    # A word cut into episodes is a partner through them alone.
    cut = set(episodes.values()) if episodes else set()
    peaks = {w: p for w, p in zip(words, position.tolist()) if w not in cut}
    def strongest_first(w):
        return -float(peak_tests.loc[w, "z"]), w

    orphans = list(model.left_out_)
    if "z" in peak_tests:
        # The strongest peaks pick their partners first.
        orphans.sort(key=strongest_first)
    # Then the episodes of words of recurring events that stand out enough
    # to open a story, strongest first.
    orphans += sorted((w for w in episodes if float(peak_tests.loc[w, "z"]) >= test.episode_z),
                      key=strongest_first)
    return regroup_orphans(windows, all_series[words], test, orphans, peaks, model.clusters_,
                           min_size=model.min_cluster_size, episodes=set(episodes))


def run_analysis(
    source,
    options=None,
    *,
    jobs=DEFAULT_JOBS,
    cache=None,
    min_count=20,
    min_periods=3,
    max_words=2000,
    peak_test=None,
    alpha="auto",
    progress=False,
    n_resamples=20,
    stability_tolerance=0.05,
    n_posts=5,
    posts_window=3,
    cooccurrence=True,
    against=None,
    **kwargs,
):
    """Run the whole analysis on posts.

    Parameters
    ----------
    source : path, list of paths, DataFrame, CountStore or PreparedCounts
        Post files (JSON Lines, JSON, CSV/TSV, optionally gzip'd), a table
        of posts, a count store (:class:`glipca.counting.store.CountStore`:
        no input file is read, and the window ``since`` / ``until`` /
        ``last`` of the store's posts gives the same results as of the
        input files appended to it), or counts with their posts (the
        counting options are then those of the counts).
    options : CountOptions, optional
        How posts are read and counted (language, time zone, period, field
        names...); see :mod:`glipca.options`.
    jobs : int or None, default all cores
        Tokenising processes; None for all cores.
    cache : bool or path, optional
        Word-count cache, see :func:`glipca.counting.prepare.prepare_counts`.
    min_count, min_periods, max_words : rare-word filter, see
        :func:`glipca.model.series.relative_frequency`.
    peak_test : callable, optional
        Target-trend test; default :class:`glipca.model.series.SinglePeakTest`.
    alpha : float or "auto"
        Graphical lasso penalty.
    progress : bool, default False
        Show progress bars for the stages that take time, on a terminal
        (:mod:`glipca.progress`).
    n_resamples : int, default=20
        Most bootstrap resamples for the clusters' stability scores
        (:func:`glipca.model.stability.cluster_stability`); 0 skips them.
        They run in ``jobs`` processes and stop once every score is settled
        to ±``stability_tolerance``.
    n_posts : int, default=5
        Representative posts kept per cluster, found among the posts the
        counting pass kept (:func:`glipca.report.posts.representative_posts`;
        the input is not read again); 0 skips them.
    posts_window : int, default=3
        Representative posts are at most this many periods from the peak.
    cooccurrence : bool or CooccurrenceSplit, default=True
        Keep in a cluster only the groups of words that share posts near its
        peak (:class:`glipca.model.cooccurrence.CooccurrenceSplit`, our
        extension of the method), and describe each cluster by a label and
        its coherence. False: the series alone decide, as in the paper.
    against : path, optional
        A previous results folder: ``clusters.json`` then says which
        clusters appeared, grew, faded or vanished since
        (:func:`glipca.compare.changes_since`).
    **kwargs
        Counting options by name (``lang``, ``tz``, ``freq``,
        ``text_field``..., see :func:`glipca.options.count_options`); the
        others are passed to :class:`glipca.GLIPCA`.

    Returns
    -------
    AnalysisResult
    """
    times = StageTimes()
    previous = None
    if against is not None:  # read first: a bad folder fails before the work
        previous = (Path(against).name, read_results(against).doc)
    counting, glipca_params = split_count_options(kwargs)
    requested = count_options(options, **counting)
    auto = requested.freq == "auto"
    if isinstance(source, CountStore):
        with times("counting"):
            prepared = source.read_for(requested)
        # A store counted by day analyses as the input files did.
        auto = auto and prepared.params["freq"] == "D"
    elif isinstance(source, PreparedCounts):  # counted already
        prepared, auto = source, False
    else:
        with times("counting"):
            prepared = prepare_counts(source, requested, jobs=jobs, cache=cache,
                                      progress=progress, min_count=min_count)
    options = prepared.options
    counts, report = prepared.counts, prepared.report
    report.require_posts()
    tokenizer = options.make_tokenizer()
    if len(counts.words) == 0 or int(np.sum(counts.posts)) == 0:
        raise ValueError("no words were found in the posts")
    with times("series"):
        # The window that holds the bulk of the posts (or --since/--until),
        # and with --freq auto the period length (docs/method.md, section 2).
        counts, window, freq_tried, rows = analysis_periods(
            counts, since=requested.since, until=requested.until, last=requested.last, auto=auto)
        if window.dropped:
            # A copy: the prepared counts (and their report) may be analysed
            # again, and must not count the same posts as dropped twice.
            report = IngestReport.from_dict(report.as_dict())
            report.drop("out_of_window", window.dropped)
        post_words = prepared.posts
        if rows is not None and post_words is not None:
            post_words = post_words.regroup(rows)
        all_series = relative_frequency(
            counts, min_count=min_count, min_periods=min_periods, max_words=max_words
        )
        peak_test = peak_test or SinglePeakTest()
        peak_tests = peak_test(all_series)
    candidates = all_series.loc[:, peak_tests["is_trend"].to_numpy(dtype=bool)]
    if candidates.shape[1] < 2:
        raise ValueError(
            f"only {candidates.shape[1]} word(s) passed the single-peak test; "
            "nothing to cluster (lower --min-count or the test's thresholds)"
        )
    split, word_of, tested, pool = None, {}, peak_tests, all_series
    if cooccurrence is not False:
        test = CooccurrenceSplit() if cooccurrence is True else cooccurrence
        if test.episode_z is not None:
            with times("series"):
                # Words of recurring events, a partner per peak (glipca.model.episodes).
                episodes, tested, word_of = find_episodes(
                    all_series, peak_tests, peak_test, [period_label(p) for p in all_series.index])
                pool = pd.concat([all_series, episodes], axis=1)
        with times("cooccurrence"):
            windows = _post_windows(post_words, counts, candidates.index,
                                    _story_words(tested), word_of)
        split = partial(test.split, windows)
    with times("model"):
        model = GLIPCA(alpha=alpha, **glipca_params).fit(candidates, split=split,
                                                         progress=progress)
        if split is not None:
            model.set_clusters(_regroup(model, test, windows, pool, tested, word_of))
            # Words that joined a story from outside the candidates travel
            # with them: the report and the stability refits need their series.
            extra = sorted({w for c in model.clusters_ for w in c.words} - set(candidates.columns))
            candidates = pd.concat([candidates, pool[extra]], axis=1)
        signals = np.zeros((len(candidates), len(model.clusters_)))
        for k, c in enumerate(model.clusters_):
            signals[:, k] = c.signal
            # A peak is an observed period, never an interpolated one.
            peak, c.edge = observed_peak(c.signal, all_series)
            c.peak = candidates.index[peak]
            # Still rising at the last observed period: an event under way,
            # reported as emerging rather than as an edge peak.
            c.emerging = emergence(c.signal, candidates[c.words].to_numpy().mean(axis=1),
                                   all_series)
            c.edge = c.edge and c.emerging is None
        hierarchy = cluster_hierarchy(signals)
    bootstrap = {"n_resamples": n_resamples, "fraction": 0.8, "top_k": 5, "seed": 0,
                 "tolerance": stability_tolerance}
    stability, n_run = None, 0
    if n_resamples and model.clusters_:
        with times("stability"):
            stability, n_run = cluster_stability(
                candidates, model.clusters_, alpha=model.alpha_, glipca_params=model.get_params(),
                jobs=available_cores() if jobs is None else jobs, progress=progress,
                return_n_resamples=True, **bootstrap,
            )
    if word_of:  # the report speaks of words
        candidates = all_series[told_in_words(model, word_of, candidates.columns)]
    posts = None
    if n_posts and model.clusters_:
        with times("posts"):
            # From the words the counting pass kept: nothing is read or
            # tokenised again, and only the chosen posts' texts are looked up.
            posts = representative_posts(post_words, counts, model.clusters_, n=n_posts,
                                         window=posts_window)
    stories = None
    if split is not None:
        with times("cooccurrence"):
            stories = cluster_stories(windows, model.clusters_, candidates.index,
                                      tokenizer=tokenizer, window=posts_window,
                                      progress=progress)
    params = {
        "lang": prepared.params["lang"],
        "tz": prepared.params["tz"],
        "freq": counts.freq,
        "tokenizer": prepared.params["tokenizer"],
        "min_count": min_count,
        "min_periods": min_periods,
        "max_words": max_words,
        "peak_test": peak_test.params() if hasattr(peak_test, "params") else repr(peak_test),
        "glipca": model.get_params(),
        "alpha_selection": model.alpha_info_,
        "on_error": prepared.params["on_error"],
        "drop_retweets": prepared.params["drop_retweets"],
        "drop_duplicates": prepared.params["drop_duplicates"],
        "hierarchy": {"method": hierarchy.method, "metric": hierarchy.metric,
                      "threshold": hierarchy.threshold},
        "stability": bootstrap,
        "posts": {"n": n_posts, "window": posts_window},
    }
    if split is not None:
        params["cooccurrence"] = test.params()
    return AnalysisResult(
        counts=counts,
        all_series=all_series,
        peak_tests=peak_tests,
        series=candidates,
        model=model,
        report=report,
        params=params,
        hierarchy=hierarchy,
        stability=stability,
        posts=posts,
        from_cache=prepared.from_cache,
        stories=stories,
        post_windows=None if split is None else windows,
        n_resamples_run=n_run,
        timings=times,
        post_words=post_words,
        content=prepared.content,
        window=window,
        freq_tried=freq_tried,
        counts_key=prepared.key,
        store=source.folder.name if isinstance(source, CountStore) else None,
        previous=previous,
    )

