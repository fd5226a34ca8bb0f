"""Which trend clusters belong together: a hierarchy of clusters.

Trend clusters are single events. Related events (two stages of one story, a
debate and its aftermath) have representative signals that rise and fall
together, so agglomerative clustering of the signals groups them. The result
keeps the whole dendrogram, so that a reader can cut it at any level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster import hierarchy as sch
from scipy.spatial.distance import pdist

__all__ = ["ClusterHierarchy", "cluster_hierarchy"]


@dataclass
class ClusterHierarchy:
    """Agglomerative clustering of trend clusters.

    Attributes
    ----------
    labels : list of int
        Cluster ids, one per leaf, in the order of the input signals.
    linkage : ndarray of shape (n - 1, 4)
        SciPy linkage matrix; rows index leaves by position in ``labels``.
    order : list of int
        Cluster ids in dendrogram order (related clusters side by side).
    levels : list of float
        Distinct merge heights, increasing: the levels at which cutting the
        dendrogram changes the groups.
    threshold : float
        Default cut height, for :attr:`groups`.
    groups : list of list of int
        Groups of cluster ids when cut at ``threshold``, in dendrogram order.
    method, metric : str
        Linkage method and distance between signals.
    """

    labels: list
    linkage: np.ndarray
    order: list
    levels: list
    threshold: float
    groups: list
    method: str = "average"
    metric: str = "correlation"

    def cut(self, height):
        """Groups of cluster ids whose merges are all at most ``height``.

        Groups and their members follow the dendrogram order.
        """
        n = len(self.labels)
        if n == 0:
            return []
        if n == 1:
            return [list(self.labels)]
        flat = sch.fcluster(self.linkage, t=height, criterion="distance")
        position = {label: i for i, label in enumerate(self.labels)}
        groups = {}
        for label in self.order:
            groups.setdefault(int(flat[position[label]]), []).append(label)
        return list(groups.values())

    def to_dict(self):
        """A JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "method": self.method,
            "metric": self.metric,
            "labels": [int(x) for x in self.labels],
            "linkage": [[int(a), int(b), float(h), int(k)] for a, b, h, k in self.linkage],
            "order": [int(x) for x in self.order],
            "levels": [float(x) for x in self.levels],
            "threshold": float(self.threshold),
            "groups": [[int(x) for x in g] for g in self.groups],
        }

    @classmethod
    def from_dict(cls, doc):
        linkage = np.asarray(doc["linkage"], dtype=float).reshape(-1, 4)
        return cls(
            labels=list(doc["labels"]), linkage=linkage, order=list(doc["order"]),
            levels=list(doc["levels"]), threshold=float(doc["threshold"]),
            groups=[list(g) for g in doc["groups"]], method=doc.get("method", "average"),
            metric=doc.get("metric", "correlation"),
        )


def cluster_hierarchy(signals, *, labels=None, method="average", metric="correlation",
                      threshold=0.5):
    """Agglomerative clustering of clusters' representative signals.

    Parameters
    ----------
    signals : array-like of shape (n_periods, n_clusters)
        One representative signal per cluster (a DataFrame's columns are
        used as labels).
    labels : list of int, optional
        Cluster ids; default ``0 .. n_clusters - 1``.
    method : str, default="average"
        Linkage method of :func:`scipy.cluster.hierarchy.linkage`.
    metric : str, default="correlation"
        Distance of :func:`scipy.spatial.distance.pdist`. Correlation
        distance, ``1 - r``, compares the shape of two signals, not their
        level: two events are related when they rise and fall together.
    threshold : float, default=0.5
        Height of the default cut. With correlation distance, clusters whose
        signals correlate by more than 0.5 on average end up in one group.

    Returns
    -------
    ClusterHierarchy
    """
    if labels is None and hasattr(signals, "columns"):
        labels = list(signals.columns)
    x = np.asarray(signals, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"signals must be 2-D (periods × clusters), got shape {x.shape}")
    n = x.shape[1]
    labels = list(range(n)) if labels is None else [int(v) for v in labels]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} labels for {n} signals")
    if n < 2:
        return ClusterHierarchy(
            labels=labels, linkage=np.zeros((0, 4)), order=list(labels), levels=[],
            threshold=float(threshold), groups=[list(labels)] if n else [], method=method,
            metric=metric,
        )
    dist = pdist(x.T, metric=metric)
    # A constant signal has no correlation with anything: treat it as
    # unrelated (distance 1) rather than let NaN break the linkage.
    dist = np.clip(np.nan_to_num(dist, nan=1.0), 0.0, None)
    # Optimal leaf ordering puts the most similar neighbours side by side,
    # which is what a reader scans the dendrogram for; it is deterministic.
    linkage = sch.linkage(dist, method=method, optimal_ordering=n > 2)
    order = [labels[i] for i in sch.leaves_list(linkage)]
    result = ClusterHierarchy(
        labels=labels, linkage=linkage, order=order,
        levels=sorted({float(h) for h in linkage[:, 2]}), threshold=float(threshold),
        groups=[], method=method, metric=metric,
    )
    result.groups = result.cut(threshold)
    return result
