"""Submissions in: whatever a teacher downloaded, turned into one folder entry per student.

Accepted: a folder or a .zip (or a folder holding such zips beside loose entries) of
- plain entries: `alice.py`, `alice.ipynb` or a folder `alice/` (student "alice");
- a Canvas "Download Submissions" zip: flat files named
  `<name>[_late]_<user id>_<submission id>_<original file name>`, where Canvas appends
  `-N` before the extension of a resubmitted file (as described by the Canvas_submission_sort
  tool, github.com/TimHanneman/Canvas_submission_sort, README and sub_name.awk);
- a Moodle "Download all submissions" zip: one folder per student named
  `<Full Name>_<participant id>_assignsubmission_file_` (the form a Moodle feedback-upload
  guide quotes as `First Last_participantId_assignsubmission_file_`; `_onlinetext_`
  folders hold typed text, not files, and are skipped), or without folders, flat files
  `<Full Name>_<participant id>_assignsubmission_file_<file>`;
- a Gradescope "Export Submissions" zip: a folder per submission (`submission_<id>/`) and
  `submission_metadata.yml` mapping each folder to `:submitters:` with `:name:`, `:sid:` and
  `:email:` (the layout parsed by public Gradescope export tools).

Notebooks (`.ipynb`) become a `.py` of their code cells in order; shell (`!cmd`) and IPython
magic (`%x`, `%%x`) lines are left out and listed in the submission's notes, since they
would be syntax errors in Python. A notebook that does not parse, or a cell that is not valid
Python, is not run: the submission carries the problem (and the cell number) and gets its row.

Zips are extracted safely: no absolute paths, no `..`, no links, capped entry count and
total size, counting the bytes actually written rather than the sizes the zip claims.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from aml.errors import AmlError

MAX_ZIP_BYTES = 512 * 1024 * 1024
MAX_ZIP_ENTRIES = 20000
_JUNK = ("__MACOSX", ".DS_Store", ".ipynb_checkpoints", "__pycache__")
_CANVAS = re.compile(r"^(?P<name>[^_/]+?)(?P<late>_late|_LATE)?_(?P<user>\d+)_(?P<sub>\d+)_"
                     r"(?P<file>.+)$")
_RESUBMITTED = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<ext>\.[A-Za-z0-9]+)?$")
_MOODLE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<kind>[a-z]+)_$")
# the same export without "download submissions in folders": flat files
_MOODLE_FILE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_file_(?P<file>.+)$")
_KEY_UNSAFE = re.compile(r"[^\w.-]+")


@dataclass
class Submission:
    """One student's submission as found, and the prepared file or folder to grade."""

    key: str                   # unique, file-system safe; the CSV's `student` column
    name: str = ""             # the student's name as the LMS spells it
    lms_id: str = ""           # Canvas user id, Moodle participant id, Gradescope SID
    source: str = "folder"     # folder, canvas, moodle or gradescope
    email: str = ""
    late: bool = False
    original: str = ""         # where it came from, relative to what the teacher passed
    path: Path | None = None   # prepared .py file or folder (None when `problem` is set)
    notes: list[str] = field(default_factory=list)
    problem: tuple[str, str] | None = None   # (status, detail) when it cannot be run
    cell_lines: list[tuple[int, int]] = field(default_factory=list)  # (first line, cell)
    # a flat export's files of this student: (path, the student's own name, resubmission)
    flat_files: list[tuple[Path, str, int]] = field(default_factory=list, repr=False)

    def info(self) -> dict:
        """What the grade records keep about the student (JSON-safe)."""
        return {"name": self.name or self.key, "lms_id": self.lms_id, "source": self.source,
                "email": self.email, "late": self.late, "original": self.original,
                "notes": list(self.notes), "cell_lines": [list(p) for p in self.cell_lines]}


# ---- zips ---------------------------------------------------------------------------------

