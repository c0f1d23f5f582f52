"""The aml command as a user meets it: list, run, bad input, exit codes."""

import subprocess
import sys

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
    assert "l1.iris  test_accuracy" in out and "pass" in out
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
    monkeypatch.setattr(catalog, "ENTRIES", (strict,))
    assert main(["run", "all", "--quick", "--quiet", "--out", str(tmp_path)]) == 1
    assert "MISSED" in capsys.readouterr().out


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "aml", "list"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "l1.iris" in result.stdout
    assert "Traceback" not in result.stderr
