"""How much to trust each trend cluster: a bootstrap over days.

A cluster that reflects a real event is found again when some days are left
out: its words keep rising and falling together. A cluster forced out of
noise depends on a few coincidences and falls apart. The score of a cluster
is the fraction of resamples in which its core words (the most central
ones) come out together in one cluster.

Resampling days follows the subsampling bootstrap of Politis & Romano (1994)
and stability selection (Meinshausen & Bühlmann, 2010). What does not change
between resamples is prepared once: the days of every resample (drawn up
front, so that they do not depend on how many run), the fixed penalty, the
cores' columns, and the series, sent once to each worker process. Each refit
standardises its days and screens its correlations into blocks again: both
depend on the days kept and cost little next to the solver. Resamples stop
early once every score is settled (:func:`settled`). Each refit starts the
solver afresh, as the full fit did: a warm start from the full fit
(``cov_init``) is faster, but where the data barely determine a partial
correlation it inherits the full fit's links, and on real word series that
changes many resample outcomes (docs/performance.md).
"""

from __future__ import annotations

import copy
import functools
import time
import warnings
from contextlib import closing

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from ..counting.parallel import map_tasks
from ..progress import progress_bar
from .cluster import GLIPCA
from .cooccurrence import association, cooccurrence_groups, npmi
from .glasso.solver import one_blas_thread

__all__ = ["cluster_stability", "settled", "PostsRoute", "kept_posts", "draw_samples"]

#: Probability with which an early score is within the tolerance.
LEVEL = 0.95
#: CPU seconds of resampling left, as measured on the first resample, below
#: which worker processes are not started: the first pool of a process
#: starts the server its workers are forked from, which imports scipy and
#: scikit-learn (about 2 s of CPU; :mod:`glipca.counting.parallel`).
POOL_MIN_SECONDS = 4.0


def _words_of(cluster):
    return list(cluster.words) if hasattr(cluster, "words") else list(cluster)


@functools.lru_cache(maxsize=4096)
def settled(found, done, n_resamples, tolerance, level=LEVEL):
    """Whether a score is known to ``±tolerance`` before all resamples are run.

    After ``done`` of ``n_resamples`` resamples, ``found`` of which found
    the cluster's core together, the remaining ones are predicted from a
    Jeffreys posterior ``Beta(found + 1/2, done - found + 1/2)`` on the
    cluster's rate (a beta-binomial count). The score is settled when, with
    probability at least ``level``, the score of all ``n_resamples`` would
    be within ``tolerance`` of ``found / done``.

    A bound on the rate itself cannot be met by 20 resamples: even 20 out of
    20 leave its 95 % interval wider than 0.1 (it takes 59). So the
    tolerance is on what the requested number of resamples would say.

    Returns
    -------
    bool
    """
    from scipy.stats import betabinom

    if done >= n_resamples:
        return True
    if tolerance <= 0 or done == 0:
        return False
    left = n_resamples - done
    more = np.arange(left + 1)
    final = (found + more) / n_resamples
    prob = betabinom.pmf(more, left, found + 0.5, done - found + 0.5)
    close = np.abs(final - found / done) <= tolerance + 1e-12
    return bool(prob[close].sum() >= level)


def cluster_stability(series, clusters, *, alpha, n_resamples=20, fraction=0.8, top_k=5,
                      seed=0, glipca_params=None, cov_init=None, tolerance=0.05, jobs=1,
                      progress=False, return_n_resamples=False, posts=None, return_found=False):
    """Bootstrap stability score of each cluster.

    Each resample keeps a random ``fraction`` of the periods (without
    replacement, so that no day counts twice and inflates a correlation) and
    refits :class:`glipca.GLIPCA` on the same words with the penalty fixed
    to ``alpha``.

    Parameters
    ----------
    series : DataFrame of shape (n_periods, n_words)
        The series the clusters were found in (candidate words).
    clusters : list of TrendCluster or list of list of str
        Clusters, words most central first.
    alpha : float
        Graphical lasso penalty, normally the fitted ``GLIPCA.alpha_``:
        choosing it again in every resample would cost a whole path.
    n_resamples : int, default=20
        Most resamples; the score moves in steps of ``1 / n_resamples``.
    fraction : float, default=0.8
        Share of periods each resample keeps.
    top_k : int, default=5
        Core words per cluster: its ``top_k`` most central words.
    seed : int, default=0
        Seed of the resampling; the scores are a deterministic function of
        the arguments, whatever ``jobs``.
    glipca_params : dict, optional
        Other :class:`glipca.GLIPCA` parameters (as ``get_params()`` gives
        them). ``local_refit`` is always off: it chooses a penalty for each
        group by a path of its own and would make every refit several times
        slower, while it only decides how groups split, not which words a
        cluster's core sits with.
    cov_init : array of shape (n_words, n_words), optional
        Where every refit's graphical lasso starts, normally the full fit's
        ``GLIPCA.covariance_`` (same words, same order).
    tolerance : float, default=0.05
        Stop once every score is settled to ``±tolerance`` (:func:`settled`);
        0 runs all ``n_resamples``.
    jobs : int, default=1
        Worker processes; they are started only when the first resample
        shows that the rest would take more than a few seconds.
    progress : bool, default False
        Show the resamples on a progress bar (:mod:`glipca.progress`).
    return_n_resamples : bool, default False
        Also return the number of resamples run.
    posts : callable, optional
        ``posts(keep, skip) -> array of bool``: which clusters the posts of
        the kept periods find again, those of ``skip`` (found already) aside
        (:class:`PostsRoute`); a cluster counts as found in a resample when
        the refit or its posts find it.
    return_found : bool, default False
        Also return which clusters each resample run found (implies
        ``return_n_resamples``).

    Returns
    -------
    scores : ndarray of shape (n_clusters,)
        Scores in [0, 1].
    n_run : int
        Only with ``return_n_resamples``.
    found : ndarray of bool, shape (n_run, n_clusters)
        Only with ``return_found``.
    """
    _check_arguments(fraction, n_resamples, top_k, tolerance)
    cores = [_words_of(c)[:top_k] for c in clusters]
    if not cores:
        empty = (np.zeros(0), 0, np.zeros((0, 0), dtype=bool))
        return empty if return_found else empty[:2] if return_n_resamples else empty[0]
    series = pd.DataFrame(series)
    samples = draw_samples(series.shape[0], fraction, n_resamples, seed)
    state = _shared_state(series, cores, alpha, glipca_params, cov_init)
    found = _count_together(state, samples, jobs, tolerance, progress, posts)
    done = len(found)
    scores = found.sum(axis=0) / done
    if return_found:
        return scores, done, found
    return (scores, done) if return_n_resamples else scores


