"""Figures of trend clusters. Every function returns a matplotlib Figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["plot_cluster_series", "save_cluster_figures"]


def _pyplot():
    import matplotlib

    # Figures are written to files or shown inline; never open a window from
    # a library call.
    if matplotlib.get_backend().lower() not in {"module://matplotlib_inline.backend_inline"}:
        matplotlib.use("Agg", force=False)
    try:
        import matplotlib_fontja  # noqa: F401  (registers a Japanese font)
    except ImportError:
        pass
    import matplotlib.pyplot as plt

    return plt


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
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
    else:
        fig = ax.figure
    shown = list(words)[:max_words]
    x = series.index
    for w in shown:
        ax.plot(x, 100.0 * series[w].to_numpy(), label=str(w), linewidth=1.4)
    if peak is not None:
        ax.axvline(peak, color="0.3", linestyle="--", linewidth=1)
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


def save_cluster_figures(result, folder, *, dpi=100):
    """Write ``cluster_NNN.png`` for every cluster of an analysis result."""
    plt = _pyplot()
    folder = Path(folder)
    paths = []
    for cid, cluster in enumerate(result.model.clusters_):
        peak = pd.Timestamp(cluster.peak).strftime("%Y-%m-%d")
        fig = plot_cluster_series(
            result.series, cluster.words, peak=cluster.peak,
            title=f"Cluster {cid}: peak {peak}, {cluster.size} words",
        )
        path = folder / f"cluster_{cid:03d}.png"
        fig.savefig(path, dpi=dpi, metadata={"Software": None})
        plt.close(fig)
        paths.append(path)
    return paths
