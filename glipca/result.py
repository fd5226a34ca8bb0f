"""Trend clusters to explore: analyse, inspect, save and load.

A :class:`TrendResult` holds what a results folder holds: the clusters,
hierarchy, parameters and summary of ``clusters.json``, the candidate words'
series, the single-peak test, the direct-correlation graph and the
representative posts. :func:`analyse` makes one from posts; :func:`load`
reads one from a folder written by ``glipca analyse`` or
:meth:`TrendResult.save`.

A result holds the numbers its files hold, whether it was just computed or
loaded: 6 significant digits (:data:`glipca.report.DIGITS`) for everything
but the series, which are kept exactly (``series.parquet``). So a saved and
loaded result equals the one saved, and saving it again writes the same
files. Loading reads JSON, CSV and Parquet only; nothing is unpickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from .model.hierarchy import ClusterHierarchy
from .report.writer import DIGITS, _label, _round, atomic_dir, clusters_document, write_documents

__all__ = ["Cluster", "TrendResult", "analyse", "load"]

#: Columns of the single-peak test (``peaks.csv``) and their types: a float
#: column whose values happen to be whole numbers must not come back as int.
_PEAK_DTYPES = {
    "is_trend": bool, "prominence": float, "z": float, "width": float, "secondary": float,
    "n_peaks": "int64",
}
#: Clusters listed by the plain and HTML displays of a result.
DISPLAY_ROWS = 60
#: Words named per cluster in the displays of a result.
DISPLAY_WORDS = 6


def _e(value):
    return escape("" if value is None else str(value), quote=True)


def _rounded(x):
    # As report._round and the CSV writer's "%.6g" do, so that a computed
    # result holds what its files will hold.
    return float(f"{float(x):.{DIGITS}g}")


def _period(label, tz):
    t = pd.Timestamp(label)
    return t.tz_localize(tz) if t.tz is None else t.tz_convert(tz)


def _periods(labels, tz, unit):
    index = pd.DatetimeIndex([_period(t, tz) for t in labels], name="period")
    return index.as_unit(unit)


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
        """Small multiples of the words' series, peak marked (matplotlib Figure)."""
        from .report.plots import plot_cluster_multiples

        return plot_cluster_multiples(
            self._result.series, list(self.words), peak=self.peak, ax=ax, ncols=ncols,
            max_words=max_words, title=f"Cluster {self.id}",
        )

    def plot_graph(self, *, ax=None):
        """The words' direct-correlation graph (matplotlib Figure)."""
        from .report.plots import plot_cluster_graph

        return plot_cluster_graph(self.graph(), loadings=dict(zip(self.words, self.loadings)),
                                  ax=ax)

    def _stability_text(self):
        return "not computed" if self.stability is None else f"{self.stability:.2f}"

    def __repr__(self):
        shown = " ".join(self.words[:DISPLAY_WORDS]) + (" ..." if self.size > DISPLAY_WORDS else "")
        return (f"<Cluster {self.id}: peak {_label(self.peak)}, {self.size} words, "
                f"stability {self._stability_text()}: {shown}>")

    def _repr_html_(self):
        from .report.html import _png

        words = "".join(
            f'<tr><td>{_e(w)}</td><td style="text-align:right">{x:.3f}</td></tr>'
            for w, x in zip(self.words, self.loadings)
        )
        span = f"{_label(self.start)} to {_label(self.end)}" if self.start is not None else ""
        facts = [("Peak", _label(self.peak)), ("Span at half height", span),
                 ("Words", self.size), ("Stability", self._stability_text())]
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
        figure = ""
        if self._result is not None and self.size:
            fig = self.plot(max_words=8)
            figure = f'<img src="{_png(fig)}" alt="Series of the words of cluster {self.id}">'
        return (
            f'<div class="glipca-cluster"><strong>Cluster {self.id}</strong>'
            f'<div style="display:flex;gap:1.5em;align-items:flex-start">'
            f"<table>{rows}</table><table><tr><th>Word</th><th>Loading</th></tr>{words}</table>"
            f"</div>{figure}</div>"
        )


