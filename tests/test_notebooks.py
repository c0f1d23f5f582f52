"""Notebooks: a generated notebook runs headless (nbclient) and reproduces `aml`'s metrics."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import aml
from aml import catalog, cli
from aml.notebooks import notebook_for, topics_for


def _kernel_in_this_venv(folder: Path, monkeypatch) -> str:
    """A kernelspec running this interpreter (and this checkout of aml), found via JUPYTER_PATH."""
    spec = folder / "kernels" / "aml-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "aml test", "language": "python",
        "env": {"PYTHONPATH": aml.SOURCE_ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}}))
    monkeypatch.setenv("JUPYTER_PATH", str(folder))
    return "aml-test"


@pytest.mark.slow
def test_generated_notebook_runs_and_reproduces_the_metrics(tmp_path, monkeypatch):
    assert cli.main(["notebook", "l1.iris", "--quick", "--out", str(tmp_path)]) == 0
    path = tmp_path / "l1.iris.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    kernel = _kernel_in_this_venv(tmp_path / "jupyter", monkeypatch)
    NotebookClient(notebook, kernel_name=kernel, timeout=240,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    (cell,) = [c for c in notebook.cells if "metrics" in c.metadata.get("tags", [])]
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    metrics = json.loads(printed)

    from aml.backend import seed_everything
    from aml.context import RunContext
    from aml.running import config_for

    example = catalog.get("l1.iris")
    seed_everything(0)
    expected = catalog.resolve(example.runner)(
        config_for(example, quick=True), RunContext(directory=tmp_path / "direct", verbose=False))
    assert metrics == json.loads(json.dumps(expected))  # same seed, backend, machine
    assert metrics["parameters"] == 67 and metrics["test_accuracy"] > 0.5

    images = [o for c in notebook.cells for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the training curves, shown inline
    assert (tmp_path / "aml-notebook-runs" / "l1.iris" / "training_curves.png").is_file()


def test_notebook_explains_with_the_lecture_maths_and_shows_the_code():
    example = catalog.get("l1.iris")
    assert [name for name, _ in topics_for(example)] == ["neuron", "activations"]
    notebook = notebook_for(example)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "$$z = \\mathbf{w}\\cdot\\mathbf{x} + b" in text and "= 67$" in text
    config_cls = catalog.resolve(example.config)
    full, quick = config_cls(), config_cls.quick()
    assert f"| `epochs` | `{full.epochs}` | `{quick.epochs}` |" in text
    assert f"| `hidden` | `{full.hidden}` | `{quick.hidden}` |" in text
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    # the example and the Keras model it trains are editable cells, not hidden behind aml
    assert "def iris(" in code and "def sequential_classifier(" in code
    assert "keras.layers.Dense(hidden" in code
    assert "import iris_classifier" not in code  # the notebook's copy is the one that runs
    assert "metrics = iris(config, ctx)" in code


def test_notebook_topics_come_from_the_lecture_spec():
    named = catalog.Example("l3.x", 3, "Echo state network", "m:f", "m:C", topics=("reservoir",))
    assert [name for name, _ in topics_for(named)] == ["reservoir"]
    everything = [name for name, _ in catalog.lecture(3).topics]
    assert [name for name, _ in topics_for(catalog.Example("l3.y", 3, "?", "", ""))] == everything
    assert "reservoir" in everything and len(everything) >= 4


def test_notebook_of_unknown_example_is_a_one_line_error(tmp_path, capsys):
    assert cli.main(["notebook", "l1.irris", "--out", str(tmp_path)]) == 2
    assert "did you mean l1.iris" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
