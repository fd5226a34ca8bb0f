"""The ``clusters.json`` document, and the rounding every output shares.

Floats are kept to :data:`DIGITS` significant digits in every text output,
so that results are byte-identical across runs and machines with the same
BLAS; the one exact copy of the numbers is ``series.parquet``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import __version__
from ..counting.periods import period_label
from ..model.periods import half_height_span

__all__ = ["DIGITS", "cluster_name", "clusters_document", "emerging_first", "rounded", "round_floats",
           "story_records"]

#: Significant digits kept for floats in JSON and CSV.
DIGITS = 6


def rounded(x):
    """``x`` as a float of :data:`DIGITS` significant digits (as the CSV's ``%.6g``)."""
    return float(f"{float(x):.{DIGITS}g}")


def round_floats(x):
    """A JSON-ready copy of ``x``: floats rounded, non-finite floats None, times labelled."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return rounded(x) if np.isfinite(x) else None
    if isinstance(x, dict):
        return {str(k): round_floats(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [round_floats(v) for v in x]
    if isinstance(x, pd.Timestamp):
        return period_label(x)
    return str(x)


def cluster_name(cluster, n_words=3):
    """What to call a cluster of ``clusters.json``: its label, else its first words."""
    label = cluster.get("label")
    if isinstance(label, (list, tuple)):
        label = " ".join(map(str, label))
    return str(label) if label else " ".join(map(str, cluster["words"][:n_words]))


def _span(signal, index):
    """First and last period of the peak's run at half height or more
    (:func:`glipca.model.periods.half_height_span`)."""
    lo, hi = half_height_span(signal)
    return period_label(index[lo]), period_label(index[hi])


def _emerging(rise):
    if rise is None:
        return {}
    return {"emerging": True, "rising_since": period_label(rise.rising_since),
            "growth_rate": rise.growth_rate, "level": rise.level}


def emerging_first(clusters):
    """Clusters of ``clusters.json``, the emerging ones first (each part in id order)."""
    return sorted(clusters, key=lambda c: (not c.get("emerging"), c["id"]))


def story_records(told):
    """The ``stories`` of ``clusters.json``: one dict per story, in order of peak.

    ``words`` are the trend words, then the descriptive words; the first
    ``n_trend_words`` are the trend words.
    """
    return [{
        "id": s.id, "label": s.label, "peak": period_label(s.peak), "start": period_label(s.start),
        "end": period_label(s.end), "words": list(s.words), "n_trend_words": len(s.trend_words),
        "clusters": list(s.clusters), "coherence": s.coherence, "stability": s.stability,
        "emerging": bool(s.emerging), "n_posts": int(s.n_posts),
    } for s in told]


def clusters_document(result):
    """The content of ``clusters.json`` for an analysis, as a dict (fixed key order).

    Parameters
    ----------
    result : AnalysisResult
        From :func:`glipca.pipeline.run_analysis`.
    """
    model = result.model
    series = result.series
    clusters = []
    stability = getattr(result, "stability", None)
    hierarchy = getattr(result, "hierarchy", None)
    stories = getattr(result, "stories", None)
    told = getattr(result, "told_stories", None)
    story_of = {c: s.id for s in told or [] for c in s.clusters}
    for cid, cluster in enumerate(model.clusters_):
        raw = series[cluster.words]
        start, end = _span(cluster.signal, series.index)
        clusters.append(
            {
                "id": cid,
                "words": list(cluster.words),
                "peak": period_label(cluster.peak),
                "size": cluster.size,
                "loadings": cluster.loadings,
                "eigenvalue": cluster.eigenvalue,
                "peak_frequency": float(raw.loc[cluster.peak].max()),
                "edges": model.cluster_graph(cid).number_of_edges(),
                "start": start,
                "end": end,
                "stability": None if stability is None else float(stability[cid]),
                # Only for a peak on the first or last observed period: the
                # event may have started before the window or go on after it.
                **({"edge": True} if getattr(cluster, "edge", False) else {}),
                # Only for a cluster still rising at the last observed period
                # (glipca.model.emerging).
                **_emerging(getattr(cluster, "emerging", None)),
                # Only with the co-occurrence test: the series-only method
                # writes the same document as before it existed.
                **({} if stories is None else stories[cid]),
                **({} if told is None else {"story": story_of.get(cid)}),
            }
        )
    doc = {"clusters": clusters}
    if told is not None:
        doc["stories"] = story_records(told)
    summary = result.summary()
    previous = getattr(result, "previous", None)
    if previous is not None:
        from ..compare import changes_since

        name, before = previous
        now = round_floats({"clusters": clusters, "summary": summary})
        doc["changes"] = {"against": name, **changes_since(before, now)}
    doc.update({
        "shared_words": list(model.shared_words_),
        "hierarchy": None if hierarchy is None else hierarchy.to_dict(),
        "params": result.params,
        "summary": summary,
        "glipca_version": __version__,
    })
    return round_floats(doc)
