"""Figures of trend clusters. Every function returns a matplotlib Figure.

Each function draws into the Axes it is given, or into a new
:class:`matplotlib.figure.Figure` made without pyplot, so that nothing
global changes: no backend is chosen, no rcParams are edited, no window
opens. Settings apply through a style context around each call
(:func:`figure_style`). Word labels may be Japanese or Chinese: the IPAex
Gothic font that ships with matplotlib-fontja and the Noto Sans SC font
(simplified Chinese) that ships with pylopdf-fonts-zh-cn are registered with
matplotlib's font manager and listed behind matplotlib's default font, so
kana and hanzi render as glyphs, not boxes.
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
    "plot_timeline",
    "plot_cluster_graph",
    "plot_dendrogram",
    "plot_heatmap",
    "figure_style",
    "png_bytes",
    "draw_graph",
]

#: Tried in order, glyph by glyph: Latin from matplotlib's default font,
#: Japanese from IPAex Gothic, the simplified Chinese characters it lacks
#: from Noto Sans SC (both registered by :func:`_register_fonts`).
FONT_FAMILY = ["DejaVu Sans", "IPAexGothic", "Noto Sans SC"]

# Bundled font files: (package, file inside it).
_FONT_FILES = (
    ("matplotlib_fontja", "fonts/ipaexg.ttf"),
    ("pylopdf_fonts_zh_cn", "NotoSansSC-Regular.otf"),
)


@functools.cache
def _register_fonts():
    """Make the bundled fonts known to matplotlib's font manager, once.

    The packages are not imported (importing matplotlib_fontja sets the
    global font family): their font files are only added to the font
    manager's list.
    """
    from matplotlib import font_manager

    known = {f.fname for f in font_manager.fontManager.ttflist}
    for package, name in _FONT_FILES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        path = Path(list(spec.submodule_search_locations)[0]) / name
        if path.exists() and str(path) not in known:
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
    fig, ax = _figure(ax, (5.5, 4.5))
    draw_graph(ax, graph, loadings=loadings, seed=seed, legend=True)
    return fig


def draw_graph(ax, graph, *, loadings=None, seed=0, legend=False):
    """Draw a word graph into ``ax``: see :func:`plot_cluster_graph`.

    Nodes and edges are laid out and drawn in sorted order, never in the
    graph's own order (which can follow the hash order of a set), so that
    the same graph gives the same picture in every process.
    """
    import networkx as nx
    from matplotlib.lines import Line2D

    nodes = sorted(map(str, graph.nodes))
    edges = sorted(
        (min(str(u), str(v)), max(str(u), str(v)), float(d.get("weight", 0.0)))
        for u, v, d in graph.edges(data=True)
    )
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from((u, v, abs(w)) for u, v, w in edges)
    pos = nx.spring_layout(g, seed=seed, weight="weight") if nodes else {}
    for u, v, w in edges:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ax.plot([x0, x1], [y0, y1], color="C0" if w > 0 else "C3",
                linestyle="-" if w > 0 else "--", linewidth=0.5 + 8.0 * abs(w), alpha=0.7,
                zorder=1, solid_capstyle="round")
    loadings = {str(k): v for k, v in (loadings or {}).items()}
    top = max((abs(x) for x in loadings.values()), default=1.0) or 1.0
    if nodes:
        xy = np.array([pos[n] for n in nodes])
        sizes = [80 + 320 * abs(loadings.get(n, top)) / top for n in nodes]
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, color="white", edgecolors="0.3", zorder=2)
    for n in nodes:
        ax.annotate(n, pos[n], xytext=(0, 8), textcoords="offset points", ha="center",
                    fontsize=9, zorder=3,
                    bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.7})
    ax.set_axis_off()
    ax.margins(0.15)
    ax.set_title("Direct links (partial correlations)", fontsize=9)
    if legend:
        handles = [
            Line2D([], [], color="C0", linewidth=0.5 + 8.0 * 0.3, alpha=0.7, label="positive, 0.3"),
            Line2D([], [], color="C0", linewidth=0.5 + 8.0 * 0.1, alpha=0.7, label="positive, 0.1"),
            Line2D([], [], color="C3", linestyle="--", linewidth=0.5 + 8.0 * 0.1, alpha=0.7,
                   label="negative, −0.1"),
        ]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3,
                  fontsize=7, frameon=False, handlelength=2.2, columnspacing=1.0,
                  title="width = |partial correlation|; node size = loading",
                  title_fontsize=7)


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
