"""Benchmark glipca's graphical lasso against scikit-learn's.

Data: ``p`` standardised planted word series over ``T = 61`` days (groups
of words sharing a Gaussian bump and a common jitter, counts drawn from the
posts, :func:`glipca.datasets.make_trend_series`); ``S`` is their
correlation matrix, singular since ``p > T``.

    python benchmarks/glasso.py                      # p = 200 ... 5000
    python benchmarks/glasso.py --sizes 200 600 --alpha 0.5
    python benchmarks/glasso.py --sklearn-max 1000   # skip sklearn above
    python benchmarks/glasso.py --dense --sklearn-max 600
    python benchmarks/glasso.py --dense --quic-python /path/to/venv/bin/python

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

``--quic-python``: also QUIC (Hsieh et al., 2014; the C++ Newton solver as
packaged by skggm's ``inverse_covariance.pyquic``), run by that Python
interpreter in a child process on the same ``S`` (saved as ``.npy``), at
the same ``tol`` and a zero penalty on the diagonal, as the others. Its
time is taken around the solver call alone, in the child; its objective
and gap by the code above. skggm is old and not a dependency of glipca:
it builds against NumPy < 2 and LAPACK (``apt install liblapack-dev``),
in a virtual environment of its own.
"""

import argparse
import json
import os
import subprocess
import tempfile
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


#: Run by the QUIC interpreter: solve ``S`` (a .npy file), save the precision.
_QUIC_SOLVE = r"""
import glob, importlib.util, json, os, sys, time
import numpy as np
# The package's __init__ imports scikit-learn modules that no longer exist:
# load the compiled solver alone.
where = os.path.dirname(importlib.util.find_spec("inverse_covariance").origin)
so = glob.glob(os.path.join(where, "pyquic", "pyquic*.so"))[0]
spec = importlib.util.spec_from_file_location("pyquic", so)
pyquic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pyquic)
tmp, alpha, tol, max_iter = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
S = np.ascontiguousarray(np.load(os.path.join(tmp, "S.npy")))
p = S.shape[0]
lam = np.full((p, p), alpha)
np.fill_diagonal(lam, 0.0)
theta, sigma = np.eye(p), np.eye(p)
opt, cputime, gap = np.zeros(1), np.zeros(1), np.zeros(1)
iters = np.zeros(1, dtype=np.uint32)
start, cpu = time.perf_counter(), time.process_time()
pyquic.quic(b"default", p, S, lam, 1, np.empty(1), tol, 0, max_iter, theta, sigma, opt,
            cputime, iters, gap)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
np.save(os.path.join(tmp, "theta.npy"), theta)
print(json.dumps({"wall": wall, "cpu": cpu, "iters": int(iters[0])}))
"""


def _quic(python, S, alpha, tol, max_iter=1000):
    """``(wall s, CPU s, precision, status)`` of QUIC in a child ``python``."""
    with tempfile.TemporaryDirectory() as tmp:
        np.save(os.path.join(tmp, "S.npy"), S)
        out = subprocess.run([python, "-c", _QUIC_SOLVE, tmp, str(alpha), str(tol),
                              str(max_iter)], capture_output=True, text=True)
        if out.returncode:
            return float("nan"), float("nan"), None, f"failed: {out.stderr.strip()[-200:]}"
        info = json.loads(out.stdout.strip().splitlines()[-1])
        prec = np.load(os.path.join(tmp, "theta.npy"))
    status = "ok" if info["iters"] < max_iter else "not converged"
    return info["wall"], info["cpu"], prec, f"{status} ({info['iters']} Newton steps)"


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
    parser.add_argument("--quic-python", help="a Python with skggm installed: also QUIC")
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
        if args.quic_python:
            wall_q, cpu_q, prec_q, status = _quic(args.quic_python, S, alpha, args.tol)
            f_q = gap_q = float("nan")
            if prec_q is not None:
                f_q, gap_q = objective(S, prec_q, alpha), dual_gap(S, prec_q, alpha)
            _row(p, alpha, "QUIC", wall_q, cpu_q, f_q, gap_q,
                 f"{wall_q / runs[-1][1]:7.2f}x", f"{status}; objective {f_q - f:+.2e} vs glipca")
        if args.select and (p, alpha) == [c for c in cases if c[0] == p][-1]:
            start = time.perf_counter()
            chosen, info = select_alpha(S, X.shape[1], criterion=args.criterion)
            took = time.perf_counter() - start
            print(f"{p:5d} select_alpha: {took:.2f} s, alpha {chosen:.3f}, "
                  f"{info['n_edges_chosen']} edges, {len(info['alphas'])} "
                  f"penalties fitted ({args.criterion})", flush=True)


if __name__ == "__main__":
    main()
