"""A short, readable label for each trend cluster, taken from its posts.

A cluster's words are ranked by how central their series are, which is not
how people write about the event: "fidel castro" reads better than "castro
fidel", and the first two words by loading may rarely appear together. The
label is the two or three words of the cluster that most often share posts
near its peak, in the order they most often appear in those posts.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from ..progress import progress_bar
from .cooccurrence import coherence

__all__ = ["cluster_label"]

#: Posts whose word order is read to order a label; enough to find the usual order.
MAX_ORDER_POSTS = 200


def cluster_label(posts, words, peak, *, tokenizer=None, window=3, max_words=3, min_share=0.5):
    """The words that best name a cluster, in the order people write them.

    The pair of the cluster's words that shares the most posts within
    ``window`` periods of the peak is the core of the label; a third word
    joins when at least ``min_share`` of the pair's posts also hold it.
    The words are ordered as they most often come in the posts that hold
    them all (first occurrence in the tokenised text); ties, posts without
    text, and clusters whose words share no post fall back on the cluster's
    own order. Ties between pairs go to the more central words.

    Parameters
    ----------
    posts : glipca.model.cooccurrence.PostWindows
        With ``texts`` to read the word order.
    words : list of str
        The cluster's words, most central first.
    peak : int
        Position of the cluster's peak period.
    tokenizer : callable, optional
        ``tokenizer(text) -> list of str``, the analysis' tokenizer.
    window : int, default=3
    max_words : int, default=3
        2 or 3.
    min_share : float, default=0.5

    Returns
    -------
    str
        Words separated by spaces.
    """
    words = list(words)
    if len(words) < 2:
        return " ".join(words)
    rows, incidence = posts.incidence(words, peak, window)
    incidence = incidence.tocsc()
    holds = [set(rows[incidence.indices[incidence.indptr[j]:incidence.indptr[j + 1]]].tolist())
             for j in range(len(words))]
    best, shared = (0, 1), -1
    for i, j in combinations(range(len(words)), 2):
        n = len(holds[i] & holds[j])
        if n > shared:  # strict: ties keep the more central pair
            best, shared = (i, j), n
    chosen = list(best)
    if max_words >= 3 and shared > 0:
        together = holds[best[0]] & holds[best[1]]
        # Most posts with the pair; ties to the more central word.
        extra = max((k for k in range(len(words)) if k not in best),
                    key=lambda k: (len(together & holds[k]), -k), default=None)
        if extra is not None and len(together & holds[extra]) >= max(min_share * shared, 1):
            chosen.append(extra)
    chosen.sort()
    label = [words[k] for k in chosen]
    if posts.texts is None or tokenizer is None or shared <= 0:
        return " ".join(label)
    common = sorted(set.intersection(*(holds[k] for k in chosen)))[:MAX_ORDER_POSTS]
    return " ".join(_usual_order(label, _texts(posts.texts, common), tokenizer))


def _texts(texts, rows):
    """Texts of ``rows``: ``texts`` is a sequence, or a function of the rows (read on demand)."""
    return list(texts(rows)) if callable(texts) else [texts[r] for r in rows]


def _usual_order(label, texts, tokenizer):
    """``label``'s words in the order they most often come in ``texts``."""
    orders = Counter()
    for text in texts:
        first = {}
        for position, token in enumerate(tokenizer(text)):
            first.setdefault(token, position)
        if all(w in first for w in label):
            orders[tuple(sorted(label, key=lambda w: first[w]))] += 1
    if not orders:
        return label
    # Most frequent order; ties to the order closest to the cluster's own.
    rank = {w: i for i, w in enumerate(label)}
    return list(max(orders, key=lambda o: (orders[o], [-rank[w] for w in o])))


def cluster_stories(posts, clusters, index, *, tokenizer=None, window=3, progress=False):
    """What the posts say of each cluster: label, coherence, posts sharing words.

    Parameters
    ----------
    posts : glipca.model.cooccurrence.PostWindows
    clusters : list of TrendCluster
    index : DatetimeIndex
        Period starts of the series the clusters were found in.
    tokenizer : see :func:`cluster_label`.
    window : int, default=3
        Periods on each side of the peak whose posts count.
    progress : bool, default=False
        Show the clusters done on a progress bar (:mod:`glipca.progress`).

    Returns
    -------
    list of dict
        Per cluster: ``label``; ``coherence``, the mean NPMI of the first 10
        words' pairs (:func:`glipca.model.cooccurrence.coherence`); and
        ``n_posts_cooccur``, the posts holding at least two of its words.
    """
    out = []
    with progress_bar(progress, desc="stories", total=len(clusters), unit=" clusters") as bar:
        for c in clusters:
            peak = int(index.get_loc(c.peak))
            score, n_cooccur = coherence(posts, c.words, peak, window=window)
            label = cluster_label(posts, c.words, peak, tokenizer=tokenizer, window=window)
            out.append({"label": label, "coherence": score, "n_posts_cooccur": n_cooccur})
            bar.update()
    return out
