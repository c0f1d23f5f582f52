"""`aml notebook ID`: a Jupyter notebook per example, for students who prefer notebooks.

Markdown cells explain the example and its equations (our words); code cells call `aml`, so
the notebook runs exactly what `aml run` runs and students can change the configuration.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

from aml import catalog
from aml.atomic import write_bytes_atomic
from aml.errors import AmlError

# The maths, topic by topic. An example gets the topics whose keywords start a word of its
# id or title, or every topic of its lecture when none matches.
TOPICS = {
    "neuron": (1, ("iris", "neuron"), r"""### One neuron, one layer
A neuron weighs its inputs, adds a bias and squashes the sum:
$$z = \mathbf{w}\cdot\mathbf{x} + b, \qquad a = f(z).$$
A dense layer is many neurons reading the same inputs, $z_j = \sum_i W_{ij}\,x_i + b_j$,
i.e. $\mathbf{z} = W^\top\mathbf{x} + \mathbf{b}$. Appending a constant 1 to $\mathbf{x}$ and
the bias as one more row of $W$ turns this into a single product $\tilde W^\top\tilde{\mathbf{x}}$.

Without $f$, depth buys nothing: $W_2^\top(W_1^\top\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2
= (W_1W_2)^\top\mathbf{x} + (W_2^\top\mathbf{b}_1 + \mathbf{b}_2)$ is again one linear layer."""),
    "activations": (1, ("iris", "activation"), r"""### Activations, output and loss
- sigmoid $\sigma(z) = 1/(1+e^{-z})$ squeezes to $(0, 1)$;
- ReLU $\max(0, z)$ passes positives and cuts negatives;
- softmax $p_k = e^{z_k}/\sum_j e^{z_j}$ turns scores into class probabilities.

Classification minimises the categorical cross-entropy $L = -\sum_k y_k \log p_k$ (one-hot
$\mathbf{y}$) with Adam. A dense layer with $n$ inputs and $m$ units holds $(n+1)\,m$
parameters: the iris network has $(4+1)\cdot 8 + (8+1)\cdot 3 = 67$."""),
    "losses": (2, ("ode", "supervised", "regression", "rule"), r"""### Losses and gradient descent
Regression compares predictions $\hat y$ with targets $y$ over a batch of $N$:
$\mathrm{MSE} = \frac1N\sum_n (y_n - \hat y_n)^2$, $\mathrm{MAE} = \frac1N\sum_n |y_n - \hat y_n|$.
Gradient descent moves every weight and bias against the slope of that cost $C$ with a
learning rate $\alpha$: $w \leftarrow w - \alpha\,\partial C/\partial w$,
$b \leftarrow b - \alpha\,\partial C/\partial b$. Adam adapts the step per parameter."""),
    "residual": (2, ("ode", "residual", "out_of_range"), r"""### Learning from the equation itself
To solve $du/dx = f(x)$ with $u(0)$ known, write the answer as
$g(x) = u(0) + x\,N(x)$: the initial condition holds for any network $N$. Training then
minimises the residual $\big(g'(x) - f(x)\big)^2$ at sample points; $g'$ comes from automatic
differentiation, so no solution values are needed, only the equation."""),
    "unsupervised": (2, ("anomaly", "cluster", "denois", "autoencoder"), r"""### Without labels
Clustering groups points by proximity; points far from every group are noise or anomalies.
An autoencoder squeezes its input through a small latent vector and rebuilds it,
$\hat{\mathbf{x}} = \mathrm{dec}(\mathrm{enc}(\mathbf{x}))$, trained on
$\lVert\mathbf{x} - \hat{\mathbf{x}}\rVert^2$: what it rebuilds badly is unusual. A denoising
autoencoder gets a noisy input and the clean one as target."""),
    "reinforcement": (2, ("explor", "reinforc", "robot"), r"""### Rewards and exploration
An agent acts, receives a reward, and learns which actions pay. With probability
$\varepsilon$ it explores (a random action), otherwise it exploits what it knows;
$\varepsilon$ decays as its estimates settle."""),
    "dense": (3, ("ann", "dense", "param"), r"""### How big is a dense network?
Each dense layer of $m$ units on $n$ inputs holds $(n+1)\,m$ parameters (weights plus one
bias per unit), so a stack costs $\sum_\ell (n_\ell + 1)\,m_\ell$. On images the first layer
dominates: a flattened $28\times28$ image into 512 units is already $785\cdot512$ weights."""),
    "convolution": (3, ("cnn", "conv", "feature"), r"""### Convolution and pooling
A $k\times k$ kernel $K$ slides over the image and at each place sums the products,
$(I * K)_{ij} = \sum_{m,n} I_{i+m,\,j+n}\,K_{mn}$ (plus a bias, then ReLU). With padding
$p$ and stride $s$ an $n$-pixel side becomes $\lfloor (n + 2p - k)/s\rfloor + 1$. A layer of
$F$ filters on $C$ channels holds $(k^2C + 1)F$ parameters, whatever the image size.
Pooling keeps the maximum (or mean) of each $2\times2$ window, halving each side.
The classic CNN: (convolution, pooling) repeated, flatten, dense layers, softmax."""),
    "recurrent": (3, ("text", "rnn", "lstm", "sentiment"), r"""### Memory: recurrent cells
A recurrent neuron also reads its own previous output:
$h_t = f(W_1 x_t + W_2 h_{t-1} + b)$. The LSTM adds a cell state $c_t$ guarded by gates
(each a sigmoid of $[h_{t-1}, x_t]$): forget $f_t$, input $i_t$, output $o_t$, and a candidate
$\tilde c_t = \tanh(\cdot)$; then $c_t = f_t\odot c_{t-1} + i_t\odot\tilde c_t$ and
$h_t = o_t\odot\tanh(c_t)$."""),
    "reservoir": (3, ("reservoir", "esn", "mackey"), r"""### Reservoir computing
A fixed, sparse, random recurrent network is driven by the input,
$\mathbf{x}(t) = f\big(W\mathbf{x}(t-1) + W_{in}\mathbf{u}(t)\big)$; only the readout
$\mathbf{y}(t) = g\big(W_{out}\mathbf{x}(t)\big)$ is trained, by linear (ridge) regression,
which takes a fraction of a second."""),
    "physics": (4, ("physics", "psi", "projectile"), r"""### Physics in the loss or in the network
A physics-guided loss adds a penalty when the prediction breaks a known law, e.g. the
normalisation of a wave function on a well of width $L$:
$\mathcal{L} = \mathrm{MSE} + \lambda\big(\tfrac{L}{N}\sum_n |\psi(x_n)|^2 - 1\big)^2$.
A physics-structured network builds its output from the formula itself, e.g.
$x(t) = v_0 t - g t^2/2$ with $g$ and $v_0$ learned."""),
    "regularization": (4, ("regulari", "dropout"), r"""### Regularisation
Penalties on the weights discourage over-fitting few samples: L1 adds
$\lambda\sum|w|$ (drives weights to zero), L2 adds $\lambda\sum w^2$ (keeps them small);
dropout zeroes a random fraction of activations during training."""),
    "genetic": (5, ("genetic", "evolution"), r"""### Training without gradients
A genetic algorithm keeps a population of weight vectors, scores each (its fitness),
keeps the best (selection), mixes pairs gene by gene (crossover,
$\mathbf{w} = \mathbf{m}\odot\mathbf{w}_a + (1-\mathbf{m})\odot\mathbf{w}_b$ for a random mask
$\mathbf{m}$) and adds noise (mutation, $\mathbf{w} + \mathcal{N}(0, \sigma^2)$). Scoring is
independent per individual, so it parallelises over processes."""),
}


def topics_for(example) -> list[str]:
    """The maths sections of this example's notebook."""
    words = re.split(r"[^a-z0-9]+", f"{example.id} {example.title}".lower())
    mine = [name for name, (lecture, _, _) in TOPICS.items() if lecture == example.lecture]
    matched = [name for name in mine
               if any(w.startswith(key) for key in TOPICS[name][1] for w in words)]
    return matched or mine


def _config_table(example) -> str:
    config_cls = catalog.resolve(example.config)
    full, quick = config_cls(), config_cls.quick()
    rows = ["| field | default | quick |", "|---|---|---|"]
    for field in dataclasses.fields(config_cls):
        rows.append(f"| `{field.name}` | `{getattr(full, field.name)!r}` | "
                    f"`{getattr(quick, field.name)!r}` |")
    return "\n".join(rows)


def _source(reference: str) -> str:
    try:
        return inspect.getsource(catalog.resolve(reference))
    except (OSError, TypeError):
        return ""


def notebook_for(example, quick: bool = False, seed: int = 0, backend: str = "tensorflow"):
    """The notebook of one example as an nbformat object."""
    import nbformat.v4 as nbf

    runner = catalog.resolve(example.runner)
    module_doc = inspect.getdoc(inspect.getmodule(runner)) or ""
    targets = "\n".join(f"- `{t.describe()}`" for t in example.targets) or "- none"
    md, code = nbf.new_markdown_cell, nbf.new_code_cell
    cells = [
        md(f"# {example.id}: {example.title}\n\nLecture {example.lecture} of the `aml` "
           f"masterclass. {inspect.getdoc(runner) or ''}\n\n{module_doc}"),
        md("## The ideas\n\n" + "\n\n".join(TOPICS[name][2] for name in topics_for(example))),
        md("## Setup\n\nThe parameters below choose the tiny configuration (`QUICK = True`, "
           "seconds) or the course's, the random seed, and the Keras backend. Same seed, "
           "backend and machine give the same numbers as `aml run`."),
        code(f"QUICK = {quick!r}\nSEED = {seed!r}\nBACKEND = {backend!r}",
             metadata={"tags": ["parameters"]}),
        code("import json\nfrom dataclasses import replace\nfrom pathlib import Path\n\n"
             "from aml.backend import use_backend\n\nuse_backend(BACKEND)\n"
             "from aml import catalog\nfrom aml.backend import seed_everything\n"
             "from aml.context import RunContext\n"
             "from aml.running import check_targets, config_for\n\n"
             f"example = catalog.get({example.id!r})\n"
             "run = catalog.resolve(example.runner)"),
        md("## Configuration\n\nEvery knob of this example, with the course's value and the "
           f"quick one:\n\n{_config_table(example)}\n\nTo try another value, edit the next "
           "cell, e.g. `config = replace(config, epochs=10)`."),
        code("config = config_for(example, quick=QUICK)\nconfig"),
        md(f"## Run\n\nTargets of this example:\n{targets}\n\nThe figures go to "
           f"`aml-notebook-runs/{example.id}/` next to this notebook."),
        code("seed_everything(SEED)\n"
             "ctx = RunContext(directory=Path('aml-notebook-runs') / example.id, seed=SEED,\n"
             "                 quick=QUICK)\nctx.directory.mkdir(parents=True, exist_ok=True)\n"
             "metrics = run(config, ctx)"),
        code("print(json.dumps(metrics, indent=1, default=str))",
             metadata={"tags": ["metrics"]}),
        code("for row in check_targets(example, metrics, QUICK):\n"
             "    verdict = 'pass' if row['met'] else 'MISSED'\n"
             "    print(f\"{row['target']:<40} measured {row['value']}  {verdict}\")"),
        code("from IPython.display import Image, display\n\nfor name in ctx.figures:\n"
             "    display(Image(filename=str(ctx.directory / name)))"),
    ]
    if example.search:
        cells.append(md("## How small can it be?\n\nThis example declares a search space, so "
                        f"`aml sweep {example.id} --trials 20` finds the smallest models that "
                        "reach each tier (the Pareto front of metric against parameters)."))
    source = _source(example.runner)
    if source:
        cells.append(md("## The code that ran\n\n`" + example.runner + "`:\n\n```python\n"
                        + source.rstrip() + "\n```"))
    notebook = nbf.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def write_notebook(example_id: str, out: Path | None = None, quick: bool = False,
                   seed: int = 0, backend: str = "tensorflow") -> Path:
    """Write notebooks/<id>.ipynb (or into `out`) atomically and return its path."""
    import nbformat

    example = catalog.get(example_id, kind="example")
    notebook = notebook_for(example, quick=quick, seed=seed, backend=backend)
    nbformat.validate(notebook)
    path = Path(out or "notebooks") / f"{example.id}.ipynb"
    write_bytes_atomic(path, nbformat.writes(notebook).encode("utf-8"))
    return path


def register(subparsers) -> None:
    from aml.backend import BACKENDS

    p = subparsers.add_parser("notebook", help="write a Jupyter notebook of an example",
                              description="Write <out>/<id>.ipynb: the example explained, with "
                                          "code cells that run it through aml.")
    p.add_argument("ids", nargs="+", metavar="ID", help="example id, or all")
    p.add_argument("--out", type=Path, help="folder (default: notebooks/)")
    p.add_argument("--quick", action="store_true", help="start with the quick configuration")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--backend", choices=BACKENDS, default="tensorflow",
                   help="Keras backend the notebook uses")
    p.set_defaults(func=cmd_notebook)


def cmd_notebook(args) -> int:
    ids = [e.id for e in catalog.examples()] if args.ids == ["all"] else args.ids
    if not ids:
        raise AmlError("the catalog has no examples yet")
    for example_id in ids:
        print(f"wrote {write_notebook(example_id, args.out, args.quick, args.seed, args.backend)}")
    return 0
