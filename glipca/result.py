"""Trend clusters to explore: analyse, inspect, save and load.

A :class:`TrendResult` holds what a results folder holds: the clusters,
hierarchy, parameters and summary of ``clusters.json``, the candidate words'
series, the single-peak test, the direct-correlation graph and the
representative posts. :func:`analyse` makes one from posts; :func:`load`
reads one from a folder written by ``glipca analyse`` or
:meth:`TrendResult.save`.

A result holds the numbers its files hold (:mod:`glipca.report.folder`
writes and reads them), whether it was just computed or loaded, so a saved
and loaded result equals the one saved, and saving it again writes the same
files. This module only presents them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .counting.options import tokenizer_options as make_tokenizer_options
from .model.hierarchy import ClusterHierarchy
from .pipeline import run_analysis
from .report import views
from .report.folder import Results, parse_periods, read_results, save_results
from .report.stories import story_views

__all__ = ["Cluster", "TrendResult", "analyse", "load"]

@dataclass(frozen=True)
class Cluster:
    """One trend cluster of a :class:`TrendResult`.

    Attributes
    ----------
    id : int
        Position in the result (clusters are ordered by peak).
    words : tuple of str
        Words, most central first.
    loadings : tuple of float
        Each word's loading on the cluster's leading component.
    peak, start, end : Timestamp
        Period of the peak, and first and last period at half height or more.
    eigenvalue : float
        Leading eigenvalue of the words' correlation matrix.
    stability : float or None
        Share of bootstrap resamples that find the core words together
        (None when not computed).
    peak_frequency : float
        Largest relative frequency of a member word at the peak.
    edges : int
        Direct links among the words.
    label : str or None
        The words that best name it, in the order its posts use them.
    coherence : float or None
        Mean NPMI of its first 10 words' pairs in the posts near its peak.
    n_posts_cooccur : int or None
        Posts near its peak that hold two of its words or more (the last
        three are None for the series-only method).
    """

    id: int
    words: tuple
    loadings: tuple
    peak: pd.Timestamp
    start: pd.Timestamp = None
    end: pd.Timestamp = None
    eigenvalue: float = None
    stability: float = None
    peak_frequency: float = None
    edges: int = None
    label: str = None
    coherence: float = None
    n_posts_cooccur: int = None
    #: Still rising at the last observed period (docs/method.md, section 7).
    emerging: bool = False
    rising_since: pd.Timestamp = None
    growth_rate: float = None
    _result: object = field(default=None, repr=False, compare=False)

    @property
    def size(self):
        """Number of words."""
        return len(self.words)

    def series(self):
        """The words' relative frequencies per period (DataFrame)."""
        return self._result.series_of(self)

    def posts(self):
        """Representative posts, best first (DataFrame)."""
        return self._result.posts_of(self)

    def graph(self):
        """Direct-correlation graph of the words (networkx Graph)."""
        return self._result.graph_of(self)

    def plot(self, *, ax=None, max_words=12, ncols=4):
        """Small multiples of the words' series, span and peak marked (matplotlib Figure)."""
        from .report.cluster_figure import plot_cluster_multiples

        return plot_cluster_multiples(
            self._result.series, list(self.words), peak=self.peak, start=self.start,
            end=self.end, masked=self._result.interpolated, ax=ax, ncols=ncols,
            max_words=max_words, title=f"Cluster {self.id}",
        )

    def plot_graph(self, *, ax=None):
        """The words' direct-correlation graph (matplotlib Figure)."""
        from .report.cluster_figure import plot_cluster_graph

        return plot_cluster_graph(self.graph(), loadings=dict(zip(self.words, self.loadings)),
                                  ax=ax)

    def __repr__(self):
        return views.cluster_text(self)

    def _repr_html_(self):
        return views.cluster_html(self)


