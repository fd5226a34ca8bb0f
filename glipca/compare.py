"""Comparing two runs: which trend clusters match, appeared, vanished, split or merged.

Two runs (two penalties λ, two single-peak thresholds, two periods) give two
lists of clusters. Two clusters are linked when they share enough of their
words and peak close together; the links group clusters of both runs into
components, and a component's shape says what happened:

* one cluster on each side: *matched*;
* one only in the first run: *vanished*; only in the second: *appeared*;
* one in the first run, several in the second: *split*; the reverse:
  *merged*; several on both sides: *regrouped*.

Within a component, clusters are also paired one to one (Hungarian
assignment on the Jaccard index of their words), so that each cluster of
one run has at most one counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import networkx as nx
import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

__all__ = ["Comparison", "compare", "changes_since"]

KINDS = ("matched", "split", "merged", "regrouped", "vanished", "appeared")


def _words(cluster):
    return [str(w) for w in cluster.words]


def _day_gap(a, b):
    return abs((pd.Timestamp(a) - pd.Timestamp(b)) / pd.Timedelta(days=1))


@dataclass
class Comparison:
    """What changed between two runs; made by :func:`compare`.

    Attributes
    ----------
    frame : DataFrame
        One row per component: ``kind``, the cluster ids in each run
        (``clusters_a``, ``clusters_b``), their peaks, the Jaccard index of
        their words, and their first words.
    pairs : DataFrame
        The one-to-one pairing: ``cluster_a``, ``cluster_b``, ``jaccard``,
        ``shared`` (words in both) and ``shift_days`` (peak of b minus peak of
        a, in days).
    """

    frame: pd.DataFrame
    pairs: pd.DataFrame

    def of_kind(self, kind):
        """Rows of one kind ("matched", "appeared", ...)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        return self.frame[self.frame["kind"] == kind]

    @property
    def counts(self):
        """Number of components of each kind (dict)."""
        return {k: int((self.frame["kind"] == k).sum()) for k in KINDS}

    def __repr__(self):
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items() if v)
        lines = [f"<Comparison: {counts or 'no clusters'}>"]
        for row in self.frame.itertuples(index=False):
            a = ",".join(map(str, row.clusters_a)) or "-"
            b = ",".join(map(str, row.clusters_b)) or "-"
            words = " ".join((row.words_a or row.words_b)[:5])
            lines.append(f"  {row.kind:<9}  {a:>7} -> {b:<7}  {words}")
        return "\n".join(lines)

    def _repr_html_(self):
        rows = []
        for row in self.frame.itertuples(index=False):
            cells = [
                row.kind,
                ", ".join(map(str, row.clusters_a)) or "–",
                ", ".join(map(str, row.clusters_b)) or "–",
                "" if pd.isna(row.jaccard) else f"{row.jaccard:.2f}",
                " ".join(row.words_a[:6]),
                " ".join(row.words_b[:6]),
            ]
            rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items() if v)
        return (
            f'<div class="glipca-comparison"><p><strong>Comparison</strong>: '
            f"{escape(counts or 'no clusters')}</p><table><thead><tr><th>kind</th><th>run a</th>"
            "<th>run b</th><th>Jaccard</th><th>words in a</th><th>words in b</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )


def compare(a, b, *, min_overlap=0.5, max_shift=3):
    """Match the trend clusters of two runs.

    Parameters
    ----------
    a, b : TrendResult
        Two results (anything with ``clusters`` whose items have ``id``,
        ``words`` and ``peak``).
    min_overlap : float, default=0.5
        Two clusters are linked when the words they share are at least this
        share of the smaller cluster's words. Measured against the smaller
        one so that each half of a split cluster still links to the whole.
    max_shift : float or None, default=3
        Largest distance between linked clusters' peaks, in days; None
        ignores peaks (to follow the same words across two periods).

    Returns
    -------
    Comparison
    """
    if not 0 < min_overlap <= 1:
        raise ValueError(f"min_overlap must be in (0, 1], got {min_overlap}")
    ca, cb = list(a.clusters), list(b.clusters)
    sets_a, sets_b = [set(_words(c)) for c in ca], [set(_words(c)) for c in cb]
    jaccard = np.zeros((len(ca), len(cb)))
    linked = np.zeros((len(ca), len(cb)), dtype=bool)
    for i, (x, sx) in enumerate(zip(ca, sets_a)):
        for j, (y, sy) in enumerate(zip(cb, sets_b)):
            shared = len(sx & sy)
            if not shared:
                continue
            jaccard[i, j] = shared / len(sx | sy)
            close = max_shift is None or _day_gap(x.peak, y.peak) <= max_shift
            linked[i, j] = close and shared / min(len(sx), len(sy)) >= min_overlap

    # One-to-one pairs: the assignment maximising the summed Jaccard index,
    # restricted to linked clusters.
    weight = np.where(linked, jaccard, 0.0)
    pairs = []
    if weight.size:
        for i, j in zip(*linear_sum_assignment(weight, maximize=True)):
            if linked[i, j]:
                pairs.append({
                    "cluster_a": ca[i].id, "cluster_b": cb[j].id, "jaccard": jaccard[i, j],
                    "shared": sorted(sets_a[i] & sets_b[j]),
                    "shift_days": (pd.Timestamp(cb[j].peak) - pd.Timestamp(ca[i].peak))
                    / pd.Timedelta(days=1),
                })
    pairs = pd.DataFrame(pairs, columns=["cluster_a", "cluster_b", "jaccard", "shared",
                                         "shift_days"])

    graph = nx.Graph()
    graph.add_nodes_from(("a", i) for i in range(len(ca)))
    graph.add_nodes_from(("b", j) for j in range(len(cb)))
    graph.add_edges_from((("a", i), ("b", j)) for i, j in zip(*np.nonzero(linked)))
    rows = []
    for nodes in nx.connected_components(graph):
        ia = sorted(i for side, i in nodes if side == "a")
        ib = sorted(j for side, j in nodes if side == "b")
        words_a = set().union(*(sets_a[i] for i in ia))
        words_b = set().union(*(sets_b[j] for j in ib))
        both = words_a | words_b
        rows.append({
            "kind": _kind(len(ia), len(ib)),
            "clusters_a": [ca[i].id for i in ia],
            "clusters_b": [cb[j].id for j in ib],
            "peaks_a": [pd.Timestamp(ca[i].peak) for i in ia],
            "peaks_b": [pd.Timestamp(cb[j].peak) for j in ib],
            "jaccard": len(words_a & words_b) / len(both) if ia and ib else np.nan,
            # Most central words first, cluster by cluster.
            "words_a": list(dict.fromkeys(w for i in ia for w in _words(ca[i]))),
            "words_b": list(dict.fromkeys(w for j in ib for w in _words(cb[j]))),
        })
    # In time order of each component's first peak, then by kind.
    rows.sort(key=lambda r: (min(r["peaks_a"] + r["peaks_b"]), KINDS.index(r["kind"]),
                             r["clusters_a"], r["clusters_b"]))
    frame = pd.DataFrame(rows, columns=["kind", "clusters_a", "clusters_b", "peaks_a", "peaks_b",
                                        "jaccard", "words_a", "words_b"])
    return Comparison(frame=frame, pairs=pairs)


def _kind(n_a, n_b):
    if n_a == 1 and n_b == 1:
        return "matched"
    if n_b == 0:
        return "vanished"
    if n_a == 0:
        return "appeared"
    if n_a == 1:
        return "split"
    if n_b == 1:
        return "merged"
    return "regrouped"


#: Relative change of a matched cluster's peak frequency (its words' largest
#: share of posts at the peak) above which it grew or faded.
MIN_CHANGE = 0.2


def changes_since(previous, current, *, min_change=MIN_CHANGE, max_shift=3):
    """What changed between two ``clusters.json`` documents, as a JSON-ready dict.

    Clusters are matched by :func:`compare` (shared words, peaks at most
    ``max_shift`` days apart). A cluster of ``current`` with no counterpart
    *appeared*; one of ``previous`` with none *vanished*; a one-to-one pair
    *grew* or *faded* when its peak frequency changed by at least
    ``min_change`` (relative), and is *kept* otherwise; clusters that split,
    merged or regrouped are listed as such.

    Parameters
    ----------
    previous, current : dict
        ``clusters.json`` documents (:func:`glipca.report.document.clusters_document`).

    Returns
    -------
    dict
        ``appeared`` (ids in ``current``), ``grew`` and ``faded`` (``id``,
        ``previous_id``, ``peak_frequency`` before and now), ``kept``
        (``[previous_id, id]`` pairs), ``vanished`` (``previous_id``,
        ``words``, ``peak``, and ``before_window: true`` for a cluster that
        peaked before the current window's first period) and ``reshaped`` (``kind``, ``previous_ids``,
        ``ids``), each in id order.
    """
    def run(doc):
        return _Run([_Cluster(c["id"], list(c["words"]), pd.Timestamp(c["peak"]))
                          for c in doc["clusters"]])

    before = {c["id"]: c for c in previous["clusters"]}
    now = {c["id"]: c for c in current["clusters"]}
    # A moving window (--last) loses old clusters: they did not fade, they
    # peaked before the current window's first period.
    first = current.get("summary", {}).get("first_period")
    found = compare(run(previous), run(current), max_shift=max_shift)
    out = {"appeared": [], "grew": [], "faded": [], "kept": [], "vanished": [], "reshaped": []}
    for row in found.frame.itertuples(index=False):
        if row.kind == "appeared":
            out["appeared"] += list(row.clusters_b)
        elif row.kind == "vanished":
            out["vanished"] += [{"previous_id": i, "words": before[i]["words"],
                                 "peak": before[i]["peak"],
                                 **({"before_window": True} if first and before[i]["peak"] < first
                                    else {})} for i in row.clusters_a]
        elif row.kind == "matched":
            (i,), (j,) = row.clusters_a, row.clusters_b
            a, b = before[i].get("peak_frequency"), now[j].get("peak_frequency")
            change = None if not a or b is None else b / a - 1.0
            kind = ("grew" if change is not None and change >= min_change else
                    "faded" if change is not None and change <= -min_change / (1 + min_change)
                    else "kept")
            if kind == "kept":
                out["kept"].append([i, j])
            else:
                out[kind].append({"id": j, "previous_id": i, "peak_frequency": [a, b]})
        else:
            out["reshaped"].append({"kind": row.kind, "previous_ids": list(row.clusters_a),
                                    "ids": list(row.clusters_b)})
    for key in ("appeared", "kept"):
        out[key].sort()
    for key in ("grew", "faded"):
        out[key].sort(key=lambda x: x["id"])
    out["vanished"].sort(key=lambda x: x["previous_id"])
    out["reshaped"].sort(key=lambda x: (x["ids"], x["previous_ids"]))
    return out


@dataclass
class _Cluster:
    id: int
    words: list
    peak: pd.Timestamp


@dataclass
class _Run:
    """Clusters of a ``clusters.json`` document, as :func:`compare` takes them."""

    clusters: list
