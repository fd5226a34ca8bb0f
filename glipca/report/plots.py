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
import datetime as dt
import functools
import importlib.util
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..counting.periods import Periods
from ..model.periods import masked_runs
from .document import cluster_name

__all__ = [
    "plot_cluster_series",
    "plot_timeline",
    "plot_dendrogram",
    "plot_heatmap",
    "figure_style",
    "png_bytes",
    "distinct_colors",
    "group_colors",
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


#: zlib level of PNG files: on the report's figures, level 3 encodes in two
#: thirds of the time of Pillow's default (6), into files a few % smaller.
PNG_COMPRESS_LEVEL = 3


def png_bytes(fig, *, dpi=100):
    """The figure as PNG bytes, without a software tag or time: same figure, same bytes."""
    buffer = io.BytesIO()
    with figure_style():
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None},
                    pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buffer.getvalue()


def _figure(ax, size):
    if ax is not None:
        return ax.figure, ax
    fig = _Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def distinct_colors(n):
    """``n`` colours, no two alike: matplotlib's cycle repeats after 10."""
    import matplotlib as mpl

    if n <= 10:
        return [mpl.colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [mpl.colormaps["tab20"](i) for i in range(n)]
    return [mpl.colormaps["turbo"](x) for x in np.linspace(0.05, 0.95, n)]


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


def _tick_format(days):
    """strftime format of period labels: as short as the span allows, never ambiguous."""
    if len(days) < 2:
        return "%Y-%m-%d"
    if (days.hour != 0).any() or (days.minute != 0).any():
        return "%m-%d %H:%M"
    if (days.day == 1).all():
        return "%Y-%m"
    return "%m-%d" if days[0].year == days[-1].year else "%Y-%m-%d"


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
    for w, color in zip(shown, distinct_colors(len(shown))):
        ax.plot(x, 100.0 * series[w].to_numpy(), label=str(w), linewidth=1.4, color=color)
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
def plot_timeline(clusters, *, ax=None, n_words=3, freq=None, window=None):
    """All clusters on one time axis: a bar from start to end, a dot at the peak.

    Each row is named by the cluster's id and label (else its first
    words) on the left, and its size, stability and coherence on the right.

    Parameters
    ----------
    clusters : list of dict
        With ``id``, ``words``, ``peak`` and optionally ``start`` and ``end``
        (the span of the cluster's signal, as in ``clusters.json``),
        ``label``, ``size``, ``coherence`` and ``stability`` (also shown as
        colour: dark bars are shaky clusters).
    ax : matplotlib Axes, optional
    n_words : int, default=3
        Words naming a cluster without a label.
    freq : str, optional
        The periods' length (``clusters.json``'s ``params.freq``): a bar
        ends where its last period ends. Default one day.
    window : (str, str), optional
        The first and last analysed periods: the time axis spans them, so
        that a reader sees where the data begin and end.
    """
    import matplotlib as mpl

    fig, ax = _figure(ax, (10, 0.3 * len(clusters) + 1.6))
    ordered = sorted(clusters, key=lambda c: (str(c["peak"]), c["id"]))
    # Viridis without its darkest and palest ends, so that the peak dots
    # stay visible on every bar.
    cmap = mpl.colors.ListedColormap(mpl.colormaps["viridis"](np.linspace(0.15, 0.85, 256)))
    periods = Periods(freq or "D", dt.timezone.utc)
    for y, c in enumerate(ordered):
        peak = pd.Timestamp(c["peak"]).tz_localize(None)
        start = pd.Timestamp(c.get("start", c["peak"])).tz_localize(None)
        end = pd.Timestamp(c.get("end", c["peak"])).tz_localize(None)
        score = c.get("stability")
        color = cmap(float(score)) if score is not None else "C0"
        ax.barh(y, _next_period(periods, end) - start, left=start, height=0.6, color=color,
                alpha=0.85)
        ax.plot([peak + (_next_period(periods, peak) - peak) / 2], [y], "o", color="black",
                markersize=3)
    ax.set_yticks(range(len(ordered)),
                  [_shorten(f"{c['id']} · {cluster_name(c, n_words)}") for c in ordered],
                  fontsize="small")
    ax.set_ylim(len(ordered) - 0.5, -0.5)
    facts = ax.secondary_yaxis("right")
    facts.set_yticks(range(len(ordered)), [_facts(c) for c in ordered], fontsize="x-small",
                     color="0.3")
    facts.tick_params(length=0)
    if window is not None:
        first, last = (pd.Timestamp(t).tz_localize(None) for t in window)
        ax.set_xlim(first, _next_period(periods, last))
    _date_axis(ax)
    ax.grid(axis="x", color="0.9")
    ax.set_axisbelow(True)
    if any(c.get("stability") is not None for c in ordered):
        mappable = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0, 1), cmap=cmap)
        # A small bar above the plot's right end, on the title's line.
        height = 0.1 / fig.get_figheight()
        cax = ax.inset_axes([0.78, 1.0 + 2.5 * height, 0.22, height])
        bar = fig.colorbar(mappable, cax=cax, orientation="horizontal", ticks=[0, 0.5, 1])
        cax.set_title("bar colour: stability", fontsize="x-small", loc="left", pad=2)
        cax.tick_params(labelsize="x-small", length=2, pad=1)
    ax.set_title("Trend clusters by peak", loc="left")
    return fig


