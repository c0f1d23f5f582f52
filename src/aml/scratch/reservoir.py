"""Echo state network (reservoir computing), eq 3.8-3.9 of the notes.

A fixed, sparse, random recurrent reservoir W (scaled to a chosen spectral radius; stored as a
SciPy sparse matrix, so a step costs the number of its non-zero weights) is driven
by the input through fixed weights W_in; only the linear readout W_out is trained, by ridge
regression on the collected states. Leaky update of eq 3.9:
    x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + W_in [1; u(t)])
readout of eq 3.8 with g = identity:  y(t) = W_out [1; u(t); x(t)].
"""

from __future__ import annotations

import time

import numpy as np

from aml.errors import AmlError


def random_sparse(n: int, density: float, rng: np.random.Generator):
    """An n x n matrix with about density·n² weights uniform in [-1, 1], the rest zero, in
    compressed rows: a step costs ~density·n² operations instead of n²."""
    from scipy import sparse

    rows, columns = np.nonzero(rng.random((n, n)) < density)
    values = rng.uniform(-1, 1, len(rows))
    return sparse.csr_matrix((values, (rows, columns)), shape=(n, n))


def unit_radius(W, rng: np.random.Generator):
    """W divided by its spectral radius (largest |eigenvalue|).

    Above 300 units, ARPACK's Arnoldi iteration finds the largest eigenvalue of the sparse
    matrix (from a start vector drawn from `rng`, so the result is repeatable) in a fraction
    of the O(n³) full decomposition, which with threaded BLAS on a busy machine takes
    seconds at n = 1000. Eigenvalues of random reservoirs crowd near the circle of radius
    rho, so ARPACK may return one a little inside it: the radius is then within about
    0.5% (as in reservoirpy, which uses the same solver), not exact.
    """
    from scipy.sparse.linalg import ArpackNoConvergence, eigs

    n = W.shape[0]
    if W.nnz == 0:
        return W
    if n <= 300:  # small reservoirs: the exact radius from a full decomposition is cheap
        radius = np.max(np.abs(np.linalg.eigvals(W.toarray())))
    else:
        try:
            values = eigs(W, k=1, which="LM", v0=rng.uniform(-1, 1, n), tol=1e-12,
                          return_eigenvectors=False, maxiter=50 * n)
            radius = float(np.max(np.abs(values)))
        except ArpackNoConvergence:
            radius = np.max(np.abs(np.linalg.eigvals(W.toarray())))
    return W / radius if radius > 0 else W


def nrmse(prediction, target, scale: float | None = None) -> float:
    """Normalised root-mean-square error: RMSE / `scale`, by default / std(target).

    Pass the whole series' standard deviation as `scale` to compare errors measured on
    different windows of one series (Jaeger & Haas's convention)."""
    prediction, target = np.ravel(prediction), np.ravel(target)
    rmse = np.sqrt(np.mean((prediction - target) ** 2))
    return float(rmse / (np.std(target) if scale is None else scale))


