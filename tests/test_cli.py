"""The aml command as a user meets it: list, run, bad input, exit codes."""

import subprocess
import sys

import pytest

from aml.cli import main


def test_list_shows_every_entry_and_never_run(capsys, tmp_path):
    assert main(["list", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for entry_id in ("l1.iris", "l1.sequential", "l1.functional", "l1.subclassing"):
        assert entry_id in out
    assert "never run" in out


def test_run_then_list_shows_the_result(capsys, tmp_path):
    assert main(["run", "l1.iris", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "l1.iris  flowers_behind_linear" in out and "pass" in out
    main(["list", "--out", str(tmp_path)])
    assert "pass (quick)" in capsys.readouterr().out


def test_unknown_example_is_a_one_line_error(capsys):
    assert main(["run", "l1.irsi"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "aml: error: no example called 'l1.irsi': did you mean l1.iris?"


def test_missed_target_gives_exit_code_1(capsys, tmp_path, monkeypatch):
    from aml import catalog

    strict = catalog.Example("l1.iris", 1, "strict", "aml.lectures.lecture1.iris:iris",
                             "aml.lectures.lecture1.iris:IrisConfig",
                             (catalog.Target("test_accuracy", ">", 1.0),))
    monkeypatch.setattr(catalog, "entries", lambda: (strict,))
    assert main(["run", "all", "--quick", "--quiet", "--out", str(tmp_path)]) == 1
    assert "MISSED" in capsys.readouterr().out


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "aml", "list"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "l1.iris" in result.stdout
    assert "Traceback" not in result.stderr


def aml(*args, umask=None, env_extra=None, **kwargs):
    """The real command in a child process, as a user runs it."""
    import os

    import aml as package

    env = dict(os.environ, PYTHONPATH=package.SOURCE_ROOT, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "aml", *args], capture_output=True, text=True,
                          timeout=300, preexec_fn=(lambda: os.umask(umask)) if umask else None,
                          env=env, **kwargs)


def test_list_fits_100_columns_and_points_to_show():
    result = aml("list")
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) > 30
    assert max(len(line) for line in lines) <= 100
    assert "aml show ID" in result.stdout


def test_show_gives_targets_code_and_how_to_run(capsys, tmp_path):
    assert main(["show", "l3.ann_images", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "test_accuracy >= 0.9 [dataset=fashion_mnist]" in out
    assert ("from Zalando fashion-mnist README benchmark table (commit 02cf067): MLP "
            "256-128-64, 0.900") in out
    assert "quick configuration: 0.7" in out and "aml run l3.ann_images" in out
    assert "never run" in out
    assert main(["show", "l1.sequential", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "aml check l1.sequential" in out and "never checked" in out


@pytest.mark.parametrize("command", [["list"], ["show", "l1.iris"], ["--help"],
                                     ["run", "--help"], ["data", "list"]])
def test_a_closed_pipe_ends_any_command_quietly(command):
    """`aml list | head`: the reader leaves early; no BrokenPipeError traceback."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader has already gone when aml first writes
    try:
        result = subprocess.run([sys.executable, "-m", "aml", *command], stdout=write,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert result.stderr == ""
    assert result.returncode in (0, 141)


@pytest.mark.parametrize("out, message", [
    ("/proc/aml-results", "cannot write to --out /proc/aml-results"),
    ("{file}", "is a file, not a folder"),
    ("{file}/sub", "cannot write to --out"),
])
def test_bad_out_is_one_line_before_any_training(tmp_path, out, message):
    (tmp_path / "file").write_text("not a folder")
    result = aml("run", "l1.iris", "--quick", "--out", out.format(file=tmp_path / "file"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert result.stdout == ""  # refused before the run started


def test_bad_out_for_report_and_list_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    results = tmp_path / "results"
    results.mkdir()
    for command in (["report", "--results", str(results), "--out", "/proc/aml-site"],
                    ["report", "--results", str(results), "--out", str(tmp_path / "file")],
                    ["list", "--out", str(tmp_path / "file")]):
        result = aml(*command)
        assert result.returncode == 2, command
        assert result.stderr.startswith("aml: error: ") and result.stderr.count("\n") == 1


def test_run_after_a_corrupt_index_keeps_the_others_and_files_follow_the_umask(tmp_path):
    """A broken index.json is rebuilt (with a warning), and under umask 022 every file the
    run writes is 0644 and every folder 0755, as any other program would write them."""
    import stat

    from aml import results

    root = tmp_path / "results"
    for entry_id in ("l2.anomaly", "l2.clustering"):
        with results.staged_run(root, entry_id, "r1") as staging:
            results.publish_run(staging, {"id": entry_id, "run": "r1", "passed": True,
                                          "quick": False, "metrics": {"x": 1.0},
                                          "targets": [{"met": True}], "finished": "t"})
    (root / "index.json").write_text('{"l2.anomaly": {"run"')
    listed = aml("list", "--out", str(root))
    assert "rebuilt it from the run folders of 2 entries" in listed.stderr
    assert listed.stdout.count("pass ") >= 2
    (root / "index.json").write_text('{"l2.anomaly": {"run"')
    ran = aml("run", "l1.iris", "--quick", "--quiet", "--out", str(root), umask=0o022)
    assert ran.returncode == 0, ran.stderr
    assert sorted(results.read_index(root)) == ["l1.iris", "l2.anomaly", "l2.clustering"]
    run_folder = next((root / "l1.iris").iterdir())
    for path in [run_folder, *run_folder.iterdir(), root / "index.json"]:
        expected = 0o755 if path.is_dir() else 0o644
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    shown = aml("show", "l1.iris", "--out", str(root))
    assert "pass (quick)" in shown.stdout and "test_accuracy = " in shown.stdout


def test_a_run_with_no_applicable_target_says_so_everywhere(capsys, tmp_path, monkeypatch):
    """Nothing checked is neither a pass nor a miss: run, list and report all say "no target"."""
    from aml import catalog
    from aml.report.site import build_site

    unmatched = catalog.Example("l1.iris", 1, "no target applies",
                                "aml.lectures.lecture1.iris:iris",
                                "aml.lectures.lecture1.iris:IrisConfig",
                                (catalog.Target("test_accuracy", ">=", 0.5,
                                                when=(("dataset", "none"),)),))
    monkeypatch.setattr(catalog, "entries", lambda: (unmatched,))
    assert main(["run", "l1.iris", "--quick", "--quiet", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "no target (nothing checked)" in out and "had no applicable target" in out
    assert "met their targets" not in out
    main(["list", "--out", str(tmp_path)])
    assert "no target (quick)" in capsys.readouterr().out
    page = build_site(tmp_path, tmp_path / "report").read_text()
    assert '<span class="badge none">no target</span>' in page
    assert "<div><b>0</b>meet their targets</div>" in page
    assert "<div><b>1</b>no target</div>" in page


@pytest.mark.sandbox
def test_list_shows_the_students_last_check(tmp_path):
    """`aml check` remembers its result; `aml list` and `aml show` then show it."""
    (tmp_path / "broken.py").write_text("def build_model(:\n")
    env = {"AML_RESULTS": str(tmp_path / "results")}
    import os

    checked = aml("check", "l1.sequential", "--quick", "--file", "broken.py", cwd=tmp_path,
                  env_extra=env)
    assert checked.returncode == 1 and "syntax error" in checked.stdout
    listed = aml("list", cwd=tmp_path, env_extra=env)
    row = next(line for line in listed.stdout.splitlines() if line.startswith("l1.sequential"))
    assert "FAIL (error) (quick)" in row
    assert "never checked" in next(line for line in listed.stdout.splitlines()
                                   if line.startswith("l1.functional"))
    shown = aml("show", "l1.sequential", cwd=tmp_path, env_extra=env).stdout
    assert "file broken.py" in shown and "syntax error" in shown
    assert os.path.isfile(tmp_path / "results" / "checks" / "l1.sequential.json")


def test_list_shows_pass_and_score_of_a_recorded_check(capsys, tmp_path):
    from aml.results import record_check

    record_check(tmp_path, "l1.functional", {"passed": True, "status": "ok", "score": 6,
                                             "max_score": 6, "quick": False, "checks": []})
    record_check(tmp_path, "l1.subclassing", {"passed": False, "status": "ok", "score": 4,
                                              "max_score": 6, "quick": True, "checks": []})
    assert main(["list", "--out", str(tmp_path)]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()
            if line.startswith("l1.")}
    assert "pass 6/6" in rows["l1.functional"] and "(quick)" not in rows["l1.functional"]
    assert "FAIL 4/6 (quick)" in rows["l1.subclassing"]