def _check_arguments(fraction, n_resamples, top_k, tolerance):
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    if top_k < 2:
        raise ValueError(f"top_k must be at least 2, got {top_k}")
    if not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be in [0, 1), got {tolerance}")


def draw_samples(n_periods, fraction, n_resamples, seed):
    """The sorted periods each resample keeps."""
    n_keep = max(3, int(round(fraction * n_periods)))
    rng = np.random.default_rng(seed)
    # Drawn up front, in the order of the original sequential loop, so that
    # which days a resample keeps does not depend on how many ran.
    return [np.sort(rng.choice(n_periods, size=n_keep, replace=False))
            for _ in range(n_resamples)]


def _shared_state(series, cores, alpha, glipca_params, cov_init):
    """What every resample needs, sent once to each worker: the series, the
    cores' columns, the unfitted estimator and the solver's start."""
    position = {str(w): i for i, w in enumerate(series.columns)}
    params = dict(glipca_params or {})
    params.update(alpha=float(alpha), local_refit=False)
    return (
        series.to_numpy(dtype=float),
        [np.array([position[str(w)] for w in core]) for core in cores],
        GLIPCA(**params),
        None if cov_init is None else np.asarray(cov_init, dtype=float),
    )


def _count_together(state, samples, jobs, tolerance, progress, posts=None):
    """Which cores each resample run found together (n_run × n_cores)."""
    n_resamples = len(samples)
    together = np.zeros(len(state[1]), dtype=np.int64)
    rows = []
    # Closing the results stops the workers at once when the scores settle.
    with progress_bar(progress, desc="stability", total=n_resamples, unit=" resamples") as bar, \
            closing(_results(state, samples, jobs)) as results:
        for found in results:
            if posts is not None:
                # Resamples come back in order: this one kept samples[done].
                # The posts are read only for the clusters the series missed.
                found = found | np.asarray(posts(samples[len(rows)], skip=found.astype(bool)),
                                           dtype=bool)
            found = np.asarray(found, dtype=np.int64)
            together += found
            rows.append(found.astype(bool))
            bar.update()
            if all(settled(int(s), len(rows), n_resamples, float(tolerance)) for s in together):
                break
    return np.array(rows, dtype=bool).reshape(len(rows), len(together))


def _results(state, samples, jobs):
    """Each resample's result, in order; in workers once they are worth starting."""
    # CPU time, not wall time: on a busy machine a small refit can take
    # seconds of wall time, and workers would only add to the load.
    start = time.process_time()
    yield _resample(state, samples[0])
    rest = samples[1:]
    if jobs > 1 and (time.process_time() - start) * len(rest) > POOL_MIN_SECONDS:
        yield from map_tasks(_resample, state, rest, jobs)
    else:
        for keep in rest:
            yield _resample(state, keep)