class TrendResult:
    """Trend clusters with everything needed to inspect them.

    Made by :func:`analyse` or :func:`load`, not usually by hand.

    Parameters
    ----------
    doc, series, peaks, graph, posts, run
        What a results folder holds, see :class:`glipca.report.folder.Results`.
    analysis : AnalysisResult, optional
        The analysis this result comes from (counts, fitted model), when
        computed in this session.

    Attributes
    ----------
    clusters : list of Cluster
        Ordered by peak.
    series, peaks, graph
        As given.
    hierarchy : ClusterHierarchy or None
        Related clusters, see :mod:`glipca.hierarchy`.
    params, summary : dict
        The analysis's parameters and counts, as in ``clusters.json``.
    shared_words : list of str
        Words tied to two clusters, so listed in neither.
    analysis : AnalysisResult or None
    """

    def __init__(self, doc, series, *, peaks=None, graph=None, posts=None, run=None,
                 analysis=None):
        doc = json.loads(json.dumps(doc))  # a private, JSON-clean copy
        series = series.copy()
        series.index.name = "period"
        series.columns.name = "word"
        if len(series.index) >= 3:
            # Parquet does not keep the index's frequency; infer it the same
            # way for computed and loaded series.
            series.index = pd.DatetimeIndex(series.index, freq="infer", name="period")
        self._results = Results(doc, series, peaks=peaks, graph=graph, posts=posts, run=run)
        self._doc, self.series = doc, series
        self.peaks, self.graph = peaks, self._results.graph
        self.shared_words = list(doc.get("shared_words", []))
        self.analysis = analysis
        tz = doc.get("params", {}).get("tz") or "UTC"
        unit = series.index.unit if isinstance(series.index, pd.DatetimeIndex) else "ns"

        def when(label):
            return parse_periods([label], tz, unit)[0] if label else None

        self.clusters = [
            Cluster(
                id=int(c["id"]), words=tuple(str(w) for w in c["words"]),
                loadings=tuple(float(x) for x in c.get("loadings") or []),
                peak=when(c["peak"]), start=when(c.get("start")), end=when(c.get("end")),
                eigenvalue=c.get("eigenvalue"), stability=c.get("stability"),
                peak_frequency=c.get("peak_frequency"), edges=c.get("edges"),
                label=c.get("label"), coherence=c.get("coherence"),
                n_posts_cooccur=c.get("n_posts_cooccur"), emerging=bool(c.get("emerging")),
                rising_since=when(c.get("rising_since")), growth_rate=c.get("growth_rate"),
                _result=self,
            )
            for c in doc["clusters"]
        ]
        hierarchy = doc.get("hierarchy")
        self.hierarchy = ClusterHierarchy.from_dict(hierarchy) if hierarchy else None

    @classmethod
    def _of(cls, results, analysis=None):
        return cls(results.doc, results.series, peaks=results.peaks, graph=results.graph,
                   posts=results.posts, run=results.run, analysis=analysis)

    @classmethod
    def from_analysis(cls, analysis):
        """The result of :func:`glipca.pipeline.run_analysis`, as its files will hold it."""
        return cls._of(Results.from_analysis(analysis), analysis)

    # -- what a notebook reads ------------------------------------------------

    @property
    def params(self):
        """Parameters of the analysis (dict, as in ``clusters.json``)."""
        return self._doc.get("params", {})

    @property
    def summary(self):
        """Posts, periods, words, λ and clusters of the run (dict)."""
        return self._doc.get("summary", {})

    @property
    def changes(self):
        """What changed since the results given as ``against`` (dict, as in
        ``clusters.json``; None without them)."""
        return self._doc.get("changes")

    @property
    def stories(self):
        """One row per story, in order of peak (DataFrame, indexed by story id).

        Columns: ``label``, ``peak``, ``start``, ``end``, ``words`` (trend
        words, then descriptive words), ``clusters`` (the facets' ids),
        ``coherence``, ``stability``, ``emerging`` and ``n_posts``; empty for
        the series-only method (docs/method.md, section 8). A notebook shows
        it as a table with a sparkline of each story's share of posts.
        """
        columns = ["label", "peak", "start", "end", "words", "clusters", "coherence",
                   "stability", "emerging", "n_posts"]
        tz = self.params.get("tz") or "UTC"
        unit = self.series.index.unit if isinstance(self.series.index, pd.DatetimeIndex) else "ns"
        rows = [{**{k: s.get(k) for k in columns},
                 **{k: parse_periods([s[k]], tz, unit)[0] for k in ("peak", "start", "end")}}
                for s in self._doc.get("stories", [])]
        frame = pd.DataFrame(rows, columns=columns, index=pd.Index(
            [int(s["id"]) for s in self._doc.get("stories", [])], name="story", dtype="int64"))
        frame = frame.astype({"coherence": float, "stability": float, "emerging": bool,
                              "n_posts": "int64"})
        table = views.StoryTable(self._story_views, freq=self.params.get("freq", "D"),
                                 lang=self.params.get("lang", "und"))
        return views.stories_frame(frame, table)

    def story_of(self, cluster):
        """Id of the story a cluster is a facet of (None for the series-only method)."""
        return self._doc["clusters"][self._cluster(cluster).id].get("story")

    def __len__(self):
        return len(self.clusters)

    def __iter__(self):
        return iter(self.clusters)

    def __getitem__(self, cluster):
        return self.clusters[cluster]

    def _cluster(self, cluster):
        if isinstance(cluster, Cluster):
            return cluster
        cid = int(cluster)
        if not 0 <= cid < len(self.clusters):
            raise IndexError(f"no cluster {cid}; clusters are 0 to {len(self.clusters) - 1}")
        return self.clusters[cid]

    def clusters_frame(self):
        """One row per cluster: peak, span, size, eigenvalue, stability, group, words,
        label, coherence (None for the series-only method) and emerging."""
        group_of = {}
        for g, members in enumerate(self.hierarchy.groups if self.hierarchy else []):
            group_of.update(dict.fromkeys(members, g))
        rows = [
            {"peak": c.peak, "start": c.start, "end": c.end, "size": c.size,
             "eigenvalue": c.eigenvalue, "stability": c.stability,
             "group": group_of.get(c.id), "words": list(c.words), "label": c.label,
             "coherence": c.coherence, "emerging": c.emerging}
            for c in self.clusters
        ]
        columns = ["peak", "start", "end", "size", "eigenvalue", "stability", "group", "words",
                   "label", "coherence", "emerging"]
        frame = pd.DataFrame(rows, columns=columns,
                             index=pd.Index([c.id for c in self.clusters], name="cluster"))
        return frame.astype({"size": "int64", "eigenvalue": float, "stability": float,
                             "coherence": float, "emerging": bool})

    def words_frame(self):
        """One row per cluster word (as ``clusters.csv``): cluster, rank, word, loading."""
        rows = [(c.id, r, w, x) for c in self.clusters
                for r, (w, x) in enumerate(zip(c.words, c.loadings))]
        return pd.DataFrame(rows, columns=["cluster", "rank", "word", "loading"])

    def series_of(self, cluster):
        """Relative frequencies of a cluster's words (periods × words, most central first)."""
        words = [w for w in self._cluster(cluster).words if w in self.series.columns]
        return self.series[words]

    def signals(self):
        """Each cluster's representative signal (periods × cluster ids).

        The loading-weighted mean of its words' standardised series, as the
        peak and the hierarchy use it.
        """
        z = (self.series - self.series.mean()) / self.series.std(ddof=0)
        out = {}
        for c in self.clusters:
            weights = np.asarray(c.loadings) / np.sum(c.loadings)
            out[c.id] = z[list(c.words)].to_numpy() @ weights
        return pd.DataFrame(out, index=self.series.index,
                            columns=pd.Index([c.id for c in self.clusters], name="cluster"))

    def posts_of(self, cluster):
        """Representative posts of a cluster, best first: id, time, text, score, words."""
        kept = self._results.posts_of(self._cluster(cluster).id)
        return pd.DataFrame(
            [{"id": str(p["id"]), "time": pd.Timestamp(p["time"]), "text": p["text"],
              "score": float(p["score"]), "words": list(p.get("words", []))} for p in kept],
            columns=["id", "time", "text", "score", "words"],
        )

    def graph_of(self, cluster):
        """Direct-correlation subgraph of a cluster's words (networkx Graph)."""
        return self._results.subgraph(list(self._cluster(cluster).words))

    # -- stories --------------------------------------------------------------

    @functools.cached_property
    def _story_views(self):
        # Made once: a result holds what its files hold, and a notebook
        # that shows every story's card would otherwise remake them all
        # for each.
        return tuple(story_views(self._doc, self.series, self._results.posts))

    def story(self, i):
        """Story ``i`` (its id, the index of :attr:`stories`) as a card: its
        figure, words and posts; without stories, cluster ``i``'s."""
        story = next((s for s in self._story_views if s.id == int(i)), None)
        if story is None:
            raise IndexError(f"no story {i}")
        facets = [self.clusters[f.id] for f in story.facets]
        return views.StoryCard(story, figures=lambda: [c.plot(max_words=8) for c in facets],
                               freq=self.params.get("freq", "D"),
                               lang=self.params.get("lang", "und"))

    # -- plots ----------------------------------------------------------------

    def plot_timeline(self, *, ax=None):
        """All clusters on one time axis, coloured by stability (matplotlib Figure)."""
        from .report.plots import plot_timeline

        return plot_timeline(self._doc["clusters"], ax=ax, freq=self._doc["params"].get("freq"))

    def plot_dendrogram(self, *, ax=None):
        """How the clusters group (matplotlib Figure)."""
        from .report.plots import plot_dendrogram

        if self.hierarchy is None:
            raise ValueError("this result has no hierarchy")
        names = {c.id: " ".join(c.words[:3]) for c in self.clusters}
        return plot_dendrogram(self.hierarchy, names=names, ax=ax)

    def plot_heatmap(self, words=None, *, ax=None):
        """Word × period heatmap; default the three most central words of each cluster."""
        from .report.plots import plot_heatmap

        if words is None:
            words = [w for c in self.clusters for w in c.words[:3]]
        return plot_heatmap(self.series, words, ax=ax, masked=self.interpolated)

    @property
    def interpolated(self):
        """Which periods had too few posts and hold interpolated values (array of bool)."""
        from .model.periods import masked_from_ranges

        return masked_from_ranges(self.series.index, self.summary.get("masked_periods", ()))

    # -- files ----------------------------------------------------------------

    def save(self, folder, *, force=False, plots=True, jobs=1):
        """Write the result as ``glipca analyse`` does: tables, figures, report.html.

        The folder appears only when complete, and an existing one is
        replaced only with ``force=True``.

        Parameters
        ----------
        folder : path
        force : bool, default=False
        plots : bool, default=True
            Also write the figures and ``report.html``.
        jobs : int or None, default=1
            Processes drawing the figures; None for all available cores.

        Returns
        -------
        Path
        """
        if self.peaks is None:
            raise ValueError("this result has no single-peak table to save")
        return save_results(self._results, folder, force=force, plots=plots, jobs=jobs,
                            hint="pass force=True to replace it")

    def equals(self, other):
        """Whether two results hold the same clusters, series, tables, graph and params."""
        return isinstance(other, TrendResult) and self._results.equals(other._results)

    # -- display --------------------------------------------------------------

    def __repr__(self):
        return views.result_text(self)

    def _repr_html_(self):
        return views.result_html(self)