class TrendResult:
    """Trend clusters with everything needed to inspect them.

    Made by :func:`analyse` or :func:`load`, not usually by hand.

    Parameters
    ----------
    doc : dict
        The ``clusters.json`` document.
    series : DataFrame
        Periods × candidate words relative frequencies.
    peaks : DataFrame, optional
        The single-peak test's result, one row per word.
    graph : networkx Graph, optional
        Direct-correlation graph, partial correlations as ``weight``.
    posts : list of list of dict, optional
        Representative posts per cluster.
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

    def __init__(self, doc, series, *, peaks=None, graph=None, posts=None, analysis=None):
        self._doc = json.loads(json.dumps(doc))  # a private, JSON-clean copy
        tz = self._doc.get("params", {}).get("tz") or "UTC"
        series = series.copy()
        series.index.name = "period"
        series.columns.name = "word"
        if len(series.index) >= 3:
            # Parquet does not keep the index's frequency; infer it the same
            # way for computed and loaded series.
            series.index = pd.DatetimeIndex(series.index, freq="infer", name="period")
        self.series = series
        unit = series.index.unit if isinstance(series.index, pd.DatetimeIndex) else "ns"
        self.peaks = peaks
        if graph is None:
            graph = nx.Graph()
            graph.add_nodes_from(series.columns)
        self.graph = graph
        self._posts = posts or None
        self.analysis = analysis
        self.clusters = [
            Cluster(
                id=int(c["id"]), words=tuple(str(w) for w in c["words"]),
                loadings=tuple(float(x) for x in c.get("loadings") or []),
                peak=_periods([c["peak"]], tz, unit)[0],
                start=_periods([c["start"]], tz, unit)[0] if c.get("start") else None,
                end=_periods([c["end"]], tz, unit)[0] if c.get("end") else None,
                eigenvalue=c.get("eigenvalue"), stability=c.get("stability"),
                peak_frequency=c.get("peak_frequency"), edges=c.get("edges"), _result=self,
            )
            for c in self._doc["clusters"]
        ]
        hierarchy = self._doc.get("hierarchy")
        self.hierarchy = ClusterHierarchy.from_dict(hierarchy) if hierarchy else None

    # -- made from an analysis ------------------------------------------------

    @classmethod
    def from_analysis(cls, analysis):
        """The result of :func:`glipca.pipeline.run_analysis`, as its files will hold it."""
        graph = nx.Graph()
        graph.add_nodes_from(analysis.series.columns)
        graph.add_weighted_edges_from(sorted(
            (min(u, v), max(u, v), _rounded(d["weight"]))
            for u, v, d in analysis.model.graph_.edges(data=True)
        ))
        peaks = analysis.peak_tests.copy()
        for name in peaks.columns:
            if _PEAK_DTYPES.get(name) is float:
                peaks[name] = [_rounded(x) for x in peaks[name]]
        posts = _round([[p.to_dict() for p in ps] for ps in (analysis.posts or [])])
        return cls(clusters_document(analysis), analysis.series, peaks=peaks, graph=graph,
                   posts=posts, analysis=analysis)

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
    def shared_words(self):
        return list(self._doc.get("shared_words", []))

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
        """One row per cluster: peak, span, size, eigenvalue, stability, group, words."""
        group_of = {}
        for g, members in enumerate(self.hierarchy.groups if self.hierarchy else []):
            group_of.update(dict.fromkeys(members, g))
        rows = [
            {"peak": c.peak, "start": c.start, "end": c.end, "size": c.size,
             "eigenvalue": c.eigenvalue, "stability": c.stability,
             "group": group_of.get(c.id), "words": list(c.words)}
            for c in self.clusters
        ]
        columns = ["peak", "start", "end", "size", "eigenvalue", "stability", "group", "words"]
        frame = pd.DataFrame(rows, columns=columns,
                             index=pd.Index([c.id for c in self.clusters], name="cluster"))
        return frame.astype({"size": "int64", "eigenvalue": float, "stability": float})

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
        cid = self._cluster(cluster).id
        kept = self._posts[cid] if self._posts and cid < len(self._posts) else []
        frame = pd.DataFrame(
            [{"id": str(p["id"]), "time": pd.Timestamp(p["time"]), "text": p["text"],
              "score": float(p["score"]), "words": list(p.get("words", []))} for p in kept],
            columns=["id", "time", "text", "score", "words"],
        )
        return frame

    def graph_of(self, cluster):
        """Direct-correlation subgraph of a cluster's words (networkx Graph)."""
        words = list(self._cluster(cluster).words)
        sub = self.graph.subgraph([w for w in words if w in self.graph]).copy()
        sub.add_nodes_from(words)
        return sub

    # -- plots ----------------------------------------------------------------

    def plot_timeline(self, *, ax=None):
        """All clusters on one time axis, coloured by stability (matplotlib Figure)."""
        from .report.plots import plot_timeline

        return plot_timeline(self._doc["clusters"], ax=ax)

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
        return plot_heatmap(self.series, words, ax=ax)

    # -- files ----------------------------------------------------------------

    def save(self, folder, *, force=False, plots=True):
        """Write the result as ``glipca analyse`` does: tables, figures, report.html.

        The folder appears only when complete, and an existing one is
        replaced only with ``force=True``.

        Parameters
        ----------
        folder : path
        force : bool, default=False
        plots : bool, default=True
            Also write ``cluster_NNN.png`` and ``report.html``.

        Returns
        -------
        Path
        """
        if self.peaks is None:
            raise ValueError("this result has no single-peak table to save")
        with atomic_dir(folder, force=force) as tmp:
            write_documents(tmp, self._doc, series=self.series, peaks=self.peaks,
                            graph=self.graph, posts=self._posts)
            if plots:
                from .report.html import write_report
                from .report.plots import write_cluster_figures

                write_cluster_figures(self.series, self.clusters, tmp)
                write_report(tmp, title=Path(folder).name)
        return Path(folder)

    def equals(self, other):
        """Whether two results hold the same clusters, series, tables, graph and params."""
        if not isinstance(other, TrendResult):
            return False
        return (
            self._doc == other._doc
            and self.series.equals(other.series)
            and self.series.index.equals(other.series.index)
            and _frames_equal(self.peaks, other.peaks)
            and _edges(self.graph) == _edges(other.graph)
            and list(self.graph.nodes) == list(other.graph.nodes)
            and self._posts == other._posts
        )

    # -- display --------------------------------------------------------------

    def _headline(self):
        s = self.summary
        n = len(self.clusters)
        text = f"{n} trend cluster{'s' if n != 1 else ''}"
        if s:
            text += (f" in {s.get('posts_used', '?')} posts, {s.get('periods', '?')} periods "
                     f"({s.get('first_period', '?')} to {s.get('last_period', '?')}), "
                     f"{s.get('candidate_words', '?')} candidate words")
            if s.get("alpha") is not None:
                text += f", λ = {s['alpha']:.3g}"
        return text

    def __repr__(self):
        lines = [f"<TrendResult: {self._headline()}>"]
        for c in self.clusters[:DISPLAY_ROWS]:
            shown = " ".join(c.words[:DISPLAY_WORDS]) + (" ..." if c.size > DISPLAY_WORDS else "")
            stability = "   -" if c.stability is None else f"{c.stability:4.2f}"
            lines.append(f"  {c.id:3d}  {_label(c.peak)}  {c.size:3d}  {stability}  {shown}")
        if len(self.clusters) > DISPLAY_ROWS:
            lines.append(f"  ... {len(self.clusters) - DISPLAY_ROWS} more clusters")
        return "\n".join(lines)

    def _repr_html_(self):
        rows = []
        for c in self.clusters[:DISPLAY_ROWS]:
            shown = " ".join(c.words[:DISPLAY_WORDS]) + (" …" if c.size > DISPLAY_WORDS else "")
            rows.append(
                f'<tr><td style="text-align:right">{c.id}</td><td>{_e(_label(c.peak))}</td>'
                f'<td style="text-align:right">{c.size}</td>'
                f'<td style="text-align:right">{_e(c._stability_text())}</td>'
                f"<td>{_e(shown)}</td></tr>"
            )
        more = ""
        if len(self.clusters) > DISPLAY_ROWS:
            more = f"<p>… {len(self.clusters) - DISPLAY_ROWS} more clusters</p>"
        shared = ""
        if self.shared_words:
            shared = f"<p>Shared words (in no cluster): {_e(', '.join(self.shared_words))}</p>"
        return (
            f'<div class="glipca-result"><p><strong>TrendResult</strong>: {_e(self._headline())}'
            "</p><table><thead><tr><th>cluster</th><th>peak</th><th>size</th>"
            f"<th>stability</th><th>top words</th></tr></thead><tbody>{''.join(rows)}</tbody>"
            f"</table>{more}{shared}</div>"
        )


