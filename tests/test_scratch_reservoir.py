"""Echo state network: reservoir construction, ridge readout, teacher-forced and free-running."""

import numpy as np
import pytest

from aml.data.mackey_glass import load as mackey_glass
from aml.errors import AmlError
from aml.scratch.reservoir import EchoStateNetwork, nrmse, random_sparse, unit_radius


@pytest.fixture(scope="module")
def series():
    return mackey_glass(n=1700, tau=17, seed=0)


def test_reservoir_has_requested_radius_sparsity_and_seed():
    esn = EchoStateNetwork(n_reservoir=200, spectral_radius=0.9, sparsity=0.9, seed=3)
    esn.fit(np.sin(np.arange(60) / 5), np.cos(np.arange(60) / 5), washout=10)
    dense = esn.W_.toarray()  # stored sparse: a step costs its non-zero weights only
    assert np.max(np.abs(np.linalg.eigvals(dense))) == pytest.approx(0.9, rel=1e-9)
    assert abs(np.mean(dense == 0) - 0.9) < 0.01
    assert esn.W_.nnz == np.count_nonzero(dense)
    same = EchoStateNetwork(n_reservoir=200, spectral_radius=0.9, sparsity=0.9, seed=3)
    same.fit(np.sin(np.arange(60) / 5), np.cos(np.arange(60) / 5), washout=10)
    np.testing.assert_array_equal(esn.W_out_, same.W_out_)


def test_nrmse_normalises_by_the_given_scale_or_the_targets_spread():
    target = np.array([0.0, 2.0, 0.0, 2.0])
    assert nrmse(target + 0.5, target) == pytest.approx(0.5)  # std(target) = 1
    assert nrmse(target + 0.5, target, scale=0.25) == pytest.approx(2.0)


def test_large_reservoir_radius_from_the_sparse_eigensolver():
    # above 300 units the radius comes from ARPACK, not a full decomposition: close to it
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(5)
    W = unit_radius(random_sparse(320, 0.05, rng), rng)
    with threadpool_limits(1):  # BLAS threads on a busy machine slow the check 100x
        assert np.max(np.abs(np.linalg.eigvals(W.toarray()))) == pytest.approx(1.0, rel=1e-2)
    assert W.nnz == pytest.approx(0.05 * 320 ** 2, rel=0.05)


def test_readout_is_the_ridge_solution():
    rng = np.random.default_rng(0)
    u, y = rng.standard_normal(80), rng.standard_normal(80)
    esn = EchoStateNetwork(n_reservoir=30, ridge=0.5).fit(u, y, washout=5)
    states = esn._run(u[:, None], np.zeros(30))
    X = np.hstack([np.ones((80, 1)), u[:, None], states])[5:]
    expected = np.linalg.solve(X.T @ X + 0.5 * np.eye(X.shape[1]), X.T @ y[5:])
    np.testing.assert_allclose(esn.W_out_[0], expected, rtol=1e-8, atol=1e-10)


def test_next_step_and_free_running_mackey_glass(series):
    train, scale = 1200, series.std()
    esn = EchoStateNetwork(n_reservoir=300, seed=1)
    esn.fit(series[:train - 1], series[1:train], washout=100)
    state, last = esn.state_.copy(), esn.last_input_.copy()
    free = esn.generate(50)
    assert free.shape == (50,)
    # the first free-running value predicts series[train - 1], the one after the last input;
    # repeating the last known value instead gives NRMSE 1.28 over these 50 steps
    assert nrmse(free[:1], series[train - 1:train], scale) < 5e-3
    assert nrmse(free, series[train - 1:train + 49], scale) < 0.15
    esn.state_, esn.last_input_ = state, last
    pred = esn.predict(series[train - 1:train + 399])
    assert pred.shape == (400,)
    assert nrmse(pred, series[train:train + 400], scale) < 2e-3


def test_multivariate_outputs_keep_their_shape():
    t = np.arange(300) / 10
    u = np.stack([np.sin(t), np.cos(t)], axis=1)
    esn = EchoStateNetwork(n_reservoir=50).fit(u[:-1], u[1:], washout=20)
    assert esn.predict(u[:10]).shape == (10, 2)
    assert esn.generate(5).shape == (5, 2)


def test_misuse_gives_clear_errors():
    with pytest.raises(AmlError, match="not fitted"):
        EchoStateNetwork(n_reservoir=10).predict(np.zeros(5))
    with pytest.raises(AmlError, match="same number of steps"):
        EchoStateNetwork(n_reservoir=10).fit(np.zeros(10), np.zeros(9))
    with pytest.raises(AmlError, match="leak_rate"):
        EchoStateNetwork(leak_rate=0)
    esn = EchoStateNetwork(n_reservoir=10).fit(np.zeros((20, 2)), np.zeros(20), washout=2)
    with pytest.raises(AmlError, match="feeds outputs back"):
        esn.generate(3)
