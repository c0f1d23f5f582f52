"""Lecture 2, machine learning and ways of training: its examples and exercises, their targets.

Read by `aml.catalog`; names code by "module:attribute" strings and imports no Keras.
"""

from __future__ import annotations

from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

_ODE_TARGET = (Target("max_error", "<", 1e-3, quick=1e-2),)
_RANGE_TARGETS = (Target("residual_max_error_in", "<", 1e-3, quick=1e-2),
                  Target("supervised_max_error_in", "<", 1e-3, quick=1e-2))

_HERE = "aml.lectures.lecture2"
_ONLY_EXPLORERS_MOVE = ("the course: a robot only moves if it explores (epsilon = 0 never "
                        "walks; with epsilon > 0 its greedy policy walks)")

ENTRIES = (
    Example("l2.rule_based", 2, "Thermostat rule (AI without learning) vs one learning neuron",
            f"{_HERE}.rule_based:rule_based", f"{_HERE}.rule_based:RuleConfig",
            (Target("test_accuracy", ">=", 0.98, quick=0.95),
             Target("threshold_error", "<=", 0.5, quick=1.5)),
            topics=("losses",)),
    Example("l2.ode_residual", 2, "ODEs du/dx = f solved by the residual loss, autodiff",
            f"{_HERE}.odes:ode_residual", f"{_HERE}.odes:ODEConfig", _ODE_TARGET,
            topics=("losses", "residual")),
    Example("l2.ode_supervised", 2, "The same ODE solutions fitted by supervised regression",
            f"{_HERE}.odes:ode_supervised", f"{_HERE}.odes:ODEConfig", _ODE_TARGET,
            topics=("losses", "residual")),
    Example("l2.out_of_range", 2, "Residual vs supervised models outside [0, 2], on [0, 5]",
            f"{_HERE}.odes:out_of_range", f"{_HERE}.odes:OutOfRangeConfig", _RANGE_TARGETS,
            topics=("losses", "residual")),
    Example("l2.ode_systems", 2, "Oscillator and Lotka-Volterra: residual solver with its "
            "error estimate vs supervised fit", f"{_HERE}.ode_systems:ode_systems",
            f"{_HERE}.ode_systems:SystemsConfig",
            # the course's 1e-3; the estimate must bound the true error within a factor 2
            (Target("residual_max_error", "<", 1e-3, quick=1e-2),
             Target("estimate_ratio_min", ">=", 0.95), Target("estimate_ratio_max", "<=", 2.0)),
            topics=("losses", "residual")),
    Example("l2.anomaly", 2, "Autoencoder flags peaks in a sine signal",
            f"{_HERE}.anomaly:anomaly", f"{_HERE}.anomaly:AnomalyConfig",
            (Target("precision", ">=", 0.9), Target("recall", ">=", 0.9)),
            topics=("unsupervised",)),
    Example("l2.clustering", 2, "Clusters and outliers found without labels (DBSCAN)",
            f"{_HERE}.clustering:clustering", f"{_HERE}.clustering:ClusterConfig",
            (Target("adjusted_rand_index", ">=", 0.9),),
            topics=("unsupervised",)),
    Example("l2.denoising", 2, "Denoising autoencoder on 8x8 digits",
            f"{_HERE}.denoising:denoising", f"{_HERE}.denoising:DenoisingConfig",
            (Target("psnr_vs_mean_filter", ">", 0.0,
                    source="baseline in the run: a 3x3 mean filter on the same noisy test "
                    "images, the simplest classical denoiser"),),
            topics=("unsupervised",)),
    Example("l2.exploration", 2, "Walking robot: epsilon-greedy exploration with decay",
            f"{_HERE}.exploration:exploration", f"{_HERE}.exploration:ExplorationConfig",
            # the course's claim, made measurable: the robot that never explores stays
            # put, and every robot that explores learns to walk
            (Target("standing_distance", "==", 0.0, source=_ONLY_EXPLORERS_MOVE),
             Target("final_distance_fraction", ">", 0.0, source=_ONLY_EXPLORERS_MOVE)),
            topics=("reinforcement",)),
    Exercise("l2.residual", 2, "Solve the three ODEs with the residual loss (your network)",
             "lecture2/residual.py", f"{_HERE}.solutions:residual.py",
             f"{_HERE}.checks:check_residual", _ODE_TARGET),
    Exercise("l2.supervised", 2, "Fit the three ODE solutions by supervised regression",
             "lecture2/supervised.py", f"{_HERE}.solutions:supervised.py",
             f"{_HERE}.checks:check_supervised", _ODE_TARGET),
    Exercise("l2.compare", 2, "Residual vs supervised outside the training range",
             "lecture2/compare.py", f"{_HERE}.solutions:compare.py",
             f"{_HERE}.checks:check_compare",
             (Target("reported_error_relative_deviation", "<=", 0.05),)),
)

# The ideas and equations in our words: notebooks show the ones an example names.
TOPICS = (
    ("losses", r"""### Losses and gradient descent
Regression compares predictions $\hat y$ with targets $y$ over a batch of $N$:
$\mathrm{MSE} = \frac1N\sum_n (y_n - \hat y_n)^2$, $\mathrm{MAE} = \frac1N\sum_n |y_n - \hat y_n|$.
Gradient descent moves every weight and bias against the slope of that cost $C$ with a
learning rate $\alpha$: $w \leftarrow w - \alpha\,\partial C/\partial w$,
$b \leftarrow b - \alpha\,\partial C/\partial b$. Adam adapts the step per parameter."""),
    ("residual", r"""### Learning from the equation itself
To solve $du/dx = f(x)$ with $u(0)$ known, write the answer as
$g(x) = u(0) + x\,N(x)$: the initial condition holds for any network $N$. Training then
minimises the residual $\big(g'(x) - f(x)\big)^2$ at sample points; $g'$ comes from automatic
differentiation, so no solution values are needed, only the equation."""),
    ("unsupervised", r"""### Without labels
Clustering groups points by proximity; points far from every group are noise or anomalies.
An autoencoder squeezes its input through a small latent vector and rebuilds it,
$\hat{\mathbf{x}} = \mathrm{dec}(\mathrm{enc}(\mathbf{x}))$, trained on
$\lVert\mathbf{x} - \hat{\mathbf{x}}\rVert^2$: what it rebuilds badly is unusual. A denoising
autoencoder gets a noisy input and the clean one as target."""),
    ("reinforcement", r"""### Rewards and exploration
An agent acts, receives a reward, and learns which actions pay. With probability
$\varepsilon$ it explores (a random action), otherwise it exploits what it knows;
$\varepsilon$ decays as its estimates settle."""),
)

LECTURE = Lecture(2, "Machine learning and ways of training", ENTRIES, TOPICS)