def safe_extract(archive: Path, destination: Path, max_bytes: int = MAX_ZIP_BYTES,
                 max_entries: int = MAX_ZIP_ENTRIES) -> Path:
    """Extract a zip into `destination` refusing traversal, links and zip bombs."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise AmlError(f"cannot open {archive} as a zip ({err}); pass a folder or a .zip") \
            from None
    destination.mkdir(parents=True, exist_ok=True)
    root = destination.resolve()
    written = 0
    with zf:
        entries = zf.infolist()
        if len(entries) > max_entries:
            raise AmlError(f"{archive} holds {len(entries)} entries (limit {max_entries}); "
                           "split it")
        for info in entries:
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if not parts or any(p in _JUNK for p in parts):
                continue
            mode = info.external_attr >> 16
            if name.startswith("/") or ".." in parts or re.match(r"^[A-Za-z]:", name) \
                    or stat.S_ISLNK(mode):
                raise AmlError(f"{archive} holds an unsafe entry {info.filename!r} (absolute, "
                               "'..' or a link); extract it yourself and pass the folder")
            target = root.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, open(target, "wb") as sink:
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written > max_bytes:
                        raise AmlError(f"{archive} unpacks to more than {max_bytes >> 20} MB;"
                                       " extract it yourself and pass the folder")
                    sink.write(chunk)
    return destination


# ---- notebooks ----------------------------------------------------------------------------

def _is_shell_or_magic(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("!", "%")) or stripped.startswith("get_ipython(")


def notebook_to_source(data: bytes, label: str = "notebook"):
    """(python source, notes, cell line map, problem) for a notebook's bytes."""
    import nbformat

    try:
        notebook = nbformat.reads(data.decode("utf-8-sig"), as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable notebook becomes a row
        return None, [], [], ("error", f"{label} is not a readable notebook "
                                       f"({type(err).__name__}: {str(err)[:120]})")
    lines, notes, cell_lines = [], [], []
    code_cell = 0
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        code_cell += 1
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        kept, skipped, in_cell_magic = [], 0, False
        for number, line in enumerate(source.splitlines()):
            if number == 0 and line.lstrip().startswith("%%"):
                in_cell_magic = True  # a whole-cell magic (%%time, %%bash): not Python
            if in_cell_magic or _is_shell_or_magic(line):
                skipped += 1
                kept.append("")  # keep line numbers so errors point at the right line
            else:
                kept.append(line)
        if skipped:
            notes.append(f"code cell {code_cell}: {skipped} shell/magic line(s) skipped")
        text = "\n".join(kept)
        try:
            compile(text, f"cell {code_cell}", "exec")
        except SyntaxError as err:
            return None, notes, cell_lines, (
                "error", f"{label} code cell {code_cell} line {err.lineno}: syntax error "
                         f"({err.msg}); fix that cell and submit again")
        cell_lines.append((len(lines) + 2, code_cell))  # +1 for the marker, 1-based
        lines.append(f"# ---- cell {code_cell}")
        lines.extend(kept)
    if not code_cell:
        return None, notes, cell_lines, ("missing file", f"{label} has no code cells")
    return "\n".join(lines) + "\n", notes, cell_lines, None


def cell_of_line(cell_lines, line: int) -> int | None:
    """The notebook cell holding line `line` of the converted source."""
    found = None
    for first, cell in cell_lines:
        if line >= first - 1:
            found = cell
    return found


def describe_in_cells(detail: str, info: dict) -> str:
    """'line 12' in a notebook submission's detail also says which cell it is in."""
    cell_lines = info.get("cell_lines") or []
    if not cell_lines or "code cell" in detail:  # intake's own messages name the cell
        return detail

    def replace(match):
        cell = cell_of_line(cell_lines, int(match[1]))
        return f"{match[0]} (notebook code cell {cell})" if cell else match[0]
    return re.sub(r"\bline (\d+)", replace, detail)


# ---- layouts ------------------------------------------------------------------------------

def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if not p.name.startswith((".", "_")) and p.name not in _JUNK)


def _layout(folder: Path) -> str:
    entries = _visible(folder)
    if (folder / "submission_metadata.yml").is_file():
        return "gradescope"
    if any(p.is_dir() and _MOODLE.match(p.name) for p in entries):
        return "moodle"
    if any(p.is_file() and _MOODLE_FILE.match(p.name) for p in entries):
        return "moodle-flat"
    files = [p for p in entries if p.is_file()]
    if files and sum(bool(_CANVAS.match(p.name)) for p in files) * 2 >= len(files):
        return "canvas"
    return "folder"


