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
  ``max_gap`` periods apart are similar by the NPMI of their posts
  (Bouma 2009) when those posts overlap more than chance by the test that
  links two words (:func:`glipca.model.cooccurrence.association`: at least
  ``min_shared`` shared posts and a log-likelihood ratio above ``log N``),
  and not at all otherwise; the NPMI is divided by the gap between their
  peaks in periods (one, when they peak in one period or their spans
  meet): facets of one event peak together, and the farther apart two
  clusters peak, the more their posts must share to be one story (the
  Access Hollywood tape of 10-08 and NBC's suspension of Billy Bush two
  days later share much; the days of an election's week a little each);
* clusters are merged by average linkage on that similarity, cut at
  ``threshold`` (:func:`glipca.model.cooccurrence.cooccurrence_groups`), so
  that a chain of days does not become one story;
* where the tokenizer joins nouns into compound words (Japanese), two
  clusters peaking together of which one has a word that is a word of the
  other joined with another (北方領土 and 北方領土訪問: compounds of one
  name that headlines use in turn, rarely in one post) are one story
  whatever their posts.

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

__all__ = ["posts_similarity", "contains_one_another", "group_clusters", "group_stories",
           "lone_trends"]

#: Words of a cluster whose posts count: its core, the most central ones (as the
#: stability core): a word shared with another trend ranks last and would
#: bring that trend's posts along.
TOP_WORDS = 5
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


def contains_one_another(a, b, vocabulary=None):
    """Whether one word is the other joined with a word of ``vocabulary``.

    The shorter word must begin or end the longer one and make at least
    half of it, and what is left must be a word of ``vocabulary`` (any
    rest when None): 北方領土訪問 is 北方領土 + 訪問, "voterfraud" is "voter" +
    "fraud", but "billy" is not "bill" + "y", nor "magazine" "maga" + "zine".
    """
    short, long = sorted((str(a), str(b)), key=len)
    if short == long or len(short) < MIN_CONTAINED or len(short) < MIN_COVER * len(long):
        return False
    if long.startswith(short):
        rest = long[len(short):]
    elif long.endswith(short):
        rest = long[:len(long) - len(short)]
    else:
        return False
    return vocabulary is None or rest in vocabulary


def _nested(words_a, words_b, vocabulary):
    """Whether a word of one is a compound of a word of the other (never without a vocabulary)."""
    if vocabulary is None:
        return False
    return any(contains_one_another(a, b, vocabulary) for a in words_a for b in words_b)


def group_clusters(windows, clusters, peaks, test, *, threshold=0.2, max_gap=1, spans=None,
                   vocabulary=None, posts=None):
    """Clusters that tell one story, as lists of cluster positions.

    Stories are merged, the most similar pair first, while the NPMI of
    their posts (:func:`posts_similarity`: a story's posts are its
    clusters' posts, those within ``test.window`` periods of a cluster's
    peak that hold one of its words), divided by the gap between them, is
    at least ``threshold``. The gap is the fewest periods between a
    cluster of one and the main cluster (the one told by the most posts)
    of the other, counted as one when their spans meet (a wide event's
    clusters peak days apart); stories more than ``max_gap`` periods apart
    never merge. Two of them whose words contain one another
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
    max_gap : int, default 1
    spans : list of (int, int), optional
        First and last position of each one's peak at half height or more
        (:func:`glipca.model.periods.half_height_span`).
    vocabulary : set of str, optional
        The words a compound may be made of (:func:`contains_one_another`);
        None: compounds are not looked for.
    posts : list of ndarray, optional
        Each one's posts (:func:`_posts_of`), when they were read already.

    Returns
    -------
    list of list of int
        Every cluster in exactly one group; groups in ascending order,
        ordered by their first cluster.
    """
    if posts is None:
        posts = [_posts_of(windows, c, p, test.window) for c, p in zip(clusters, peaks)]
    groups = {i: [i] for i in range(len(clusters))}
    rows = dict(enumerate(posts))
    # A story's peak is that of its cluster told by the most posts (ties: the first).
    main = {i: i for i in groups}

    spans = spans if spans is not None else [(p, p) for p in peaks]

    def gap(a, b):
        # From a cluster of one story to the other's main cluster.
        return min([_gap(peaks, spans, i, main[b]) for i in groups[a]]
                   + [_gap(peaks, spans, main[a], j) for j in groups[b]])

    def similarity(a, b):
        pa, pb = peaks[main[a]], peaks[main[b]]
        apart = gap(a, b)
        if apart > max_gap:
            return -1.0
        if _nested([w for k in groups[a] for w in clusters[k]],
                   [w for k in groups[b] for w in clusters[k]], vocabulary):
            return 1.0
        return _by_gap(posts_similarity(windows, rows[a], rows[b], (pa, pb), test.window, test),
                       apart)

    pairs = {(a, b): similarity(a, b) for a in groups for b in groups if a < b}
    _merge(pairs, groups, rows, main, posts, similarity, threshold)
    return sorted(groups.values(), key=lambda g: g[0])


def _gap(peaks, spans, i, j):
    """Periods between two clusters' peaks, at least one; one when their spans meet."""
    (li, hi), (lj, hj) = spans[i], spans[j]
    return 1 if li <= hj and lj <= hi else max(abs(peaks[i] - peaks[j]), 1)


def _by_gap(similar, gap):
    """A similarity weakened by the gap between two peaks (dissimilar stays so)."""
    return similar / gap if similar > 0 else similar


def _merge(pairs, groups, rows, main, posts, similarity, threshold):
    """Merge the most similar pair while it is at least ``threshold`` (in place)."""
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


def group_stories(windows, clusters, lone, peaks, test, *, threshold=0.2, max_gap=1,
                  spans=None, vocabulary=None):
    """Stories of clusters and lone trend words, as lists of positions.

    The clusters are grouped first (:func:`group_clusters`). Each lone word
    (in the given order) then joins the story whose posts its own posts
    are most similar to, when close enough in time and at least
    ``threshold`` similar, without changing that story's posts: a word
    two stories share (one planted in both trends' posts, or a common
    hashtag) must not join them. The words that join none are grouped
    among themselves, as the clusters are.

    Parameters
    ----------
    clusters, lone : list of list of str
        Words of each cluster, and each lone word as a list of one.
    peaks, spans : list
        Of the clusters, then of the lone words.
    Other parameters as :func:`group_clusters`.

    Returns
    -------
    list of list of int
        Positions (clusters first, then lone words); groups ordered by their first member.
    """
    k = len(clusters)
    spans = spans if spans is not None else [(p, p) for p in peaks]
    posts = [_posts_of(windows, c, p, test.window) for c, p in zip(clusters, peaks[:k])]
    stories = group_clusters(windows, clusters, peaks[:k], test, threshold=threshold,
                             max_gap=max_gap, spans=spans[:k], vocabulary=vocabulary, posts=posts)
    main = [max(g, key=lambda i: (posts[i].size, -i)) for g in stories]
    rows = [np.unique(np.concatenate([posts[i] for i in g])) for g in stories]
    lone_posts = [_posts_of(windows, words, p, test.window) for words, p in zip(lone, peaks[k:])]
    left = []
    for j, (words, mine) in enumerate(zip(lone, lone_posts)):
        pj = peaks[k + j]
        scores = []
        for g, (m, story_rows) in enumerate(zip(main, rows)):
            pm = peaks[m]
            apart = min(_gap(peaks, spans, i, k + j) for i in stories[g] if i < k)
            if apart > max_gap:
                continue
            told = [w for i in stories[g] if i < k for w in clusters[i]]
            similar = 1.0 if _nested(words, told, vocabulary) else _by_gap(
                posts_similarity(windows, story_rows, mine, (pm, pj), test.window, test), apart)
            scores.append((similar, -g))
        best = max(scores, default=(-1.0, 0))
        if best[0] >= threshold:
            stories[-best[1]] = stories[-best[1]] + [k + j]
        else:
            left.append(j)
    alone = group_clusters(windows, [lone[j] for j in left], [peaks[k + j] for j in left], test,
                           threshold=threshold, max_gap=max_gap,
                           spans=[spans[k + j] for j in left], vocabulary=vocabulary,
                           posts=[lone_posts[j] for j in left])
    stories += [[k + left[i] for i in g] for g in alone]
    return sorted(stories, key=lambda g: g[0])


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
