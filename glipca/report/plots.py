"""Figures of trend clusters. Every function returns a matplotlib Figure.

Each function draws into the Axes it is given, or into a new
:class:`matplotlib.figure.Figure` made without pyplot, so that nothing
global changes: no backend is chosen, no rcParams are edited, no window
opens. Settings apply through a style context around each call
(:func:`figure_style`). Word labels may be Japanese: the IPAex Gothic font
that ships with matplotlib-fontja is registered with matplotlib's font
manager and listed behind matplotlib's default font, so kana and kanji
render as glyphs, not boxes.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "plot_cluster_series",
    "plot_cluster_multiples",
    "plot_timeline",
    "plot_cluster_graph",
    "plot_dendrogram",
    "plot_heatmap",
    "figure_style",
    "png_bytes",
    "write_cluster_figures",
]

#: Tried in order, glyph by glyph: Latin from matplotlib's default font,
#: Japanese from IPAex Gothic (registered by :func:`_register_fonts`).
FONT_FAMILY = ["DejaVu Sans", "IPAexGothic"]


@functools.cache
def _register_fonts():
    """Make the bundled fonts known to matplotlib's font manager, once.

    matplotlib_fontja is not imported: importing it sets the global font
    family. Its font file is only added to the font manager's list.
    """
    from matplotlib import font_manager

    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        return
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "ipaexg.ttf"
    if path.exists() and str(path) not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))


@contextlib.contextmanager
def figure_style():
    """The settings figures are drawn and saved with, for the duration of a block."""
    import matplotlib as mpl

    _register_fonts()
    with mpl.rc_context({"font.family": FONT_FAMILY}):
        yield


def _styled(func):
    """Draw inside :func:`figure_style`, whatever the global rcParams."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with figure_style():
            return func(*args, **kwargs)

    return wrapper


class _Figure(Figure):
    """A Figure that a notebook shows as a PNG when it is a cell's value."""

    def _repr_png_(self):
        return png_bytes(self)


def png_bytes(fig, *, dpi=100):
    """The figure as PNG bytes, without a software tag or time: same figure, same bytes."""
    buffer = io.BytesIO()
    with figure_style():
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _figure(ax, size):
    if ax is not None:
        return ax.figure, ax
    fig = _Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _date_axis(ax, maxticks=8):
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=2, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    # Days as "Mar 22" and no offset label ("2020-Apr") under every panel:
    # each tick says which day it is.
    formats = ["%Y", "%b", "%b %d", "%H:%M", "%H:%M", "%S.%f"]
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(locator, formats=formats, show_offset=False)
    )


def _naive(index):
    """Period starts as naive local times: matplotlib would show them in UTC."""
    index = pd.DatetimeIndex(index)
    return index.tz_localize(None) if index.tz is not None else index


@_styled
def plot_cluster_series(series, words, *, peak=None, title=None, ax=None, max_words=12):
    """Member-word series of one cluster, with its peak marked.

    Parameters
    ----------
    series : DataFrame
        Periods × words relative frequencies.
    words : list of str
        The cluster's words, most central first.
    peak : timestamp, optional
        Drawn as a vertical line.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    """
    fig, ax = _figure(ax, (8, 3.5))
    shown = list(words)[:max_words]
    x = _naive(series.index)
    for w in shown:
        ax.plot(x, 100.0 * series[w].to_numpy(), label=str(w), linewidth=1.4)
    if peak is not None:
        ax.axvline(_naive([peak])[0], color="0.3", linestyle="--", linewidth=1)
    ax.set_ylabel("% of posts")
    if title:
        ax.set_title(title)
    extra = len(words) - len(shown)
    ax.legend(
        loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False,
        title=f"+{extra} more" if extra > 0 else None,
    )
    fig.autofmt_xdate()
    return fig


