"""The words a story's posts use most distinctively near its peak.

A story's trend words say what rose; they are often one hashtag
("womensmarch") or a pair of names. The posts that tell the story say more,
in words that do not peak themselves because they are common on other days
too ("women", "march", "washington"). As MABED (Guille & Favre, "Event
detection, tracking, and visualization in Twitter: a mention-anomaly-based
approach", *Soc. Netw. Anal. Min.* 5, 2015) weights the words related to
an event's main word, each word of the posts near the peak is weighted by
how much more it is used in the story's posts than in the others: the
story's posts are those that hold one of its trend words, and a word is
descriptive when it is associated with them by the test that links two
words (:func:`glipca.model.cooccurrence.association`: a log-likelihood
ratio above ``log N``, more shared posts than chance) in at least
``min_posts`` distinct posts, with an NPMI of at least ``threshold``;
the most associated (by NPMI) come first. Copies of one post (the same set
of words) count once, as for the co-occurrence test.
"""

from __future__ import annotations

import numpy as np

from .cooccurrence import mean_pair_npmi

__all__ = ["Describer"]


class Describer:
    """Descriptive words of stories, from the posts of a counting pass.

    Parameters
    ----------
    windows : PostWindows
        The posts' periods (series rows) and copy keys.
    posts : PostWords
        The same posts, in the same order, with their words over ``vocabulary``.
    vocabulary : sequence of str
        The words of ``posts.words``' columns.
    window : int
        Periods on each side of the peak whose posts count.
    min_posts : int
        Fewest distinct story posts a descriptive word must be in.
    threshold : float
        Least NPMI of a descriptive word with the story's posts.
    """

    def __init__(self, windows, posts, vocabulary, *, window, min_posts, threshold):
        self.windows, self.posts = windows, posts
        self.vocabulary = np.asarray(vocabulary, dtype=object)
        self.column = {w: j for j, w in enumerate(self.vocabulary.tolist())}
        self.window, self.min_posts, self.threshold = window, min_posts, threshold
        self._near = {}

    def _distinct_near(self, peak):
        """Distinct posts within ``window`` periods of ``peak`` (first of each copy), and the
        posts holding each word among them."""
        if peak not in self._near:
            period = self.windows.periods
            rows = np.flatnonzero((np.abs(period - peak) <= self.window) & (period >= 0))
            keys = self.windows.keys
            if keys is not None and rows.size:
                # One complex number per post: a 1-D sort, far quicker than
                # unique rows of a 2-D array.
                key = keys[rows, 0] + 1j * keys[rows, -1] if keys.ndim == 2 else keys[rows]
                _, first = np.unique(key, return_index=True)
                rows = rows[np.sort(first)]
            matrix = self.posts.words[rows]
            totals = np.asarray(matrix.sum(axis=0, dtype=np.int64)).ravel()
            self._near[peak] = (rows, matrix, totals)
        return self._near[peak]

    def _told(self, trend_words, peak, keep=None):
        """The distinct posts near ``peak`` (of the periods ``keep``), their words, how many
        hold each word, and which hold one of ``trend_words``."""
        rows, matrix, totals = self._distinct_near(peak)
        if keep is not None and rows.size:
            kept = np.zeros(int(self.windows.periods.max()) + 1, dtype=bool)
            kept[np.asarray(keep)] = True
            inside = kept[self.windows.periods[rows]]
            rows, matrix = rows[inside], matrix[inside]
            totals = np.asarray(matrix.sum(axis=0, dtype=np.int64)).ravel()
        known = [w for w in trend_words if w in self.windows.column]
        if len(known) == len(trend_words):
            # The trend words are columns of the posts' windows: their posts
            # are found there, not by slicing the whole vocabulary.
            holding, _ = self.windows.incidence(known, peak, self.window)
            told = np.isin(rows, holding, assume_unique=True)
        else:
            columns = [self.column[w] for w in trend_words if w in self.column]
            told = np.asarray(matrix[:, columns].sum(axis=1)).ravel() > 0
        return rows, matrix, totals, told

    def n_told(self, trend_words, peak, keep=None):
        """Distinct posts near ``peak`` (of the periods ``keep``) holding one of ``trend_words``."""
        return int(self._told(trend_words, peak, keep)[3].sum())

    def words(self, trend_words, peak, n, exclude=(), keep=None):
        """Up to ``n`` descriptive words of the story of ``trend_words`` peaking at ``peak``.

        Words of ``exclude`` (other stories' trend words) are not listed.
        ``keep``, the positions of some periods, counts only their posts (a
        resample; copies of a post are those of the whole data).

        Returns
        -------
        list of str
            Most associated first (ties: more story posts, then the word).
        """
        if n <= 0:
            return []
        rows, matrix, totals, told = self._told(trend_words, peak, keep)
        if not rows.size:
            return []
        both = np.asarray(matrix[told].sum(axis=0, dtype=np.int64)).ravel()
        return self._ranked(trend_words, both, told.sum(), totals, rows.size, n, exclude)

    def _ranked(self, trend_words, both, n_story, totals, n_posts, n, exclude):
        """The descriptive words, from ``both`` (distinct story posts holding each word),
        ``n_story`` story posts, ``totals`` (distinct posts holding each word) and ``n_posts``."""
        columns = np.array([self.column[w] for w in trend_words if w in self.column], dtype=np.int64)
        if not columns.size:
            return []
        # Only words in enough story posts can be descriptive: score those alone.
        enough = np.flatnonzero(both >= self.min_posts)
        mask = np.ones(enough.size, dtype=bool)
        blocked = set(columns.tolist()) | {self.column[w] for w in exclude if w in self.column}
        mask &= np.array([j not in blocked for j in enough.tolist()], dtype=bool)
        enough = enough[mask]
        score = _npmi_if_associated(both[enough], n_story, totals[enough], n_posts)
        keep_at = np.flatnonzero(score >= self.threshold)
        order = sorted(keep_at.tolist(), key=lambda i: (-score[i], -both[enough[i]],
                                                          str(self.vocabulary[enough[i]])))
        return [str(self.vocabulary[enough[i]]) for i in order[:n]]

    def prepare(self, peaks):
        """Nothing to do: the posts are in memory (a store's describer reads them)."""

    def coherences(self, asked, top=10):
        """:meth:`coherence` of each ``(words, peak)`` of ``asked``."""
        return [self.coherence(words, peak, top) for words, peak in asked]

    def coherence(self, words, peak, top=10):
        """Mean NPMI of the pairs of ``words``' first ``top`` in the posts near ``peak``.

        Every post counts, copies too, as in
        :func:`glipca.model.cooccurrence.coherence`; NaN for fewer than two words.
        """
        first = [w for w in list(words)[:top] if w in self.column]
        if len(first) < 2:
            return float("nan")
        period = self.windows.periods
        rows = np.flatnonzero((np.abs(period - peak) <= self.window) & (period >= 0))
        held = self.posts.words[rows][:, [self.column[w] for w in first]].astype(np.float64)
        return mean_pair_npmi((held.T @ held).toarray(), rows.size)


