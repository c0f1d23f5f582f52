"""Run sweep trials: each trial is the example's runner on a configuration its search space
suggests, seeded like `aml run`, scored on (the validation counterpart of the example's first
target metric, parameters). Choices are made on validation data carved from the training set;
the test metric of a trial is kept aside and shown only for the models finally chosen.

Storage is any database URL Optuna accepts: a SQLite file under results/ by default,
PostgreSQL when several processes or machines share one study. Every process sends a
heartbeat for its running trial; a trial whose process died is marked failed by the next
process that starts a trial, and its configuration is queued to run once more.

Pruning: Optuna's pruners refuse multi-objective studies, so a trial is stopped through the
progress numbers its runner already reports (`ctx.progress(...).update(step, val_accuracy=...)`):
once half of the steps are done, a trial whose validation value is worse than half the
lowest tier (twice it, for a metric to minimise) is marked PRUNED. Runners that report no
such number are never pruned.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from aml import catalog
from aml.atomic import jsonable
from aml.context import RunContext
from aml.errors import AmlError
from aml.progress import Progress
from aml.results import results_root

PRUNE_AFTER = 0.5  # fraction of a progress bar's steps before a trial may be stopped
PRUNE_FACTOR = 0.5  # hopeless = worse than this fraction of the lowest tier
STARTUP_TRIALS = 6  # random trials before TPE starts modelling the front
RETRIES = 1  # how often the configuration of a trial whose process died is run again


class TrialCrashed(Exception):
    """A trial's runner raised a bug-like error: the trial fails, the sweep goes on."""


@dataclass(frozen=True)
class Goal:
    """What a sweep of one example optimises (`metric`, a validation metric), what it reports
    for the chosen models (`reported`, the test metric), and the tiers."""

    example: catalog.Example
    metric: str
    maximize: bool
    tiers: tuple[catalog.Target, ...]
    quick: bool
    settings: dict = field(default_factory=dict)  # config fields changed before the search
    fixed: dict = field(default_factory=dict)  # search parameters held at one value
    reported: str = ""

    def identity(self) -> dict:
        """What must match for processes to share a study."""
        return {"example": self.example.id, "metric": self.metric, "quick": self.quick,
                "settings": jsonable(self.settings), "fixed": jsonable(self.fixed)}

    def tier_values(self, metrics: dict | None = None) -> list[float]:
        """Thresholds of the tiers that apply to these metrics (all of them if None)."""
        values = {t.threshold_for(self.quick) for t in self.tiers
                  if metrics is None or t.applies(metrics)}
        return sorted(values, reverse=not self.maximize)

    def meets(self, value: float, tier: float) -> bool:
        return value >= tier if self.maximize else value <= tier


def goal_for(example: catalog.Example, quick: bool = False, settings: dict | None = None,
             fixed: dict | None = None) -> Goal:
    """The validation counterpart of the example's first target metric, its direction and
    the tiers (thresholds of that target, applied to the validation metric when choosing).

    Tiers are the example's targets on that metric and the rungs of its spec's `tiers`.
    `settings` change fields of the base configuration; `fixed` holds search parameters at
    one value.
    """
    if not example.search:
        raise AmlError(f"{example.id} declares no search space; give its catalog entry "
                       "search='module:function' to sweep it")
    if not example.targets:
        raise AmlError(f"{example.id} has no target, so a sweep has no metric to optimise")
    first = example.targets[0]
    maximize, reported = first.op in (">=", ">"), first.metric
    if first.selection_metric.removeprefix("val_") != first.metric.removeprefix("test_"):
        # A target against a baseline (iris: flowers behind a linear classifier) names the
        # validation metric choices are made on; the sweep maximises that and reports its
        # test counterpart.
        reported, maximize = "test_" + first.selection_metric.removeprefix("val_"), True
    tiers = [t for t in example.targets if t.metric == reported]
    if example.tiers is not None:
        tiers += [t for t in example.tiers.targets() if t.metric == reported]
    settings = dict(settings or {})
    from aml.running import config_for

    fields = {f.name for f in dataclasses.fields(config_for(example, quick))}
    unknown = sorted(set(settings) - fields)
    if unknown:
        raise AmlError(f"--set {unknown[0]}: the configuration of {example.id} has no such "
                       f"field; it has {', '.join(sorted(fields))}")
    return Goal(example, first.selection_metric, maximize, tuple(tiers), quick, settings,
                dict(fixed or {}), reported=reported)


