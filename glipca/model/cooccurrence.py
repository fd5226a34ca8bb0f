"""Which words of a trend cluster share posts: co-occurrence near the peak.

Daily series say *when* words rise together; they cannot say whether the
words tell one story. Words that spike on the same day for unrelated reasons
(two events of one day, or one account posting a batch of unrelated lines)
have alike series but rarely share a post. Inside a cluster proposed by
GLIPCA, the posts near its peak decide which words belong together: two
words are associated when they share posts far more often than their own
frequencies make likely. This step goes beyond the GLIPCA paper (Harakawa,
Ito & Iwahashi, *Sci. Rep.* 12:5709, 2022); ``docs/method.md`` gives the
reasons and the evidence.

Association is measured by

* the log-likelihood ratio ``G²`` of the 2 × 2 table of posts with and
  without each word (Dunning, "Accurate methods for the statistics of
  surprise and coincidence", *Computational Linguistics* 19, 1993), one
  sided (more shared posts than chance), against the threshold ``log N`` of
  the Bayesian information criterion (Schwarz 1978) for ``N`` posts, so that
  the bar rises with the number of posts and a large window does not make
  every faint association significant;
* normalised pointwise mutual information (NPMI; Bouma, "Normalized
  (pointwise) mutual information in collocation extraction", GSCL 2009),
  which measures the strength of the association on a fixed scale from -1
  (never together) to 1 (always together) whatever the words' frequencies.
  The same NPMI averaged over a cluster's word pairs is its topic coherence
  (Lau, Newman & Baldwin, EACL 2014; :func:`coherence`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .episodes import MAX_EPISODES

import numpy as np
import scipy.sparse as sp
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

__all__ = ["PostWindows", "word_set_keys", "npmi", "mean_pair_npmi", "log_likelihood_ratio",
           "association", "cooccurrence_groups", "CooccurrenceSplit", "coherence"]


def word_set_keys(matrix, seed=0):
    """A key per post that is equal for posts holding the same set of words.

    Two random projections of the post's row of ``matrix`` (posts x words,
    non-zero where the post holds the word): copies of one line (the same
    text posted again, retweets) get equal keys; different word sets get
    different keys but with negligible probability.

    Returns
    -------
    ndarray of shape (n_posts, 2)
    """
    matrix = sp.csr_matrix(matrix)
    weights = np.random.default_rng(seed).random((matrix.shape[1], 2))
    return np.asarray((matrix != 0).astype(np.float64) @ weights)


class PostWindows:
    """Posts by period, for counting which words share posts near a peak.

    Parameters
    ----------
    periods : array-like of int, shape (n_posts,)
        Period position of each post (row of the series); posts outside
        the series (negative) are ignored.
    matrix : sparse matrix of shape (n_posts, n_words)
        Non-zero where a post holds a word (a word counts once per post).
    words : list of str
        Column labels of ``matrix``.
    texts : sequence of str or callable, optional
        Text of each post, or ``texts(rows) -> list of str`` to read them
        on demand; for labels.
    keys : array of shape (n_posts, ...), optional
        Posts with equal keys are copies of one another (the same words,
        :func:`word_set_keys`) and count once in :meth:`n_distinct`; by
        default every post is distinct.
    """

    def __init__(self, periods, matrix, words, texts=None, keys=None):
        self.periods = np.asarray(periods, dtype=np.int64)
        matrix = sp.csc_matrix(matrix)
        if matrix.shape != (self.periods.size, len(words)):
            raise ValueError(f"matrix has shape {matrix.shape}, expected "
                             f"({self.periods.size}, {len(words)})")
        self.matrix = matrix
        self.texts = texts
        self.keys = None if keys is None else np.asarray(keys)
        self.column = {w: j for j, w in enumerate(words)}
        valid = self.periods[self.periods >= 0]
        self.posts_per_period = np.bincount(valid) if valid.size else np.zeros(0, int)

    def n_posts(self, peak, window):
        """Posts in periods ``peak - window`` to ``peak + window``."""
        lo, hi = max(peak - window, 0), max(peak + window + 1, 0)
        return int(self.posts_per_period[lo:hi].sum())

    def incidence(self, words, peak, window):
        """Which posts near the peak hold which of ``words``.

        Returns
        -------
        rows : ndarray of int
            The posts (rows of ``matrix``) within ``window`` periods of
            ``peak`` that hold at least one of the words, ascending.
        incidence : csr_matrix of shape (len(rows), len(words))
            One where the post holds the word. A word absent from the
            vocabulary has an empty column.
        """
        cols = [self.column.get(w, -1) for w in words]
        known = [j for j in cols if j >= 0]
        sub = self.matrix[:, known].tocoo()
        period = self.periods[sub.row]
        near = (np.abs(period - peak) <= window) & (period >= 0) & (sub.data != 0)
        rows, inverse = np.unique(sub.row[near], return_inverse=True)
        where = np.flatnonzero(np.asarray(cols) >= 0)
        b = sp.csr_matrix(
            (np.ones(inverse.size), (inverse, where[sub.col[near]])),
            shape=(rows.size, len(words)))
        b.sum_duplicates()
        b.data[:] = 1.0
        return rows, b

    def n_distinct(self, words, peak, window, min_words=2):
        """Distinct posts near the peak holding at least ``min_words`` of ``words``.

        Copies of one post (equal ``keys``) count once: one line posted a
        hundred times by one account is one message, not a story told by
        many posts.
        """
        rows, b = self.incidence(words, peak, window)
        rows = rows[np.asarray(b.sum(axis=1)).ravel() >= min_words]
        if self.keys is None:
            return int(rows.size)
        return int(np.unique(self.keys[rows], axis=0).shape[0]) if rows.size else 0

    def counts(self, words, peak, window):
        """Posts near the peak, and how many hold each word and each pair.

        Returns
        -------
        n_posts : int
            Posts within ``window`` periods of ``peak``.
        counts : ndarray of shape (k, k)
            ``counts[i, j]``: posts holding both ``words[i]`` and
            ``words[j]``; the diagonal holds each word's own posts.
        """
        return self.n_posts(peak, window), self.pair_counts(words, peak, window)

    def pair_counts(self, words, peak, window):
        """``counts[i, j]``: posts within ``window`` periods of ``peak`` holding
        both ``words[i]`` and ``words[j]`` (the diagonal: each word's posts)."""
        _, b = self.incidence(words, peak, window)
        return (b.T @ b).toarray()


def npmi(counts, n_posts):
    """Normalised pointwise mutual information of every pair of words.

    ``NPMI(i, j) = log(p_ij / (p_i p_j)) / -log(p_ij)`` with probabilities
    estimated per post; -1 for a pair that never shares a post and 1 for a
    pair in every post.

    Parameters
    ----------
    counts : ndarray of shape (k, k)
        Posts holding both words; the diagonal holds each word's posts.
    n_posts : int
        Posts counted.

    Returns
    -------
    ndarray of shape (k, k)
        With ones on the diagonal.
    """
    c = np.asarray(counts, dtype=float)
    n = float(n_posts)
    single = np.diag(c)
    out = -np.ones_like(c)
    both = c > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        p = c / n
        pmi = np.log(p) - np.log(single[:, None] / n) - np.log(single[None, :] / n)
        value = pmi / -np.log(p)
    out[both] = value[both]
    out[both & (c >= n)] = 1.0
    np.fill_diagonal(out, 1.0)
    return np.clip(out, -1.0, 1.0)


def log_likelihood_ratio(counts, n_posts):
    """Signed log-likelihood ratio ``G²`` of independence for every pair.

    For words ``i`` and ``j``, the 2 × 2 table of posts with and without
    each is compared with the table independence predicts (Dunning 1993).
    The sign is that of the association: positive when the words share
    more posts than chance.

    Returns
    -------
    ndarray of shape (k, k)
        Zero on the diagonal.
    """
    c = np.asarray(counts, dtype=float)
    n = float(n_posts)
    a = np.diag(c)
    k11 = c
    k12 = a[:, None] - c
    k21 = a[None, :] - c
    k22 = n - a[:, None] - a[None, :] + c
    rows = (a[:, None], n - a[:, None])
    cols = (a[None, :], n - a[None, :])
    g2 = np.zeros_like(c)
    for obs, r, s in ((k11, rows[0], cols[0]), (k12, rows[0], cols[1]),
                      (k21, rows[1], cols[0]), (k22, rows[1], cols[1])):
        expected = r * s / n
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(obs > 0, obs * np.log(obs / expected), 0.0)
        g2 += term
    g2 = np.maximum(2.0 * g2, 0.0)
    sign = np.sign(k11 - a[:, None] * a[None, :] / n)
    out = sign * g2
    np.fill_diagonal(out, 0.0)
    return out


def association(counts, n_posts, *, min_npmi=0.0, min_shared=2):
    """Which pairs of words are significantly associated in posts.

    A pair is associated when it shares at least ``min_shared`` posts, its
    ``G²`` exceeds ``log(n_posts)`` with more shared posts than chance (the
    BIC bar for one parameter: it rises with the number of posts), and its
    NPMI is at least ``min_npmi``.

    Returns
    -------
    ndarray of bool, shape (k, k)
        Symmetric, False on the diagonal.
    """
    c = np.asarray(counts, dtype=float)
    if n_posts < 2:
        return np.zeros(c.shape, dtype=bool)
    g2 = log_likelihood_ratio(c, n_posts)
    adj = (c >= min_shared) & (g2 > np.log(n_posts)) & (npmi(c, n_posts) >= min_npmi)
    np.fill_diagonal(adj, False)
    return adj & adj.T


def cooccurrence_groups(similarity, threshold):
    """Groups of words whose pairs share posts: average linkage on NPMI.

    Groups are merged, most similar first, while the mean similarity of
    the pairs across two groups is at least ``threshold`` (average linkage,
    cut at ``threshold``): every merge keeps the group's mean pairwise
    similarity at or above it, so a chain of words each linked to the
    next, but not to the others, does not become one group.

    Parameters
    ----------
    similarity : ndarray of shape (k, k)
        Symmetric, in [-1, 1] (e.g. NPMI, with -1 for pairs that are not
        associated).
    threshold : float

    Returns
    -------
    list of list of int
        Groups of at least two words, each in ascending order, ordered by
        their first member: a word close to no other is in none.
    """
    s = np.asarray(similarity, dtype=float)
    k = s.shape[0]
    if k < 2:
        return []
    distance = np.clip(1.0 - (s + s.T) / 2.0, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = hierarchy.linkage(squareform(distance, checks=False), method="average")
    # fcluster's cut is strict; 1e-12 keeps a merge at exactly the threshold.
    labels = hierarchy.fcluster(tree, t=1.0 - threshold + 1e-12, criterion="distance")
    groups = [np.flatnonzero(labels == c).tolist() for c in np.unique(labels)]
    groups = [g for g in groups if len(g) >= 2]
    return sorted(groups, key=lambda g: g[0])


@dataclass(frozen=True)
class CooccurrenceSplit:
    """Split a proposed cluster into the groups of its words that share posts.

    Parameters
    ----------
    window : int, default=3
        Posts within this many periods of the cluster's peak are counted.
    min_npmi : float, default=0.0
        Weakest association (NPMI) that links two words.
    min_shared : int, default=2
        Fewest posts two words must share to be linked.
    threshold : float, default=0.2
        Average-linkage cut on NPMI that makes the groups.
    min_posts : int, default=5
        Fewest distinct posts (copies of one post counted once,
        :meth:`PostWindows.n_distinct`) within ``window`` periods of the peak
        that hold two of a group's words for the group to be a cluster.
    peak_window : int, default=1
        Words left out of every cluster are regrouped with words whose peak
        is at most this many periods from theirs
        (:func:`glipca.model.orphans.regroup_orphans`); negative: none is.
    episode_z : float or None, default=18.0
        Each peak of a word rejected for peaking several times
        (:mod:`glipca.model.episodes`) is a partner of the words peaking
        there, and opens a story of its own, like a left-out word, when it
        stands at least this many noise units above its word's series;
        None: such words are partners at their highest peak only.
    """

    window: int = 3
    min_npmi: float = 0.0
    min_shared: int = 2
    threshold: float = 0.2
    min_posts: int = 5
    peak_window: int = 1
    episode_z: float | None = 18.0

    def params(self):
        return {"name": "cooccurrence", "window": self.window, "min_npmi": self.min_npmi,
                "min_shared": self.min_shared, "significance": "G2 > log(n_posts)",
                "groups": "average linkage on NPMI", "threshold": self.threshold,
                "min_posts": self.min_posts, "distinct_posts": "copies of a word set count once",
                "orphans": {"peak_window": self.peak_window,
                            "partners": "single-peak words and words with several peaks, "
                                        "peaking within peak_window periods"},
                **({} if self.episode_z is None else {
                    "episodes": {"min_z": self.episode_z,
                                 "max_peaks": MAX_EPISODES}})}

    def groups(self, posts, words, peak):
        """Groups of ``words`` whose pairs share posts near ``peak``, as index lists.

        Average linkage on the NPMI of associated pairs (:func:`association`,
        :func:`cooccurrence_groups`), before the ``min_posts`` test.
        """
        n_posts, counts = posts.counts(words, peak, self.window)
        adj = association(counts, n_posts, min_npmi=self.min_npmi, min_shared=self.min_shared)
        similarity = np.where(adj, npmi(counts, n_posts), -1.0)
        return cooccurrence_groups(similarity, self.threshold), similarity

    def is_story(self, posts, words, peak):
        """Whether at least ``min_posts`` distinct posts near ``peak`` hold two of ``words``."""
        return posts.n_distinct(words, peak, self.window) >= self.min_posts

    def split(self, posts, words, peak):
        """The groups of ``words`` that share posts near ``peak``.

        Parameters
        ----------
        posts : PostWindows
        words : list of str
            The cluster's words, most central first.
        peak : int
            Position of the cluster's peak period.

        Returns
        -------
        list of list of str
            Groups in the order of their most central word; words keep
            their order within a group. Groups that fewer than
            ``min_posts`` distinct posts tell are left out.
        """
        groups, _ = self.groups(posts, words, peak)
        groups = [[words[i] for i in g] for g in groups]
        return [g for g in groups if self.is_story(posts, g, peak)]


def coherence(posts, words, peak, *, window=3, top=10):
    """Topic coherence of a cluster: the mean NPMI of its first words' pairs.

    Co-occurrence is counted per post in the posts within ``window``
    periods of the peak; a pair that never shares a post scores -1 (Bouma
    2009; Lau, Newman & Baldwin 2014).

    Parameters
    ----------
    posts : PostWindows
    words : list of str
        The cluster's words, most central first; the first ``top`` count.
    peak : int
        Position of the peak period.

    Returns
    -------
    coherence : float
        NaN for fewer than two words.
    n_posts_cooccur : int
        Posts in the window holding at least two of the cluster's words
        (all of them, not only the first ``top``).
    """
    _, b = posts.incidence(words, peak, window)
    n_cooccur = int(np.count_nonzero(np.asarray(b.sum(axis=1)).ravel() >= 2))
    first = list(words[:top])
    if len(first) < 2:
        return float("nan"), n_cooccur
    counts = posts.pair_counts(first, peak, window)
    return mean_pair_npmi(counts, posts.n_posts(peak, window)), n_cooccur


def mean_pair_npmi(counts, n_posts):
    """Mean NPMI of the pairs of words whose co-occurrence ``counts`` (words ×
    words, posts holding each in the diagonal) were counted in ``n_posts``
    posts: the coherence of those words."""
    scores = npmi(counts, n_posts)
    return float(scores[np.triu_indices(len(scores), 1)].mean())