@_styled
def plot_cluster_multiples(series, words, *, peak=None, title=None, ax=None, ncols=4,
                           max_words=12):
    """Small multiples: one panel per member word, its peak marked.

    Each panel has its own y scale, so that a rare word's bump is as visible
    as a common word's.

    Parameters
    ----------
    series : DataFrame
        Periods × words relative frequencies.
    words : list of str
        The cluster's words, most central first; the first ``max_words`` are
        drawn.
    peak : timestamp, optional
        The cluster's peak, drawn in every panel.
    title : str, optional
    ax : matplotlib Axes, optional
        Its area is divided into the panels; a new figure is made when
        omitted.
    ncols : int, default=4
    max_words : int, default=12
    """
    shown = list(words)[:max_words]
    ncols = max(1, min(ncols, len(shown)))
    nrows = max(1, -(-len(shown) // ncols))
    if ax is None:
        fig = _Figure(figsize=(2.6 * ncols + 0.4, 1.7 * nrows + 0.6), layout="constrained")
        grid = fig.add_gridspec(nrows, ncols)
    else:
        fig = ax.figure
        grid = ax.get_subplotspec().subgridspec(nrows, ncols)
        ax.remove()
    x = _naive(series.index)
    peak_x = _naive([peak])[0] if peak is not None else None
    first = None
    for i, w in enumerate(shown):
        panel = fig.add_subplot(grid[i // ncols, i % ncols], sharex=first)
        first = first or panel
        panel.plot(x, 100.0 * series[w].to_numpy(), color="C0", linewidth=1.2)
        if peak_x is not None:
            panel.axvline(peak_x, color="C3", linestyle="--", linewidth=0.9)
        panel.set_title(str(w), fontsize="medium")
        panel.tick_params(labelsize="x-small")
        panel.set_ylim(bottom=0)
        _date_axis(panel, maxticks=4)
        if i % ncols == 0:
            panel.set_ylabel("% of posts", fontsize="small")
    extra = len(words) - len(shown)
    if title or extra > 0:
        fig.suptitle((title or "") + (f" (+{extra} more words)" if extra > 0 else ""))
    return fig


@_styled
def plot_timeline(clusters, *, ax=None, n_words=3):
    """All clusters on one time axis: a bar from start to end, a dot at the peak.

    Parameters
    ----------
    clusters : list of dict
        With ``id``, ``words``, ``peak`` and optionally ``start`` and ``end``
        (the span of the cluster's signal, as in ``clusters.json``) and
        ``stability`` (shown as colour: pale bars are shaky clusters).
    ax : matplotlib Axes, optional
    n_words : int, default=3
        Words shown in each cluster's label.
    """
    import matplotlib as mpl

    fig, ax = _figure(ax, (10, 0.32 * len(clusters) + 1.4))
    ordered = sorted(clusters, key=lambda c: (str(c["peak"]), c["id"]))
    # Viridis without its darkest and palest ends, so that labels and the
    # peak dots stay readable on every bar.
    cmap = mpl.colors.ListedColormap(mpl.colormaps["viridis"](np.linspace(0.15, 0.85, 256)))
    one_day = pd.Timedelta(days=1)
    for y, c in enumerate(ordered):
        peak = pd.Timestamp(c["peak"]).tz_localize(None)
        start = pd.Timestamp(c.get("start", c["peak"])).tz_localize(None)
        end = pd.Timestamp(c.get("end", c["peak"])).tz_localize(None)
        score = c.get("stability")
        color = cmap(float(score)) if score is not None else "C0"
        ax.barh(y, end + one_day - start, left=start, height=0.6, color=color, alpha=0.85)
        ax.plot([peak + one_day / 2], [y], "o", color="black", markersize=3)
    ax.set_yticks(range(len(ordered)))
    ax.set_yticklabels(
        [f"{c['id']}: " + " ".join(map(str, c["words"][:n_words])) for c in ordered],
        fontsize="small",
    )
    ax.set_ylim(len(ordered) - 0.5, -0.5)
    _date_axis(ax)
    ax.grid(axis="x", color="0.9")
    ax.set_axisbelow(True)
    if any(c.get("stability") is not None for c in ordered):
        mappable = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0, 1), cmap=cmap)
        # A fixed height, at the top: a bar as tall as 40 clusters says no more.
        bar = fig.colorbar(mappable, ax=ax, fraction=0.03, pad=0.01, ticks=[0, 0.5, 1],
                           shrink=min(1.0, 6.0 / max(len(ordered), 1)), anchor=(0.0, 1.0))
        bar.set_label("stability", fontsize="small")
    ax.set_title("Trend clusters by peak")
    return fig


@_styled
def plot_cluster_graph(graph, *, loadings=None, ax=None, seed=0):
    """The direct-correlation graph of a cluster's words.

    Edge width is the absolute partial correlation; positive links are
    blue, negative ones red and dashed.

    Parameters
    ----------
    graph : networkx Graph
        Words as nodes, partial correlations as edge ``weight``.
    loadings : dict, optional
        Word -> loading, drawn as node size (central words larger).
    ax : matplotlib Axes, optional
    seed : int, default=0
        Seed of the layout, so that the same graph is drawn the same way.
    """
    import networkx as nx

    fig, ax = _figure(ax, (5.5, 4.5))
    nodes = sorted(graph.nodes, key=str)
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from(
        sorted((u, v, abs(float(d.get("weight", 0.0)))) for u, v, d in graph.edges(data=True))
    )
    pos = nx.spring_layout(g, seed=seed, weight="weight") if nodes else {}
    for u, v, d in graph.edges(data=True):
        w = float(d.get("weight", 0.0))
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ax.plot([x0, x1], [y0, y1], color="C0" if w > 0 else "C3",
                linestyle="-" if w > 0 else "--", linewidth=0.5 + 8.0 * abs(w), alpha=0.7,
                zorder=1, solid_capstyle="round")
    top = max((abs(x) for x in (loadings or {}).values()), default=1.0) or 1.0
    for n in nodes:
        x, y = pos[n]
        size = 80 + 320 * abs((loadings or {}).get(n, top)) / top
        ax.scatter([x], [y], s=size, color="white", edgecolors="0.3", zorder=2)
        ax.annotate(str(n), (x, y), xytext=(0, 9), textcoords="offset points", ha="center",
                    zorder=3)
    ax.set_axis_off()
    ax.margins(0.15)
    ax.set_title("Direct correlations (partial)", fontsize="medium")
    return fig


@_styled
def plot_dendrogram(hierarchy, *, names=None, ax=None):
    """Dendrogram of trend clusters.

    Parameters
    ----------
    hierarchy : ClusterHierarchy
        From :func:`glipca.hierarchy.cluster_hierarchy`.
    names : dict, optional
        Cluster id -> label (e.g. its first words); default the id.
    ax : matplotlib Axes, optional
    """
    from scipy.cluster import hierarchy as sch

    labels = list(hierarchy.labels)
    fig, ax = _figure(ax, (8, 0.3 * len(labels) + 1.2))
    names = names or {}
    text = [f"{c}: {names[c]}" if c in names else str(c) for c in labels]
    if len(labels) < 2:
        ax.text(0.5, 0.5, "fewer than two clusters: no hierarchy", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    sch.dendrogram(
        hierarchy.linkage, labels=text, orientation="left", ax=ax,
        color_threshold=hierarchy.threshold, above_threshold_color="0.6",
        leaf_font_size=9,
    )
    ax.axvline(hierarchy.threshold, color="0.5", linestyle=":", linewidth=1)
    ax.set_xlabel(f"{hierarchy.metric} distance ({hierarchy.method} linkage)")
    ax.set_title("How trend clusters group")
    return fig


@_styled
def plot_heatmap(series, words=None, *, ax=None, separators=()):
    """Word × period heatmap, each word scaled to its own maximum.

    Parameters
    ----------
    series : DataFrame
        Periods × words relative frequencies.
    words : list of str, optional
        Rows, top to bottom; default every column.
    ax : matplotlib Axes, optional
    separators : iterable of int
        Row positions before which a line is drawn (e.g. between clusters).
    """
    words = list(series.columns if words is None else words)
    fig, ax = _figure(ax, (10, 0.18 * len(words) + 1.6))
    values = series[words].to_numpy(dtype=float).T
    top = values.max(axis=1, keepdims=True)
    values = np.divide(values, top, out=np.zeros_like(values), where=top > 0)
    image = ax.imshow(values, aspect="auto", interpolation="nearest", cmap="Greys", vmin=0,
                      vmax=1)
    ax.set_yticks(range(len(words)))
    ax.set_yticklabels([str(w) for w in words], fontsize=7 if len(words) > 40 else "small")
    days = _naive(series.index)
    step = max(1, len(days) // 10)
    ax.set_xticks(range(0, len(days), step))
    ax.set_xticklabels([d.strftime("%m-%d") for d in days[::step]], fontsize="small")
    for r in separators:
        ax.axhline(r - 0.5, color="C3", linewidth=0.6)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01, label="share of word's max")
    ax.set_title("Words × periods")
    return fig


def write_cluster_figures(series, clusters, folder, *, dpi=100):
    """Write ``cluster_NNN.png`` for every cluster.

    Parameters
    ----------
    series : DataFrame
        Periods × words relative frequencies.
    clusters : list of dict
        As in ``clusters.json``: ``id``, ``words``, ``peak`` and ``size``.
    folder : path
    dpi : int, default=100

    Returns
    -------
    list of Path
    """
    folder = Path(folder)
    paths = []
    for c in clusters:
        cid = int(c["id"])
        fig = plot_cluster_series(
            series, c["words"], peak=pd.Timestamp(c["peak"]),
            title=f"Cluster {cid}: peak {c['peak']}, {c['size']} words",
        )
        path = folder / f"cluster_{cid:03d}.png"
        path.write_bytes(png_bytes(fig, dpi=dpi))
        paths.append(path)
    return paths
