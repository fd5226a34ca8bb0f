"""Words the posts took out of every cluster, regrouped with their post partners.

When the co-occurrence test (:mod:`glipca.model.cooccurrence`) splits a
proposed cluster, a word that shares posts with none of the words its series
was grouped with leaves it. Often it is the name of a story of its own
whose other words the series did not link to it: "veterans" peaks on
Veterans Day with "day" and "honor", "hamilton" with "cast" and "pence",
which also peak at the vice-presidential debate and so fail the single-peak
test. This step, our extension of GLIPCA (Harakawa, Ito & Iwahashi, *Sci.
Rep.* 12:5709, 2022; ``docs/method.md``, section 6), looks for such a word's
partners in the posts: words that share posts with it significantly (the
log-likelihood ratio of Dunning 1993 against the BIC bar ``log N``) *and*
peak in the same periods. The posts decide what belongs together; the
peaks keep the series' say on when.
"""

from __future__ import annotations

import numpy as np

from .cluster.estimator import TrendCluster
from .cluster.spectral import mp_bound, ranked_by_loading, signal_of, standardized_correlation
from .cooccurrence import association, cooccurrence_groups, npmi

__all__ = ["regroup_orphans", "describe_cluster"]


def describe_cluster(series, words):
    """A :class:`TrendCluster` of ``words``, ranked on their own series.

    Parameters
    ----------
    series : DataFrame of shape (n_periods, n_words)
        Holding at least the columns ``words``, none constant.
    words : list of str

    Returns
    -------
    TrendCluster
    """
    z, corr = standardized_correlation(series[list(words)].to_numpy(dtype=float))
    members, loadings, eigenvalue = ranked_by_loading(corr, np.arange(len(words)))
    signal = signal_of(z, members, loadings)
    return TrendCluster(words=[words[i] for i in members], loadings=[float(x) for x in loadings],
                        eigenvalue=eigenvalue, peak=series.index[int(np.argmax(signal))],
                        signal=signal)


def regroup_orphans(posts, series, test, orphans, peaks, clusters, *, min_size=2, episodes=()):
    """Give each orphan word the story its posts tell, when they tell one.

    Orphans are taken in the given order. For an orphan peaking at period
    ``p``, the words of ``posts`` peaking within ``test.peak_window`` periods
    of ``p`` and in no cluster yet are its possible partners, with the
    members of the clusters. In the posts within ``test.window`` periods of
    ``p``:

    * the word most associated with it (highest NPMI among the pairs that
      pass :func:`glipca.model.cooccurrence.association`) decides: when it
      is a cluster's member, the orphan joins that cluster;
    * otherwise the orphan and its associated partners in no cluster are
      grouped by average linkage on NPMI (as a proposed cluster is,
      :func:`glipca.model.cooccurrence.cooccurrence_groups`), and the
      orphan's group becomes a cluster when it has at least ``min_size``
      words, a leading eigenvalue above the Marchenko–Pastur edge, and at
      least ``test.min_posts`` distinct posts holding two of its words.

    Parameters
    ----------
    posts : PostWindows
        Posts over the words that may join a story (and the orphans).
    series : DataFrame of shape (n_periods, n_words)
        Series of those words.
    test : CooccurrenceSplit
        Window, association, linkage and ``min_posts`` settings.
    orphans : list of str
    peaks : dict
        Peak position (row of ``series``) of every word of ``posts``.
    clusters : list of TrendCluster
    min_size : int, default=2
    episodes : collection of str, optional
        Orphans that may open a story but join none: episodes of words of
        recurring events (:mod:`glipca.model.episodes`), which share posts
        with most stories of their kind.

    Returns
    -------
    list of TrendCluster
        ``clusters``, those that orphans joined described again, then the
        new ones.
    """
    members = [list(c.words) for c in clusters]
    where = {w: i for i, ws in enumerate(members) for w in ws}
    joined = set()
    for word in orphans:
        if word in where or word not in posts.column:
            continue
        peak = peaks[word]
        near = [w for w in posts.column if w != word and w in peaks
                and abs(peaks[w] - peak) <= test.peak_window]
        candidates = [word] + near
        n_posts, counts = posts.counts(candidates, peak, test.window)
        adj = association(counts, n_posts, min_npmi=test.min_npmi, min_shared=test.min_shared)
        if not adj[0].any():
            continue
        similarity = np.where(adj, npmi(counts, n_posts), -1.0)
        best = candidates[1 + int(np.argmax(similarity[0, 1:]))]
        if best in where and word not in episodes:
            members[where[best]].append(word)
            where[word] = where[best]
            joined.add(where[best])
            continue
        free = [0] + [i for i in np.flatnonzero(adj[0]) if candidates[i] not in where]
        groups = cooccurrence_groups(similarity[np.ix_(free, free)], test.threshold)
        group = next((g for g in groups if 0 in g), [])
        story = [candidates[free[i]] for i in group]
        if len(story) < min_size or not test.is_story(posts, story, peak):
            continue
        found = describe_cluster(series, story)
        if found.eigenvalue <= mp_bound(len(story), len(series)):
            continue
        members.append(story)
        where.update((w, len(members) - 1) for w in story)
    out = [describe_cluster(series, members[i]) if i in joined else c
           for i, c in enumerate(clusters)]
    return out + [describe_cluster(series, ws) for ws in members[len(clusters):]]
