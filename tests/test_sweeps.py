"""Sweeps: the Pareto logic, the pruning guard, a real SQLite sweep with two processes, and
a real PostgreSQL server shared by worker processes, one of them killed mid-trial."""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import json
import os
import pwd
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

import aml
from aml import catalog, cli
from aml.errors import AmlError
from aml.sweeps.pareto import pareto_front
from aml.sweeps.study import PruningGuard, TrialContext, goal_for, open_storage
from aml.targets import Tiers


def _row(trial, metric, parameters):
    return {"trial": trial, "metric": metric, "parameters": parameters, "params": {}}


def _iris_parameters(hidden: int) -> int:
    return (4 + 1) * hidden + (hidden + 1) * 3


def test_pareto_front_keeps_only_undominated_models():
    rows = [_row(0, 0.70, 11), _row(1, 0.90, 19), _row(2, 0.85, 27), _row(3, 0.95, 67),
            _row(4, 0.95, 131), _row(5, 0.90, 19)]
    assert [r["trial"] for r in pareto_front(rows)] == [0, 1, 3]
    errors = [_row(0, 0.30, 10), _row(1, 0.10, 100), _row(2, 0.20, 1000)]
    assert [r["trial"] for r in pareto_front(errors, maximize=False)] == [0, 1]


def _iris_with_accuracy_target(threshold=0.93):
    return dataclasses.replace(catalog.get("l1.iris"), targets=(
        catalog.Target("test_accuracy", ">=", threshold),))


def test_goal_tiers_come_from_the_targets_and_tiers_of_the_spec():
    # iris's target counts flowers behind a linear baseline and names val_accuracy: the
    # sweep maximises validation accuracy and reports test accuracy; no accuracy rungs
    goal = goal_for(catalog.get("l1.iris"))
    assert (goal.metric, goal.reported, goal.maximize, goal.tier_values()) == (
        "val_accuracy", "test_accuracy", True, [])
    goal = goal_for(_iris_with_accuracy_target())
    # Chosen on validation accuracy; the test accuracy is what gets reported for the choice.
    assert (goal.metric, goal.reported, goal.maximize, goal.tier_values()) == (
        "val_accuracy", "test_accuracy", True, [0.93])
    tiered = dataclasses.replace(_iris_with_accuracy_target(), tiers=Tiers(
        "test_accuracy", (("a", (0.6,)), ("b", (0.6, 0.8)))))
    goal = goal_for(tiered)
    assert goal.tier_values() == [0.6, 0.8, 0.93]
    assert goal.tier_values({"dataset": "a"}) == [0.6, 0.93]
    no_space = catalog.Example("x.y", 1, "t", "m:f", "m:C", catalog.get("l1.iris").targets)
    with pytest.raises(AmlError, match="declares no search space"):
        goal_for(no_space)


def test_lecture3_sweeps_report_the_tiers_of_the_dataset_they_ran_on():
    ann = goal_for(catalog.get("l3.ann_images"))
    assert ann.tier_values({"dataset": "fashion_mnist"}) == [0.835, 0.9]
    assert ann.tier_values({"dataset": "cifar10"}) == [0.3, 0.4, 0.5]
    cnn = goal_for(catalog.get("l3.cnn_images"))
    assert cnn.tier_values({"dataset": "fashion_mnist"}) == [0.876, 0.903, 0.916]
    assert cnn.tier_values({"dataset": "digits"}) == [0.85, 0.92, 0.97]
    assert PruningGuard(cnn, {"dataset": "cifar10"}).limit == 0.3


def test_pruning_guard_stops_hopeless_trials_through_progress(tmp_path):
    guard = PruningGuard(goal_for(_iris_with_accuracy_target()))  # tier 0.93 -> limit 0.465
    ctx = TrialContext(directory=tmp_path, verbose=False, guard=guard)
    bar = ctx.progress("train", 100)
    bar.update(40, val_accuracy=0.2)  # too early to judge
    bar.update(60, val_accuracy=0.5, accuracy=0.1)  # validation value preferred, above limit
    with pytest.raises(optuna.TrialPruned, match="val_accuracy 0.3 after 60/100"):
        bar.update(60, val_accuracy=0.3)
    with pytest.raises(optuna.TrialPruned):
        bar.update(100, accuracy=0.3)
    bar.update(100, loss=9.0)  # no accuracy reported: never pruned


