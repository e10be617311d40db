"""Time prosper-coop's task commands against Taskwarrior on the same 10,000 tasks.

    python bench/bench_tasks.py [--tasks 10000] [--runs 7] [--dir bench/out/tasks-study]

Builds a synthetic study (``bench/generate.py``: 5 work packages, dependencies),
imports the same tasks WITHOUT dependencies into Taskwarrior (a throw-away TASKRC
and TASKDATA; install it with ``apt-get install taskwarrior``), then times whole
processes side by side and prints medians and ratios:

- ``prosper-coop task list --json`` (all tasks)   vs  ``task export``
- ``prosper-coop task list --wp WP3 --status todo`` vs ``task project:WP3 status:pending list``
- ``prosper-coop task done ID`` (with its commit) vs  ``task UUID done``
- peak memory (max RSS of the child) for listing every task.

Benchmarks never run in CI or in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # bench/ is not a package
from harness import compile_package

from prosper_coop.tasks.index import drop_cache

# Goals: list --json from the tasks issue; the filtered list and done from the layering
# issue (one Typer command line, no hand-written quick parser).
GOALS = {"list_json": 1.0, "list_filtered": 1.5, "done": 2.0}
MEMORY_GOAL_MB = 150


def run_child(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """Run one process; return (wall seconds, max RSS in MB, exit code)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def median_of(
    commands: list[list[str]], env: dict[str, str], cwd: Path
) -> tuple[float, float, list[float]]:
    """Median wall time and max RSS over the commands (one process each)."""
    times, peak = [], 0.0
    for command in commands:
        elapsed, rss, code = run_child(command, env, cwd)
        if code != 0:
            raise SystemExit(f"command failed ({code}): {' '.join(command)}")
        times.append(elapsed)
        peak = max(peak, rss)
    return statistics.median(times), peak, times


def taskwarrior_env(base: Path) -> dict[str, str]:
    """A throw-away Taskwarrior configuration and data folder."""
    data = base / "taskdata"
    data.mkdir(parents=True, exist_ok=True)
    rc = base / "taskrc"
    rc.write_text(
        f"data.location={data}\nconfirmation=off\nverbose=nothing\nrecurrence=off\n"
        "gc=on\nhooks=off\nnews.version=2.6.2\n",
        encoding="utf-8",
    )
    return {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}


def tw_date(iso: str) -> str:
    """2026-11-26 -> 20261126T000000Z (Taskwarrior's JSON date form)."""
    return iso.replace("-", "") + "T000000Z"


def import_into_taskwarrior(study: Path, env: dict[str, str], work: Path) -> dict[str, str]:
    """Import every task (no dependencies) into Taskwarrior; return task ID -> UUID."""
    export = subprocess.run(
        [prosper(), "--study", str(study), "task", "export", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    )
    uuids: dict[str, str] = {}
    lines = []
    for task in json.loads(export.stdout):
        task_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, task["id"]))
        uuids[task["id"]] = task_uuid
        item: dict[str, Any] = {
            "uuid": task_uuid,
            "description": task["title"],
            "project": task["wp"],
            "status": "completed" if task["status"] == "done" else "pending",
            "entry": tw_date(task["created"]),
            "tags": task["tags"],
        }
        if task["due"]:
            item["due"] = tw_date(task["due"])
        if task["status"] == "done":
            item["end"] = tw_date(task["done_on"] or task["created"])
        if task["owner"]:
            item["tags"] = [*task["tags"], task["owner"].replace("-", "")]
        lines.append(json.dumps(item))
    source = work / "taskwarrior-import.json"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(
        ["task", "rc.confirmation=off", "import", str(source)],
        env=env,
        check=True,
        capture_output=True,
    )
    return uuids


def prosper() -> str:
    """The installed console script next to this Python."""
    script = Path(sys.executable).parent / "prosper-coop"
    return str(script) if script.exists() else "prosper-coop"