def _unique_key(wanted: str, taken: set[str], lms_id: str = "") -> str:
    base = _KEY_UNSAFE.sub("_", wanted).strip("._-") or "student"
    key = base
    if key in taken and lms_id:
        key = f"{base}_{lms_id}"
    n = 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _gradescope_metadata(path: Path) -> dict[str, dict]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise AmlError(f"cannot read {path}: {err}") from None
    found = {}
    for folder, record in (data or {}).items():
        submitters = (record or {}).get(":submitters") or []
        if submitters:
            first = submitters[0] or {}
            names = ", ".join(str(s.get(":name", "")) for s in submitters if s)
            found[str(folder)] = {"name": names, "sid": str(first.get(":sid") or ""),
                                  "email": str(first.get(":email") or "")}
    return found


def _raw_entries(folder: Path, workdir: Path, taken: set[str] | None = None,
                 depth: int = 0) -> list[Submission]:
    """One Submission per student with `path` still pointing into the teacher's folder
    (a file or a folder), before notebooks are converted. A zip among plain entries (an
    LMS export beside loose files) is unpacked and read the same way, one level deep."""
    layout = _layout(folder)
    taken = set() if taken is None else taken
    found = []
    if layout == "gradescope":
        meta = _gradescope_metadata(folder / "submission_metadata.yml")
        for entry in _visible(folder):
            if not entry.is_dir():
                continue
            who = meta.get(entry.name, {})
            label = who.get("sid") or who.get("name") or entry.name
            found.append(Submission(_unique_key(label, taken, entry.name), who.get("name", ""),
                                    who.get("sid", ""), "gradescope", who.get("email", ""),
                                    original=entry.name, path=entry))
    elif layout == "moodle":
        for entry in _visible(folder):
            match = _MOODLE.match(entry.name)
            if not match or not entry.is_dir() or match["kind"] != "file":
                continue
            found.append(Submission(_unique_key(match["name"], taken, match["id"]),
                                    match["name"], match["id"], "moodle",
                                    original=entry.name, path=entry))
    elif layout in ("canvas", "moodle-flat"):
        pattern, id_group = (_CANVAS, "user") if layout == "canvas" else (_MOODLE_FILE, "id")
        groups: dict[str, list[tuple[Path, re.Match]]] = {}
        for entry in _visible(folder):
            match = pattern.match(entry.name) if entry.is_file() else None
            if match:
                groups.setdefault(match[id_group], []).append((entry, match))
        for user, files in sorted(groups.items(), key=lambda kv: kv[1][0][1]["name"]):
            first = files[0][1]
            late = layout == "canvas" and any(m["late"] for _, m in files)
            found.append(Submission(
                _unique_key(first["name"], taken, user), first["name"], user,
                layout.split("-")[0], late=late,
                original=", ".join(p.name for p, _ in files),
                flat_files=[(p, *_canvas_name(m["file"])) if layout == "canvas"
                            else (p, m["file"], 0) for p, m in files]))
    else:
        # every entry gets a row (a stray file is a student told why, not a student lost);
        # the key is file-system safe, `name` keeps the entry's own spelling
        for entry in _visible(folder):
            gradable = entry.suffix in (".py", ".ipynb") and entry.is_file() \
                and not entry.is_symlink()
            stem = display_name(entry.stem if gradable else entry.name)
            why = ""
            if entry.is_symlink():
                why = "a symbolic link, not a submission; copy the file in"
            elif entry.suffix.lower() == ".zip" and entry.is_file() and depth == 0:
                inner = _unwrap(safe_extract(entry, workdir / "unzipped" / entry.stem))
                found += _raw_entries(inner, workdir, taken, depth + 1)
                continue
            elif entry.is_dir():
                stem = display_name(entry.name)
            elif not entry.is_file():
                why = "not a regular file or folder"
            elif not gradable:  # a regular file that is neither
                why = (f"not a .py file or notebook ({display_name(entry.name)}); submit the "
                       "exercise's .py file or a notebook")
            found.append(Submission(_unique_key(stem, taken), stem, original=entry.name,
                                    path=None if why else entry,
                                    problem=("not graded", why) if why else None))
    return found


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 become \\xNN escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _canvas_name(original: str) -> tuple[str, int]:
    """The student's own file name and the resubmission number Canvas appended (0: none)."""
    match = _RESUBMITTED.match(original)
    if match:
        return match["stem"] + (match["ext"] or ""), int(match["n"])
    return original, 0


