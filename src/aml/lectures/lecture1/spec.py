"""Lecture 1, neural networks: its examples and exercises, their targets.

Read by `aml.catalog`; names code by "module:attribute" strings and imports no Keras.
"""

from __future__ import annotations

from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

_HERE = "aml.lectures.lecture1"
# The course names no accuracy for iris; it calls the problem linear (a network is more
# than it needs). So the network must do as well as a linear classifier on the same flowers,
# within one flower: on 30 test flowers one flower is 3.3 points, about one standard error,
# and a fixed bar would mostly measure how hard the seed's split is.
LINEAR_BASELINE = ("baseline in the run: Fisher's linear discriminant (Fisher 1936, the paper "
                   "that published these flowers) fitted on the same training flowers and "
                   "scored on the same test flowers, less one flower (one standard error of "
                   "a 30-flower test); the notes call iris a linear problem")
_IRIS_TARGET = (Target("flowers_behind_linear", "<=", 1, quick=3, source=LINEAR_BASELINE,
                       validation="val_accuracy"),)
# the notes' network, (4+1)*8 + (8+1)*3 weights and biases, whichever Keras API builds it
_EXERCISE_TARGETS = _IRIS_TARGET + (Target(
    "parameters", "==", 67, source="the course: Dense(8, relu) -> Dense(3, softmax) on 4 "
    "inputs, 67 parameters"),)
# a sandboxed check of the reference solution takes 11-15 s on a busy core (TensorFlow's
# import is most of it); eight times that still ends an endless loop in two minutes
_CHECK_TIMEOUT = 120.0

ENTRIES = (
    Example("l1.iris", 1, "Iris classifier, Dense(8, relu) -> Dense(3, softmax)",
            f"{_HERE}.iris:iris", f"{_HERE}.iris:IrisConfig", _IRIS_TARGET,
            search=f"{_HERE}.iris:iris_search_space",
            topics=("neuron", "activations")),
    Exercise("l1.sequential", 1, "The iris network as Sequential([...]) from a list",
             "lecture1/sequential.py", f"{_HERE}.solutions:sequential.py",
             f"{_HERE}.checks:check_sequential", _EXERCISE_TARGETS,
             timeout_s=_CHECK_TIMEOUT),
    Exercise("l1.functional", 1, "The iris network with the functional API",
             "lecture1/functional.py", f"{_HERE}.solutions:functional.py",
             f"{_HERE}.checks:check_functional", _EXERCISE_TARGETS,
             timeout_s=_CHECK_TIMEOUT),
    Exercise("l1.subclassing", 1, "The iris network as a subclass of keras.Model",
             "lecture1/subclassing.py", f"{_HERE}.solutions:subclassing.py",
             f"{_HERE}.checks:check_subclassing", _EXERCISE_TARGETS,
             timeout_s=_CHECK_TIMEOUT),
)

# The ideas and equations in our words: notebooks show the ones an example names.
TOPICS = (
    ("neuron", r"""### One neuron, one layer
A neuron weighs its inputs, adds a bias and squashes the sum:
$$z = \mathbf{w}\cdot\mathbf{x} + b, \qquad a = f(z).$$
A dense layer is many neurons reading the same inputs, $z_j = \sum_i W_{ij}\,x_i + b_j$,
i.e. $\mathbf{z} = W^\top\mathbf{x} + \mathbf{b}$. Appending a constant 1 to $\mathbf{x}$ and
the bias as one more row of $W$ turns this into a single product $\tilde W^\top\tilde{\mathbf{x}}$.

Without $f$, depth buys nothing: $W_2^\top(W_1^\top\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2
= (W_1W_2)^\top\mathbf{x} + (W_2^\top\mathbf{b}_1 + \mathbf{b}_2)$ is again one linear layer."""),
    ("activations", r"""### Activations, output and loss
- sigmoid $\sigma(z) = 1/(1+e^{-z})$ squeezes to $(0, 1)$;
- ReLU $\max(0, z)$ passes positives and cuts negatives;
- softmax $p_k = e^{z_k}/\sum_j e^{z_j}$ turns scores into class probabilities.

Classification minimises the categorical cross-entropy $L = -\sum_k y_k \log p_k$ (one-hot
$\mathbf{y}$) with Adam. A dense layer with $n$ inputs and $m$ units holds $(n+1)\,m$
parameters: the iris network has $(4+1)\cdot 8 + (8+1)\cdot 3 = 67$."""),
)

LECTURE = Lecture(1, "Neural networks", ENTRIES, TOPICS)
