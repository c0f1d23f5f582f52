"""`aml notebook ID`: a Jupyter notebook per example, written like a keras.io example.

A header says what the example shows, markdown cells explain the lecture's ideas (the topics
its spec names), and then the example's own code follows as editable cells, top to bottom:
its configuration, data, model, training, evaluation and figures; the model builders it
takes from `aml.models` are copied in too. The last cells run the notebook's copy of the
example, so an edit takes effect; unedited, it gives the same numbers as `aml run`.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import importlib
import inspect
import textwrap
from pathlib import Path

from aml import catalog
from aml.atomic import write_bytes_atomic
from aml.errors import AmlError

# Builders from these packages are copied into the notebook: the model is the lesson.
INLINED_PACKAGES = ("aml.models",)


def topics_for(example) -> list[tuple[str, str]]:
    """(name, markdown) of the ideas this example's notebook explains, from its lecture's
    spec: the topics the example names, or all of the lecture's when it names none."""
    spec = catalog.lecture(example.lecture)
    names = example.topics or tuple(name for name, _ in spec.topics)
    return [(name, spec.topic(name)) for name in names]


def _config_table(example) -> str:
    config_cls = catalog.resolve(example.config)
    full, quick = config_cls(), config_cls.quick()
    rows = ["| field | default | quick |", "|---|---|---|"]
    for field in dataclasses.fields(config_cls):
        rows.append(f"| `{field.name}` | `{getattr(full, field.name)!r}` | "
                    f"`{getattr(quick, field.name)!r}` |")
    return "\n".join(rows)


def _module_cells(runner) -> list[tuple[str, str]]:
    """(markdown, code) per top-level piece of the runner's module that the runner and its
    configuration need, in file order; imports first, as one setup cell."""
    module = inspect.getmodule(runner)
    source = inspect.getsource(module)
    tree = ast.parse(source)
    lines = source.splitlines()
    defined = {}
    for node in tree.body:
        for name in _names_defined(node):
            defined[name] = node
    needed, todo = set(), [runner.__name__]
    while todo:
        name = todo.pop()
        node = defined.get(name)
        if node is None or id(node) in needed:
            continue
        needed.add(id(node))
        todo += [n for n in _names_used(node) if n in defined]
    imports = [ast.get_source_segment(source, node) for node in tree.body
               if isinstance(node, (ast.Import, ast.ImportFrom))]
    cells = [("## Setup", "\n".join(imports))]
    for node in tree.body:
        if id(node) not in needed or isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        code = "\n".join(lines[start - 1:node.end_lineno])
        doc = ast.get_docstring(node) if isinstance(
            node, (ast.FunctionDef, ast.ClassDef)) else None
        title = f"`{node.name}`" if hasattr(node, "name") else ", ".join(
            f"`{name}`" for name in _names_defined(node))
        summary = f": {doc.splitlines()[0]}" if doc else ""
        cells.append((f"### {title}{summary}", code))
    return cells


def _names_defined(node) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return []


