"""Which trend clusters tell one story, and which lone trend words tell one.

A news event is often several clusters: the posts of one day split a story
into the groups of words that share posts (:mod:`glipca.model.cooccurrence`),
so that the travel ban reads "muslim ban", "executive order" and "refugees
detained", each a *facet*. Facets of one story peak together and are told
by overlapping posts; two stories of one day are told by different posts.
This step, our extension of GLIPCA (Harakawa, Ito & Iwahashi, *Sci. Rep.*
12:5709, 2022; ``docs/method.md``, section 8), groups clusters by both:

* a cluster's *posts* are the posts within the co-occurrence window of a
  peak that hold one of its words; two clusters whose peaks are at most
  ``peak_window`` periods apart are similar by the NPMI of their posts
  (Bouma 2009) when those posts overlap more than chance by the test that
  links two words (:func:`glipca.model.cooccurrence.association`: at least
  ``min_shared`` shared posts and a log-likelihood ratio above ``log N``),
  and not at all otherwise;
* clusters are merged by average linkage on that similarity, cut at
  ``threshold`` (:func:`glipca.model.cooccurrence.cooccurrence_groups`), so
  that a chain of days does not become one story;
* two clusters peaking together of which one has a word that contains a
  word of the other (北方領土 and 北方領土訪問: compounds of one name that
  headlines use in turn, rarely in one post) are one story whatever their
  posts.

A candidate word in no cluster whose peak stands at least ``min_z`` noise
units above its series is a story of its own when its posts tell one: at
least ``min_posts`` distinct posts near its peak hold it, and its posts use
some other word distinctively (:mod:`glipca.model.descriptive`). A word in
posts of its own that hold nothing in common (one account's batch of
unrelated lines) is no story.
"""

from __future__ import annotations

import numpy as np

from .cooccurrence import association, npmi

__all__ = ["posts_similarity", "contains_one_another", "group_clusters", "lone_trends"]

#: Words of a cluster whose posts count: its most central ones, as for coherence.
TOP_WORDS = 10
#: Shortest word that may contain another, and the least share of it the
#: contained word must cover: compounds of one name, not any word inside
#: a longer one ("vote" in "votetrump").
MIN_CONTAINED = 2
MIN_COVER = 0.5


def _posts_of(windows, words, peak, window):
    """Rows of the posts within ``window`` periods of ``peak`` holding one of ``words``."""
    rows, _ = windows.incidence(list(words)[:TOP_WORDS], peak, window)
    return rows


def posts_similarity(windows, a, b, peaks, window, test):
    """NPMI of two sets of posts, or -1 when they do not overlap more than chance.

    Parameters
    ----------
    windows : PostWindows
    a, b : ndarray of int
        Rows of the posts of each, ascending.
    peaks : (int, int)
        Their peaks: the posts of the periods from ``window`` before the
        first to ``window`` after the last are counted.
    window : int
    test : CooccurrenceSplit
        Its ``min_shared`` and ``min_npmi`` (:func:`glipca.model.cooccurrence.association`).
    """
    lo, hi = min(peaks), max(peaks)
    n_posts = int(windows.posts_per_period[max(lo - window, 0):max(hi + window + 1, 0)].sum())
    shared = np.intersect1d(a, b, assume_unique=True).size
    counts = np.array([[a.size, shared], [shared, b.size]])
    if not association(counts, n_posts, min_npmi=test.min_npmi, min_shared=test.min_shared)[0, 1]:
        return -1.0
    return float(npmi(counts, n_posts)[0, 1])


def contains_one_another(a, b):
    """Whether one word begins or ends with the other and is mostly made of it."""
    short, long = sorted((str(a), str(b)), key=len)
    if short == long or len(short) < MIN_CONTAINED or len(short) < MIN_COVER * len(long):
        return False
    return long.startswith(short) or long.endswith(short)


def _nested(words_a, words_b):
    return any(contains_one_another(a, b) for a in words_a for b in words_b)


