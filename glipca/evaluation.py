"""Scoring trend clusters against a planted truth.

The truth comes from :func:`glipca.datasets.make_trend_corpus`: every trend
word belongs to one planted trend, and every other planted word (shared,
seasonal, drifting, background) belongs to no trend.
"""

from __future__ import annotations

from collections import Counter

from sklearn.metrics import adjusted_rand_score

__all__ = ["score_clusters"]

_DISTRACTOR_KINDS = ("shared", "seasonal", "drifting", "burst", "background",
                     "unplanted")


def score_clusters(clusters, corpus):
    """Compare predicted trend clusters with the trends planted in a corpus.

    Parameters
    ----------
    clusters : list of list of str
        Predicted clusters; a word in no cluster is *unclustered*. Empty
        clusters are ignored; a word in two clusters is an error.
    corpus : PlantedCorpus
        The corpus the clusters were computed from.

    Returns
    -------
    scores : dict
        JSON-ready, with keys:

        ``ari``
            Adjusted Rand index over the *scored words*: every trend word
            and every distractor (shared, seasonal, drifting, burst), plus every
            background word that is in a cluster. The true label is the trend
            id for a trend word and -1 otherwise; the predicted label is the
            cluster's index and -1 for unclustered words. Each -1 is a single
            class, so distractors left out of all clusters agree with the
            truth, while trend words that never reached a cluster and
            distractors that did count against it. Words that were not
            planted are left out of the ARI (they still count below).
        ``purity``
            Share of clustered words (all of them, planted or not) that
            belong to their cluster's most frequent trend; distractors never
            count as correct. 0 when there are no clusters.
        ``n_clusters``, ``n_trends``, ``n_words_scored``
            Number of non-empty predicted clusters, of planted trends, and of
            scored words.
        ``trends_recovered``, ``recovered``
            Number and ids of the planted trends that are the majority trend
            of exactly one cluster, where that cluster holds at least half of
            the trend's planted words. A cluster's majority trend is the trend
            with strictly the most words in it (ties: none).
        ``all_trends_recovered``
            Whether every planted trend is recovered.
        ``close_pairs_split``, ``same_day_split``
            Fraction of close pairs whose two trends are both recovered, and
            whether every same-day story is recovered (each then the
            majority of a cluster of its own); None without them.
        ``distractors_in_clusters``, ``distractors_by_kind``
            Number of clustered words that are not trend words, and their
            count by kind: ``shared``, ``seasonal``, ``drifting``, ``burst``,
            ``background``, ``unplanted`` (not a planted word at all), and,
            when found in clusters, the one-word trends (``hashtag``,
            ``rare``) and ``tail`` words: a one-word trend is a story of its
            own, not a cluster's word.
        ``trend_words_unclustered``
            Number of trend words in no cluster.
    """
    clusters = [list(c) for c in clusters if len(c)]
    assigned = _assignment(clusters)
    ari, n_scored = _ari(assigned, corpus)
    majority, correct = _majorities(clusters, corpus.truth)
    n_clustered = sum(map(len, clusters))
    recovered = _recovered(corpus.trends, majority, Counter(corpus.truth.values()))
    close_pairs_split, same_day_split = _stories_split(corpus, set(recovered))
    by_kind = _distractors_by_kind(assigned, corpus)
    return {
        "ari": float(ari),
        "purity": correct / n_clustered if n_clustered else 0.0,
        "n_clusters": len(clusters),
        "n_trends": len(corpus.trends),
        "n_words_scored": n_scored,
        "trends_recovered": len(recovered),
        "recovered": recovered,
        "all_trends_recovered": len(recovered) == len(corpus.trends),
        "close_pairs_split": close_pairs_split,
        "same_day_split": same_day_split,
        "distractors_in_clusters": sum(by_kind.values()),
        "distractors_by_kind": by_kind,
        "trend_words_unclustered": sum(w not in assigned for w in corpus.truth),
    }


def _assignment(clusters):
    """Cluster index of every clustered word; a word in two clusters is an error."""
    assigned = {}
    for i, cluster in enumerate(clusters):
        for w in cluster:
            if w in assigned:
                raise ValueError(f"word {w!r} is in clusters {assigned[w]} "
                                 f"and {i}")
            assigned[w] = i
    return assigned


def _ari(assigned, corpus):
    """Adjusted Rand index over the scored words, and their number."""
    truth = corpus.truth
    scored = sorted(set(truth) | set(corpus.distractor_words)
                    | {w for w in assigned if corpus.kind_of(w) is not None})
    ari = adjusted_rand_score([truth.get(w, -1) for w in scored],
                              [assigned.get(w, -1) for w in scored])
    return ari, len(scored)


def _majorities(clusters, truth):
    """Each cluster's majority trend and its number of words there (None
    without a strict majority), and the number of words that belong to their
    cluster's most frequent trend."""
    majority, correct = [], 0
    for cluster in clusters:
        counts = Counter(truth[w] for w in cluster if w in truth).most_common(2)
        correct += counts[0][1] if counts else 0
        unique = counts and (len(counts) == 1 or counts[0][1] > counts[1][1])
        majority.append((counts[0][0], counts[0][1]) if unique else None)
    return majority, correct


def _recovered(trends, majority, trend_size):
    """Ids of the trends that are the majority of exactly one cluster, which
    holds at least half of their words."""
    recovered = []
    for trend in trends:
        k = trend["id"]
        hits = [m for m in majority if m is not None and m[0] == k]
        if len(hits) == 1 and hits[0][1] >= 0.5 * trend_size[k]:
            recovered.append(k)
    return recovered


def _stories_split(corpus, rec):
    """Share of close pairs with both trends recovered, and whether every
    same-day story is; None for a corpus without them."""
    pairs = corpus.close_pairs
    split = (sum(a in rec and b in rec for a, b in pairs) / len(pairs)
             if pairs else None)
    same_day = getattr(corpus, "same_day", [])
    return split, (all(k in rec for k in same_day) if same_day else None)


def _distractors_by_kind(assigned, corpus):
    """Clustered words that are not trend words, counted by kind."""
    by_kind = dict.fromkeys(_DISTRACTOR_KINDS, 0)
    for w in assigned:
        kind = corpus.kind_of(w)
        if kind != "trend":
            # One-word trends and tail words are counted only where planted.
            by_kind[kind or "unplanted"] = by_kind.get(kind or "unplanted", 0) + 1
    return by_kind