def test_pruning_limit_follows_the_tiers_that_apply():
    goal = goal_for(catalog.Example("x.y", 3, "t", "m:f", "aml.lectures.lecture1.iris:IrisConfig", (
        catalog.Target("test_accuracy", ">=", 0.9, when=(("dataset", "a"),)),
        catalog.Target("test_accuracy", ">=", 0.5, when=(("dataset", "b"),))),
        search="aml.lectures.lecture1.iris:iris_search_space"))
    assert PruningGuard(goal).limit == 0.25  # dataset unknown yet: the most lenient tier
    assert PruningGuard(goal, {"dataset": "a"}).limit == 0.45


def _png_width(path: Path) -> int:
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


@pytest.mark.slow
def test_sqlite_sweep_two_processes(tmp_path, capsys):
    code = cli.main(["sweep", "l1.iris", "--quick", "--trials", "3", "--jobs", "2",
                     "--out", str(tmp_path), "--sampler-seed", "0", "--heartbeat", "5",
                     "--set", "epochs=30", "--fix", "learning_rate=0.02", "--no-prune"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    folder = tmp_path / "sweeps" / "l1.iris-quick"
    summary = json.loads((folder / "sweep.json").read_text())
    assert summary["states"] == {"complete": 3}
    assert sorted(r["trial"] for r in summary["trials"]) == [0, 1, 2]
    for row in summary["trials"]:
        assert row["parameters"] == _iris_parameters(row["params"]["hidden"])
        assert row["config"]["hidden"] == row["params"]["hidden"]
        assert row["config"]["epochs"] == 30 and row["params"]["learning_rate"] == 0.02
        assert 0.0 <= row["metric"] <= 1.0 and row["metric"] == row["metrics"]["val_accuracy"]
    chosen = {r["trial"] for r in summary["front"]} | {
        a["row"]["trial"] for a in summary["per_tier"] if a["row"]}
    for row in summary["trials"]:  # the test set is shown for the chosen models only
        if row["trial"] in chosen:
            assert 0.0 <= row["test"] <= 1.0
        else:
            assert "test" not in row and not any("test" in k for k in row["metrics"])
    for front_row in summary["front"]:
        assert front_row["test"] is not None
    for row in summary["trials"]:  # every trial is matched or beaten by a front member
        assert any(f["parameters"] <= row["parameters"] and f["metric"] >= row["metric"]
                   for f in summary["front"])
    # Iris's target is relative (flowers behind Fisher's discriminant on the same flowers):
    # it has no accuracy rung, so there is no "smallest model per tier" (tested on lecture 3's
    # tiers in test_lectures_lecture3.py and test_report.py).
    assert summary["tiers"] == [] and summary["per_tier"] == []
    assert _png_width(folder / "pareto.png") > 400
    assert "Pareto front (val_accuracy vs parameters; test_accuracy of these models only)" \
        in printed and "Smallest model per tier" not in printed
    assert summary["settings"] == {"epochs": 30} and "held: epochs=30" in printed
    assert (tmp_path / "sweeps.db").is_file()
    # --trials 0 only summarises, adopting what the study held.
    assert cli.main(["sweep", "l1.iris", "--quick", "--trials", "0", "--out", str(tmp_path)]) == 0
    assert "3 complete\nheld: epochs=30 learning_rate=0.02" in capsys.readouterr().out


def test_sweep_errors_are_one_line(tmp_path, capsys):
    assert cli.main(["sweep", "l1.irs", "--trials", "1"]) == 2
    assert "did you mean l1.iris" in capsys.readouterr().err
    assert cli.main(["sweep", "l1.iris", "--trials", "1", "--set", "hiden=4"]) == 2
    assert "--set hiden: the configuration of l1.iris has no such field" in \
        capsys.readouterr().err
    assert cli.main(["sweep", "l1.iris", "--trials", "1", "--fix", "hiden=4",
                     "--out", str(tmp_path)]) == 2
    assert "--fix hiden: the search space of l1.iris has no such parameter; it has hidden, " \
        "learning_rate" in capsys.readouterr().err
    port = _free_port()
    assert cli.main(["sweep", "l1.iris", "--trials", "1", "--storage",
                     f"postgresql://nobody:secret@127.0.0.1:{port}/x"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("aml: error: cannot open sweep storage postgresql://nobody@")
    assert "secret" not in err and "\n" not in err


# ---- a real PostgreSQL server on loopback ---------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        pytest.fail("PostgreSQL server not found (no initdb): install Debian's postgresql "
                    "package, e.g. apt-get install postgresql (.ci/run does)")
    return Path(candidates[-1]).parent


@contextlib.contextmanager
def postgres_server():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (as user postgres when we are root)."""
    bindir = _postgres_bin()
    base = Path(tempfile.mkdtemp(prefix="aml-pg-"))
    as_user = []
    if os.geteuid() == 0:  # the server refuses to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root and there is no 'postgres' user to run the server: "
                        "install Debian's postgresql package (it creates one)")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c full_page_writes=off -c synchronous_commit=off")
    ctl = as_user + [str(bindir / "pg_ctl"), "-D", str(base / "data")]
    try:
        for command in (as_user + [str(bindir / "initdb"), "-D", str(base / "data"), "-U", "aml",
                                   "--auth=trust", "--no-sync", "-E", "UTF8"],
                        ctl + ["-l", str(base / "server.log"), "-w", "-t", "60", "-o", options,
                               "start"]):
            done = subprocess.run(command, capture_output=True, text=True, cwd=base)
            if done.returncode != 0:
                log = (base / "server.log").read_text() if (base / "server.log").exists() else ""
                pytest.fail(f"{Path(command[len(as_user)]).name} failed: {done.stderr}{log}")
        yield f"postgresql://aml@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(ctl + ["-m", "immediate", "stop"], capture_output=True, cwd=base)
        shutil.rmtree(base, ignore_errors=True)


def _worker(url: str, trials: int, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=aml.SOURCE_ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.Popen(
        [sys.executable, "-m", "aml", "sweep", "l1.iris", "--quick", "--trials", str(trials),
         "--storage", url, "--study", "shared", "--heartbeat", "1", "--no-prune", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def _finish(process: subprocess.Popen) -> str:
    out = process.communicate(timeout=300)[0]
    assert process.returncode == 0, out
    return out


def _numbers(output: str) -> set[int]:
    return {int(n) for n in re.findall(r"trial (\d+): val_accuracy", output)}


def _running_study(url: str, worker: subprocess.Popen):
    """The shared study once the worker is inside a trial with its parameters chosen."""
    storage, deadline = open_storage(url, 1), time.monotonic() + 120
    while True:
        assert worker.poll() is None and time.monotonic() < deadline, "no trial started"
        try:
            study = optuna.load_study(study_name="shared", storage=storage)
            if any(t.params for t in study.get_trials(states=(TrialState.RUNNING,))):
                return study
        except KeyError:  # the worker has not created the study yet
            pass
        time.sleep(0.1)


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_workers_share_a_study_and_survive_a_killed_worker(tmp_path):
    with postgres_server() as url:
        doomed = _worker(url, 1, "--worker")
        study = _running_study(url, doomed)
        time.sleep(0.5)  # its heartbeat is recorded; it is mid-trial (Keras still loading)
        doomed.kill()
        doomed.wait()
        (killed,) = study.get_trials(states=(TrialState.RUNNING,))
        time.sleep(2.5)  # longer than the grace period of two missed heartbeats

        # Two workers share the study; one of them fails the stale trial and queues its
        # configuration again, and they share that retry and three new trials.
        first, second = _worker(url, 2, "--worker"), _worker(url, 2, "--worker")
        out_first, out_second = _finish(first), _finish(second)
        ran_first, ran_second = _numbers(out_first), _numbers(out_second)
        outputs = f"first worker:\n{out_first}\nsecond worker:\n{out_second}"
        assert len(ran_first) == len(ran_second) == 2, outputs  # each did its own share...
        assert ran_first.isdisjoint(ran_second), outputs  # ...no trial ran twice...
        assert ran_first | ran_second == {1, 2, 3, 4}, outputs  # ...and none was lost

        trials = study.get_trials()
        assert [t.number for t in trials] == [0, 1, 2, 3, 4] and killed.number == 0
        assert len({t._trial_id for t in trials}) == 5
        assert trials[0].state == TrialState.FAIL
        (retry,) = [t for t in trials if t.system_attrs.get("failed_trial") == 0]
        assert retry.state == TrialState.COMPLETE
        assert retry.params == killed.params and len(killed.params) == 2
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        assert len(complete) == 4
        for trial in complete:
            assert trial.values[1] == _iris_parameters(trial.params["hidden"])
            assert trial.values[0] == trial.user_attrs["metrics"]["val_accuracy"]
        summary = _finish(_worker(url, 0, "--out", str(tmp_path)))  # the study stays usable
        assert "4 complete, 1 fail" in summary
