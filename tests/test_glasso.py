import json
import warnings

import numpy as np
import pytest
from sklearn.covariance import graphical_lasso as sk_graphical_lasso
from sklearn.exceptions import ConvergenceWarning

from glipca.datasets import make_trend_series
from glipca.model.glasso import (
    GraphicalLassoEBIC,
    alpha_path,
    block_threshold,
    noise_alpha,
    dual_gap,
    graphical_lasso,
    objective,
    partial_correlation,
    select_alpha,
)
from glipca.model.glasso.direction import free_set, newton_direction
from glipca.model.series import standardize


def _corr(p, T=61, seed=0):
    """Correlations of ``p`` planted words: groups of five share a bump."""
    planted = make_trend_series(p, n_noise=0, n_periods=T, posts_per_period=(500, 1000), seed=seed)
    X = standardize(planted.frame)
    return (X.T @ X).to_numpy() / T


def _is_pd(A):
    return np.all(np.linalg.eigvalsh(A) > 0)


@pytest.mark.parametrize("p, alpha", [(20, 0.5), (30, 0.3), (40, 0.4)])
def test_agrees_with_sklearn(p, alpha):
    S = _corr(p, T=61, seed=p)
    _, prec = graphical_lasso(S, alpha, tol=1e-9, max_iter=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # sklearn's inner lasso tolerance bounds its accuracy: tighten both.
        _, prec_sk = sk_graphical_lasso(
            S, alpha, tol=1e-10, enet_tol=1e-10, max_iter=500
        )
    f, f_sk = objective(S, prec, alpha), objective(S, prec_sk, alpha)
    assert abs(f - f_sk) <= 1e-6 * abs(f_sk)
    assert dual_gap(S, prec, alpha) < 1e-8
    np.testing.assert_array_equal(
        np.triu(prec, 1) != 0, np.abs(np.triu(prec_sk, 1)) > 1e-10
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_screening_is_exact():
    rng = np.random.default_rng(1)
    A, B = _corr(30, seed=2), _corr(25, seed=3)
    S = np.zeros((55, 55))
    S[:30, :30], S[30:, 30:] = A, B
    perm = rng.permutation(55)
    S = S[np.ix_(perm, perm)]
    alpha = 0.45
    cov, prec = graphical_lasso(S, alpha, tol=1e-11)
    inv = np.argsort(perm)
    prec_unperm = prec[np.ix_(inv, inv)]
    _, pa = graphical_lasso(A, alpha, tol=1e-11)
    _, pb = graphical_lasso(B, alpha, tol=1e-11)
    np.testing.assert_allclose(prec_unperm[:30, :30], pa, atol=1e-6)
    np.testing.assert_allclose(prec_unperm[30:, 30:], pb, atol=1e-6)
    assert np.all(prec_unperm[:30, 30:] == 0)
    # The block solution is the joint optimum, not just a heuristic.
    assert dual_gap(S, prec, alpha) < 1e-6
    np.testing.assert_allclose(cov @ prec, np.eye(55), atol=1e-8)


def test_pair_block_closed_form():
    S = np.array([[1.0, 0.8, 0.0], [0.8, 1.0, 0.1], [0.0, 0.1, 1.0]])
    alpha = 0.3
    _, prec = graphical_lasso(S, alpha)
    assert dual_gap(S, prec, alpha) < 1e-10
    assert prec[0, 2] == prec[1, 2] == 0
    assert prec[0, 1] < 0


@pytest.mark.parametrize("alpha", [0.2, 0.4])
def test_singular_emp_cov(alpha):
    # p > T: rank(S) <= T - 1.
    S = _corr(120, T=20, seed=4)
    assert np.linalg.matrix_rank(S) < 120
    cov, prec = graphical_lasso(S, alpha, tol=1e-5, max_iter=2000)
    assert _is_pd(prec)
    assert np.all(np.isfinite(cov))
    assert dual_gap(S, prec, alpha) < 1e-5


def test_ill_conditioned_emp_cov():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 50))
    X = np.vstack([x + 1e-6 * rng.standard_normal((1, 50)) for _ in range(30)])
    X = np.vstack([X, rng.standard_normal((10, 50))])
    X -= X.mean(axis=1, keepdims=True)
    X /= X.std(axis=1, keepdims=True)
    S = X @ X.T / 50
    assert np.linalg.cond(S) > 1e8
    _, prec = graphical_lasso(S, 0.3, tol=1e-6, max_iter=2000)
    assert _is_pd(prec)
    assert dual_gap(S, prec, 0.3) < 1e-6


