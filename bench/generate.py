"""Generate a synthetic study through prosper-coop's own store API.

    python bench/generate.py DIR [--tasks 10000] [--seed 1]

Makes N tasks across 5 work packages (with dependencies on earlier tasks in the
same work package) and N/100 people, in one commit, as ``init`` would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import time
from pathlib import Path

from prosper_coop.core.models import Person, Role
from prosper_coop.tasks.models import Milestone, Task, TaskStatus, WorkPackage
from prosper_coop.workspace import create_study

STATUSES = (
    [TaskStatus.TODO] * 5 + [TaskStatus.DOING] * 2 + [TaskStatus.BLOCKED] + [TaskStatus.DONE] * 4
)
VERBS = ["Draft", "Review", "Agree", "Analyse", "Transcribe", "Plan", "Pilot", "Share"]
NOUNS = [
    "topic guide",
    "survey",
    "site visit",
    "consent form",
    "codebook",
    "workshop",
    "interview batch",
    "lay summary",
    "case study report",
    "newsletter",
]


def generate(target: Path, tasks: int, seed: int = 1) -> float:
    """Create the study at ``target``; return the seconds it took."""
    rng = random.Random(seed)
    started = time.perf_counter()
    today = dt.date.today()
    study = create_study(
        target, title=f"Synthetic study ({tasks} tasks)", example=None, actor="CO-01", today=today
    )
    n_people = max(2, tasks // 100)
    people = [f"CR-{i:02d}" for i in range(1, min(n_people, 999) + 1)]
    wp_ids = [f"WP{i}" for i in range(1, 6)]
    with study.change("bench", f"generate {tasks} tasks", "bench") as change:
        for person_id in people:
            change.save(
                Person(
                    id=person_id,
                    alias=f"Co-researcher {person_id}",
                    roles=[Role.CO_RESEARCHER],
                    joined=today,
                )
            )
        for index, wp_id in enumerate(wp_ids):
            start = today + dt.timedelta(days=180 * index - 360)
            change.save(
                WorkPackage(
                    id=wp_id,
                    title=f"Work package {index + 1}",
                    start=start,
                    end=start + dt.timedelta(days=360),
                    lead="CO-01",
                    milestones=[
                        Milestone(id="M1", title="Half way", due=start + dt.timedelta(180))
                    ],
                )
            )
        by_wp: dict[str, list[str]] = {wp: [] for wp in wp_ids}
        for number in range(1, tasks + 1):
            wp_id = wp_ids[(number - 1) * len(wp_ids) // tasks]
            earlier = by_wp[wp_id]
            depends = sorted(
                set(rng.sample(earlier[-50:], k=min(len(earlier[-50:]), rng.choice([0, 0, 1, 2]))))
            )
            task_id = f"T-{number:04d}"
            status = rng.choice(STATUSES)
            due = today + dt.timedelta(days=rng.randint(-200, 300))
            change.save(
                Task(
                    id=task_id,
                    wp=wp_id,
                    title=f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {number}",
                    status=status,
                    owner=rng.choice(people),
                    due=due,
                    depends=depends,
                    tags=rng.sample(["fieldwork", "analysis", "ethics", "ppi", "outputs"], k=1),
                    created=today - dt.timedelta(days=400),
                    done_on=due if status == TaskStatus.DONE else None,
                    blocked_reason="Waiting on a site" if status == TaskStatus.BLOCKED else "",
                )
            )
            earlier.append(task_id)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="Replace the folder if it exists.")
    args = parser.parse_args()
    if args.force and args.directory.exists():
        shutil.rmtree(args.directory)
    seconds = generate(args.directory, args.tasks, args.seed)
    print(f"generated {args.tasks} tasks in {args.directory} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
