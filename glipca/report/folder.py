"""The results folder: what it holds, written and read in one place.

=================== =========================================================
``clusters.json``   clusters, hierarchy, parameters and summary
``clusters.csv``    one row per cluster word: cluster, peak, rank, word, loading
                    (and label, coherence, emerging with the co-occurrence method)
``series.parquet``  candidate words' relative frequencies per period, exact
``series.csv``      the same for reading, 6 significant digits
``peaks.csv``       the single-peak test, one row per word
``graph.csv``       the direct-correlation graph: word1, word2, partial correlation
``posts.json``      representative posts per cluster
``stories.csv``     one row per story (with the co-occurrence method)
``run.json``        how the results were made: command, inputs, version
=================== =========================================================

plus the figures (:mod:`glipca.report.figures`) and ``report.html``
(:mod:`glipca.report.html`, drawn from :func:`glipca.report.page.report_page`). A
:class:`Results` holds exactly what the files hold, whether it was made from
an analysis or read back, so writing it again gives the same bytes. Reading
uses JSON, CSV and Parquet only; nothing is unpickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pandas as pd

from .. import __version__
from ..counting.periods import period_label
from ..progress import StageTimes
from .atomic import atomic_dir
from .document import DIGITS, clusters_document, round_floats, rounded
from .figures import png_size, render_figures
from .html import render_report
from .page import report_page

__all__ = ["Results", "parse_periods", "read_results", "render_page", "run_record",
           "save_results", "stories_table", "write_report", "write_results", "write_tables"]

#: Columns of the single-peak test (``peaks.csv``) and their types: a float
#: column whose values happen to be whole numbers must not come back as int.
PEAK_DTYPES = {
    "is_trend": bool, "prominence": float, "z": float, "width": float, "secondary": float,
    "n_peaks": "int64",
}


@dataclass
class Results:
    """The content of a results folder.

    Attributes
    ----------
    doc : dict
        The ``clusters.json`` document.
    series : DataFrame
        Periods (aware) × candidate words relative frequencies, exact.
    peaks : DataFrame or None
        The single-peak test's result, one row per word.
    graph : networkx Graph
        Direct-correlation graph, partial correlations as ``weight``.
    posts : list of list of dict, or None
        Representative posts per cluster, best first.
    run : dict or None
        How the results were made (``run.json``, see :func:`run_record`).
    stories : DataFrame or None
        One row per story (``stories.csv``, :func:`stories_table`); by
        default made from ``doc``.
    """

    doc: dict
    series: pd.DataFrame
    peaks: pd.DataFrame = None
    graph: nx.Graph = None
    posts: list = None
    run: dict = None
    stories: pd.DataFrame = None

    def __post_init__(self):
        if self.graph is None:
            self.graph = nx.Graph()
            self.graph.add_nodes_from(self.series.columns)
        self.posts = self.posts or None
        if self.stories is None and "stories" in self.doc:
            self.stories = stories_table(self.doc["stories"])

    @classmethod
    def from_analysis(cls, analysis, *, command=None):
        """What the files of :func:`glipca.pipeline.run_analysis`'s result will hold.

        ``command`` is the command line that ran it, if any (see :func:`run_record`).
        """
        graph = nx.Graph()
        graph.add_nodes_from(analysis.series.columns)
        graph.add_weighted_edges_from(sorted(
            (min(u, v), max(u, v), rounded(d["weight"]))
            for u, v, d in analysis.model.graph_.edges(data=True)
        ))
        peaks = analysis.peak_tests.copy()
        for name in peaks.columns:
            if PEAK_DTYPES.get(name) is float:
                peaks[name] = [rounded(x) for x in peaks[name]]
        posts = round_floats([[p.to_dict() for p in ps] for ps in (analysis.posts or [])])
        return cls(clusters_document(analysis), analysis.series, peaks=peaks, graph=graph,
                   posts=posts, run=run_record(getattr(analysis, "content", None), command,
                                               counts_key=getattr(analysis, "counts_key", None),
                                               store=getattr(analysis, "store", None)))

    def equals(self, other):
        """Whether both hold the same document, series, tables, graph and posts."""
        return (
            self.doc == other.doc
            and self.series.equals(other.series)
            and self.series.index.equals(other.series.index)
            and _frames_equal(self.peaks, other.peaks)
            and _edges(self.graph) == _edges(other.graph)
            and list(self.graph.nodes) == list(other.graph.nodes)
            and self.posts == other.posts
            and self.run == other.run
            and _frames_equal(self.stories, other.stories)
        )

    def posts_of(self, cid):
        """Representative posts of cluster ``cid`` (list of dict; empty when none)."""
        return self.posts[cid] if self.posts and 0 <= cid < len(self.posts) else []

    def subgraph(self, words):
        """The direct-correlation graph among ``words``, every word a node."""
        sub = self.graph.subgraph([w for w in words if w in self.graph]).copy()
        sub.add_nodes_from(words)
        return sub


def run_record(content, command=None, *, counts_key=None, store=None):
    """The content of ``run.json``: what identifies how results were made.

    Parameters
    ----------
    content : list or None
        ``[name, size, SHA-256]`` of each input file
        (:func:`glipca.counting.cache.content_ids`), or of each file
        appended to the store; None for a data frame.
    command : str, optional
        The command line, with files named without their folders.
    counts_key : str, optional
        Key of the word counts in the cache.
    store : str, optional
        Name of the count store analysed (without its folder).

    Notes
    -----
    No date and no path: the same posts and options give the same bytes
    anywhere, at any time. The inputs' SHA-256 identify the data; the time
    of a run is the folder's modification time.
    """
    inputs = None if content is None else [
        {"name": name, "bytes": int(size), "sha256": digest} for name, size, digest in content
    ]
    run = {"command": command, "inputs": inputs, "counts_key": counts_key,
           "glipca_version": __version__}
    if store is not None:
        run["store"] = store
    return run


#: Columns of ``stories.csv``: lists are written with their items separated by spaces.
STORY_COLUMNS = ["id", "label", "peak", "start", "end", "words", "n_trend_words", "clusters",
                 "coherence", "stability", "emerging", "n_posts"]
_STORY_DTYPES = {"id": "int64", "label": str, "peak": str, "start": str, "end": str,
                 "words": str, "n_trend_words": "int64", "clusters": str, "coherence": float,
                 "stability": float, "emerging": bool, "n_posts": "int64"}


def stories_table(stories):
    """``stories.csv`` as a frame: the stories of ``clusters.json``, lists joined by spaces."""
    rows = [{**s, "words": " ".join(map(str, s["words"])),
             "clusters": " ".join(str(c) for c in s["clusters"])} for s in stories]
    frame = pd.DataFrame(rows, columns=STORY_COLUMNS)
    for name in ("coherence", "stability"):
        frame[name] = frame[name].astype(float)
    return frame.astype({k: v for k, v in _STORY_DTYPES.items() if v is not float})


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


# -- writing ---------------------------------------------------------------------


def _write_csv(frame, path, **kwargs):
    frame.to_csv(path, float_format=f"%.{DIGITS}g", lineterminator="\n", **kwargs)


def _write_json(path, doc):
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")


def write_tables(results, folder):
    """Write the machine-readable files of ``results`` into an existing folder."""
    folder = Path(folder)
    doc = results.doc
    _write_json(folder / "clusters.json", doc)

    # What a reader sorts and filters by, repeated on each of a cluster's rows.
    rows = [
        {"cluster": c["id"], "peak": c["peak"], "rank": r, "word": w, "loading": c["loadings"][r],
         "label": c.get("label"), "coherence": c.get("coherence"),
         "emerging": bool(c.get("emerging"))}
        for c in doc["clusters"]
        for r, w in enumerate(c["words"])
    ]
    columns = ["cluster", "peak", "rank", "word", "loading"]
    if "stories" in doc:
        # The series-only method writes the paper's table, as it always has.
        columns += ["label", "coherence", "emerging"]
    table = pd.DataFrame(rows, columns=columns)
    _write_csv(table, folder / "clusters.csv", index=False)

    # The CSV is for reading; 6 digits are not enough to compute with, so
    # the exact series are kept beside it.
    results.series.to_parquet(folder / "series.parquet")
    series = results.series.copy()
    series.index = [period_label(t) for t in series.index]
    series.index.name = "period"
    _write_csv(series, folder / "series.csv")

    if results.peaks is not None:
        peaks = results.peaks.copy()
        peaks["peak"] = [period_label(t) for t in peaks["peak"]]
        _write_csv(peaks, folder / "peaks.csv")

    edges = sorted(
        (min(u, v), max(u, v), d["weight"]) for u, v, d in results.graph.edges(data=True)
    )
    edges = pd.DataFrame(edges, columns=["word1", "word2", "partial_correlation"])
    _write_csv(edges, folder / "graph.csv", index=False)

    _write_json(folder / "posts.json", {"posts": round_floats(results.posts or [])})
    if results.stories is not None:
        _write_csv(results.stories, folder / "stories.csv", index=False)
    if results.run is not None:
        _write_json(folder / "run.json", results.run)


def save_results(results, out, *, force=False, plots=True, jobs=1,
                 hint="use --force to replace it", times=None, progress=False):
    """Write every file of ``results`` to the folder ``out``, atomically.

    Parameters
    ----------
    results : Results
    out : path
    force : bool, default=False
        Replace an existing folder.
    plots : bool, default=True
        Also write the figures and ``report.html``.
    jobs : int or None, default=1
        Processes drawing the figures; None for all available cores.
    hint : str
        How the caller asks for a replacement, for the error message.
    times : StageTimes, optional
        Where the wall times of writing the tables, the figures and the
        report are added (:class:`glipca.progress.StageTimes`).
    progress : bool, default=False
        Show the figures drawn on a progress bar (:mod:`glipca.progress`).

    Returns
    -------
    Path
    """
    times = StageTimes() if times is None else times
    with atomic_dir(out, force=force, hint=hint) as tmp:
        with times("tables"):
            write_tables(results, tmp)
        if plots:
            write_report(tmp, results=results, title=Path(out).name, jobs=jobs, times=times,
                         progress=progress)
    return Path(out)


def write_results(analysis, out, *, force=False, plots=True, jobs=1, times=None, progress=False,
                  command=None):
    """Write every output of an analysis to ``out`` atomically (see :func:`save_results`).

    ``command`` is recorded in ``run.json`` (see :func:`run_record`).
    Returns the ``clusters.json`` document.
    """
    times = StageTimes() if times is None else times
    with times("tables"):
        results = Results.from_analysis(analysis, command=command)
    save_results(results, out, force=force, plots=plots, jobs=jobs, times=times,
                 progress=progress)
    return results.doc


# -- the report -----------------------------------------------------------------


def render_page(results, *, figures=None, title="glipca"):
    """The report of ``results`` as an HTML string.

    ``figures`` maps the figure files beside the page to their PNG bytes
    (:func:`glipca.report.figures.render_figures`); without it the page has
    no figure. ``title`` is the results folder's name.
    """
    sizes = {name: png_size(png) for name, png in (figures or {}).items()}
    page = report_page(results.doc, results.series, posts=results.posts, run=results.run,
                       folder=title, figures=sizes)
    return render_report(page)


def write_report(folder, *, results=None, path=None, figures=True, title=None, jobs=1,
                 times=None, progress=False):
    """Write ``report.html`` and its figures' PNG files into a results folder.

    Parameters
    ----------
    folder : path
        A results folder.
    results : Results, optional
        What the folder holds, when the caller has it already; default read
        from the folder.
    path : path, optional
        Where to write the page; default ``folder / "report.html"``.
    figures : bool, default=True
        Draw the figures and write them beside the page (False gives a
        text-only page and writes no figure).
    title : str, optional
        The results folder's name, as the report shows it; default the
        folder's own name.
    jobs : int or None, default=1
        Processes drawing the figures; None for all available cores.
    times : StageTimes, optional
        Where the wall times of drawing the figures and writing the page are
        added (:class:`glipca.progress.StageTimes`).
    progress : bool, default=False
        Show the figures drawn on a progress bar (:mod:`glipca.progress`).

    Returns
    -------
    Path
    """
    times = StageTimes() if times is None else times
    results = read_results(folder) if results is None else results
    title = Path(folder).resolve().name if title is None else title
    drawn = {}
    if figures:
        with times("figures"):
            drawn = render_figures(results.doc, results.series, results.graph, jobs=jobs,
                                   progress=progress)
            for name, png in drawn.items():
                _replace(Path(folder) / name, png)
    with times("report"):
        path = Path(path) if path is not None else Path(folder) / "report.html"
        _replace(path, render_page(results, figures=drawn, title=title).encode("utf-8"))
    return path


def _replace(path, data):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


# -- reading ---------------------------------------------------------------------


def _read_csv(path, **kwargs):
    # Words are data, never missing values ("NA" and "null" are words).
    if int(pd.__version__.split(".")[0]) < 3:
        # Parse floats exactly as written; pandas 3 does by default.
        kwargs["float_precision"] = "round_trip"
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **kwargs)


def parse_periods(labels, tz, unit):
    index = pd.DatetimeIndex(
        [t.tz_localize(tz) if t.tz is None else t.tz_convert(tz) for t in map(pd.Timestamp, labels)],
        name="period",
    )
    return index.as_unit(unit)


def read_results(folder):
    """Read a results folder written by ``glipca analyse`` or :func:`save_results`.

    The series are exact when the folder has ``series.parquet``, and read
    from ``series.csv`` (6 significant digits) otherwise.

    Returns
    -------
    Results
    """
    folder = Path(folder)
    path = folder / "clusters.json"
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no clusters.json; is this a glipca results folder?")
    doc = json.loads(path.read_text(encoding="utf-8"))
    tz = doc.get("params", {}).get("tz") or "UTC"
    if (folder / "series.parquet").exists():
        series = pd.read_parquet(folder / "series.parquet")
    else:
        series = _read_csv(folder / "series.csv", index_col=0)
        series.columns = [str(c) for c in series.columns]
        series.index = parse_periods(series.index, tz, "us")
        series = series.astype(float)
    peaks = _read_peaks(folder / "peaks.csv", tz, series.index.unit)
    graph = nx.Graph()
    graph.add_nodes_from(series.columns)
    if (folder / "graph.csv").exists():
        edges = _read_csv(folder / "graph.csv", dtype={"word1": str, "word2": str})
        graph.add_weighted_edges_from(
            zip(edges["word1"], edges["word2"], edges["partial_correlation"].astype(float))
        )
    posts = run = stories = None
    if (folder / "stories.csv").exists():
        stories = pd.read_csv(folder / "stories.csv", dtype=_STORY_DTYPES, keep_default_na=False,
                              na_values={"coherence": [""], "stability": [""]},
                              **({} if int(pd.__version__.split(".")[0]) >= 3
                                 else {"float_precision": "round_trip"}))
    if (folder / "posts.json").exists():
        posts = json.loads((folder / "posts.json").read_text(encoding="utf-8"))["posts"]
    if (folder / "run.json").exists():
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    return Results(doc, series, peaks=peaks, graph=graph, posts=posts, run=run, stories=stories)


def _read_peaks(path, tz, unit):
    if not path.exists():
        return None
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {name: kind for name, kind in PEAK_DTYPES.items() if name in header}
    peaks = _read_csv(path, index_col=0, dtype={header[0]: str, "reason": str, **dtypes})
    if "peak" in peaks.columns:
        peaks["peak"] = parse_periods(peaks["peak"], tz, unit)
    return peaks