def _next_period(periods, t):
    """Start of the period after the one starting at naive ``t``: where its bar ends."""
    key = periods.key(t.tz_localize(dt.timezone.utc).to_pydatetime())
    return pd.Timestamp(periods.start(key + 1))


def _shorten(text, n=36):
    return text if len(text) <= n else text[: n - 1] + "…"


def _facts(c):
    """``17 words · stab 0.85 · coh 0.42``: what the right side of a timeline row says."""
    size = c.get("size", len(c["words"]))
    parts = [f"{size} words"]
    if c.get("stability") is not None:
        parts.append(f"stab {c['stability']:.2f}")
    if c.get("coherence") is not None:
        parts.append(f"coh {c['coherence']:.2f}")
    return " · ".join(parts)


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
        hierarchy.linkage, labels=text, orientation="left", ax=ax, leaf_font_size=9,
        link_color_func=_group_colors(hierarchy).get,
    )
    ax.axvline(hierarchy.threshold, color="0.5", linestyle=":", linewidth=1)
    # Two lines: one would run past the figure's edge beside long labels.
    ax.set_xlabel(f"{hierarchy.metric} distance ({hierarchy.method} linkage)\ndotted: the cut "
                  f"at {hierarchy.threshold:g}; coloured: groups of related clusters",
                  fontsize="small")
    ax.set_title("How trend clusters group", loc="left")
    return fig


def group_colors(n):
    """Hex colours of ``n`` groups of related clusters, as the dendrogram draws them.

    Never grey, which marks the links between groups.
    """
    import matplotlib as mpl

    tab20 = [mpl.colors.to_hex(mpl.colormaps["tab20"](i)) for i in range(20)]
    # Strong colours first, then their pale twins; tab20's greys left out.
    palette = [c for i, c in enumerate(tab20[0::2] + tab20[1::2]) if i not in (7, 17)]
    if n <= len(palette):
        return palette[:n]
    return [mpl.colors.to_hex(mpl.colormaps["turbo"](x)) for x in np.linspace(0.05, 0.95, n)]


def _group_colors(hierarchy):
    """Colour of each link of the dendrogram: its group's within a group of two
    clusters or more, grey elsewhere (scipy's palette repeats after a few)."""
    labels = list(hierarchy.labels)
    n = len(labels)
    related = [set(g) for g in hierarchy.groups if len(g) >= 2]
    colors = group_colors(len(related))
    leaves = {k: {labels[k]} for k in range(n)}
    out = {}
    for i, (a, b, *_) in enumerate(hierarchy.linkage):
        node = n + i
        leaves[node] = leaves[int(a)] | leaves[int(b)]
        inside = [k for k, g in enumerate(related) if leaves[node] <= g]
        out[node] = colors[inside[0]] if inside else "#999999"
    return out


@_styled
def plot_heatmap(series, words=None, *, ax=None, separators=(), masked=None):
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
    masked : array of bool, optional
        Interpolated periods (too few posts), hatched.
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
    ax.set_xticklabels([d.strftime(_tick_format(days)) for d in days[::step]], fontsize="small")
    for r in separators:
        ax.axhline(r - 0.5, color="C3", linewidth=0.6)
    title = "Words × periods"
    if masked is not None and len(masked) == len(days) and np.any(masked):
        for a, stop in masked_runs(masked):
            ax.axvspan(a - 0.5, stop - 0.5, facecolor="none", edgecolor="C0", hatch="///",
                       linewidth=0, alpha=0.5)
        title += " (hatched: interpolated, too few posts)"
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01, label="share of word's max")
    ax.set_title(title)
    return fig
