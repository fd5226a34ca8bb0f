"""Benchmark glipca's graphical lasso against scikit-learn's.

Data: ``p`` standardised planted word series over ``T = 61`` days (groups
of words sharing a Gaussian bump and a common jitter, counts drawn from the
posts, :func:`glipca.datasets.make_trend_series`); ``S`` is their
correlation matrix, singular since ``p > T``.

    python benchmarks/glasso.py                      # p = 200 ... 5000
    python benchmarks/glasso.py --sizes 200 600 --alpha 0.5
    python benchmarks/glasso.py --sklearn-max 1000   # skip sklearn above
    python benchmarks/glasso.py --dense --sklearn-max 600

``--dense``: the dense blocks of real trends, where screening leaves large
blocks: groups of 50 words (12 at p = 600) share a bump, cleaner series
(amplitudes 0.002 to 0.004: median |correlation| 0.11, 99th percentile
0.83), and the cases p = 600 at alpha = 0.5, p = 1000 and 2000 at
alpha = 0.3 (``--sizes``/``--alpha`` are ignored).

Both solvers run at the same ``tol``; objectives and certified duality gaps
(:func:`glipca.model.glasso.dual_gap`) are computed by the same code for
both. Times are wall clock and, in brackets, this process's CPU time (which
a busy machine inflates less). The first case is solved twice: ``first``
is the first solve of this fresh process (whatever it loads or compiles
included), ``warm`` the same solve again; scikit-learn's speed-up is given
against both, and the line after them says what the first call cost above
the warm one.
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.covariance import graphical_lasso as sk_graphical_lasso
from sklearn.exceptions import ConvergenceWarning

from glipca.datasets import make_trend_series
from glipca.model.glasso import dual_gap, graphical_lasso, objective, select_alpha
from glipca.model.series import standardize


#: (p, alpha) of the dense case, and its series.
DENSE_CASES = [(600, 0.5), (1000, 0.3), (2000, 0.3)]
DENSE = {"words_per_trend": 50, "amplitude": (0.002, 0.004)}


def make_series(p, T=61, amplitude=(0.002, 0.005), words_per_trend=8, seed=0):
    """Standardised planted word series, shape (p, T): groups of
    ``words_per_trend`` words share a bump
    (:func:`glipca.datasets.make_trend_series`). The default amplitude gives
    noisy series (median |correlation| 0.12, 99th percentile 0.74 at
    p = 500); larger ones give cleaner, harder ones."""
    planted = make_trend_series(p, words_per_trend=words_per_trend, n_noise=0, n_periods=T,
                                amplitude=amplitude, seed=seed)
    return standardize(planted.frame).to_numpy().T


def _timed(solve):
    """``(wall s, CPU s, precision, status)`` of ``solve()``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            prec = solve()
            status = "not converged" if caught else "ok"
        except FloatingPointError as exc:
            prec, status = None, f"failed: {exc}"
        return time.perf_counter() - start, time.process_time() - cpu, prec, status


def _row(p, alpha, name, wall, cpu, f, gap, ratio, status):
    print(f"{p:5d} {alpha:5.2f} {name:>8} {wall:8.2f} {f'({cpu:.2f})':>9} {f:14.6f} "
          f"{gap:9.2e} {ratio:>8}  {status}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[200, 500, 1000, 2000, 5000])
    parser.add_argument("--alpha", type=float, nargs="+", default=[0.5])
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--sklearn-max", type=int, default=1000,
                        help="skip scikit-learn above this p (it takes minutes)")
    parser.add_argument("--sklearn-max-iter", type=int, default=100)
    parser.add_argument("--select", action="store_true",
                        help="also time select_alpha (with its fit at the choice)")
    parser.add_argument("--criterion", default="block", choices=["block", "bic", "ebic"],
                        help="select_alpha criterion for --select (GLIPCA uses block)")
    parser.add_argument("--amplitude", type=float, nargs=2, default=[0.002, 0.005],
                        help="range of the planted trends' amplitudes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dense", action="store_true",
                        help="the dense case (groups of 50 words; see above)")
    args = parser.parse_args(argv)

    print(f"{os.cpu_count()} CPUs, load average %.2f, %.2f, %.2f" % os.getloadavg())
    header = (f"{'p':>5} {'alpha':>5} {'solver':>8} {'wall s':>8} {'(CPU s)':>9} "
              f"{'objective':>14} {'gap':>9} {'speed-up':>8}  status")
    print(header)
    print("-" * len(header))
    if args.dense:
        cases, series = DENSE_CASES, DENSE
    else:
        cases = [(p, alpha) for p in args.sizes for alpha in args.alpha]
        series = {"amplitude": tuple(args.amplitude)}
    made = {}
    for p, alpha in cases:
        if p not in made:
            made = {p: make_series(p, seed=args.seed, **series)}
        X = made[p]
        S = X @ X.T / X.shape[1]
        runs = []  # (name, wall): the first case twice, the process's first solve and a warm one
        for name in ["first", "warm"] if (p, alpha) == cases[0] else ["glipca"]:
            wall, cpu, prec, status = _timed(lambda: graphical_lasso(S, alpha, tol=args.tol)[1])
            f = objective(S, prec, alpha)
            _row(p, alpha, name, wall, cpu, f, dual_gap(S, prec, alpha), "", status)
            runs.append((name, wall))
        if len(runs) == 2:
            print(f"{p:5d} {alpha:5.2f} first solve of the process: {runs[0][1] - runs[1][1]:+.3f} s "
                  f"against the warm one", flush=True)
        if p > args.sklearn_max:
            print(f"{p:5d} {alpha:5.2f} {'sklearn':>8} {'-':>8} {'-':>9} {'-':>14} "
                  f"{'-':>9} {'-':>8}  skipped (p > --sklearn-max)")
        else:
            wall_sk, cpu_sk, prec_sk, status = _timed(lambda: sk_graphical_lasso(
                S, alpha, tol=args.tol, max_iter=args.sklearn_max_iter)[1])
            f_sk = gap_sk = float("nan")
            if prec_sk is not None:
                f_sk, gap_sk = objective(S, prec_sk, alpha), dual_gap(S, prec_sk, alpha)
            _row(p, alpha, "sklearn", wall_sk, cpu_sk, f_sk, gap_sk,
                 f"{wall_sk / runs[-1][1]:7.1f}x", f"{status}; objective {f_sk - f:+.2e} vs glipca")
            if len(runs) == 2:
                print(f"{p:5d} {alpha:5.2f} scikit-learn's time: {wall_sk / runs[0][1]:.1f}x the "
                      f"first solve, {wall_sk / runs[1][1]:.1f}x the warm one", flush=True)
        if args.select and (p, alpha) == [c for c in cases if c[0] == p][-1]:
            start = time.perf_counter()
            chosen, info = select_alpha(S, X.shape[1], criterion=args.criterion)
            took = time.perf_counter() - start
            print(f"{p:5d} select_alpha: {took:.2f} s, alpha {chosen:.3f}, "
                  f"{info['n_edges_chosen']} edges, {len(info['alphas'])} "
                  f"penalties fitted ({args.criterion})", flush=True)


if __name__ == "__main__":
    main()