def _prepare(sub: Submission, destination: Path, template_name: str) -> None:
    """Copy (and convert) the submission under destination/<key>[.py]."""
    if sub.problem:
        return
    if sub.flat_files:
        folder = destination / sub.key
        folder.mkdir(parents=True)
        latest: dict[str, tuple[int, Path]] = {}
        for path, name, number in sub.flat_files:
            if name not in latest or number > latest[name][0]:
                latest[name] = (number, path)
        for name, (_, path) in latest.items():
            shutil.copyfile(path, folder / Path(name).name)
        sub.path = folder
        _convert_folder(sub, folder, template_name)
        return
    assert sub.path is not None
    if sub.path.is_file():
        if sub.path.suffix == ".ipynb":
            _convert_notebook(sub, sub.path, destination / f"{sub.key}.py")
        else:
            shutil.copyfile(sub.path, destination / f"{sub.key}.py")
            sub.path = destination / f"{sub.key}.py"
        return
    folder = destination / sub.key
    shutil.copytree(sub.path, folder, symlinks=True,
                    ignore=shutil.ignore_patterns(*_JUNK))
    sub.path = folder
    _convert_folder(sub, folder, template_name)


def _convert_notebook(sub: Submission, notebook: Path, target: Path) -> None:
    source, notes, cell_lines, problem = notebook_to_source(notebook.read_bytes(),
                                                            notebook.name)
    sub.notes += notes
    sub.cell_lines = cell_lines
    if problem:
        sub.problem, sub.path = problem, None
        return
    target.write_text(source, encoding="utf-8")
    sub.path = target


def _convert_folder(sub: Submission, folder: Path, template_name: str) -> None:
    """A folder whose exercise is a notebook: that notebook becomes the template's .py."""
    python = [p for p in folder.glob("*.py") if p.is_file()]
    notebooks = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    if (folder / template_name).is_file() or len(python) == 1 or not notebooks:
        return
    stem = Path(template_name).stem
    chosen = next((n for n in notebooks if n.stem == stem), notebooks[0])
    if len(notebooks) > 1:
        sub.notes.append(f"graded {chosen.name} of {len(notebooks)} notebooks")
    _convert_notebook(sub, chosen, folder / template_name)
    sub.path = folder  # the whole folder is graded, helper modules included


def _unwrap(folder: Path) -> Path:
    """A zip of one top folder: the folder inside it."""
    entries = _visible(folder)
    if len(entries) == 1 and entries[0].is_dir() and _layout(folder) == "folder":
        return entries[0]
    return folder


def collect(source: str | Path, workdir: str | Path, template_name: str) -> list[Submission]:
    """Every submission under `source` (folder or zip), prepared under workdir/ready/.

    `workdir` is emptied first; it must not be inside `source`."""
    source, workdir = Path(source).resolve(), Path(workdir).resolve()
    if not source.exists():
        raise AmlError(f"no submissions at {source}: pass a folder or a .zip")
    if workdir.is_relative_to(source):
        raise AmlError(f"{workdir} is inside the submissions; write the grades elsewhere")
    shutil.rmtree(workdir, ignore_errors=True)
    ready = workdir / "ready"
    ready.mkdir(parents=True)
    if source.is_file():
        if source.suffix.lower() != ".zip":
            raise AmlError(f"{source} is not a folder or a .zip of submissions")
        folder = _unwrap(safe_extract(source, workdir / "unzipped" / "_source"))
    else:
        folder = source
    submissions = _raw_entries(folder, workdir)
    for sub in submissions:
        _prepare(sub, ready, template_name)
    if not submissions:
        raise AmlError(f"no submissions in {source}: expected .py/.ipynb files, student "
                       "folders, or a Canvas, Moodle or Gradescope export")
    return sorted(submissions, key=lambda s: s.key)


def prepare_folder(folder: str | Path, workdir: str | Path, template_name: str,
                   key: str = "submission") -> Submission:
    """One student's folder (a Gradescope submission, say) prepared for grading the same
    way as a class entry: copied without links, its notebook converted when it has no .py."""
    folder, workdir = Path(folder), Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    sub = Submission(key, original=str(folder), path=folder)
    _prepare(sub, workdir, template_name)
    return sub
