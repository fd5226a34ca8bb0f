"""Time a full ``GLIPCA().fit`` (penalty selection included) as ``p`` grows.

Data: ``p`` word series over ``T = 61`` days that look like real candidate
trend words (:func:`glipca.datasets.make_trend_series`): groups of words of
heavy-tailed sizes share a Gaussian bump (a random peak day, a width of 1.5
to 3 days, and a day-to-day jitter common to the group) and are drawn from
the group's posts, a share of words are noise only, and some words are
near-duplicates of another (in 97 % of its posts, like "hillary" /
"clinton"). Nothing about the truth is passed to the estimator.

    python benchmarks/glipca_scale.py                  # p = 1000, 2000, 5000
    python benchmarks/glipca_scale.py --sizes 5000 --seed 1
    python benchmarks/glipca_scale.py --csv series.csv # a real (T x p) table

For each size it prints the total time and its split (the first two timed
again after the fit, see ``_stage_times``): penalty selection
(``select_alpha``), the final graphical lasso fit, and clustering
(``iterative_pca`` with its local refits, shared words, description), plus
the chosen penalty, the largest screening block, the graph's edges, the
clusters found, the words in them and, on synthetic data, the adjusted Rand
index of the clusters against the planted events (over clustered words).
"""

import argparse
import os
import time

import numpy as np
import pandas as pd

from glipca import GLIPCA
from glipca.datasets import make_trend_series
from glipca.model.glasso import graphical_lasso, screening_blocks, select_alpha


def make_word_series(p, T=61, *, noise_share=0.2, dup_share=0.03, mean_group=12,
                     seed=0):
    """Relative frequencies of ``p`` words over ``T`` days, shape (T, p).

    Returns ``(series, events)``: a DataFrame with one column per word and
    the event index of every word (-1 for noise-only words).
    """
    n_dup = int(round(dup_share * p))
    n_noise = int(round(noise_share * p))
    planted = make_trend_series(p - n_dup - n_noise, words_per_trend=mean_group,
                                heavy_tailed=True, n_noise=n_noise, n_duplicates=n_dup,
                                n_periods=T, start="2016-10-01", amplitude=(0.003, 0.01),
                                posts_per_period=(16000, 24000), weekly=0.3, seed=seed)
    events = np.array([planted.label_of(w) for w in planted.words])
    return planted.frame, events


def _stage_times(model, n_samples):
    """Penalty selection and final fit of ``model``, timed again on their own.

    ``GLIPCA.fit`` runs ``select_alpha(criterion="block")``, which returns the
    graphical lasso fit at its choice. Repeating that call and the fit alone
    on the fitted correlation matrix splits it into the selection proper and
    the final fit; what remains of the fit's total is clustering.
    """
    corr = model.correlation_
    start = time.perf_counter()
    select_alpha(corr, n_samples, criterion="block", tol=model.tol,
                 max_iter=model.max_iter, return_estimates=True)
    both = time.perf_counter() - start
    start = time.perf_counter()
    graphical_lasso(corr, model.alpha_, tol=model.tol, max_iter=model.max_iter)
    final = time.perf_counter() - start
    return both - final, final


def _largest_block(corr, alpha):
    _, labels = screening_blocks(corr, alpha)
    return int(np.bincount(labels).max())


def _ari(model, events):
    """Adjusted Rand index against the planted events, over clustered words."""
    if events is None:
        return "-"
    from sklearn.metrics import adjusted_rand_score

    found = model.labels_ >= 0
    if found.sum() < 2:
        return "0.00"
    return f"{adjusted_rand_score(events[found], model.labels_[found]):.2f}"


def run(series, label, events=None):
    start = time.perf_counter()
    model = GLIPCA().fit(series)
    total = time.perf_counter() - start
    p = series.shape[1]
    select, final = _stage_times(model, series.shape[0])
    clustering = total - select - final
    block = _largest_block(model.correlation_, model.alpha_)
    edges = int(np.count_nonzero(np.triu(model.partial_correlation_, 1)))
    sizes = sorted((c.size for c in model.clusters_), reverse=True)
    print(f"{label:>10} {p:6d} {total:8.1f} {select:8.1f} {final:8.1f} "
          f"{clustering:8.1f} {model.alpha_:6.3f} {block:6d} {edges:7d} "
          f"{len(model.clusters_):5d} {int((model.labels_ >= 0).sum()):6d} "
          f"{_ari(model, events):>5}  {sizes[:5]}", flush=True)
    return model, total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", help="a (periods x words) table of real series; "
                        "the first --sizes words are used")
    args = parser.parse_args(argv)
    try:
        load = "load average %.2f, %.2f, %.2f" % os.getloadavg()
    except OSError:
        load = "load unknown"
    print(f"{os.cpu_count()} CPUs, {load}")
    header = (f"{'data':>10} {'p':>6} {'total s':>8} {'select':>8} {'final':>8} "
              f"{'cluster':>8} {'alpha':>6} {'block':>6} {'edges':>7} {'found':>5} {'words':>6} "
              f"{'ARI':>5}  "
              "largest clusters")
    print(header)
    print("-" * len(header))
    real = pd.read_csv(args.csv, index_col=0) if args.csv else None
    for p in args.sizes:
        if real is not None:
            series = real.iloc[:, :p]
            run(series, "real")
        else:
            series, events = make_word_series(p, seed=args.seed)
            run(series, "synthetic", events)
    try:
        print("load average at the end %.2f, %.2f, %.2f" % os.getloadavg())
    except OSError:
        pass


if __name__ == "__main__":
    main()
