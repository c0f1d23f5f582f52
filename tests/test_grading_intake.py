"""Submissions in: plain folders, notebooks, zips and the exports of Canvas, Moodle and
Gradescope become one prepared entry per student, with names and LMS ids kept."""

import io
import stat
import zipfile

import nbformat
import pytest

from aml.errors import AmlError
from aml.grading.intake import collect, describe_in_cells, notebook_to_source, safe_extract

GOOD = "import numpy as np\n\ndef fit_line(x, y):\n    return 1.0, 0.0\n"


def notebook(*cells) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# my work")] + [
        nbformat.v4.new_code_cell(c) for c in cells]
    return nbformat.writes(nb)


def test_plain_folder_with_files_notebooks_and_student_folders(tmp_path):
    subs = tmp_path / "subs"
    (subs / "carol").mkdir(parents=True)
    (subs / "alice.py").write_text(GOOD)
    (subs / "bob.ipynb").write_text(notebook("!pip install numpy\n%matplotlib inline",
                                             "%%time\nprint('slow')", GOOD))
    (subs / "carol" / "line.ipynb").write_text(notebook(GOOD))
    (subs / "carol" / "helper.txt").write_text("notes")
    (subs / "notes.txt").write_text("not a submission")
    (subs / "dave.py").symlink_to(subs / "alice.py")
    found = {s.key: s for s in collect(subs, tmp_path / "work", "line.py")}
    assert sorted(found) == ["alice", "bob", "carol", "dave.py", "notes.txt"]
    assert found["alice"].path.read_text() == GOOD
    bob = found["bob"]
    assert bob.path.name == "bob.py" and "def fit_line" in bob.path.read_text()
    assert "pip install" not in bob.path.read_text() and "slow" not in bob.path.read_text()
    assert bob.notes == ["code cell 1: 2 shell/magic line(s) skipped",
                         "code cell 2: 2 shell/magic line(s) skipped"]
    # the folder's notebook became the exercise file, its other files came along
    assert (found["carol"].path / "line.py").is_file()
    assert (found["carol"].path / "helper.txt").read_text() == "notes"
    assert found["dave.py"].problem == ("not graded", "a symbolic link, not a submission; "
                                                       "copy the file in")
    # a stray file gets its row too, saying why it was not graded
    assert found["notes.txt"].problem == ("not graded", "not a .py file or notebook "
                                          "(notes.txt); submit the exercise's .py file or a "
                                          "notebook")


def test_notebook_that_does_not_parse_names_the_cell():
    source, _, _, problem = notebook_to_source(notebook(GOOD, "def broken(:\n    pass").encode(),
                                               "eve.ipynb")
    assert source is None
    assert problem == ("error", "eve.ipynb code cell 2 line 1: syntax error (invalid syntax); "
                                "fix that cell and submit again")
    _, _, _, problem = notebook_to_source(b"{not json", "frank.ipynb")
    assert problem[0] == "error" and "not a readable notebook" in problem[1]


def test_errors_in_a_converted_notebook_point_at_the_cell():
    source, _, cells, _ = notebook_to_source(notebook("x = 1", "y = 2\nz = 1 / 0").encode())
    lines = source.splitlines()
    assert lines[lines.index("z = 1 / 0")] == "z = 1 / 0"
    line = lines.index("z = 1 / 0") + 1
    info = {"cell_lines": cells}
    assert describe_in_cells(f"raised ZeroDivisionError (line {line})", info) == \
        f"raised ZeroDivisionError (line {line} (notebook code cell 2))"


def _zip(path, files: dict):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def test_canvas_export_zip(tmp_path):
    archive = _zip(tmp_path / "submissions.zip", {
        "smithjane_1234_98765_line.py": "old = 1\n" + GOOD,
        "smithjane_1234_98766_line-1.py": GOOD,      # a resubmission: the later one counts
        "smithjane_1234_98765_helper.py": "X = 1\n",
        "doejohn_late_5678_11111_line.ipynb": notebook(GOOD),
        "__MACOSX/._junk": "x",
    })
    found = {s.key: s for s in collect(archive, tmp_path / "work", "line.py")}
    assert sorted(found) == ["doejohn", "smithjane"]
    jane, john = found["smithjane"], found["doejohn"]
    assert (jane.source, jane.lms_id, jane.name, jane.late) == ("canvas", "1234", "smithjane",
                                                                 False)
    assert (jane.path / "line.py").read_text() == GOOD
    assert (jane.path / "helper.py").read_text() == "X = 1\n"
    assert (john.lms_id, john.late) == ("5678", True)
    assert "def fit_line" in (john.path / "line.py").read_text()


