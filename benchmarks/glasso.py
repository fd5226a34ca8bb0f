"""Benchmark glipca's graphical lasso against scikit-learn's.

Data: ``p`` standardised planted word series over ``T = 61`` days (groups
of words sharing a Gaussian bump and a common jitter, counts drawn from the
posts, :func:`glipca.datasets.make_trend_series`); ``S`` is their
correlation matrix, singular since ``p > T``.

    python benchmarks/glasso.py                      # p = 200 ... 5000
    python benchmarks/glasso.py --sizes 200 600 --alpha 0.5
    python benchmarks/glasso.py --sklearn-max 1000   # skip sklearn above

Both solvers run at the same ``tol``; objectives and certified duality gaps
are computed by the same code for both.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.covariance import graphical_lasso as sk_graphical_lasso
from sklearn.exceptions import ConvergenceWarning

from glipca.datasets import make_trend_series
from glipca.model.glasso import dual_gap, graphical_lasso, objective, select_alpha
from glipca.model.series import standardize


def make_series(p, T=61, amplitude=(0.002, 0.005), seed=0):
    """Standardised planted word series, shape (p, T): groups of eight words
    share a bump (:func:`glipca.datasets.make_trend_series`). The default
    amplitude gives noisy series (median |correlation| 0.12, 99th
    percentile 0.74 at p = 500); larger ones give cleaner, harder ones."""
    planted = make_trend_series(p, words_per_trend=8, n_noise=0, n_periods=T,
                                amplitude=amplitude, seed=seed)
    return standardize(planted.frame).to_numpy().T


def _run_sklearn(S, alpha, tol, max_iter):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        try:
            _, prec = sk_graphical_lasso(S, alpha, tol=tol, max_iter=max_iter)
            status = "not converged" if caught else "ok"
        except FloatingPointError as exc:
            prec, status = None, f"failed: {exc}"
        return time.perf_counter() - start, prec, status


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
    args = parser.parse_args(argv)

    header = (f"{'p':>5} {'alpha':>5} {'solver':>8} {'time s':>8} "
              f"{'objective':>14} {'gap':>9} {'speed-up':>8}  status")
    print(header)
    print("-" * len(header))
    for p in args.sizes:
        X = make_series(p, amplitude=tuple(args.amplitude), seed=args.seed)
        S = X @ X.T / X.shape[1]
        for alpha in args.alpha:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                start = time.perf_counter()
                _, prec = graphical_lasso(S, alpha, tol=args.tol)
                ours = time.perf_counter() - start
            status = "not converged" if caught else "ok"
            f = objective(S, prec, alpha)
            print(f"{p:5d} {alpha:5.2f} {'glipca':>8} {ours:8.2f} {f:14.6f} "
                  f"{dual_gap(S, prec, alpha):9.2e} {'':>8}  {status}", flush=True)
            if p > args.sklearn_max:
                print(f"{p:5d} {alpha:5.2f} {'sklearn':>8} {'-':>8} {'-':>14} "
                      f"{'-':>9} {'-':>8}  skipped (p > --sklearn-max)")
                continue
            t_sk, prec_sk, status = _run_sklearn(S, alpha, args.tol,
                                                 args.sklearn_max_iter)
            if prec_sk is None:
                f_sk, gap_sk = float("nan"), float("nan")
            else:
                f_sk = objective(S, prec_sk, alpha)
                gap_sk = dual_gap(S, prec_sk, alpha)
            print(f"{p:5d} {alpha:5.2f} {'sklearn':>8} {t_sk:8.2f} {f_sk:14.6f} "
                  f"{gap_sk:9.2e} {t_sk / ours:7.1f}x  {status}", flush=True)
        if args.select:
            start = time.perf_counter()
            alpha, info = select_alpha(S, X.shape[1], criterion=args.criterion)
            took = time.perf_counter() - start
            print(f"{p:5d} select_alpha: {took:.2f} s, alpha {alpha:.3f}, "
                  f"{info['n_edges_chosen']} edges, {len(info['alphas'])} "
                  f"penalties fitted ({args.criterion})", flush=True)


if __name__ == "__main__":
    main()
