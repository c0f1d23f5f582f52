"""`aml data list | fetch | import | verify | path`: see, get and check the course's datasets."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from aml.data import LOADERS, copies, store
from aml.errors import AmlError
from aml.tables import format_table

# Datasets read from files; every other name in LOADERS is generated from a seed.
FILE_DATASETS = ("iris", "fashion_mnist", "cifar10", "imdb", "movie_snippets",
                 "sentiment_lexicon")
# Files that come inside an installed Python package: nothing to fetch or import.
BUNDLED = {"iris": "scikit-learn", "sentiment_lexicon": "vaderSentiment"}


def generated_names() -> list[str]:
    return [name for name in LOADERS if name not in FILE_DATASETS]


def dataset_module(name: str):
    if name not in LOADERS:
        raise AmlError(f"unknown dataset {name!r}; known: {', '.join(LOADERS)}")
    if name not in FILE_DATASETS:
        raise AmlError(f"{name} is generated from a seed by aml.data.load({name!r}); "
                       "there is no file to fetch, import or verify")
    return importlib.import_module(LOADERS[name])


def system_dirs(module) -> tuple[Path, ...]:
    return module.system_dirs() if hasattr(module, "system_dirs") else module.SYSTEM_DIRS


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def file_status(name: str, filename: str, dirs, rehash: bool) -> dict:
    """The first verified copy of one file, else why there is none."""
    copies = store.find(name, filename, dirs)
    if not copies:
        return {"file": filename, "path": None, "state": "missing", "detail": ""}
    errors = []
    for path in copies:
        try:
            checksum = store.check(path, name, filename, trust_stamp=not rehash)
            return {"file": filename, "path": path, "state": "verified",
                    "detail": checksum.describe()}
        except AmlError as err:
            errors.append(str(err))
    return {"file": filename, "path": copies[0], "state": "mismatch", "detail": errors[0]}


def dataset_status(name: str, rehash: bool = False) -> tuple[list, list[dict]]:
    """One table row for a dataset, and the per-file details behind it."""
    if name not in FILE_DATASETS:
        written = importlib.util.find_spec(LOADERS[name]) is not None
        return [name, "generated", "-", LOADERS[name] if written else "(not written yet)",
                "generated from a seed"], []
    module = dataset_module(name)
    files = [file_status(name, f, system_dirs(module), rehash) for f in module.FILENAMES]
    present = [f for f in files if f["path"] is not None]
    size = human_size(sum(f["path"].stat().st_size for f in present)) if present else "-"
    where = ", ".join(sorted({str(f["path"].parent) for f in present})) or "-"
    states = {f["state"] for f in files}
    info = copies.manifest(name)
    if states == {"verified"}:
        status = "verified"
    elif info is not None:  # no verified archive, but an imported copy the loader will read
        folder = copies.copy_dir(name)
        size = human_size(sum(p.stat().st_size for p in folder.iterdir() if p.is_file()))
        where, status = str(folder), copies.describe(info)
        if rehash:
            try:
                copies.check_copy(name)
            except AmlError as err:
                status = f"CHANGED SINCE IMPORT: {err}"
    elif "mismatch" in states:
        status = f"CHECKSUM MISMATCH: see `aml data verify {name}`"
    else:
        missing = sum(f["state"] == "missing" for f in files)
        partly = f" ({missing} of {len(files)} files)" if present else ""
        status = (f"missing{partly}: `aml data fetch {name}` or "
                  f"`aml data import {name} PATH`")
    kind = "bundled" if name in BUNDLED else "file"
    return [name, kind, size, where, status], files


def cmd_list(args) -> int:
    rows = [dataset_status(name)[0] for name in LOADERS]
    print(format_table(rows, ["dataset", "kind", "size", "where", "status"]))
    return 0


def cmd_fetch(args) -> int:
    if args.name == "all":
        return fetch_all(args.force)
    module = dataset_module(args.name)
    for path in module.fetch(force=args.force):
        print(f"{args.name}: {path} verified")
    return 0


def fetch_all(force: bool = False) -> int:
    """Get every dataset that can be had here (`make run` starts with this); one line each.

    What is already present (verified, or an imported copy) is left alone; a dataset that
    cannot be fetched is reported with the reason, and the examples needing it are skipped
    by `aml run` later. Exits 0: fetching is best effort, the run says what was missing.
    """
    for name in FILE_DATASETS:
        if name in BUNDLED:
            continue
        state = dataset_status(name)[0][-1]
        if not force and (state == "verified" or state.startswith(copies.UNVERIFIED)):
            print(f"{name}: already here ({state.split(' (')[0]})", flush=True)
            continue
        try:
            for path in dataset_module(name).fetch(force=force):
                print(f"{name}: {path} verified", flush=True)
        except AmlError as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            print(f"{name}: not fetched ({reason})", flush=True)
    return 0


def cmd_import(args) -> int:
    module = dataset_module(args.name)
    if args.name in BUNDLED:
        raise AmlError(f"{args.name} comes with {BUNDLED[args.name]}; there is nothing to "
                       f"import (pip install {BUNDLED[args.name]})")
    source = Path(args.path).expanduser()
    if hasattr(module, "import_path"):
        paths = module.import_path(source)
    else:
        paths = store.import_into(args.name, module.FILENAMES, source)
    row, files = dataset_status(args.name)
    for path in paths:
        if path == copies.copy_dir(args.name):
            print(f"{args.name}: imported into {path} as an {row[-1]}")
        else:
            print(f"{args.name}: imported {path} (verified)")
    if row[-1] != "verified" and not row[-1].startswith(copies.UNVERIFIED):
        print(f"{args.name}: still {row[-1]}")
    return 0


def cmd_verify(args) -> int:
    names = [args.name] if args.name else FILE_DATASETS
    if args.name:
        dataset_module(args.name)
    bad = 0
    for name in names:
        row, files = dataset_status(name, rehash=True)
        if copies.manifest(name) is not None and "verified" not in {f["state"] for f in files}:
            print(f"{name}/{copies.FOLDER}: {row[-1]} ({copies.copy_dir(name)})")
            bad += row[-1].startswith("CHANGED")
            continue
        for entry in files:
            where = entry["path"] or "not found"
            print(f"{name}/{entry['file']}: {entry['state']} ({where})"
                  + (f": {entry['detail']}" if entry["detail"] else ""))
            bad += entry["state"] == "mismatch" or bool(args.name and entry["state"] == "missing")
    if bad:
        print(f"{bad} file(s) failed; fetch or import them again "
              f"(`aml data fetch NAME`, `aml data import NAME PATH`)")
    return 1 if bad else 0


def cmd_path(args) -> int:
    dataset_module(args.name)
    row, files = dataset_status(args.name)
    if row[-1].startswith(copies.UNVERIFIED):
        print(copies.copy_dir(args.name))
        return 0
    if row[-1] != "verified":
        raise AmlError(f"{args.name} is not available: {row[-1]}")
    paths = [str(f["path"]) for f in files]
    print(paths[0] if len(paths) == 1 else str(files[0]["path"].parent))
    return 0


def register(subparsers) -> None:
    """Add `aml data ...` to the command line."""
    p = subparsers.add_parser("data", help="list, fetch, import and verify datasets")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = sub.add_parser("list", help="every dataset: size, where it is, verified or not")
    s.set_defaults(func=cmd_list)
    s = sub.add_parser("fetch", help="download a dataset into the cache (needs the network)")
    s.add_argument("name", metavar="NAME",
                   help="a dataset, or all: every one that can be had (never fails)")
    s.add_argument("--force", action="store_true",
                   help="download again even if a verified copy exists")
    s.set_defaults(func=cmd_fetch)
    s = sub.add_parser("import", help="verify a local copy and put it into the cache")
    s.add_argument("name", metavar="NAME")
    s.add_argument("path", metavar="PATH",
                   help="the published file, or a folder holding it; for cifar10 also "
                        "train/<class>/ + test/<class>/ image folders or Keras's "
                        "cifar-10-batches-py/, for imdb an extracted aclImdb/ (unverified)")
    s.set_defaults(func=cmd_import)
    s = sub.add_parser("verify", help="re-hash datasets against their published checksums")
    s.add_argument("name", nargs="?", metavar="NAME", help="one dataset (default: all)")
    s.set_defaults(func=cmd_verify)
    s = sub.add_parser("path", help="print where a dataset's verified files are")
    s.add_argument("name", metavar="NAME")
    s.set_defaults(func=cmd_path)
