"""Figures of one trend cluster: its words' series and their direct links.

:func:`plot_cluster` is the figure the report shows and the file
``cluster_NNN.png``: on the left, small multiples of the member words'
relative frequencies (most central first), each panel scaled to its word's
maximum, so that a rare word's bump is as visible as a common one's, with
the maximum written above it, the cluster's span at half height shaded, its
peak dashed and the stretches drawn across interpolated (masked) periods
greyed; on the right, the direct-correlation graph of the words,
with a legend.

The panels are drawn as a few collections and texts placed by hand, rather
than as one Axes per word: a figure then has dozens of artists instead of
hundreds of ticks, and draws several times faster. In :func:`plot_cluster`
the panels, the graph and its legend are drawn straight onto the figure, in
inches, with no Axes at all: making an Axes (spines, axis, tick machinery)
and laying out a legend took about a third of the figure's time, for
nothing the picture shows. The layout is computed in inches, without a
layout engine, for the report's column (at most about 11.2 inches at 96
dots per inch, CSS's pixel), so that the picture is shown at its own size.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.transforms import Affine2D, ScaledTranslation

from ..counting.periods import period_label
from ..model.periods import masked_runs
from ..tokens.normalise import display_width
from .plots import _Figure, _figure, _naive, _styled

__all__ = ["draw_graph", "plot_cluster", "plot_cluster_graph", "plot_cluster_multiples"]

#: Most words drawn as panels; the rest are counted in a note.
MAX_PANELS = 12
#: Panels per row.
COLUMNS = 4
#: Inches: a panel's width and height, the gaps between panels, the graph's
#: width, and the figure's margins.
PANEL_W, PANEL_H, GAP_W, GAP_H, GRAPH_W = 1.55, 1.0, 0.3, 0.5, 3.2
LEFT, RIGHT, TOP, BOTTOM = 0.15, 0.1, 0.8, 0.3
#: The graph's legend: label, colour, line style and the partial correlation drawn.
KEY = (("positive, 0.3", "C0", "-", 0.3), ("positive, 0.1", "C0", "-", 0.1),
       ("negative, −0.1", "C3", "--", -0.1))
KEY_TITLE = "width = |partial correlation|; node size = loading"
#: Widest word (in columns: a CJK character takes two) shown whole above a
#: panel, leaving room for the panel's "max" label at its right.
TITLE_COLUMNS = 13
#: Widest word shown whole beside a node of the graph.
NODE_COLUMNS = 18


def _short(word, columns=TITLE_COLUMNS):
    """``word`` cut to ``columns`` display columns, with an ellipsis if cut."""
    word = str(word)
    if display_width(word) <= columns:
        return word
    kept, used = [], 0
    for ch in word:
        used += display_width(ch)
        if used > columns - 1:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def _grid(words, series, ncols, max_words):
    shown = [str(w) for w in words if w in series.columns][:max_words]
    ncols = max(1, min(ncols, len(shown)))
    return shown, ncols, max(1, -(-len(shown) // ncols))


def _interpolated(masked, n):
    """Runs ``(a, b)`` of period positions between which a line is not data:
    from the observed period before each masked run to the one after it."""
    masked = np.zeros(n, dtype=bool) if masked is None else np.asarray(masked, dtype=bool)
    if masked.shape != (n,):
        return []
    return [(max(a - 1, 0), min(b, n - 1)) for a, b in masked_runs(masked)]


def _inches(fig, left, bottom):
    """Transform from inches, with ``(left, bottom)`` inches of ``fig`` as origin."""
    return Affine2D().translate(left, bottom) + fig.dpi_scale_trans


def draw_multiples(ax, series, shown, ncols, *, peak=None, start=None, end=None, masked=None,
                   origin=None):
    """Draw one panel per word of ``shown`` into ``ax``, ``ncols`` to a row.

    Coordinates are inches at the panel sizes of this module; the Axes'
    limits are set so that the grid fills it. ``masked`` (one flag per
    period) greys the stretches where the line crosses interpolated periods.
    With ``origin`` (inches), ``ax`` is a Figure and the grid's lower left
    corner is drawn there, without an Axes: an Axes costs as much to make
    as the panels to draw.
    """
    nrows = max(1, -(-len(shown) // ncols))
    width = ncols * PANEL_W + (ncols - 1) * GAP_W
    height = nrows * PANEL_H + (nrows - 1) * GAP_H
    if origin is None:
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.set_axis_off()
        area = ax.transData
    else:
        area = _inches(ax, *origin)
    x = _naive(series.index).as_unit("ns").asi8
    n = len(x)
    pos = np.linspace(0.0, 1.0, n) if n > 1 else np.array([0.5])

    def at(t):
        # A period start's place across a panel, 0 to 1.
        return float(np.interp(_naive([t]).as_unit("ns").asi8[0], x, pos)) if n > 1 else 0.5

    step = 1.0 / (n - 1) if n > 1 else 0.0
    # Texts a few points above or below a panel's corner: plain texts with an
    # offset transform draw in half the time of annotations.
    up, down = (area + ScaledTranslation(0, d / 72, ax.figure.dpi_scale_trans)
                for d in (3, -3))
    text = {"fontsize": 7}
    lines, frames, spans, peaks, gaps = [], [], [], [], []
    runs = _interpolated(masked, n)
    for i, w in enumerate(shown):
        row, col = divmod(i, ncols)
        x0 = col * (PANEL_W + GAP_W)
        y0 = height - PANEL_H - row * (PANEL_H + GAP_H)
        values = 100.0 * series[w].to_numpy(dtype=float)
        top = float(np.nanmax(values)) if n else 0.0
        scaled = values / top if top > 0 else np.zeros_like(values)
        lines.append(np.column_stack([x0 + pos * PANEL_W, y0 + 0.92 * PANEL_H * scaled]))
        frames.append([(x0, y0 + PANEL_H), (x0, y0), (x0 + PANEL_W, y0)])
        if start is not None and end is not None:
            a, b = x0 + at(start) * PANEL_W, x0 + min(1.0, at(end) + step) * PANEL_W
            spans.append([(a, y0), (b, y0), (b, y0 + PANEL_H), (a, y0 + PANEL_H)])
        for a, b in runs:
            ga, gb = x0 + pos[a] * PANEL_W, x0 + pos[b] * PANEL_W
            gaps.append([(ga, y0), (gb, y0), (gb, y0 + PANEL_H), (ga, y0 + PANEL_H)])
        if peak is not None:
            peaks.append([(x0 + at(peak) * PANEL_W, y0), (x0 + at(peak) * PANEL_W, y0 + PANEL_H)])
        ax.text(x0, y0 + PANEL_H, _short(w), va="bottom", fontsize=9, transform=up)
        ax.text(x0 + PANEL_W, y0 + PANEL_H, f"max {top:.2g}%", va="bottom", ha="right",
                color="0.35", transform=up, **text)
        if i + ncols >= len(shown) and n:
            # Dates under the lowest panel of each column.
            first, last = period_label(series.index[0]), period_label(series.index[-1])
            ax.text(x0, y0, first, va="top", transform=down, **text)
            ax.text(x0 + PANEL_W, y0, last, va="top", ha="right", transform=down, **text)
    style = {"transform": area}
    ax.add_artist(PolyCollection(gaps, facecolors="0.85", linewidths=0, **style))
    ax.add_artist(PolyCollection(spans, facecolors="C0", alpha=0.12, linewidths=0, **style))
    ax.add_artist(LineCollection(frames, colors="0.6", linewidths=0.7, **style))
    ax.add_artist(LineCollection(peaks, colors="C3", linestyles="--", linewidths=0.8, **style))
    ax.add_artist(LineCollection(lines, colors="C0", linewidths=1.1, **style))
    return width, height


def _notes(words, shown, peak, start, end, masked=None):
    notes = ["% of posts per period, each word to its own maximum"]
    if peak is not None:
        notes.append("dashed: peak")
    if start is not None and end is not None:
        notes.append("shaded: half height")
    if masked is not None and np.any(masked):
        notes.append("grey: interpolated")
    if len(words) > len(shown):
        notes.append(f"+{len(words) - len(shown)} more words")
    return " · ".join(notes)


def _head(fig, width, height, title, note):
    if title:
        fig.text(LEFT / width, 1 - 0.1 / height, title, fontsize=11, va="top")
    fig.text(LEFT / width, 1 - 0.4 / height, note, fontsize=8, color="0.3", va="top")


@_styled
def plot_cluster_multiples(series, words, *, peak=None, start=None, end=None, masked=None,
                           title=None, ax=None, ncols=COLUMNS, max_words=MAX_PANELS):
    """Small multiples: one panel per member word, each to its own maximum.

    Parameters
    ----------
    series : DataFrame
        Periods × words relative frequencies.
    words : list of str
        The cluster's words, most central first; the first ``max_words`` are
        drawn.
    peak, start, end : timestamp, optional
        The cluster's peak (dashed) and span at half height (shaded).
    masked : array of bool, optional
        Interpolated periods (too few posts), greyed.
    title : str, optional
    ax : matplotlib Axes, optional
        Its area holds the panels; a new figure is made when omitted.
    ncols : int, default=4
    max_words : int, default=12
    """
    shown, ncols, nrows = _grid(words, series, ncols, max_words)
    if ax is not None:
        draw_multiples(ax, series, shown, ncols, peak=peak, start=start, end=end, masked=masked)
        if title:
            ax.set_title(title)
        return ax.figure
    panels_w = ncols * PANEL_W + (ncols - 1) * GAP_W
    panels_h = nrows * PANEL_H + (nrows - 1) * GAP_H
    width, height = LEFT + panels_w + RIGHT, TOP + panels_h + BOTTOM
    fig = _Figure(figsize=(width, height))
    ax = fig.add_axes([LEFT / width, BOTTOM / height, panels_w / width, panels_h / height])
    draw_multiples(ax, series, shown, ncols, peak=peak, start=start, end=end, masked=masked)
    _head(fig, width, height, title, _notes(words, shown, peak, start, end, masked))
    return fig


@_styled
def plot_cluster(series, words, graph, *, loadings=None, peak=None, start=None, end=None,
                 masked=None, title=None):
    """A cluster's member-word series (small multiples) and direct-correlation graph.

    Parameters
    ----------
    series : DataFrame
        Periods × words relative frequencies.
    words : list of str
        The cluster's words, most central first; the first
        :data:`MAX_PANELS` get a panel.
    graph : networkx Graph
        Direct links among the words, partial correlations as ``weight``.
    loadings : list of float, optional
        The words' loadings, drawn as node size.
    peak, start, end : timestamp, optional
        The cluster's peak (dashed) and span at half height (shaded).
    masked : array of bool, optional
        Interpolated periods (too few posts), greyed.
    title : str, optional

    Returns
    -------
    Figure
    """
    words = [str(w) for w in words]
    shown, ncols, nrows = _grid(words, series, COLUMNS, MAX_PANELS)
    panels_w = ncols * PANEL_W + (ncols - 1) * GAP_W
    grid_h = nrows * PANEL_H + (nrows - 1) * GAP_H
    # The graph needs some height even beside a single row of panels.
    panels_h = max(grid_h, 2.4)
    width = LEFT + panels_w + GAP_W + GRAPH_W + RIGHT
    height = TOP + panels_h + BOTTOM
    fig = _Figure(figsize=(width, height))
    top = BOTTOM + panels_h
    draw_multiples(fig, series, shown, ncols, peak=peak, start=start, end=end, masked=masked,
                   origin=(LEFT, top - grid_h))
    # Above its legend, which takes the lowest half inch.
    draw_graph(fig, graph, loadings=dict(zip(words, loadings or [])),
               box=(LEFT + panels_w + GAP_W, BOTTOM + 0.45, GRAPH_W, panels_h - 0.45))
    draw_key(fig, LEFT + panels_w + GAP_W, BOTTOM + 0.45, GRAPH_W)
    _head(fig, width, height, title, _notes(words, shown, peak, start, end, masked))
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


def draw_graph(ax, graph, *, loadings=None, seed=0, legend=False, box=None):
    """Draw a word graph into ``ax``: see :func:`plot_cluster_graph`.

    Nodes and edges are laid out and drawn in sorted order, never in the
    graph's own order (which can follow the hash order of a set), so that
    the same graph gives the same picture in every process. With ``box``
    (left, bottom, width, height in inches), ``ax`` is a Figure and the
    graph is drawn in that box, without an Axes.
    """
    import networkx as nx
    from matplotlib.collections import PathCollection
    from matplotlib.markers import MarkerStyle
    from matplotlib.transforms import Bbox, BboxTransformTo, IdentityTransform, TransformedBbox

    fig = ax.figure if box is None else ax
    if box is None:
        ax.set_axis_off()
        area = ax.transAxes
    else:
        area = BboxTransformTo(TransformedBbox(Bbox.from_bounds(*box), fig.dpi_scale_trans))
    nodes = sorted(map(str, graph.nodes))
    edges = sorted(
        (min(str(u), str(v)), max(str(u), str(v)), float(d.get("weight", 0.0)))
        for u, v, d in graph.edges(data=True)
    )
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from((u, v, abs(w)) for u, v, w in edges)
    pos = _fit(nx.spring_layout(g, seed=seed, weight="weight")) if nodes else {}
    for sign, style, cap in ((1, "-", "round"), (-1, "--", "butt")):
        links = [(u, v, w) for u, v, w in edges if (w > 0) == (sign > 0)]
        ax.add_artist(LineCollection(
            [(pos[u], pos[v]) for u, v, _ in links], colors="C0" if sign > 0 else "C3",
            linestyles=style, linewidths=[_edge_width(w) for *_, w in links], alpha=0.7,
            capstyle=cap, zorder=1, transform=area))
    loadings = {str(k): v for k, v in (loadings or {}).items()}
    top = max((abs(x) for x in loadings.values()), default=1.0) or 1.0
    if nodes:
        marker = MarkerStyle("o")
        ax.add_artist(PathCollection(
            (marker.get_path().transformed(marker.get_transform()),),
            sizes=[80 + 320 * abs(loadings.get(n, top)) / top for n in nodes],
            offsets=np.array([pos[n] for n in nodes]), offset_transform=area,
            transform=IdentityTransform(), facecolors="white", edgecolors="0.3", zorder=2))
    above = area + ScaledTranslation(0, 8 / 72, fig.dpi_scale_trans)
    # Half a label's width, as a share of the box, about (9-point text is
    # 0.55 em a column): labels are kept inside the box rather than cut at
    # the figure's edge.
    box_w = box[2] if box is not None else ax.get_position().width * fig.get_figwidth()
    for n in nodes:
        label = _short(n, NODE_COLUMNS)
        half = min(0.5, display_width(label) * 9 * 0.55 / 72 / 2 / box_w)
        x = min(max(pos[n][0], half), 1 - half)
        ax.text(x, pos[n][1], label, ha="center", va="baseline", fontsize=9, zorder=3,
                transform=above,
                bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.7})
    # Where matplotlib places an Axes title: centred, 6 points above the top.
    ax.text(0.5, 1.0, "Direct links (partial correlations)", fontsize=9, ha="center",
            va="baseline", transform=area + ScaledTranslation(0, 6 / 72, fig.dpi_scale_trans))
    if legend:
        handles = [Line2D([], [], color=color, linestyle=style, linewidth=_edge_width(w),
                          alpha=0.7, label=label) for label, color, style, w in KEY]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3,
                  fontsize=7, frameon=False, handlelength=2.2, columnspacing=1.0,
                  title=KEY_TITLE, title_fontsize=7)


def _fit(pos, margin=0.15):
    """Layout positions scaled into the unit square, leaving ``margin`` of the
    span on each side (as :meth:`Axes.margins`); a point alone is centred."""
    xy = np.array(list(pos.values()), dtype=float)
    low, span = xy.min(axis=0), np.ptp(xy, axis=0)
    scaled = np.where(span > 0, (xy - low + margin * span) / np.where(span > 0, span, 1.0)
                      / (1 + 2 * margin), 0.5)
    return {n: tuple(p) for n, p in zip(pos, scaled)}


def _edge_width(weight):
    """Line width, in points, of a link of partial correlation ``weight``."""
    return 0.5 + 8.0 * abs(weight)


def draw_key(fig, x, y, width):
    """The graph's legend, centred in the strip of ``width`` inches whose top
    left corner is at ``(x, y)`` inches from the figure's lower left.

    Placed by hand at fixed offsets rather than by :meth:`Axes.legend`, whose
    layout pass took a fifth of a cluster figure's drawing time.
    """
    inches = fig.dpi_scale_trans
    fig.text(x + width / 2, y - 0.04, KEY_TITLE, fontsize=7, ha="center", va="top",
             transform=inches)
    # Each entry: a 0.21-inch line (2.2 em at 7 points), a gap, its label;
    # label widths at 7 points leave the three entries about 2.95 inches wide.
    left, row = x + (width - 2.95) / 2, y - 0.27
    for (label, color, style, w), dx in zip(KEY, (0.0, 0.99, 1.98)):
        fig.add_artist(Line2D([left + dx, left + dx + 0.21], [row, row], color=color,
                              linestyle=style, linewidth=_edge_width(w), alpha=0.7,
                              transform=inches))
        fig.text(left + dx + 0.27, row, label, fontsize=7, va="center", transform=inches)
