"""Representative posts: the posts that best express each trend cluster.

The counting pass keeps no post text, so this is a second pass over the same
posts after clustering. Only posts near some cluster's peak are tokenised,
and each cluster keeps its best ``n`` posts in a bounded heap, so memory does
not grow with the corpus.
"""

from __future__ import annotations

import heapq
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


def _period_of(index_ns, t):
    """Position of the period holding aware datetime ``t`` (-1 before the first)."""
    return int(np.searchsorted(index_ns, pd.Timestamp(t).value, side="right")) - 1


def _dedup_key(text):
    # Copies of one text (retweets stripped of their prefix, bots) would
    # otherwise fill the list with one message.
    return " ".join(text.casefold().split())


def representative_posts(posts, clusters, index, tokenizer, *, n=5, window=3, min_words=2):
    """The ``n`` posts that best express each cluster.

    A post's score for a cluster is the share of the cluster's loadings that
    its words cover, divided by ``1 + d``, where ``d`` is its distance in
    periods from the cluster's peak: many of the cluster's words, posted
    near its peak. Posts more than ``window`` periods from the peak, or with
    fewer than ``min_words`` of the cluster's words (fewer for smaller
    clusters), are not considered. Equal scores go to the earlier post, then
    the smaller id; posts whose text repeats a kept one are skipped.

    Parameters
    ----------
    posts : iterable of Post
        The posts the clusters were found in; consumed once.
    clusters : list of TrendCluster
        Clusters with ``words``, ``loadings`` and ``peak``.
    index : DatetimeIndex
        Period starts of the series (aware), to place posts in periods.
    tokenizer : callable
        The tokenizer of the analysis, ``tokenizer(text) -> list of str``.
    n : int, default=5
        Posts kept per cluster.
    window : int, default=3
        Largest distance from the peak, in periods.
    min_words : int, default=2
        Fewest cluster words a post must hold.

    Returns
    -------
    list of list of RepresentativePost
        One list per cluster, best first.
    """
    index = pd.DatetimeIndex(index)
    if index.tz is None:
        raise ValueError("index must be time zone aware")
    index_ns = index.as_unit("ns").asi8
    peaks = [int(index.get_loc(pd.Timestamp(c.peak))) for c in clusters]
    weights = []
    for c in clusters:
        total = float(np.sum(c.loadings)) or 1.0
        weights.append({w: float(x) / total for w, x in zip(c.words, c.loadings)})
    needed = [min(min_words, len(c.words)) for c in clusters]
    # Which clusters look at each period: most periods concern none, and
    # their posts are never tokenised.
    near = {}
    for k, p in enumerate(peaks):
        for d in range(-window, window + 1):
            if 0 <= p + d < len(index):
                near.setdefault(p + d, []).append((k, abs(d)))
    heaps = [[] for _ in clusters]
    kept_texts = [{} for _ in clusters]
    seq = 0
    for post in posts:
        period = _period_of(index_ns, post.time)
        candidates = near.get(period)
        if not candidates or not post.text:
            continue
        words = set(tokenizer(post.text))
        # Shown in the zone the periods are in, as the analysis counted it.
        time = pd.Timestamp(post.time).tz_convert(index.tz)
        for k, distance in candidates:
            hit = [w for w in clusters[k].words if w in words]
            if len(hit) < needed[k]:
                continue
            score = sum(weights[k][w] for w in hit) / (1.0 + distance)
            # Heap of the worst kept post first: larger keys are better.
            key = (round(score, 12), -time.value, _Desc(str(post.id)))
            seq += 1
            _offer(heaps[k], kept_texts[k], n, key, post, hit, time, score, k, seq)
    out = []
    for k, heap in enumerate(heaps):
        best = sorted(heap, key=lambda e: (e[0], -e[1]), reverse=True)
        out.append([e[3] for e in best])
    return out


class _Desc(str):
    """A string that sorts in reverse, so that smaller ids rank higher."""

    __slots__ = ()

    def __lt__(self, other):
        return str.__gt__(self, other)

    def __gt__(self, other):
        return str.__lt__(self, other)

    def __le__(self, other):
        return str.__ge__(self, other)

    def __ge__(self, other):
        return str.__le__(self, other)


def _offer(heap, kept, n, entry_key, post, hit, time, score, cluster, seq):
    """Keep ``post`` in ``heap`` if it ranks among the ``n`` best distinct texts."""
    text_key = _dedup_key(post.text)
    old = kept.get(text_key)
    if old is not None:
        if entry_key <= old:
            return
        # A better copy of a kept text replaces it.
        heap[:] = [e for e in heap if e[2] != text_key]
        heapq.heapify(heap)
    elif len(heap) >= n and entry_key <= heap[0][0]:
        return
    text = post.text if len(post.text) <= MAX_TEXT else post.text[:MAX_TEXT] + "…"
    entry = RepresentativePost(
        cluster=cluster, id=str(post.id), time=time.isoformat(), text=text,
        score=float(score), words=tuple(hit),
    )
    kept[text_key] = entry_key
    # ``seq`` keeps equal keys (a repeated id) from comparing the posts.
    item = (entry_key, seq, text_key, entry)
    if len(heap) >= n:
        dropped = heapq.heapreplace(heap, item)
        del kept[dropped[2]]
    else:
        heapq.heappush(heap, item)