def test_moodle_export(tmp_path):
    export = tmp_path / "export"
    for folder, files in {
        "Jane Smith_101_assignsubmission_file_": {"line.py": GOOD},
        "José Núñez_102_assignsubmission_file_": {"line.ipynb": notebook(GOOD)},
        "Jane Smith_103_assignsubmission_file_": {"line.py": GOOD},
        "Jane Smith_101_assignsubmission_onlinetext_": {"onlinetext.html": "<p>hi</p>"},
    }.items():
        (export / folder).mkdir(parents=True)
        for name, text in files.items():
            (export / folder / name).write_text(text)
    found = collect(export, tmp_path / "work", "line.py")
    assert [(s.key, s.name, s.lms_id, s.source) for s in found] == [
        ("Jane_Smith", "Jane Smith", "101", "moodle"),
        ("Jane_Smith_103", "Jane Smith", "103", "moodle"),
        ("José_Núñez", "José Núñez", "102", "moodle")]
    assert (found[2].path / "line.py").is_file()


def test_moodle_export_without_folders(tmp_path):
    archive = _zip(tmp_path / "moodle.zip", {
        "Jane Smith_101_assignsubmission_file_line.py": GOOD,
        "Jane Smith_101_assignsubmission_file_helper.py": "X = 1\n",
        "Ann Lee_102_assignsubmission_file_line.ipynb": notebook(GOOD)})
    found = collect(archive, tmp_path / "work", "line.py")
    assert [(s.key, s.lms_id, s.source) for s in found] == [("Ann_Lee", "102", "moodle"),
                                                           ("Jane_Smith", "101", "moodle")]
    assert sorted(p.name for p in found[1].path.iterdir()) == ["helper.py", "line.py"]
    assert "def fit_line" in (found[0].path / "line.py").read_text()


def test_gradescope_export(tmp_path):
    export = tmp_path / "export"
    (export / "submission_111").mkdir(parents=True)
    (export / "submission_222").mkdir()
    (export / "submission_111" / "line.py").write_text(GOOD)
    (export / "submission_222" / "line.py").write_text(GOOD)
    (export / "submission_metadata.yml").write_text(
        "submission_111:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '42'\n"
        "    :email: ada@example.org\n  :created_at: 2026-01-01\n"
        "submission_222:\n  :submitters:\n  - :name: Alan Turing\n    :sid: '7'\n")
    found = {s.key: s for s in collect(export, tmp_path / "work", "line.py")}
    assert sorted(found) == ["42", "7"]
    assert (found["42"].name, found["42"].email, found["42"].source) == \
        ("Ada Lovelace", "ada@example.org", "gradescope")


@pytest.mark.parametrize("name", ["../evil.py", "/abs.py", "a/../../evil.py"])
def test_zip_traversal_is_refused(tmp_path, name):
    archive = _zip(tmp_path / "bad.zip", {name: "x"})
    with pytest.raises(AmlError, match="unsafe entry"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "evil.py").exists()


def test_zip_links_and_bombs_are_refused(tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("alice.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(AmlError, match="unsafe entry"):
        safe_extract(archive, tmp_path / "out")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.py", b"0" * (3 << 20))  # compresses to a few kB
    assert bomb.stat().st_size < 50_000
    with pytest.raises(AmlError, match="unpacks to more than 2 MB"):
        safe_extract(bomb, tmp_path / "out2", max_bytes=2 << 20)


def test_bad_sources_are_one_line_errors(tmp_path):
    with pytest.raises(AmlError, match="no submissions at"):
        collect(tmp_path / "nope", tmp_path / "work", "line.py")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(AmlError, match="not a folder or a .zip"):
        collect(tmp_path / "file.txt", tmp_path / "work", "line.py")
    (tmp_path / "not.zip").write_bytes(io.BytesIO(b"garbage").read())
    with pytest.raises(AmlError, match="cannot open"):
        collect(tmp_path / "not.zip", tmp_path / "work", "line.py")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AmlError, match="no submissions in"):
        collect(tmp_path / "empty", tmp_path / "work", "line.py")