def test_large_alpha_gives_diagonal():
    S = _corr(30, seed=6) * 2.0
    amax = np.max(np.abs(S - np.diag(np.diag(S))))
    for alpha in (amax, amax * 1.5):
        cov, prec = graphical_lasso(S, alpha)
        np.testing.assert_array_equal(prec, np.diag(1.0 / np.diag(S)))
        np.testing.assert_array_equal(cov, np.diag(np.diag(S)))


def test_not_converged_warns_and_returns_pd():
    S = _corr(60, T=20, seed=7)
    with pytest.warns(ConvergenceWarning):
        _, prec, n_iter = graphical_lasso(
            S, 0.1, tol=1e-12, max_iter=2, return_n_iter=True
        )
    assert n_iter == 2
    assert _is_pd(prec)


def test_cov_init_warm_start():
    S = _corr(40, seed=8)
    cov, prec = graphical_lasso(S, 0.3, tol=1e-8)
    _, prec2, n_iter = graphical_lasso(
        S, 0.3, tol=1e-8, cov_init=cov, return_n_iter=True
    )
    assert n_iter <= 2
    np.testing.assert_allclose(prec2, prec, atol=1e-5)


def test_partial_correlation():
    prec = np.array([[2.0, -1.0], [-1.0, 2.0]])
    np.testing.assert_allclose(partial_correlation(prec), [[0, 0.5], [0.5, 0]])


def test_input_validation():
    with pytest.raises(ValueError):
        graphical_lasso(np.ones((2, 3)), 0.1)
    with pytest.raises(ValueError):
        graphical_lasso(np.array([[1.0, np.nan], [np.nan, 1.0]]), 0.1)
    with pytest.raises(ValueError):
        graphical_lasso(np.eye(2), -1)
    with pytest.raises(ValueError):
        graphical_lasso(np.array([[1.0, 0.5], [0.2, 1.0]]), 0.1)
    with pytest.raises(ValueError):
        graphical_lasso(np.diag([1.0, 0.0]), 0.1)


def test_alpha_path():
    S = _corr(30, seed=9)
    alphas = alpha_path(S, n_alphas=5, alpha_min_ratio=0.5)
    amax = np.max(np.abs(S - np.diag(np.diag(S))))
    assert alphas[0] == pytest.approx(amax)
    assert alphas[-1] == pytest.approx(0.5 * amax)
    assert np.all(np.diff(alphas) < 0)


def _planted(p=30, n=200, seed=10):
    rng = np.random.default_rng(seed)
    prec = np.eye(p)
    for i in range(p - 1):  # chain plus a few random edges
        prec[i, i + 1] = prec[i + 1, i] = 0.4
    for _ in range(5):
        i, j = rng.choice(p, 2, replace=False)
        prec[i, j] = prec[j, i] = -0.3
    prec += np.eye(p) * max(0, 0.2 - np.linalg.eigvalsh(prec)[0])
    cov = np.linalg.inv(prec)
    X = rng.multivariate_normal(np.zeros(p), cov, size=n)
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    return prec, X.T @ X / n