def _edges(graph):
    return sorted((min(u, v), max(u, v), d.get("weight")) for u, v, d in graph.edges(data=True))


def _frames_equal(a, b):
    if a is None or b is None:
        return a is None and b is None
    try:
        pd.testing.assert_frame_equal(a, b)
    except AssertionError:
        return False
    return True


# -- reading a folder -------------------------------------------------------------


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
    folder = Path(folder)
    path = folder / "clusters.json"
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no clusters.json; is this a glipca results folder?")
    doc = json.loads(path.read_text(encoding="utf-8"))
    tz = doc.get("params", {}).get("tz") or "UTC"
    series = _read_series(folder, tz)
    peaks = _read_peaks(folder / "peaks.csv", tz, series.index.unit)
    graph = nx.Graph()
    graph.add_nodes_from(series.columns)
    edges_path = folder / "graph.csv"
    if edges_path.exists():
        edges = _read_csv(edges_path, index_col=None, dtype={"word1": str, "word2": str})
        graph.add_weighted_edges_from(
            zip(edges["word1"], edges["word2"], edges["partial_correlation"].astype(float))
        )
    posts = None
    if (folder / "posts.json").exists():
        posts = json.loads((folder / "posts.json").read_text(encoding="utf-8"))["posts"]
    return TrendResult(doc, series, peaks=peaks, graph=graph, posts=posts)