def load(folder):
    """Read a results folder written by ``glipca analyse`` or :meth:`TrendResult.save`.

    Parameters
    ----------
    folder : path

    Returns
    -------
    TrendResult
        The series are exact when the folder has ``series.parquet``, and
        read from ``series.csv`` (6 significant digits) otherwise.
    """
    return TrendResult._of(read_results(folder))


def analyse(source, *, lang="auto", stop_words=None, user_words=None, mecab_args=None,
            cache=None, **options):
    """Find trend clusters in posts, as ``glipca analyse`` does.

    Parameters
    ----------
    source : path, list of paths, or DataFrame
        Post files (JSON Lines, JSON, CSV/TSV, optionally gzip'd), or a table
        of posts with id, time and text columns.
    lang : {"auto", "en", "ja", "zh"} or ISO code, default="auto"
    stop_words, user_words : list of str or path, optional
        Extra stop words, and words always kept whole (a list, or a text
        file of one word per line); ``user_dict`` is the CLI's name.
    mecab_args : str, optional
        Extra MeCab options (Japanese).
    cache : bool or path, optional
        Word-count cache for files (ignored for a DataFrame): True for the
        default folder (``$GLIPCA_CACHE`` or ``~/.cache/glipca``), or a
        folder. Default: no cache, nothing written outside ``source``.
    **options
        Options of any stage, by their Python or CLI names (``tz``,
        ``freq``, ``min_count`` or ``min_days``, ``min_z``, ``alpha``,
        ``n_resamples`` or ``resamples``, ``n_posts`` or ``posts``,
        ``cooccurrence`` or ``no_cooccurrence``, ``jobs``, field names,
        GLIPCA parameters...), see :func:`glipca.pipeline.run_analysis`;
        all are checked before any counting.

    Returns
    -------
    TrendResult
    """
    if "user_dict" in options:
        if user_words is not None:
            raise TypeError("give user_words or user_dict, not both")
        user_words = options.pop("user_dict")
    if options.get("min_z") is None:
        options.pop("min_z", None)
    tokenizer_options = make_tokenizer_options(
        options.pop("tokenizer_options", None), stop_words=stop_words, user_words=user_words,
        mecab_args=mecab_args)
    analysis = run_analysis(source, lang=lang, cache=cache, tokenizer_options=tokenizer_options,
                            **options)
    return TrendResult.from_analysis(analysis)
