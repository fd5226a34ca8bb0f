"""Writing results: clusters.json, tables, posts.json, figures and report.html.

Files are written into a temporary folder beside the destination and moved
into place at the end, so a failed run never leaves half a report, and an
existing report is only replaced when the caller says so.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__

__all__ = ["OutputExists", "clusters_document", "write_results", "write_documents", "atomic_dir"]

#: Significant digits kept for floats in JSON and CSV, so that results are
#: byte-identical across runs and machines with the same BLAS.
DIGITS = 6


class OutputExists(FileExistsError):
    """The output folder exists and overwriting was not asked for."""


def _round(x):
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if not np.isfinite(x):
            return None
        return float(f"{x:.{DIGITS}g}")
    if isinstance(x, dict):
        return {str(k): _round(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_round(v) for v in x]
    if isinstance(x, pd.Timestamp):
        return _label(x)
    return str(x)


def _label(t):
    t = pd.Timestamp(t)
    return t.strftime("%Y-%m-%d") if t == t.normalize() else t.isoformat()


def _span(signal, index):
    """First and last period of the peak's run at half height or more.

    Height is measured from the signal's median, so that a cluster's width
    is that of its event, not of its baseline.
    """
    signal = np.asarray(signal, dtype=float)
    k = int(np.argmax(signal))
    base = float(np.median(signal))
    above = signal >= base + 0.5 * (signal[k] - base)
    lo, hi = k, k
    while lo > 0 and above[lo - 1]:
        lo -= 1
    while hi < len(signal) - 1 and above[hi + 1]:
        hi += 1
    return _label(index[lo]), _label(index[hi])


def clusters_document(result):
    """The content of ``clusters.json`` as a dict (fixed key order)."""
    model = result.model
    series = result.series
    clusters = []
    stability = getattr(result, "stability", None)
    hierarchy = getattr(result, "hierarchy", None)
    for cid, cluster in enumerate(model.clusters_):
        raw = series[cluster.words]
        start, end = _span(cluster.signal, series.index)
        clusters.append(
            {
                "id": cid,
                "words": list(cluster.words),
                "peak": _label(cluster.peak),
                "size": cluster.size,
                "loadings": cluster.loadings,
                "eigenvalue": cluster.eigenvalue,
                "peak_frequency": float(raw.loc[cluster.peak].max()),
                "edges": model.cluster_graph(cid).number_of_edges(),
                "start": start,
                "end": end,
                "stability": None if stability is None else float(stability[cid]),
            }
        )
    doc = {
        "clusters": clusters,
        "shared_words": list(model.shared_words_),
        "hierarchy": None if hierarchy is None else hierarchy.to_dict(),
        "params": result.params,
        "summary": result.summary(),
        "glipca_version": __version__,
    }
    return _round(doc)


def atomic_dir(out, *, force=False):
    """A context manager giving a temporary folder that replaces ``out`` on success."""
    return _AtomicDir(Path(out), force=force)


class _AtomicDir:
    def __init__(self, out, force):
        self.out = out
        self.force = force

    def __enter__(self):
        if self.out.exists() and not self.force:
            raise OutputExists(f"{self.out}: output folder exists; use --force to replace it")
        if self.out.exists() and not self.out.is_dir():
            raise OutputExists(f"{self.out}: exists and is not a folder")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", dir=self.out.parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        backup = None
        if self.out.exists():
            backup = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.replace(self.out, backup)
        os.replace(self.tmp, self.out)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
        return False


def _write_csv(frame, path, **kwargs):
    frame.to_csv(path, float_format=f"%.{DIGITS}g", lineterminator="\n", **kwargs)


def write_tables(result, folder):
    """Write the machine-readable files of an analysis into an existing folder."""
    doc = clusters_document(result)
    posts = [[p.to_dict() for p in ps] for ps in (result.posts or [])]
    write_documents(folder, doc, series=result.series, peaks=result.peak_tests,
                    graph=result.model.graph_, posts=posts)
    return doc


def write_documents(folder, doc, *, series, peaks, graph, posts):
    """Write the machine-readable files from their contents.

    Both an analysis (:func:`write_tables`) and a loaded
    :class:`glipca.result.TrendResult` are written through here, so that
    both give the same files.

    Parameters
    ----------
    folder : path
        An existing folder.
    doc : dict
        The ``clusters.json`` document (:func:`clusters_document`).
    series : DataFrame
        Periods × candidate words.
    peaks : DataFrame
        The single-peak test's result, one row per word.
    graph : networkx Graph
        Direct-correlation graph, partial correlations as ``weight``.
    posts : list of list of dict
        Representative posts per cluster.
    """
    folder = Path(folder)
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    (folder / "clusters.json").write_text(text, encoding="utf-8")

    rows = [
        {"cluster": c["id"], "peak": c["peak"], "rank": r, "word": w, "loading": c["loadings"][r]}
        for c in doc["clusters"]
        for r, w in enumerate(c["words"])
    ]
    table = pd.DataFrame(rows, columns=["cluster", "peak", "rank", "word", "loading"])
    _write_csv(table, folder / "clusters.csv", index=False)

    # The CSV is for reading; 6 digits are not enough to compute with, so
    # the exact series are kept beside it for glipca.load.
    series.to_parquet(folder / "series.parquet")
    series = series.copy()
    series.index = [_label(t) for t in series.index]
    series.index.name = "period"
    _write_csv(series, folder / "series.csv")

    peaks = peaks.copy()
    peaks["peak"] = [_label(t) for t in peaks["peak"]]
    _write_csv(peaks, folder / "peaks.csv")

    # The direct-correlation graph, so that a report can be redrawn later.
    edges = sorted(
        (min(u, v), max(u, v), d["weight"]) for u, v, d in graph.edges(data=True)
    )
    edges = pd.DataFrame(edges, columns=["word1", "word2", "partial_correlation"])
    _write_csv(edges, folder / "graph.csv", index=False)

    text = json.dumps({"posts": _round(posts or [])}, ensure_ascii=False, indent=2) + "\n"
    (folder / "posts.json").write_text(text, encoding="utf-8")


def write_results(result, out, *, force=False, plots=True):
    """Write every output of an analysis to ``out`` atomically.

    Returns the ``clusters.json`` document.
    """
    with atomic_dir(out, force=force) as tmp:
        doc = write_tables(result, tmp)
        if plots:
            from .html import write_report
            from .plots import save_cluster_figures

            save_cluster_figures(result, tmp)
            # Built from the files just written, exactly as `glipca report`
            # rebuilds it.
            write_report(tmp, title=Path(out).name)
    return doc
