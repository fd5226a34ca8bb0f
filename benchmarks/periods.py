"""How each stage's time grows with the number of periods T.

Data: 2,000 planted trend words (trends of heavy-tailed sizes, 12 words on
average, as in ``benchmarks/glipca_scale.py``), 50 near-duplicates and 200
noise words (:func:`glipca.datasets.make_trend_series`), the same model at
every T: daily periods for T = 61 and 365, hourly periods with a daily
rhythm of posting (5x more posts at 20:00 than at 08:00) for T = 2,160 and
8,760.

    python benchmarks/periods.py                       # T = 61 365 2160 8760
    python benchmarks/periods.py --periods 365 2160 --words 500
    python benchmarks/periods.py --skip stability      # without the bootstrap

Stages: building the series from counts (``relative_frequency``), the
single-peak test, ``GLIPCA.fit`` split into the graphical lasso (penalty
choice and fit) and clustering (correlation included), the hierarchy of
clusters, the bootstrap stability (20 resamples) and figures (five cluster
figures and the heat map, rendered to PNG). The series and the peak test,
short and deterministic, are timed as the best of three runs. For each
stage it prints the time at every T, the ratio of the last T to T = 365 (or
the first T), and the growth exponent ``log(t2 / t1) / log(T2 / T1)``
between consecutive T.
"""

import argparse
import math
import os
import time

import numpy as np
import scipy.sparse as sp

from glipca import GLIPCA
from glipca.counting.counts import WordCounts
from glipca.datasets import make_trend_series
from glipca.model.cluster import estimator
from glipca.model.hierarchy import cluster_hierarchy
from glipca.model.series import SinglePeakTest, relative_frequency
from glipca.model.stability import cluster_stability
from glipca.report.plots import plot_cluster_series, plot_heatmap, png_bytes

STAGES = ("series", "peak test", "glasso", "clustering", "hierarchy", "stability", "figures")


class _GlassoTimer:
    """Time spent in the graphical lasso (penalty choice and fit) inside
    ``GLIPCA.fit``; the rest of the fit is clustering."""

    def __enter__(self):
        self.seconds = 0.0
        self.saved = {name: getattr(estimator, name) for name in ("select_alpha", "graphical_lasso")}
        for name, func in self.saved.items():
            setattr(estimator, name, self._timed(func))
        return self

    def _timed(self, func):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
        return wrapper

    def __exit__(self, *exc):
        for name, func in self.saved.items():
            setattr(estimator, name, func)


def _best_of(n, func, *args, **kwargs):
    """Result and shortest time of ``n`` calls: short stages on a shared
    machine vary by more than their own length."""
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        out = func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return out, best


def word_counts(planted):
    """The planted counts as :class:`WordCounts` (words sorted, as counting gives them)."""
    order = np.argsort(planted.words)
    return WordCounts(counts=sp.csr_matrix(planted.counts[:, order]),
                      words=[planted.words[i] for i in order], periods=planted.index,
                      posts=planted.posts, freq=planted.index.freqstr, tz="UTC")


def run(T, n_words, seed, skip=(), jobs=2):
    hourly = T > 400
    planted = make_trend_series(n_words, words_per_trend=12, heavy_tailed=True, n_noise=200,
                                n_duplicates=n_words // 40, amplitude=(0.003, 0.01), n_periods=T,
                                freq="h" if hourly else "D", daily_cycle=0.67 if hourly else 0.0,
                                seed=seed)
    counts = word_counts(planted)
    times = {}
    series, times["series"] = _best_of(3, relative_frequency, counts, max_words=n_words + 200)
    tests, times["peak test"] = _best_of(3, SinglePeakTest(), series)
    candidates = series.loc[:, tests["is_trend"].to_numpy()]
    start = time.perf_counter()
    with _GlassoTimer() as glasso:
        model = GLIPCA().fit(candidates)
    times["glasso"] = glasso.seconds
    times["clustering"] = time.perf_counter() - start - glasso.seconds
    start = time.perf_counter()
    signals = np.column_stack([c.signal for c in model.clusters_])
    cluster_hierarchy(signals)
    times["hierarchy"] = time.perf_counter() - start
    start = time.perf_counter()
    if "stability" not in skip:
        _, n_resamples = cluster_stability(candidates, model.clusters_, alpha=model.alpha_,
                                           glipca_params=model.get_params(), jobs=jobs,
                                           return_n_resamples=True)
        print(f"T = {T:5d}: stability stopped after {n_resamples} resamples", flush=True)
    times["stability"] = time.perf_counter() - start
    start = time.perf_counter()
    for c in model.clusters_[:5]:
        png_bytes(plot_cluster_series(candidates, c.words, peak=c.peak))
    words = [w for c in model.clusters_[:20] for w in c.words[:5]]
    png_bytes(plot_heatmap(candidates, words))
    times["figures"] = time.perf_counter() - start
    found = int((tests["is_trend"]).sum())
    print(f"T = {T:5d}: {found} candidates, alpha {model.alpha_:.3f}, "
          f"{len(model.clusters_)} clusters, total {sum(times.values()):.1f} s; "
          + ", ".join(f"{k} {v:.2f}" for k, v in times.items()), flush=True)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--periods", type=int, nargs="+", default=[61, 365, 2160, 8760])
    parser.add_argument("--words", type=int, default=2000, help="planted trend words")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2,
                        help="processes of the stability resamples, as glipca analyse --jobs")
    parser.add_argument("--skip", nargs="*", default=[], choices=["stability"],
                        help="stages not to run (their time shows as 0)")
    args = parser.parse_args(argv)
    try:
        print(f"{os.cpu_count()} CPUs, load average %.2f, %.2f, %.2f" % os.getloadavg())
    except OSError:
        pass
    results = {T: run(T, args.words, args.seed, args.skip, args.jobs) for T in args.periods}
    Ts = list(results)
    base = 365 if 365 in Ts else Ts[0]
    header = f"{'stage':>11} " + " ".join(f"{f'T={T}':>9}" for T in Ts)
    header += f" {f'x vs {base}':>9}  exponents"
    print(header)
    print("-" * len(header))
    for stage in STAGES + ("total",):
        t = [sum(results[T].values()) if stage == "total" else results[T][stage] for T in Ts]
        ratio = t[-1] / max(t[Ts.index(base)], 1e-9)
        exps = [math.log(max(b, 1e-9) / max(a, 1e-9)) / math.log(T2 / T1)
                for a, b, T1, T2 in zip(t, t[1:], Ts, Ts[1:])]
        print(f"{stage:>11} " + " ".join(f"{x:9.2f}" for x in t)
              + f" {ratio:9.1f}  " + " ".join(f"{e:5.2f}" for e in exps))
    try:
        print("load average at the end %.2f, %.2f, %.2f" % os.getloadavg())
    except OSError:
        pass


if __name__ == "__main__":
    main()
