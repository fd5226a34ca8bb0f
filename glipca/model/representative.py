"""Representative posts: the posts that best express each trend cluster.

They are read from the per-post data the counting pass keeps
(:class:`glipca.counting.postwords.PostWords`: each post's period, its words
as a row of a sparse matrix over the counts' vocabulary, id, time and text),
so the input is never read or tokenised again. For each cluster only the
posts of the periods near its peak are looked at, scored at once as a
sparse matrix-vector product, and only the texts of the best few are read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["RepresentativePost", "representative_posts"]

#: Longest text kept for a post; a report shows posts, not documents.
MAX_TEXT = 2000


@dataclass(frozen=True)
class RepresentativePost:
    """One post chosen for a cluster."""

    cluster: int
    id: str
    time: str
    text: str
    score: float
    words: tuple

    def to_dict(self):
        doc = asdict(self)
        doc["words"] = list(self.words)
        return doc


def _dedup_key(text):
    # Copies of one text (retweets stripped of their prefix, bots) would
    # otherwise fill the list with one message.
    return " ".join(text.casefold().split())


def representative_posts(posts, counts, clusters, *, n=5, window=3, min_words=2):
    """The ``n`` posts that best express each cluster.

    A post's score for a cluster is the share of the cluster's loadings that
    its words cover, divided by ``1 + d``, where ``d`` is its distance in
    periods from the cluster's peak: many of the cluster's words, posted
    near its peak. Posts more than ``window`` periods from the peak, or with
    fewer than ``min_words`` of the cluster's words (fewer for smaller
    clusters), are not considered. Equal scores go to the earlier post, then
    the smaller id, then the earlier in the input; posts whose text repeats
    a better one (ignoring case and spacing) are skipped.

    Parameters
    ----------
    posts : PostWords
        The posts counted for the analysis (:mod:`glipca.counting.postwords`).
    counts : WordCounts
        The counts they were counted with: ``counts.words`` are the columns
        of ``posts.words`` and ``counts.periods`` the periods of
        ``posts.period`` (aware).
    clusters : list of TrendCluster
        Clusters with ``words``, ``loadings`` and ``peak`` (a period start).
    n : int, default=5
        Posts kept per cluster.
    window : int, default=3
        Largest distance from the peak, in periods.
    min_words : int, default=2
        Fewest cluster words a post must hold (at least 1).

    Returns
    -------
    list of list of RepresentativePost
        One list per cluster, best first.
    """
    if min_words < 1:
        raise ValueError(f"min_words must be at least 1, got {min_words}")
    periods = pd.DatetimeIndex(counts.periods)
    if periods.tz is None:
        raise ValueError("the counts' periods must be time zone aware")
    column = {w: j for j, w in enumerate(counts.words)}
    return [
        _best(posts, periods, column, k, cluster, n, window, min(min_words, len(cluster.words)))
        for k, cluster in enumerate(clusters)
    ]


def _best(posts, periods, column, k, cluster, n, window, needed):
    """The best ``n`` posts of one cluster."""
    peak = int(periods.get_loc(pd.Timestamp(cluster.peak)))
    words = list(cluster.words)
    total = float(np.sum(cluster.loadings)) or 1.0
    weight = np.array([float(x) / total for x in cluster.loadings])
    # Every cluster word was counted, so it is a column; a missing one is
    # held by no post.
    present = [j for j, w in enumerate(words) if w in column]
    columns = [column[words[j]] for j in present]
    # Only the posts near the peak holding enough of the words are read.
    rows, near = posts.near(columns, peak - window, peak + window, needed)
    if not len(rows):
        return []
    hits = near.words[:, columns].tocsr().astype(np.float64)
    hits.sort_indices()  # columns in the cluster's order, as the sums below
    distance = np.abs(near.period.astype(np.int64) - peak)
    # Row sums in the cluster's word order: the same floats as adding the
    # weights one by one.
    score = (hits @ weight[present]) / (1.0 + distance)
    times = near.times
    ids = np.asarray(near.ids.to_pylist(), dtype=object)
    _, id_rank = np.unique(ids.astype(str), return_inverse=True)
    # Best first: higher score (to 12 digits, so that sums of the same
    # weights in another order tie), earlier time, smaller id, earlier in
    # the input.
    rounded = np.array([round(s, 12) for s in score.tolist()])
    order = np.lexsort((rows, id_rank, times, -rounded))
    return _distinct(posts, order, rows, hits, score, times, ids, present, words, periods, k, n)


def _distinct(posts, order, rows, hits, score, times, ids, present, words, periods, k, n):
    """Walk the ranked posts, reading texts in growing batches, until ``n`` distinct texts."""
    kept, seen = [], set()
    start, size = 0, 4 * n
    while len(kept) < n and start < len(order):
        batch = order[start:start + size]
        for i, text in zip(batch.tolist(), posts.texts(rows[batch])):
            key = _dedup_key(text or "")
            if not key or key in seen:
                continue
            seen.add(key)
            cols = hits.indices[hits.indptr[i]:hits.indptr[i + 1]]
            kept.append(RepresentativePost(
                cluster=k, id=str(ids[i]),
                time=pd.Timestamp(int(times[i]), tz="UTC").tz_convert(periods.tz).isoformat(),
                text=text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…",
                score=float(score[i]), words=tuple(words[present[c]] for c in cols),
            ))
            if len(kept) == n:
                break
        start, size = start + size, 2 * size
    return kept