def test_select_alpha_recovers_planted_graph():
    truth, S = _planted()
    alpha, info, (cov, prec) = select_alpha(
        S, 200, alphas=np.geomspace(0.6, 0.02, 15), return_estimates=True
    )
    json.dumps(info)
    assert info["alpha"] == alpha and alpha in info["alphas"]
    assert len(info["values"]) == len(info["n_edges"]) == len(info["alphas"])
    est = np.triu(prec, 1) != 0
    true = np.triu(truth, 1) != 0
    tp = np.sum(est & true)
    precision_, recall = tp / max(est.sum(), 1), tp / true.sum()
    # EBIC on the (biased) lasso estimate errs towards extra edges.
    assert recall > 0.9 and precision_ > 0.5
    assert 0.05 < alpha < 0.5
    model = GraphicalLassoEBIC(200, alphas=np.geomspace(0.6, 0.02, 15)).fit(S)
    assert model.alpha_ == alpha
    np.testing.assert_allclose(model.precision_, prec)


def _components_max(S, alpha):
    A = np.abs(S) > alpha
    np.fill_diagonal(A, False)
    from scipy.sparse.csgraph import connected_components

    _, labels = connected_components(A, directed=False)
    return np.bincount(labels).max()


@pytest.mark.parametrize("max_block", [2, 7, 40, 120])
def test_block_threshold_is_exact(max_block):
    S = _corr(120, T=20, seed=11)
    S[3, 4] = S[4, 3] = 1.0  # an exact duplicate pair, like real word series
    alpha = block_threshold(S, max_block)
    assert _components_max(S, alpha) <= max_block
    if alpha > 0:  # any smaller penalty makes a larger block
        assert _components_max(S, np.nextafter(alpha, -1)) > max_block
        off = np.abs(S[~np.eye(len(S), dtype=bool)])
        assert np.any(off == alpha)
    assert block_threshold(S, 120) == 0.0


def test_select_alpha_block_criterion():
    S = _corr(200, seed=12)
    alpha, info, (cov, prec) = select_alpha(S, 61, criterion="block", max_block=30,
                                            return_estimates=True)
    json.dumps(info)
    assert info["criterion"] == "block" and info["alpha"] == alpha
    assert alpha == max(block_threshold(S, 30), noise_alpha(S, 61))
    assert info["largest_block"] <= 30
    assert dual_gap(S, prec, alpha) < 1e-4
    _, prec2 = graphical_lasso(S, alpha)
    np.testing.assert_allclose(prec, prec2, atol=1e-6)
    # On a grid: the smallest penalty that keeps blocks small enough.
    grid = np.linspace(0.95, 0.3, 14)
    a_grid, _ = select_alpha(S, 61, criterion="block", max_block=30, alphas=grid)
    ok = [a for a in grid if _components_max(S, a) <= 30]
    assert a_grid == min(ok)
    # The cap also stops a BIC path before its first oversized block.
    _, info_bic = select_alpha(S, 61, criterion="bic", max_block=30, alphas=grid,
                               patience=None)
    assert all(_components_max(S, a) <= 30 for a in info_bic["alphas"][1:])
    with pytest.raises(ValueError):
        select_alpha(S, 61, criterion="nope")


def test_noise_alpha_keeps_independent_series_apart():
    rng = np.random.default_rng(13)
    X = rng.standard_normal((80, 61))
    X -= X.mean(axis=1, keepdims=True)
    X /= X.std(axis=1, keepdims=True)
    S = X @ X.T / 61
    off = np.abs(S[~np.eye(80, dtype=bool)])
    assert noise_alpha(S, 61) > off.max()
    alpha, info = select_alpha(S, 61, criterion="block")
    assert info["n_edges_chosen"] == 0
    # Fewer samples or more variables need a larger penalty.
    assert noise_alpha(S, 30) > noise_alpha(S, 61) > noise_alpha(S[:20, :20], 61)


def _direction_setup(p=60, alpha=0.3, seed=7):
    S = _corr(p, seed=seed)
    _, theta = graphical_lasso(S, alpha * 1.5)  # a sparse positive definite iterate
    W = np.linalg.inv(theta)
    return S, W, S - W, theta, alpha