def _npmi_if_associated(both, n_story, totals, n_posts):
    """NPMI of each word with the story's posts, -inf where not associated.

    A word is associated when it shares more posts with the story than
    chance and the log-likelihood ratio ``G²`` of the 2 × 2 table exceeds
    ``log(n_posts)`` (as :func:`glipca.model.cooccurrence.association`).
    """
    k11 = both.astype(float)
    a, b, n = float(n_story), totals.astype(float), float(n_posts)
    cells = (k11, a - k11, b - k11, n - a - b + k11)
    expected = (a * b / n, a * (n - b) / n, (n - a) * b / n, (n - a) * (n - b) / n)
    g2 = np.zeros_like(k11)
    with np.errstate(divide="ignore", invalid="ignore"):
        for obs, exp in zip(cells, expected):
            g2 += np.where(obs > 0, obs * np.log(obs / exp), 0.0)
        g2 *= 2.0
        p = k11 / n
        value = (np.log(p) - np.log(a / n) - np.log(b / n)) / -np.log(p)
    value = np.where(k11 >= n, 1.0, value)
    associated = (k11 > 0) & (k11 * n > a * b) & (g2 > np.log(n)) & np.isfinite(value)
    return np.where(associated, np.clip(value, -1.0, 1.0), -np.inf)