class PruningGuard:
    """Raises TrialPruned when a runner's progress shows a hopeless trial (see module doc)."""

    def __init__(self, goal: Goal, metrics: dict | None = None):
        """`metrics` of a finished trial, when there is one, pick the tiers that apply
        (e.g. the dataset's); without them the most lenient of all tiers is used."""
        base = goal.metric.removeprefix("val_").removeprefix("test_")
        self.keys = (f"val_{base}", base)
        tiers = [v for v in goal.tier_values(metrics) if v > 0]
        easiest = tiers[0] if tiers else None
        self.maximize = goal.maximize
        self.limit = None if easiest is None else (
            easiest * PRUNE_FACTOR if goal.maximize else easiest / PRUNE_FACTOR)

    def check(self, step: int, total: int, numbers: dict) -> None:
        if self.limit is None or step < PRUNE_AFTER * total:
            return
        for key in self.keys:
            if key in numbers:
                value = float(numbers[key])
                if value < self.limit if self.maximize else value > self.limit:
                    import optuna

                    raise optuna.TrialPruned(
                        f"{key} {value:.4g} after {step}/{total} steps, "
                        f"{'below' if self.maximize else 'above'} {self.limit:.4g}")
                return


class GuardedProgress(Progress):
    """A silent progress display that lets the pruning guard see every update."""

    def __init__(self, label: str, total: int, guard: PruningGuard):
        super().__init__(label, total, enabled=False)
        self.guard = guard

    def update(self, step: int, **numbers: float) -> None:
        self.guard.check(step, self.total, numbers)


@dataclass
class TrialContext(RunContext):
    """RunContext of one trial: figures go to a throwaway folder, progress feeds the guard."""

    guard: PruningGuard | None = None

    def progress(self, label: str, total: int) -> Progress:
        if self.guard is None:
            return super().progress(label, total)
        return GuardedProgress(label, total, self.guard)


def default_storage(out=None) -> str:
    """The embedded default: a SQLite file results/sweeps.db (nothing to start)."""
    path = results_root(out).resolve() / "sweeps.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def open_storage(url: str, heartbeat: int = 20):
    """An Optuna RDB storage with heartbeats, retrying once a trial whose process died.

    Workers that start together on an empty database race to create its tables; the loser
    sees a duplicate-table error and simply tries again.
    """
    import optuna
    import sqlalchemy.exc
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    engine = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {
        "pool_pre_ping": True}
    for attempt in range(4):
        try:
            return RDBStorage(with_installed_driver(url), engine_kwargs=engine,
                              heartbeat_interval=heartbeat, grace_period=2 * heartbeat,
                              heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                                  max_retry=RETRIES))
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError) as err:
            if attempt == 3:
                raise AmlError(f"cannot create the sweep tables in {redact(url)}: "
                               f"{_first_line(err)}") from err
            time.sleep(0.5 * (attempt + 1))
        except ImportError as err:
            raise AmlError(f"no database driver for {redact(url)}: pip install -e "
                           "'.[postgres]' (psycopg2) or the driver your URL names") from err
        except Exception as err:  # SQLAlchemy: bad URL, server down, no such database
            raise AmlError(f"cannot open sweep storage {redact(url)}: "
                           f"{_first_line(err)}") from err


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def with_installed_driver(url: str) -> str:
    """`postgresql://` names no driver and SQLAlchemy 2.1 then wants psycopg 3; use psycopg2
    (our `postgres` extra) when only that one is installed."""
    import importlib.util

    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is None \
            and importlib.util.find_spec("psycopg2") is not None:
        return "postgresql+psycopg2://" + url.removeprefix("postgresql://")
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':')[0]}@{host}"
    return url


def open_study(goal: Goal, storage, name: str, sampler_seed: int | None = None,
               read_only: bool = False):
    """Create or join the study `name`; refuse one made for another example or, unless only
    reading it, with other --set/--fix values."""
    import optuna

    sampler = optuna.samplers.TPESampler(seed=sampler_seed, n_startup_trials=STARTUP_TRIALS,
                                         multivariate=True)
    if goal.fixed:
        sampler = optuna.samplers.PartialFixedSampler(goal.fixed, sampler)
    directions = ["maximize" if goal.maximize else "minimize", "minimize"]
    study = optuna.create_study(storage=storage, study_name=name, directions=directions,
                                sampler=sampler, load_if_exists=True)
    mine = goal.identity()
    theirs = {key: study.user_attrs.get(key) for key in mine}
    if all(value is None for value in theirs.values()):
        for key, value in mine.items():
            study.set_user_attr(key, value)
    elif theirs != mine and (not read_only or any(
            theirs[key] != mine[key] for key in ("example", "metric", "quick"))):
        raise AmlError(f"study {name!r} was made for {theirs['example']} with other settings "
                       f"({', '.join(f'{k}={v}' for k, v in theirs.items())}); use those or "
                       "pick another --study name")
    return study