def test_compiled_and_python_directions_agree():
    S, W, G, theta, alpha = _direction_setup()
    r, c, d = newton_direction(W, G, theta, alpha, 3)
    r2, c2, d2 = newton_direction(W, G, theta, alpha, 3, compiled=False)
    np.testing.assert_array_equal(r, r2)
    np.testing.assert_array_equal(c, c2)
    np.testing.assert_allclose(d, d2, rtol=0, atol=1e-12)
    assert np.abs(d).max() > 1e-3


def test_ahead_of_time_and_numba_sweeps_agree_bit_for_bit():
    # The module built at install replaces the Numba build only if it rounds
    # alike: results must not depend on which one a machine has.
    from glipca.model.glasso import direction

    try:
        from glipca.model.glasso._sweeps import sweeps
    except ImportError:
        pytest.skip("the compiled sweeps module is not importable from this tree (built only "
                    "by an install in place, pip install -e ., with a C compiler)")
    numba_sweeps = direction._numba_sweeps()
    if numba_sweeps is None:
        pytest.skip("Numba is not installed")
    S, W, G, theta, alpha = _direction_setup(p=80)
    rows, cols, ptr, tpos, diag = free_set(G, theta, alpha, max_new=400)
    out = []
    for run in (sweeps, numba_sweeps):
        d, U = np.zeros(len(rows)), np.zeros_like(W)
        run(W, G, theta, alpha, ptr, cols, tpos, diag, d, U, 4, direction.ROW_PASSES)
        out.append((d, U))
    assert np.abs(out[0][0]).max() > 1e-3
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    with pytest.raises(ValueError, match="indices out of range"):
        sweeps(W, G, theta, alpha, ptr, cols + len(W), tpos, diag, d, U, 1, 1)
    with pytest.raises(TypeError, match="float64"):
        sweeps(W.astype(np.float32), G, theta, alpha, ptr, cols, tpos, diag, d, U, 1, 1)


def test_direction_minimises_the_quadratic_model():
    S, W, G, theta, alpha = _direction_setup()

    def model(r, c, d):
        D = np.zeros_like(S)
        D[r, c] = d
        D[c, r] = d
        return (np.sum(G * D) + 0.5 * np.trace(W @ D @ W @ D)
                + alpha * (np.abs(theta + D).sum() - np.abs(np.diag(theta + D)).sum()))

    values = [model(*newton_direction(W, G, theta, alpha, n)) for n in (1, 5, 60)]
    assert values[0] > values[1] > values[2] - 1e-12
    assert values[2] < model(np.arange(0), np.arange(0), np.zeros(0))  # beats D = 0


def test_working_set_frees_the_largest_violations():
    S, W, G, theta, alpha = _direction_setup()
    rows, cols, ptr, tpos, diag = free_set(G, theta, alpha)
    few = free_set(G, theta, alpha, max_new=5)
    support = (theta != 0) | np.eye(len(S), dtype=bool)
    violating = (np.abs(G) > alpha) & ~support
    assert np.count_nonzero(np.triu(violating)) > 5
    added = {(i, j) for i, j in zip(few[0], few[1]) if i < j and not support[i, j]}
    assert len(added) == 5
    smallest_added = min(abs(G[i, j]) for i, j in added)
    assert smallest_added >= np.sort(np.abs(G[np.triu(violating)]))[-5]
    # Symmetric CSR: transposed positions and the diagonal are where they say.
    np.testing.assert_array_equal(rows[tpos], cols)
    np.testing.assert_array_equal(rows[diag], cols[diag])
    assert ptr[-1] == len(rows)


def test_dual_gap_bounds_the_suboptimality():
    S = _corr(80, seed=8)
    alpha = 0.35
    _, best = graphical_lasso(S, alpha, tol=1e-12, max_iter=500)
    f_best = objective(S, best, alpha)
    for tol in (1e-1, 1e-3):
        _, prec = graphical_lasso(S, alpha, tol=tol)
        gap = dual_gap(S, prec, alpha)
        assert objective(S, prec, alpha) - f_best <= gap + 1e-12
        assert gap <= tol
