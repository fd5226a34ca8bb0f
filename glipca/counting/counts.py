"""Count words per period into a sparse period x word matrix.

Counting streams: posts are grouped in chunks, each chunk is read and
parsed (when it holds raw JSON lines) and tokenised, in worker processes with ``jobs >
1`` (:mod:`glipca.chunks`, :mod:`glipca.parallel`), and only the (period,
word) pairs of a bounded number of chunks are held before they are folded
into sparse matrices.  Memory grows with the vocabulary and the
count matrix, never with the number of posts.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from ..ingest import IngestReport, InputError, LineBatch, Post, post_digest
from ..progress import progress_bar
from .chunks import time_ns, work
from .parallel import map_tasks
from .postwords import PostCollector
from .periods import Periods as _Periods
from .periods import zone as _zone

__all__ = ["WordCounts", "VocabularyFlood", "count_words", "count_post_words"]

_CHUNK = 1 << 20  # (period, word) pairs held before folding them in
# pandas and scipy.sparse are imported where a matrix or an index is built,
# not with this module: a counting pool then starts its workers 0.45 s
# sooner, and this process imports them while the workers count.
_AFTER_COUNTING = ("scipy.sparse", "pandas")
# Posts per tokenising task: large enough that sending a task costs little
# next to tokenising it, small enough to keep workers evenly busy.
_TASK = 2000


@dataclass(eq=False)  # arrays have no single truth value to compare
class WordCounts:
    """Number of posts per period that contain each word.

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix of shape (n_periods, n_words), int64
        ``counts[t, j]``: posts of period ``t`` containing ``words[j]`` (a
        word counts once per post).
    words : list of str
        Column labels, sorted lexicographically (by code point).
    periods : pandas.DatetimeIndex
        Period starts, tz-aware and contiguous at ``freq``, including periods
        without posts.
    posts : numpy.ndarray of int64
        Posts per period, including posts without any word.
    freq : str
        Period length, as given to :func:`count_words`.
    tz : str
        Zone in which period boundaries were computed.
    """

    counts: sp.csr_matrix
    words: list
    periods: pd.DatetimeIndex
    posts: np.ndarray
    freq: str = "D"
    tz: str = "UTC"

    def __post_init__(self):
        import pandas as pd
        import scipy.sparse as sp

        self.counts = sp.csr_matrix(self.counts, dtype=np.int64)
        self.words = list(self.words)
        self.periods = pd.DatetimeIndex(self.periods)
        self.posts = np.asarray(self.posts, dtype=np.int64)
        shape = (len(self.periods), len(self.words))
        if self.counts.shape != shape:
            raise ValueError(f"counts has shape {self.counts.shape}, expected {shape}")
        if self.posts.shape != (shape[0],):
            raise ValueError(f"posts has shape {self.posts.shape}, expected ({shape[0]},)")

    @property
    def n_periods(self) -> int:
        """Number of periods (rows)."""
        return self.counts.shape[0]

    @property
    def n_words(self) -> int:
        """Number of words (columns)."""
        return self.counts.shape[1]

    def total(self) -> np.ndarray:
        """Posts containing each word, over all periods (int64)."""
        return np.asarray(self.counts.sum(axis=0), dtype=np.int64).ravel()

    def periods_present(self) -> np.ndarray:
        """Number of periods in which each word occurs (int64)."""
        c = self.counts.copy()
        c.eliminate_zeros()
        return np.bincount(c.indices, minlength=self.n_words).astype(np.int64)

    def prune(self, min_count=1, min_periods=1) -> "WordCounts":
        """Drop rare words.

        Parameters
        ----------
        min_count : int, default 1
            Keep words contained in at least this many posts in all.
        min_periods : int, default 1
            Keep words present in at least this many periods.

        Returns
        -------
        WordCounts
            A new object; periods and posts per period are unchanged.
        """
        keep = (self.total() >= min_count) & (self.periods_present() >= min_periods)
        idx = np.flatnonzero(keep)
        return WordCounts(
            counts=self.counts[:, idx].tocsr(),
            words=[self.words[i] for i in idx],
            periods=self.periods.copy(),
            posts=self.posts.copy(),
            freq=self.freq,
            tz=self.tz,
        )

    def to_frame(self) -> pd.DataFrame:
        """Dense DataFrame (index periods, columns words); for small data."""
        import pandas as pd

        frame = pd.DataFrame(self.counts.toarray(), index=self.periods, columns=self.words)
        frame.index.name = "period"
        return frame


# --------------------------------------------------------------------------
# Accumulation


class _Accumulator:
    """Folds (period, word id) pairs into sparse parts of bounded total size."""

    def __init__(self):
        self.parts = []  # (rows, cols, data) triples, rows as absolute keys
        self.stored = 0
        self.merged = 0
        self.post_counts = {}

    def add(self, keys, rows, cols, n_words):
        """Add posts (their period keys) and their (period key, word id) pairs."""
        if len(keys):
            uk, nk = np.unique(keys, return_counts=True)
            for k, c in zip(uk.tolist(), nk.tolist()):
                self.post_counts[k] = self.post_counts.get(k, 0) + c
        if len(cols):
            self.parts.append(_fold(rows, cols, np.ones(len(cols), dtype=np.int64), n_words))
            self.stored += len(self.parts[-1][0])
            # Merging when the parts have doubled keeps memory within a small
            # factor of the final matrix at amortised linear cost.
            if self.stored > 2 * self.merged + _CHUNK:
                self.merge(n_words)

    def merge(self, n_words):
        if len(self.parts) > 1:
            rows, cols, data = (np.concatenate(a) for a in zip(*self.parts))
            self.parts = [_fold(rows, cols, data, n_words)]
        self.stored = self.merged = len(self.parts[0][0]) if self.parts else 0


def _fold(rows, cols, data, n_words):
    """Sum duplicate (row, col) entries; rows may be any int64 keys."""
    import scipy.sparse as sp

    lo = int(rows.min())
    m = sp.coo_matrix((data, (rows - lo, cols)), shape=(int(rows.max()) - lo + 1, n_words))
    m = m.tocsr().tocoo()  # tocsr sums duplicates without sorting
    return m.row.astype(np.int64) + lo, m.col.astype(np.int64), m.data.astype(np.int64)


def count_words(posts, tokenizer, *, freq="D", tz="UTC", progress=False, report=None,
                jobs=1, drop_duplicates=False) -> WordCounts:
    """Count, per period, the posts that contain each word.

    :func:`count_post_words` counts alike and also keeps each post's words.

    Parameters
    ----------
    posts : iterable of Post or LineBatch
        Anything with ``time`` (aware datetime; naive ones are taken to be
        in ``tz``) and ``text``, or batches of raw JSON lines from
        :func:`glipca.ingest.read_batches`, which are parsed here (in the
        worker processes with ``jobs > 1``); consumed once.
    tokenizer : callable
        ``tokenizer(text) -> list of str``.
    freq : str, default "D"
        Period length: ``"D"``, ``"2D"``, ``"12h"``, ``"30min"``, ``"W"``,
        ``"W-MON"``, ``"MS"``... Boundaries are wall-clock times in ``tz``.
    tz : str, default "UTC"
        Zone (zoneinfo name) for period boundaries, e.g. ``"Asia/Tokyo"``.
    progress : bool, default False
        Show a progress bar with the posts counted per second on stderr,
        when it is a terminal (see :mod:`glipca.progress`).
    report : IngestReport, optional
        The report the posts are being read with.  Required for batches:
        what parsing them finds is added to it.  Its skip count is shown on
        the progress bar.
    jobs : int, default 1
        Processes that tokenise (and parse batches).  With ``jobs > 1`` the
        tokenizer must be picklable.  The result is the same for any number
        of jobs.
    drop_duplicates : bool, default False
        Leave out posts with the same time and text as an earlier one
        (counted in ``report.dropped``).

    Returns
    -------
    WordCounts

    Raises
    ------
    InputError
        From the posts, in input order whatever the number of jobs.
    """
    return _count(posts, tokenizer, freq, tz, progress, report, jobs, drop_duplicates, False)[0]


def count_post_words(posts, tokenizer, *, freq="D", tz="UTC", progress=False, report=None,
                     jobs=1, drop_duplicates=False, keep_posts=True, keep_words=None,
                     max_vocabulary=None):
    """Count as :func:`count_words` does, keeping each post's words too.

    Parameters
    ----------
    keep_words : callable, optional
        ``keep_words(words) -> bool array``: the words of a chunk to count;
        the others are left out of the counts and the posts' words (posts
        per period still count every post).  See :mod:`glipca.counting.flood`.
    max_vocabulary : int, optional
        Stop with :class:`VocabularyFlood` once more words than this are met.

    Returns
    -------
    counts : WordCounts
    posts : PostWords or None
        The posts counted, in input order, their words as columns of
        ``counts.words`` (:mod:`glipca.counting.postwords`); None without
        ``keep_posts``.
    """
    return _count(posts, tokenizer, freq, tz, progress, report, jobs, drop_duplicates, keep_posts,
                  keep_words, max_vocabulary)


class VocabularyFlood(Exception):
    """More distinct words than a counting pass was allowed to hold."""

    def __init__(self, n_words):
        super().__init__(f"more than {n_words} distinct words")
        self.n_words = n_words


def _count(posts, tokenizer, freq, tz, progress, report, jobs, drop_duplicates, keep_posts,
           keep_words=None, max_vocabulary=None):
    zone = _zone(tz)
    periods = _Periods(freq, zone)
    if report is None:
        report = IngestReport()
    vocab = {}
    setdefault = vocab.setdefault
    seen = set() if drop_duplicates else None
    acc = _Accumulator()
    held = []  # (keys, rows, cols) arrays not yet folded in
    n_held = 0
    kept = PostCollector() if keep_posts else None
    bar = progress_bar(progress, desc="counting", unit=" posts")
    tasks = _tasks(posts, periods.key, zone, drop_duplicates, keep_posts)
    try:
        for result in map_tasks(work, (tokenizer, periods, drop_duplicates, keep_posts), tasks, jobs,
                                after=_AFTER_COUNTING):
            if result.error is not None:
                raise result.error
            if result.report is not None:
                report.merge(result.report)
            keys = np.frombuffer(result.keys, dtype=np.int64)
            lens = np.frombuffer(result.lens, dtype=np.int32)
            ids = np.frombuffer(result.ids, dtype=np.int32)
            mask = None
            if seen is not None:
                keys, lens, ids, mask = _drop_seen(seen, result.digests, keys, lens, ids, report)
            if keep_words is None:
                # Local word ids -> global ones; ``len(vocab)`` is read before
                # each insertion, so a new word gets the next id.
                to_global = np.fromiter(
                    (setdefault(w, len(vocab)) for w in result.words), dtype=np.int64,
                    count=len(result.words)
                )
            else:
                to_global, lens, ids = _kept_words(keep_words, result.words, lens, ids, setdefault,
                                                   vocab)
            if max_vocabulary is not None and len(vocab) > max_vocabulary:
                raise VocabularyFlood(max_vocabulary)
            held.append((keys, np.repeat(keys, lens), to_global[ids]))
            if kept is not None:
                kept.add(result, mask, keys, lens, to_global[ids])
            n_held += len(ids) + len(keys)
            if n_held >= _CHUNK:
                acc.add(*(np.concatenate(a) for a in zip(*held)), len(vocab))
                held, n_held = [], 0
            bar.update(len(keys))
            bar.set_postfix(skipped=report.n_skipped, refresh=False)
        if held:
            acc.add(*(np.concatenate(a) for a in zip(*held)), len(vocab))
        acc.merge(len(vocab))
    finally:
        bar.close()
    counts, new_id, lo = _assemble(acc, vocab, periods, freq, tz)
    return counts, (kept.finish(new_id, lo, counts.n_words) if kept is not None else None)


def _kept_words(keep_words, words, lens, ids, setdefault, vocab):
    """Global ids of the ``words`` kept (-1 for the others), and the posts'
    ``lens`` and local ``ids`` less the words left out."""
    keep = np.asarray(keep_words(words), dtype=bool)
    to_global = np.full(len(words), -1, dtype=np.int64)
    for j in np.flatnonzero(keep).tolist():
        to_global[j] = setdefault(words[j], len(vocab))
    selected = keep[ids]
    if not selected.all():
        post = np.repeat(np.arange(len(lens)), lens)
        lens = np.bincount(post[selected], minlength=len(lens)).astype(np.int32)
        ids = ids[selected]
    return to_global, lens, ids


def _tasks(items, key, zone, digests, keep_posts):
    """Counting tasks, in input order: runs of posts, and batches as they come.

    An input error met while reading becomes a task too, so that it is
    raised only after every earlier task's own errors.
    """
    keys, texts, found, post_ids, times = array("q"), [], [], [], array("q")

    def flush():
        return ("texts", keys, texts, found if digests else None,
                post_ids if keep_posts else None, times if keep_posts else None)

    try:
        for item in items:
            if isinstance(item, LineBatch):
                if texts:
                    yield flush()
                    keys, texts, found, post_ids, times = array("q"), [], [], [], array("q")
                yield ("lines", item)
                continue
            t = item.time
            if t.tzinfo is None:
                t = t.replace(tzinfo=zone)
            keys.append(key(t))
            texts.append(item.text)
            if digests:
                found.append(post_digest(Post("", t, item.text)))
            if keep_posts:
                post_ids.append(item.id)
                times.append(time_ns(t))
            if len(texts) >= _TASK:
                yield flush()
                keys, texts, found, post_ids, times = array("q"), [], [], [], array("q")
    except InputError as err:
        if texts:
            yield flush()
        yield ("error", err)
        return
    if texts:
        yield flush()


def _drop_seen(seen, digests, keys, lens, ids, report):
    """Leave out posts whose digest was seen before (in input order)."""
    keep = np.ones(len(keys), dtype=bool)
    for i, d in enumerate(digests):
        if d in seen:
            keep[i] = False
        else:
            seen.add(d)
    n = int(len(keep) - keep.sum())
    if n == 0:
        return keys, lens, ids, None
    report.drop("duplicate", n)
    return keys[keep], lens[keep], ids[np.repeat(keep, lens)], keep


def _assemble(acc, vocab, periods, freq, tz):
    import scipy.sparse as sp

    words = list(vocab)
    n_words = len(words)
    # Columns sorted by word, so that the result does not depend on the
    # order in which words were first met.
    order = sorted(range(n_words), key=words.__getitem__)
    new_id = np.empty(n_words, dtype=np.int64)
    new_id[order] = np.arange(n_words, dtype=np.int64)
    words = [words[i] for i in order]

    if not acc.post_counts:
        import pandas as pd

        return WordCounts(
            counts=sp.csr_matrix((0, n_words), dtype=np.int64),
            words=words,
            periods=pd.DatetimeIndex([], tz=periods.zone),
            posts=np.zeros(0, dtype=np.int64),
            freq=str(freq),
            tz=str(tz),
        ), new_id, 0
    lo, hi = min(acc.post_counts), max(acc.post_counts)
    index = periods.index(lo, hi)  # first: it refuses a grid too large to allocate
    n_periods = hi - lo + 1
    posts = np.zeros(n_periods, dtype=np.int64)
    for k, c in acc.post_counts.items():
        posts[k - lo] = c
    if acc.parts:
        rows, cols, data = acc.parts[0]
        counts = sp.csr_matrix((data, (rows - lo, new_id[cols])), shape=(n_periods, n_words))
    else:
        counts = sp.csr_matrix((n_periods, n_words), dtype=np.int64)
    counts.sort_indices()
    return WordCounts(
        counts=counts,
        words=words,
        periods=index,
        posts=posts,
        freq=str(freq),
        tz=str(tz),
    ), new_id, lo
