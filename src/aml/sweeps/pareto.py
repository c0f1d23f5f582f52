"""What a sweep found: the Pareto front (validation metric vs parameters), and for each course
tier the smallest model that reached it on validation, as data (sweep.json), a table and a
figure (pareto.png). Only those chosen models show their test metric: the test set answers
"how good is the model we picked", never "which model to pick"."""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from pathlib import Path

from aml.atomic import jsonable, write_json_atomic
from aml.results import results_root
from aml.sweeps.study import Goal, redact
from aml.tables import fmt, format_table


def trial_rows(study) -> list[dict]:
    """Every completed trial as a plain dict: number, metric, parameters, params, config."""
    from optuna.trial import TrialState

    rows = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        value, parameters = trial.values
        rows.append({"trial": trial.number, "metric": value, "parameters": int(parameters),
                     "params": dict(trial.params), "config": trial.user_attrs.get("config", {}),
                     "metrics": trial.user_attrs.get("metrics", {}),
                     "wall_seconds": trial.user_attrs.get("wall_seconds")})
    return rows


def pareto_front(rows: list[dict], maximize: bool = True) -> list[dict]:
    """Rows no other row beats on both metric and size, smallest first."""
    sign = 1 if maximize else -1
    front, best = [], None
    for row in sorted(rows, key=lambda r: (r["parameters"], -sign * r["metric"], r["trial"])):
        if best is None or sign * row["metric"] > best:
            front.append(row)
            best = sign * row["metric"]
    return front


def smallest_per_tier(rows: list[dict], goal: Goal, tiers: list[float]) -> list[dict]:
    """For each tier, the smallest model that reached it (None when no trial did)."""
    sign = 1 if goal.maximize else -1
    answers = []
    for tier in tiers:
        reached = [r for r in rows if goal.meets(r["metric"], tier)]
        best = min(reached, key=lambda r: (r["parameters"], -sign * r["metric"]), default=None)
        answers.append({"tier": tier, "row": best})
    return answers


def hide_test_metrics(metrics: dict) -> dict:
    """A trial's metrics without any test-set number (for trials nobody chose)."""
    return {k: v for k, v in metrics.items() if "test" not in k}


def reveal_chosen(rows: list[dict], chosen: set[int], reported: str) -> None:
    """Give chosen rows their test metric (`test`); strip test numbers from the others."""
    for row in rows:
        if row["trial"] in chosen:
            row["test"] = row["metrics"].get(reported)
        else:
            row["metrics"] = hide_test_metrics(row["metrics"])


def summarize(study, goal: Goal, storage_url: str = "") -> dict:
    """The sweep as data: trial counts, tiers, all points, the front, the answer per tier;
    everything chosen on the validation metric, test metrics only for the chosen trials."""
    import optuna

    with warnings.catch_warnings():  # heartbeats are "experimental" in Optuna since 2.9
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    rows = trial_rows(study)
    tiers = goal.tier_values(rows[0]["metrics"] if rows else None)
    states = Counter(t.state.name.lower() for t in study.get_trials(deepcopy=False))
    front = pareto_front(rows, goal.maximize)
    per_tier = smallest_per_tier(rows, goal, tiers)
    reported = goal.reported or goal.metric
    reveal_chosen(rows, {r["trial"] for r in front} | {a["row"]["trial"] for a in per_tier
                                                         if a["row"] is not None}, reported)
    return {
        "example": goal.example.id, "title": goal.example.title, "metric": goal.metric,
        "reported": reported,
        "direction": "maximize" if goal.maximize else "minimize", "quick": goal.quick,
        "study": study.study_name, "storage": redact(storage_url), "states": dict(states),
        "settings": jsonable(goal.settings), "fixed": jsonable(goal.fixed),
        "tiers": tiers, "trials": rows, "front": front, "per_tier": per_tier,
    }


def _params_text(params: dict) -> str:
    return " ".join(f"{k}={fmt(v)}" for k, v in params.items())