def _read_csv(path, **kwargs):
    # Words are data, never missing values ("NA" and "null" are words).
    if int(pd.__version__.split(".")[0]) < 3:
        # Parse floats exactly as written; pandas 3 does by default.
        kwargs["float_precision"] = "round_trip"
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **kwargs)


def _read_series(folder, tz):
    if (folder / "series.parquet").exists():
        return pd.read_parquet(folder / "series.parquet")
    series = _read_csv(folder / "series.csv", index_col=0)
    series.columns = [str(c) for c in series.columns]
    series.index = _periods(series.index, tz, "us")
    return series.astype(float)


def _read_peaks(path, tz, unit):
    if not path.exists():
        return None
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {name: kind for name, kind in _PEAK_DTYPES.items() if name in header}
    peaks = _read_csv(path, index_col=0, dtype={header[0]: str, "reason": str, **dtypes})
    if "peak" in peaks.columns:
        peaks["peak"] = _periods(peaks["peak"], tz, unit)
    return peaks


# -- the analysis -----------------------------------------------------------------


def analyse(source, *, lang="auto", min_z=None, stop_words=None, user_words=None,
            mecab_args=None, cache=True, **options):
    """Find trend clusters in posts, as ``glipca analyse`` does.

    Parameters
    ----------
    source : path, list of paths, or DataFrame
        Post files (JSON Lines, JSON, CSV/TSV, optionally gzip'd), or a table
        of posts with id, time and text columns.
    lang : {"auto", "ja", "en"} or ISO code, default="auto"
    min_z : float, optional
        Single-peak test: peak prominence in noise units (default 6).
    stop_words, user_words : list of str or path, optional
        Extra stop words, and words always kept whole (a list, or a text
        file of one word per line).
    mecab_args : str, optional
        Extra MeCab options (Japanese).
    cache : bool or path, default=True
        Word-count cache for files (ignored for a DataFrame).
    **options
        Passed to :func:`glipca.pipeline.run_analysis`: ``tz``, ``freq``,
        ``min_count``, ``min_periods``, ``max_words``, ``alpha``,
        ``n_resamples``, ``n_posts``, ``jobs``, field names, GLIPCA
        parameters...

    Returns
    -------
    TrendResult
    """
    from .pipeline import run_analysis
    from .model.series import SinglePeakTest
    from .tokens import read_word_list

    tokenizer_options = dict(options.pop("tokenizer_options", None) or {})
    for name, words in (("extra_stop_words", stop_words), ("user_words", user_words)):
        if words is not None:
            is_file = isinstance(words, (str, Path))
            tokenizer_options[name] = read_word_list(words) if is_file else list(words)
    if mecab_args:
        tokenizer_options["mecab_args"] = mecab_args
    if min_z is not None:
        if options.get("peak_test") is not None:
            raise ValueError("give min_z or peak_test, not both")
        options["peak_test"] = SinglePeakTest(min_z=min_z)
    analysis = run_analysis(source, lang=lang, cache=cache, tokenizer_options=tokenizer_options,
                            **options)
    return TrendResult.from_analysis(analysis)