def group_clusters(windows, clusters, peaks, test, *, threshold=0.2, peak_window=1):
    """Clusters that tell one story, as lists of cluster positions.

    Stories are merged, the most similar pair first, while the NPMI of
    their posts (:func:`posts_similarity`: a story's posts are its
    clusters' posts, those within ``test.window`` periods of a cluster's
    peak that hold one of its words) is at least ``threshold``. Only
    stories whose peaks, that of the cluster told by the most posts, are
    at most ``peak_window`` periods apart merge, so that a run of days does
    not become one story; two of them whose words contain one another
    (:func:`contains_one_another`) merge whatever their posts.

    Parameters
    ----------
    windows : PostWindows
    clusters : list of list of str
        Words of each cluster (or lone trend word), most central first.
    peaks : list of int
        Peak position of each.
    test : CooccurrenceSplit
    threshold : float, default 0.2
    peak_window : int, default 1

    Returns
    -------
    list of list of int
        Every cluster in exactly one group; groups in ascending order,
        ordered by their first cluster.
    """
    posts = [_posts_of(windows, c, p, test.window) for c, p in zip(clusters, peaks)]
    groups = {i: [i] for i in range(len(clusters))}
    rows = dict(enumerate(posts))
    # A story's peak is that of its cluster told by the most posts (ties: the first).
    main = {i: i for i in groups}

    def similarity(a, b):
        pa, pb = peaks[main[a]], peaks[main[b]]
        if abs(pa - pb) > peak_window:
            return -1.0
        if _nested([w for k in groups[a] for w in clusters[k]],
                   [w for k in groups[b] for w in clusters[k]]):
            return 1.0
        return posts_similarity(windows, rows[a], rows[b], (pa, pb), test.window, test)

    pairs = {(a, b): similarity(a, b) for a in groups for b in groups if a < b}
    while pairs:
        (a, b), best = max(pairs.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
        if best < threshold:
            break
        groups[a] = sorted(groups[a] + groups.pop(b))
        rows[a] = np.union1d(rows[a], rows.pop(b))
        main[a] = max(groups[a], key=lambda k: (posts[k].size, -k))
        pairs = {(x, y): s for (x, y), s in pairs.items() if b not in (x, y) and a not in (x, y)}
        pairs.update({(min(a, c), max(a, c)): similarity(min(a, c), max(a, c))
                      for c in groups if c != a})
    return sorted(groups.values(), key=lambda g: g[0])


def lone_trends(windows, tested, words, index, *, min_z, min_posts, window, episodes=()):
    """Candidate words in no cluster strong enough to be a story on their own.

    Parameters
    ----------
    windows : PostWindows
    tested : DataFrame
        The single-peak test, with ``is_trend``, ``z`` and ``peak``.
    words : set of str
        Words already in a cluster.
    index : DatetimeIndex
        Periods of the series.
    min_z : float
        Least prominence of the word's peak, in noise units.
    min_posts : int
        Fewest distinct posts near the peak holding the word.
    window : int
        Periods on each side of the peak whose posts count.
    episodes : collection of str
        Episodes of words of recurring events (:mod:`glipca.model.episodes`),
        which are no lone trend.

    Returns
    -------
    list of (str, int)
        Words and their peak positions, strongest first (ties by word).
    """
    if "z" not in tested or "peak" not in tested:
        return []
    trend = tested["is_trend"].to_numpy(dtype=bool) & (tested["z"].to_numpy(dtype=float) >= min_z)
    episodes = set(episodes)
    chosen = [w for w in tested.index[trend]
              if w not in words and w not in episodes and w in windows.column]
    out = []
    for w in chosen:
        peak = int(index.get_indexer([tested.loc[w, "peak"]])[0])
        if peak >= 0 and windows.n_distinct([w], peak, window, min_words=1) >= min_posts:
            out.append((w, peak, float(tested.loc[w, "z"])))
    return [(w, p) for w, p, _ in sorted(out, key=lambda t: (-t[2], str(t[0])))]