def _reported(summary: dict) -> str:
    return summary.get("reported") or "test"


def front_table(summary: dict) -> str:
    rows = [[r["trial"], r["metric"], fmt(r.get("test")), f"{r['parameters']:,}",
             _params_text(r["params"]), fmt(r["wall_seconds"])] for r in summary["front"]]
    return format_table(rows, ["trial", summary["metric"], _reported(summary), "parameters",
                               "config", "wall s"])


def tier_table(summary: dict) -> str:
    rows = []
    for answer in summary["per_tier"]:
        row = answer["row"]
        if row is None:
            rows.append([answer["tier"], "not reached", "-", "-", "-", "-"])
        else:
            rows.append([answer["tier"], f"{row['parameters']:,}", row["metric"],
                         fmt(row.get("test")), row["trial"], _params_text(row["params"])])
    return format_table(rows, ["tier", "smallest parameters", summary["metric"],
                               _reported(summary), "trial", "config"])


def format_summary(summary: dict) -> str:
    """The text `aml sweep` prints: counts, the Pareto front, the answer per tier."""
    counts = ", ".join(f"{n} {state}" for state, n in sorted(summary["states"].items()))
    lines = [f"{summary['example']} sweep {summary['study']!r}: {counts or 'no trials'}"]
    changed = {**summary.get("settings", {}), **summary.get("fixed", {})}
    if changed:
        lines.append("held: " + _params_text(changed))
    lines += ["", f"Pareto front ({summary['metric']} vs parameters; "
                  f"{_reported(summary)} of these models only):", front_table(summary)]
    if summary["per_tier"]:
        lines += ["", f"Smallest model per tier (reached on {summary['metric']}):",
                  tier_table(summary)]
    return "\n".join(lines)


def pareto_figure(summary: dict):
    """Every trial, the Pareto front and the tiers: metric against parameters, log x."""
    from matplotlib import ticker

    from aml.plots import subplots

    fig, ax = subplots(figsize=(7.5, 4.8))
    rows, front = summary["trials"], summary["front"]
    ax.scatter([r["parameters"] for r in rows], [r["metric"] for r in rows], color="0.6",
               s=22, label=f"trial ({len(rows)})")
    ax.plot([r["parameters"] for r in front], [r["metric"] for r in front], "o-",
            color="C0", drawstyle="steps-post" if summary["direction"] == "maximize"
            else "steps-pre", label="Pareto front")
    for number, answer in enumerate(summary["per_tier"], 1):
        ax.axhline(answer["tier"], linestyle="--", linewidth=1, color=f"C{number}",
                   label=f"tier {answer['tier']:g}")
        if answer["row"] is not None:
            ax.scatter([answer["row"]["parameters"]], [answer["row"]["metric"]], marker="*",
                       s=160, color=f"C{number}", zorder=3)
    ax.set_xscale("log")
    sizes = [r["parameters"] for r in rows]
    decades = math.log10(max(max(sizes), 1) / max(min(sizes), 1)) if rows else 0
    ax.xaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0) if decades < 2 else (1.0,)))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_xlabel("parameters (log scale)")
    ax.set_ylabel(summary["metric"])
    ax.set_title(f"{summary['example']}: {summary['metric']} vs model size "
                 f"(stars: smallest per tier)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small", loc="best")
    fig.tight_layout()
    return fig


def sweep_folder(study_name: str, out=None) -> Path:
    """results/sweeps/<study>/, with the study name made safe as a folder name."""
    return results_root(out) / "sweeps" / re.sub(r"[^A-Za-z0-9._-]", "_", study_name)


def write_summary(summary: dict, out=None) -> Path:
    """Write sweep.json and pareto.png (each atomically); return the folder."""
    from aml.plots import save_figure

    folder = sweep_folder(summary["study"], out)
    if summary["trials"]:
        save_figure(pareto_figure(summary), folder / "pareto.png")
    write_json_atomic(folder / "sweep.json", summary)
    return folder