def trial_objective(goal: Goal, seed: int = 0, prune: bool = True):
    """Optuna objective: run the example on the suggested config, return (metric, parameters);
    with `prune`, a trial whose progress shows it hopeless is stopped (PruningGuard)."""
    import optuna

    from aml.running import config_for

    example = goal.example
    base = dataclasses.replace(config_for(example, goal.quick), **goal.settings)
    space = catalog.resolve(example.search)
    runner = catalog.resolve(example.runner)

    def objective(trial) -> tuple[float, float]:
        config = space(trial, base)
        done = trial.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        guard = (PruningGuard(goal, done[0].user_attrs.get("metrics") if done else None)
                 if prune else None)
        missing = sorted(set(goal.fixed) - set(trial.params))
        if missing:
            raise AmlError(f"--fix {missing[0]}: the search space of {example.id} has no such "
                           f"parameter; it has {', '.join(trial.params)}")
        trial.set_user_attr("config", jsonable(dataclasses.asdict(config)))
        trial.set_user_attr("seed", seed)
        import keras

        from aml.backend import seed_everything

        keras.backend.clear_session()
        seed_everything(seed)
        start = time.perf_counter()
        try:
            with tempfile.TemporaryDirectory(prefix="aml-trial-") as folder:
                ctx = TrialContext(directory=Path(folder), seed=seed, quick=goal.quick,
                                   verbose=False, guard=guard)
                metrics = runner(config, ctx)
        except optuna.TrialPruned as pruned:
            trial.set_user_attr("pruned", str(pruned))
            trial.set_user_attr("wall_seconds", round(time.perf_counter() - start, 3))
            raise
        except AmlError:
            raise
        except Exception as err:
            trial.set_user_attr("error", f"{type(err).__name__}: {err}"[:300])
            raise TrialCrashed(str(err)) from err
        trial.set_user_attr("wall_seconds", round(time.perf_counter() - start, 3))
        trial.set_user_attr("metrics", jsonable(metrics))
        for key in (goal.metric, "parameters"):
            if not isinstance(metrics.get(key), (int, float)):
                raise AmlError(f"{example.id} reports no numeric {key!r} metric; a sweep "
                               f"chooses on validation data, so it needs {goal.metric!r} "
                               "and 'parameters'")
        return float(metrics[goal.metric]), float(metrics["parameters"])

    return objective


def describe_trial(goal: Goal, trial) -> str:
    """One line about a finished trial, for the terminal."""
    from optuna.trial import TrialState

    params = " ".join(f"{k}={_short(v)}" for k, v in trial.params.items())
    if trial.state == TrialState.COMPLETE:
        value, parameters = trial.values
        wall = trial.user_attrs.get("wall_seconds", 0.0)
        return (f"trial {trial.number}: {goal.metric} {value:.4g}, {int(parameters):,} "
                f"parameters ({params}; {wall:.1f} s)")
    reason = trial.user_attrs.get("pruned") or trial.user_attrs.get("error") or ""
    return f"trial {trial.number}: {trial.state.name.lower()} ({params}) {reason}".rstrip()


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def run_trials(goal: Goal, trials: int, *, storage_url: str, study_name: str, seed: int = 0,
               heartbeat: int = 20, sampler_seed: int | None = None, prune: bool = True,
               verbose: bool = True):
    """Run `trials` trials of this process in the shared study; return the study."""
    study = open_study(goal, open_storage(storage_url, heartbeat), study_name, sampler_seed)
    callbacks = [lambda _study, trial: print("  " + describe_trial(goal, trial), flush=True)]
    study.optimize(trial_objective(goal, seed, prune), n_trials=trials, catch=(TrialCrashed,),
                   callbacks=callbacks if verbose else None, gc_after_trial=True)
    return study