def pick_done_candidates(study: Path, count: int) -> list[str]:
    """Open tasks whose dependencies are all done (so ``done`` needs no --force)."""
    listing = subprocess.run(
        [prosper(), "--study", str(study), "task", "list", "--json", "--status", "todo"],
        check=True,
        capture_output=True,
        text=True,
    )
    done = subprocess.run(
        [prosper(), "--study", str(study), "task", "list", "--json", "--status", "done"],
        check=True,
        capture_output=True,
        text=True,
    )
    done_ids = {t["id"] for t in json.loads(done.stdout)}
    ready = [t["id"] for t in json.loads(listing.stdout) if set(t["depends"]) <= done_ids]
    return ready[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=Path("bench/out/tasks-study"))
    parser.add_argument("--reuse", action="store_true", help="Reuse an existing study folder.")
    args = parser.parse_args()
    if shutil.which("task") is None:
        raise SystemExit("Taskwarrior is needed: apt-get install -y taskwarrior")

    compile_package()
    study = args.dir.resolve()
    if not (args.reuse and (study / "study.yaml").is_file()):
        if study.exists():
            shutil.rmtree(study)
        seconds = generate(study, args.tasks)
        print(f"generated {args.tasks} tasks in {seconds:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="prosper-bench-"))
    # The config folder the study was generated with: CO-01's signing key is there.
    env = {
        **os.environ,
        "PROSPER_COOP_STUDY": str(study),
        "PROSPER_COOP_AS": "CO-01",
        "NO_COLOR": "1",
    }
    tw_env = taskwarrior_env(work)
    started = time.perf_counter()
    uuids = import_into_taskwarrior(study, tw_env, work)
    print(f"imported {len(uuids)} tasks into Taskwarrior in {time.perf_counter() - started:.1f} s")

    drop_cache(study)
    cold, cold_rss, _ = run_child([prosper(), "task", "list", "--json"], env, study)
    time.sleep(3.1)  # let freshly generated files age past the "racy" window once
    run_child([prosper(), "task", "list", "--json"], env, study)
    print(f"cold index build (first command after deleting the cache): {cold:.2f} s")

    runs = args.runs
    pc, tw = [prosper()], ["task"]
    results: dict[str, dict[str, Any]] = {}

    def compare(
        name: str,
        ours: list[list[str]],
        theirs: list[list[str]],
        warm_up: tuple[list[str], list[str]] | None = None,
    ) -> None:
        # one warm-up each (not timed), then the timed runs
        warm_ours, warm_theirs = warm_up or (ours[0], theirs[0])
        run_child(warm_ours, env, study)
        run_child(warm_theirs, tw_env, work)
        ours_median, ours_rss, ours_all = median_of(ours, env, study)
        theirs_median, theirs_rss, theirs_all = median_of(theirs, tw_env, work)
        results[name] = {
            "prosper_coop_s": round(ours_median, 4),
            "taskwarrior_s": round(theirs_median, 4),
            "ratio": round(ours_median / theirs_median, 2),
            "prosper_coop_max_rss_mb": round(ours_rss, 1),
            "taskwarrior_max_rss_mb": round(theirs_rss, 1),
            "prosper_coop_runs": [round(t, 4) for t in ours_all],
            "taskwarrior_runs": [round(t, 4) for t in theirs_all],
        }

    compare("list_json", [[*pc, "task", "list", "--json"]] * runs, [[*tw, "export"]] * runs)
    compare(
        "list_filtered",
        [[*pc, "task", "list", "--wp", "WP3", "--status", "todo"]] * runs,
        [[*tw, "project:WP3", "status:pending", "list"]] * runs,
    )
    candidates = pick_done_candidates(study, 2 * runs + 2)
    if len(candidates) < 2 * runs + 2:
        raise SystemExit("not enough open tasks without open dependencies to time `done`")
    ours_done = [[*pc, "task", "done", task_id] for task_id in candidates[: runs + 1]]
    theirs_done = [[*tw, uuids[task_id], "done"] for task_id in candidates[runs + 1 :]]
    compare("done", ours_done[1:], theirs_done[1:], (ours_done[0], theirs_done[0]))

    print()
    print(f"{'command':<16}{'prosper-coop':>14}{'Taskwarrior':>14}{'ratio':>8}{'goal':>8}  result")
    for name, data in results.items():
        goal = GOALS[name]
        verdict = "met" if data["ratio"] <= goal else "MISSED"
        ours_ms, theirs_ms = data["prosper_coop_s"] * 1000, data["taskwarrior_s"] * 1000
        print(
            f"{name:<16}{ours_ms:>11.0f} ms{theirs_ms:>11.0f} ms"
            f"{data['ratio']:>7.2f}x{goal:>7.1f}x  {verdict}"
        )
    peak = results["list_json"]["prosper_coop_max_rss_mb"]
    print(
        f"peak memory listing {args.tasks} tasks: {peak:.0f} MB "
        f"(Taskwarrior export: {results['list_json']['taskwarrior_max_rss_mb']:.0f} MB; "
        f"goal < {MEMORY_GOAL_MB} MB: {'met' if peak < MEMORY_GOAL_MB else 'MISSED'})"
    )
    print(f"cold index build: {cold:.2f} s, {cold_rss:.0f} MB")
    out = Path("bench/out")
    out.mkdir(parents=True, exist_ok=True)
    report = {"tasks": args.tasks, "runs": runs, "cold_index_s": round(cold, 3), **results}
    (out / "bench_tasks.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"details: {out / 'bench_tasks.json'}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