def _as_2d(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or len(a) == 0:
        raise AmlError(f"{name} must be a non-empty array of shape (steps,) or (steps, "
                       f"features), got shape {np.shape(a)}")
    return a


class EchoStateNetwork:
    """Leaky-tanh ESN with a ridge-regression readout; sklearn-style fit/predict/generate.

    The defaults suit inputs scaled to about [-1, 1] (Mackey-Glass next-step NRMSE ~3e-5).
    `sparsity` is the fraction of recurrent weights that are zero; `ridge` the Tikhonov
    penalty of the readout; `noise` the amplitude of the noise added to the reservoir drive
    during `fit` only. Everything random comes from `seed`.
    """

    def __init__(self, n_reservoir: int = 500, spectral_radius: float = 1.0,
                 leak_rate: float = 0.5, input_scaling: float = 0.5, sparsity: float = 0.95,
                 ridge: float = 1e-10, seed: int = 0, bias_scaling: float = 0.2,
                 noise: float = 0.0):
        if n_reservoir < 1:
            raise AmlError(f"n_reservoir must be >= 1, got {n_reservoir}")
        if not 0 < leak_rate <= 1:
            raise AmlError(f"leak_rate must be in (0, 1], got {leak_rate}")
        if not 0 <= sparsity < 1:
            raise AmlError(f"sparsity must be in [0, 1), got {sparsity}")
        if spectral_radius < 0 or ridge < 0 or input_scaling < 0:
            raise AmlError("spectral_radius, ridge and input_scaling must be >= 0")
        self.n_reservoir = int(n_reservoir)
        self.spectral_radius = float(spectral_radius)
        self.leak_rate = float(leak_rate)
        self.input_scaling = float(input_scaling)
        self.sparsity = float(sparsity)
        self.ridge = float(ridge)
        self.seed = seed
        self.bias_scaling = float(bias_scaling)
        self.noise = float(noise)

    def _init_weights(self, n_inputs: int) -> None:
        """Draw W (sparse, rescaled to the spectral radius) and W_in (bias column first)."""
        rng = np.random.default_rng(self.seed)
        self.W_ = self.spectral_radius * unit_radius(
            random_sparse(self.n_reservoir, 1.0 - self.sparsity, rng), rng)
        W_in = rng.uniform(-1, 1, (self.n_reservoir, 1 + n_inputs))
        W_in[:, 0] *= self.bias_scaling
        W_in[:, 1:] *= self.input_scaling
        self.W_in_ = W_in
        self.n_inputs_ = n_inputs

    def _step(self, x, u):
        """One leaky reservoir update, eq 3.9."""
        pre = self.W_ @ x + self.W_in_[:, 0] + self.W_in_[:, 1:] @ u
        return (1 - self.leak_rate) * x + self.leak_rate * np.tanh(pre)

    def _run(self, u: np.ndarray, x: np.ndarray, noise: float = 0.0) -> np.ndarray:
        """States for each input row, starting from state x (input drive computed at once).

        `noise` adds uniform noise to the drive: used while fitting, it teaches the readout
        to pull the state back, which keeps free-running prediction stable.
        """
        drive = u @ self.W_in_[:, 1:].T + self.W_in_[:, 0]
        if noise:
            rng = np.random.default_rng([self.seed, 1])
            drive = drive + noise * rng.uniform(-1, 1, drive.shape)
        states = np.empty((len(u), self.n_reservoir))
        a, W = self.leak_rate, self.W_
        for t in range(len(u)):
            x = (1 - a) * x + a * np.tanh(W @ x + drive[t])
            states[t] = x
        return states

    def _features(self, u, states):
        return np.hstack([np.ones((len(u), 1)), u, states])

    def fit(self, u, y, washout: int = 100) -> EchoStateNetwork:
        """Drive the reservoir with u from the zero state; ridge-fit W_out on y (eq 3.8).

        The first `washout` steps only warm the reservoir up and are not fitted.
        """
        u, y = _as_2d(u, "u"), _as_2d(y, "y")
        if len(u) != len(y):
            raise AmlError(f"u and y must have the same number of steps, got {len(u)} and "
                           f"{len(y)}")
        if not 0 <= washout < len(u):
            raise AmlError(f"washout must be in [0, {len(u)}), got {washout}")
        from threadpoolctl import threadpool_limits

        # one BLAS thread: on a busy shared CPU, extra threads only wait for each other
        with threadpool_limits(1):
            self._init_weights(u.shape[1])
            self._y_1d = np.ndim(np.asarray(y)) == 1 or y.shape[1] == 1
            states = self._run(u, np.zeros(self.n_reservoir), self.noise)
            start = time.perf_counter()
            self.fit_readout(self._features(u, states)[washout:], y[washout:])
            self.readout_seconds_ = time.perf_counter() - start
        self.state_, self.last_input_ = states[-1], u[-1]
        return self

    def fit_readout(self, features, target) -> None:
        """Ridge regression W_out = Y X^T (X X^T + ridge I)^-1: the only training (eq 3.8)."""
        import warnings

        from scipy.linalg import LinAlgError, LinAlgWarning, solve
        from scipy.linalg.blas import dsyrk as syrk
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore", LinAlgWarning)  # a tiny ridge, on purpose
            # X^T X by a symmetric rank-k update: half the work of a full product (only the
            # upper triangle, which is all the Cholesky solve below reads)
            gram = syrk(1.0, features.T) if features.dtype == np.float64 \
                else features.T @ features
            gram[np.diag_indices_from(gram)] += self.ridge
            right = features.T @ target
            try:
                self.W_out_ = solve(gram, right, assume_a="pos").T
            except LinAlgError:  # rounding left a tiny ridge not positive definite
                full = np.triu(gram) + np.triu(gram, 1).T
                self.W_out_ = np.linalg.lstsq(full, right, rcond=None)[0].T

    def _check_fitted(self):
        if not hasattr(self, "W_out_"):
            raise AmlError("this EchoStateNetwork is not fitted yet: call fit(u, y) first")

    def _shape_output(self, y):
        return y[:, 0] if self._y_1d else y

    def predict(self, u) -> np.ndarray:
        """Teacher-forced outputs for inputs u, continuing from the last state."""
        self._check_fitted()
        u = _as_2d(u, "u")
        if u.shape[1] != self.n_inputs_:
            raise AmlError(f"u has {u.shape[1]} features, the network was fitted on "
                           f"{self.n_inputs_}")
        states = self._run(u, self.state_)
        self.state_, self.last_input_ = states[-1], u[-1]
        return self._shape_output(self._features(u, states) @ self.W_out_.T)

    def generate(self, n_steps: int) -> np.ndarray:
        """Free-running outputs: each prediction is fed back as the next input.

        Starts from the last state; the first value is the prediction that follows the last
        input seen. Needs outputs and inputs of the same size (next-step prediction).
        """
        self._check_fitted()
        if self.W_out_.shape[0] != self.n_inputs_:
            raise AmlError("generate() feeds outputs back as inputs: fit with y of the same "
                           f"size as u ({self.n_inputs_}), got {self.W_out_.shape[0]} outputs")
        x, u = self.state_, self.last_input_
        outputs = np.empty((n_steps, self.n_inputs_))
        for t in range(n_steps):
            y = self.W_out_ @ np.concatenate([[1.0], u, x])
            outputs[t] = y
            x, u = self._step(x, y), y
        self.state_, self.last_input_ = x, u
        return self._shape_output(outputs)