def _resample(state, keep):
    """Whether each cluster's core words come out together in one refit."""
    values, cores, template, cov_init = state
    sample = values[keep]
    # A word seen on only a few days can be constant on a resample; it
    # cannot be clustered there, which counts against its cluster.
    varying = sample.std(axis=0) > 0
    labels = np.full(values.shape[1], -1)
    if varying.sum() >= 2:
        start = None if cov_init is None else cov_init[np.ix_(varying, varying)]
        # One thread: the matrices are small, and several BLAS threads on a
        # busy machine make each refit many times slower, not faster.
        with one_blas_thread(), warnings.catch_warnings():
            # A refit that stops short of the solver's tolerance still gives
            # its clusters; one warning per resample would only be noise.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = clone(template).fit(sample[:, varying], cov_init=start)
        labels[varying] = model.labels_
    found = np.zeros(len(cores), dtype=np.int64)
    for i, core in enumerate(cores):
        first = labels[core[0]]
        found[i] = first >= 0 and bool(np.all(labels[core] == first))
    return found


def kept_posts(windows, keep):
    """``windows`` with the posts of the periods not in ``keep`` left out.

    The matrix and texts are shared, not copied: only the periods change.
    """
    out = copy.copy(windows)
    kept = np.zeros(int(windows.periods.max(initial=-1)) + 1, dtype=bool)
    kept[np.asarray(keep)[np.asarray(keep) < kept.size]] = True
    inside = windows.periods >= 0
    inside[inside] = kept[windows.periods[inside]]
    out.periods = np.where(inside, windows.periods, -1)
    valid = out.periods[inside]
    out.posts_per_period = np.bincount(valid, minlength=kept.size) if valid.size else \
        np.zeros(0, int)
    return out


class PostsRoute:
    """Which clusters the posts of a resample's periods find again.

    The co-occurrence method makes a cluster from the posts too: the words
    its posts put in one group (:meth:`CooccurrenceSplit.split`) stay
    together, and words the series leave out are regrouped with their post
    partners (:mod:`glipca.model.orphans`). So a cluster is found again in
    a resample when the words of its core that the posts of the whole data
    put in one group still come out in one group, by the same test, in the
    posts of the kept periods near the cluster's peak. A core the posts of
    the whole data do not hold together has no such route.

    Parameters
    ----------
    windows : PostWindows
    cores : list of list of str
        Core words of each cluster (most central first).
    peaks : list of int
        Peak position of each cluster.
    test : CooccurrenceSplit
    posts : PostWindows, optional
        Windows of every post holding a core word, where ``windows`` may
        hold fewer (those of a store hold the posts with two story words);
        by default ``windows``.
    """

    def __init__(self, windows, cores, peaks, test, posts=None):
        self.windows, self.peaks, self.test = windows, list(peaks), test
        self.groups = [self._main_group(windows, core, peak) for core, peak in zip(cores, peaks)]
        # Each group's posts near its peak, kept apart: a resample then
        # only drops rows of these small tables.
        posts = windows if posts is None else posts
        self.tables = [None if g is None else self._table(posts, g, p)
                       for g, p in zip(self.groups, self.peaks)]

    def _main_group(self, windows, core, peak):
        groups = self.test.split(windows, list(core), peak)
        return max(groups, key=len) if groups else None

    def _table(self, windows, group, peak):
        """The posts near ``peak`` holding a word of ``group``: their periods, which
        words each holds (dense: a few hundred posts) and their copy keys."""
        rows, b = windows.incidence(group, peak, self.test.window)
        keys = None if windows.keys is None else windows.keys[rows]
        return windows.periods[rows], b.toarray() > 0, keys

    def __call__(self, keep, skip=None):
        """Which clusters the posts of the periods ``keep`` find again (False for ``skip``)."""
        kept = np.zeros(self.windows.posts_per_period.size, dtype=bool)
        keep = np.asarray(keep)
        kept[keep[keep < kept.size]] = True
        per_period = np.where(kept, self.windows.posts_per_period, 0)
        window = self.test.window
        found = np.zeros(len(self.groups), dtype=bool)
        for i, (group, table, peak) in enumerate(zip(self.groups, self.tables, self.peaks)):
            if group is None or (skip is not None and skip[i]):
                continue
            periods, held, keys = table
            inside = kept[np.clip(periods, 0, kept.size - 1)] & (periods >= 0)
            n_posts = int(per_period[max(peak - window, 0):max(peak + window + 1, 0)].sum())
            found[i] = self._holds(held[inside], None if keys is None else keys[inside], n_posts)
        return found

    def _holds(self, held, keys, n_posts):
        """Whether the split keeps all of a group's words in one group: what
        :meth:`CooccurrenceSplit.split` does, on the group's own posts."""
        test = self.test
        b = held.astype(np.float64)
        counts = b.T @ b
        adj = association(counts, n_posts, min_npmi=test.min_npmi, min_shared=test.min_shared)
        similarity = np.where(adj, npmi(counts, n_posts), -1.0)
        groups = cooccurrence_groups(similarity, test.threshold)
        if not groups or len(groups[0]) != held.shape[1]:
            return False
        # At least min_posts distinct posts hold two of its words.
        two = held.sum(axis=1) >= 2
        n = int(two.sum()) if keys is None else (
            int(np.unique(keys[two], axis=0).shape[0]) if two.any() else 0)
        return n >= test.min_posts