def _names_used(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _inlined_builders(cells) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Copy the model builders the code imports from INLINED_PACKAGES (and the builders and
    layers they use from there) into cells of their own, and drop those names from the
    imports: the notebook's copies are the ones that run."""
    wanted = []
    for _, code in cells:
        for node in ast.walk(ast.parse(textwrap.dedent(code))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    INLINED_PACKAGES):
                wanted += [getattr(importlib.import_module(node.module), alias.name)
                           for alias in node.names if alias.asname is None]
    builders: dict[str, object] = {}  # name -> function or class, dependencies first

    def visit(thing):
        if not (inspect.isfunction(thing) or inspect.isclass(thing)) or \
                not thing.__module__.startswith(INLINED_PACKAGES) or thing.__name__ in builders:
            return
        module = importlib.import_module(thing.__module__)
        for name in sorted(_names_used(ast.parse(textwrap.dedent(inspect.getsource(thing))))):
            if name != thing.__name__:
                visit(getattr(module, name, None))
        builders[thing.__name__] = thing

    for thing in wanted:
        visit(thing)
    rewritten = [(markdown, _drop_imports(code, set(builders))) for markdown, code in cells]
    builder_cells = []
    for name, thing in builders.items():
        module = importlib.import_module(thing.__module__)
        source = inspect.getsource(thing).rstrip()
        free = sorted(n for n in _names_used(ast.parse(textwrap.dedent(source)))
                      if n != name and n not in builders and hasattr(module, n)
                      and not hasattr(builtins, n))
        header = []
        for n in free:
            value = getattr(module, n)
            if inspect.ismodule(value):
                header.append(f"import {value.__name__}" if value.__name__ == n
                              else f"import {value.__name__} as {n}")
            else:
                header.append(f"from {thing.__module__} import {n}")
        doc = (inspect.getdoc(thing) or "").splitlines()
        builder_cells.append((f"### `{name}`" + (f": {doc[0]}" if doc else ""),
                              "\n".join(header) + ("\n\n\n" if header else "") + source))
    return builder_cells, rewritten


def _drop_imports(code: str, names: set[str]) -> str:
    """The code without `from aml.models... import` of `names` (other names are kept)."""
    lines = code.splitlines()
    tree = ast.parse(textwrap.dedent(code))
    for node in sorted(ast.walk(tree), key=lambda n: -getattr(n, "lineno", 0)):
        if not (isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith(INLINED_PACKAGES)):
            continue
        kept = [a for a in node.names if a.name not in names or a.asname is not None]
        if len(kept) == len(node.names):
            continue
        indent = lines[node.lineno - 1][:len(lines[node.lineno - 1])
                                        - len(lines[node.lineno - 1].lstrip())]
        replacement = ([f"{indent}from {node.module} import "
                        + ", ".join(a.name + (f" as {a.asname}" if a.asname else "")
                                    for a in kept)] if kept else [])
        lines[node.lineno - 1:node.end_lineno] = replacement
    return "\n".join(lines)


def notebook_for(example, quick: bool = False, seed: int = 0, backend: str = "tensorflow"):
    """The notebook of one example as an nbformat object."""
    import nbformat.v4 as nbf

    runner = catalog.resolve(example.runner)
    config_cls = catalog.resolve(example.config)
    module_doc = inspect.getdoc(inspect.getmodule(runner)) or ""
    targets = "\n".join(f"- `{t.describe()}`" for t in example.targets) or "- none"
    md, code = nbf.new_markdown_cell, nbf.new_code_cell
    cells = [
        md(f"# {example.title}\n\n**Example:** `{example.id}`, lecture {example.lecture} "
           f"of the `aml` masterclass<br>\n**Description:** {inspect.getdoc(runner) or ''}"
           f"\n\n{module_doc}"),
        md("## The ideas\n\n" + "\n\n".join(text for _, text in topics_for(example))),
        md("## Parameters\n\n`QUICK = True` chooses the tiny configuration (seconds) instead "
           "of the course's; then the random seed and the Keras backend. Same seed, backend "
           "and machine give the same numbers as `aml run`."),
        code(f"QUICK = {quick!r}\nSEED = {seed!r}\nBACKEND = {backend!r}",
             metadata={"tags": ["parameters"]}),
        code("from aml.backend import use_backend\n\nuse_backend(BACKEND)  # before Keras loads"),
    ]
    builder_cells, module_cells = _inlined_builders(_module_cells(runner))
    setup, *body = module_cells
    cells += [md(setup[0]), code(setup[1])]
    if builder_cells:
        cells.append(md("## The model\n\nThe network this example trains, built here so you "
                        "can change it."))
        for markdown, source in builder_cells:
            cells += [md(markdown), code(source)]
    cells.append(md("## The example, step by step\n\nConfiguration, data, model, training, "
                    "evaluation and figures, as `aml run` executes them. Edit any cell and "
                    "run the notebook again."))
    for markdown, source in body:
        cells += [md(markdown), code(source)]
    cells += [
        md("## Configuration\n\nEvery knob of this example, with the course's value and the "
           f"quick one:\n\n{_config_table(example)}\n\nTo try another value, edit the next "
           "cell, e.g. `config = replace(config, epochs=10)`."),
        code("from dataclasses import replace  # noqa: F401 (for your edits)\n\n"
             f"config = {config_cls.__name__}.quick() if QUICK else {config_cls.__name__}()"
             "\nconfig"),
        md(f"## Train and evaluate\n\nTargets of this example:\n{targets}\n\nThe figures "
           f"go to `aml-notebook-runs/{example.id}/` next to this notebook."),
        code("from pathlib import Path\n\nfrom aml.backend import seed_everything\n"
             "from aml.context import RunContext\n\nseed_everything(SEED)\n"
             f"ctx = RunContext(directory=Path('aml-notebook-runs') / {example.id!r}, "
             "seed=SEED,\n                 quick=QUICK)\n"
             "ctx.directory.mkdir(parents=True, exist_ok=True)\n"
             f"metrics = {runner.__name__}(config, ctx)"),
        code("import json\n\nprint(json.dumps(metrics, indent=1, default=str))",
             metadata={"tags": ["metrics"]}),
        code("from aml import catalog\nfrom aml.running import check_targets\n\n"
             f"for row in check_targets(catalog.get({example.id!r}), metrics, QUICK):\n"
             "    verdict = 'pass' if row['met'] else 'MISSED'\n"
             "    print(f\"{row['target']:<40} measured {row['value']}  {verdict}\")"),
        md("## Figures"),
        code("from IPython.display import Image, display\n\nfor name in ctx.figures:\n"
             "    display(Image(filename=str(ctx.directory / name)))"),
    ]
    if example.search:
        cells.append(md("## How small can it be?\n\nThis example declares a search space, so "
                        f"`aml sweep {example.id} --trials 20` finds the smallest models that "
                        "reach each tier (the Pareto front of metric against parameters)."))
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
