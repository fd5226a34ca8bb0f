"""The report's figures: each drawn once, in parallel, as PNG bytes.

Every figure the report shows is also a file beside it (``timeline.png``,
``dendrogram.png``, ``heatmap.png``, ``cluster_NNN.png``), with the same
bytes, so it is drawn once and nothing is drawn that the report does not
show. Figures are independent tasks run by
:func:`glipca.counting.parallel.map_tasks` in worker processes; each is
drawn from the data alone, in a fresh figure, and saved without metadata, so
the bytes are the same whichever process draws it and whatever the number of
processes.

:data:`DPI` is CSS's 96 pixels per inch: a figure of ``w`` inches is
``96 w`` pixels wide and is shown at its own size in the report's column.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from ..counting.parallel import available_cores, map_tasks
from ..model.hierarchy import ClusterHierarchy
from ..model.periods import masked_from_ranges
from ..progress import progress_bar
from .document import cluster_name

__all__ = ["DPI", "FigureData", "figure_tasks", "png_size", "related_groups", "render_figures"]

#: Dots per inch of every figure: one dot per CSS pixel.
DPI = 96
#: Rows of the overview heatmap: each cluster's most central words.
HEATMAP_WORDS = 3
#: Above this many rows the heatmap would be unreadable; later rows are cut.
HEATMAP_MAX_ROWS = 90


@dataclass(frozen=True)
class FigureData:
    """What drawing the figures needs: the document, the series and the graph.

    Workers get a pickled copy; the posts and the single-peak table stay out.
    """

    doc: dict
    series: pd.DataFrame
    graph: nx.Graph

    def subgraph(self, words):
        """The direct-correlation graph among ``words``, every word a node."""
        sub = self.graph.subgraph([w for w in words if w in self.graph]).copy()
        sub.add_nodes_from(words)
        return sub


def png_size(png):
    """Width and height in pixels of PNG bytes (from the IHDR chunk)."""
    return struct.unpack(">II", png[16:24])


def cluster_file(cid):
    """File name of a cluster's figure."""
    return f"cluster_{int(cid):03d}.png"


def hierarchy_of(doc):
    """The document's cluster hierarchy, or None."""
    return ClusterHierarchy.from_dict(doc["hierarchy"]) if doc.get("hierarchy") else None


def related_groups(hierarchy):
    """The groups of two clusters or more, in dendrogram order (none without a hierarchy).

    A grouping is worth showing only where it groups: most cuts leave many
    clusters alone, and a list of one-cluster groups says nothing.
    """
    return [] if hierarchy is None else [g for g in hierarchy.groups if len(g) >= 2]


def figure_tasks(doc):
    """Names of the figures the report of ``doc`` shows, slowest first.

    ``dendrogram.png`` only when some clusters group (:func:`related_groups`);
    ``cluster_NNN.png`` for every cluster.
    """
    clusters = doc["clusters"]
    if not clusters:
        return []
    names = ["heatmap.png", "timeline.png"]
    if related_groups(hierarchy_of(doc)):
        names.append("dendrogram.png")
    return names + [cluster_file(c["id"]) for c in clusters]


def render_figures(doc, series, graph, *, jobs=1, progress=False):
    """Draw every figure of the report.

    Parameters
    ----------
    doc : dict
        The ``clusters.json`` document.
    series : DataFrame
        Periods × candidate words relative frequencies.
    graph : networkx Graph
        The direct-correlation graph.
    jobs : int or None, default=1
        Processes; None for all available cores.
    progress : bool, default=False
        Show the figures drawn on a progress bar (:mod:`glipca.progress`).

    Returns
    -------
    dict
        File name -> PNG bytes, in :func:`figure_tasks` order.
    """
    names = figure_tasks(doc)
    jobs = available_cores() if jobs is None else jobs
    state = FigureData(doc, series, graph)
    drawn = {}
    with progress_bar(progress, desc="figures", total=len(names), unit=" figures") as bar:
        for name, png in zip(names, map_tasks(_render, state, names, jobs=min(jobs, len(names) or 1))):
            drawn[name] = png
            bar.update()
    return drawn


def _render(results, name):
    """PNG bytes of figure ``name`` (a module-level function: workers import it)."""
    from . import plots
    from .cluster_figure import plot_cluster

    doc, series = results.doc, results.series
    clusters = doc["clusters"]
    masked = masked_from_ranges(series.index, doc.get("summary", {}).get("masked_periods", ()))
    if name == "timeline.png":
        summary = doc.get("summary", {})
        window = (summary["first_period"], summary["last_period"]) if "last_period" in summary else None
        fig = plots.plot_timeline(clusters, freq=doc.get("params", {}).get("freq"), window=window)
    elif name == "dendrogram.png":
        names = {c["id"]: cluster_name(c) for c in clusters}
        fig = plots.plot_dendrogram(hierarchy_of(doc), names=names)
    elif name == "heatmap.png":
        fig = _heatmap(series, clusters, hierarchy_of(doc), masked)
    else:
        cid = int(name[len("cluster_"):-len(".png")])
        c = next(c for c in clusters if int(c["id"]) == cid)
        words = [str(w) for w in c["words"]]
        span = {k: pd.Timestamp(c[k]) for k in ("start", "end") if c.get(k)}
        fig = plot_cluster(series, words, results.subgraph(words), loadings=c.get("loadings"),
                           peak=pd.Timestamp(c["peak"]), masked=masked, **span,
                           title=f"Cluster {c['id']}: {cluster_name(c)} · peak {c['peak']}, "
                                 f"{c['size']} words")
    return plots.png_bytes(fig, dpi=DPI)


def _heatmap(series, clusters, hierarchy, masked):
    from . import plots

    order = hierarchy.order if hierarchy is not None else [c["id"] for c in clusters]
    by_id = {c["id"]: c for c in clusters}
    words, separators = [], []
    for cid in order:
        top = [w for w in by_id[cid]["words"][:HEATMAP_WORDS] if w in series.columns]
        if len(words) + len(top) > HEATMAP_MAX_ROWS:
            break
        if words:
            separators.append(len(words))
        words.extend(top)
    return plots.plot_heatmap(series, words, separators=separators, masked=masked)
