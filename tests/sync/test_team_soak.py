"""A team of many computers syncing at once: every effect survives, every sync ends 0.

Seeded operations run through the domain API on one clone at a time (tasks
made, retitled, started, done, blocked and reopened, notes, tags, checklist
ticks, people, a theme retitled and rendered). Between them, several clones
sync *at the same time*, each ``prosper-coop sync`` in its own process, racing
for the remote's branch (issue 14, item 12a). At the end every sync must have
ended 0, all clones agree, and every effect survives or is explained by a
conflict recorded in the record:

* each task made exists once, with every note and every tag added;
* each title or status written survives unless a later write by someone who had
  seen it replaced it, or it is kept in the record's ``conflicts``, or it only
  put back a value that the surviving write had seen before (blocked, then
  reopened to "todo": a three-way merge compares states, and that is no change);
* a task's status, ``done_on`` and ``blocked_reason`` always fit together;
* every checklist tick stands, with every ticker's who and when, and a run
  completed anywhere stays complete;
* every person added exists once; the rendered file is one a render record names.

What each clone had seen when it wrote is read from git itself (the operation's
commit is in the clone's history), so the model is exact even though the racing
syncs' order is not known in advance.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from prosper_coop import doctor
from prosper_coop.core.errors import ConflictError
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.outputs import render as rendering
from prosper_coop.outputs.findings import Theme
from prosper_coop.people import checklists
from prosper_coop.people.models import Session, SessionType
from prosper_coop.sync import engine as sync
from prosper_coop.tasks.ops import set_status
from tests.helpers import git
from tests.sync.helpers import TODAY, add_note, add_person, add_task, edit_task, make_team

CHECKLIST = "safeguarding-pre-session"
SESSIONS = ("S-0001", "S-0002", "S-0003")
ACTORS = ("CO-01", "CR-01")
STATUS_ACTIONS = {"start": "doing", "done": "done", "block": "blocked", "reopen": "todo"}
SYNC_SECONDS = 300


@dataclass
class Write:
    """One value written to one field of one task."""

    op: int
    commit: str
    marker: str
    field: str
    value: str
    seen: set[int]  # earlier writes to the same field that the writer's clone held


@dataclass
class Model:
    """Every effect made, and what is needed to judge what must survive."""

    writes: list[Write] = field(default_factory=list)
    notes: dict[str, set[str]] = field(default_factory=dict)
    tags: dict[str, set[str]] = field(default_factory=dict)
    ticks: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)
    completed: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    runs: int = len(SESSIONS)  # checklist runs ticked (fewer: more items ticked on two clones)
    syncs: int = 0
    racing_rounds: int = 0
    failures: list[str] = field(default_factory=list)
    # What the run exercised, counted at the end.
    ticked_twice: int = 0
    status_conflicts: int = 0


def history(study: Study) -> set[str]:
    """Every commit in the clone's history."""
    return set(git(study, "rev-list", "HEAD").split())


def find(study: Study) -> dict[str, Any]:
    """Tasks of one clone keyed by marker (each task's first note names the op that made it)."""
    return {str(task.notes[0].text): task for task in study.load_all(get("task"))}


def setup_team(base: Path, clones: int) -> list[Study]:
    """``clones`` copies of one study with three sessions, a checklist run each, and a theme."""
    names = tuple(f"c{number:02d}" for number in range(clones))
    _, team = make_team(base, names)
    first = team[0]
    with first.change("study", "sessions and a theme", "") as change:
        for session_id in SESSIONS:
            change.save(
                Session(id=session_id, type=SessionType.INTERVIEW, date=TODAY,
                        title=f"Interview {session_id}", facilitators=["CO-01", "CR-01"])
            )  # fmt: skip
        change.save(Theme(id="TH1", title="Feeling heard", summary="People felt listened to."))
    for session_id in SESSIONS:
        checklists.start(first, CHECKLIST, session_id)
    for study in team:
        sync.sync(study)
    return team


def sync_at_once(team: list[Study], chosen: list[int], model: Model) -> None:
    """Run ``prosper-coop sync`` in several clones at the same time; note any that fail."""
    script = Path(sys.executable).parent / "prosper-coop"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "prosper_coop"]
    running = []
    for index in chosen:
        env = {**os.environ, "PROSPER_COOP_AS": ACTORS[index % len(ACTORS)]}
        running.append(
            (index, subprocess.Popen(
                [*command, "sync"], cwd=team[index].root, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ))
        )  # fmt: skip
    for index, process in running:
        out, err = process.communicate(timeout=SYNC_SECONDS)
        model.syncs += 1
        if process.returncode != 0:
            model.failures.append(f"sync in c{index:02d} ended {process.returncode}: {err}{out}")
    model.racing_rounds += len(chosen) > 1


def run_team(
    base: Path, *, seed: int, clones: int, operations: int, racers: int, runs: int = 3
) -> Model:
    """Seeded operations on ``clones`` clones with racing syncs; check everything at the end."""
    rng = random.Random(seed)
    team = setup_team(base, clones)
    model = Model(runs=runs)

    def write(study: Study, before: set[str], op: int, marker: str, name: str, value: str) -> None:
        commit = git(study, "rev-parse", "HEAD").strip()
        seen = {
            w.op
            for w in model.writes
            if w.marker == marker and w.field == name and w.commit in before
        }
        model.writes.append(Write(op, commit, marker, name, value, seen))

    for op in range(operations):
        index = rng.randrange(clones)
        study = team[index]
        os.environ["PROSPER_COOP_AS"] = ACTORS[index % len(ACTORS)]
        choice = rng.random()
        if choice < 0.22:
            chosen = sorted(rng.sample(range(clones), rng.randint(1, racers)))
            sync_at_once(team, chosen, model)
            continue
        before = history(study)
        tasks = find(study)
        if choice < 0.34 or not tasks:
            marker = f"made-{seed}-{op}"
            task_id = add_task(study, f"title-{op}")
            add_note(study, task_id, marker, hour=0)
            model.notes[marker] = {marker}
            write(study, before, op, marker, "title", f"title-{op}")
            write(study, before, op, marker, "status", "todo")
        elif choice < 0.44:
            marker, task = rng.choice(sorted(tasks.items()))
            edit_task(study, task.id, title=f"title-{op}")
            write(study, before, op, marker, "title", f"title-{op}")
        elif choice < 0.60:
            marker, task = rng.choice(sorted(tasks.items()))
            action = rng.choice(sorted(STATUS_ACTIONS))
            try:
                set_status(study, task.id, action, reason=f"reason-{op}", force=True)
            except ConflictError:
                continue  # not for a task in this state (start a done task): nothing written
            write(study, before, op, marker, "status", STATUS_ACTIONS[action])
        elif choice < 0.70:
            marker, task = rng.choice(sorted(tasks.items()))
            add_note(study, task.id, f"note-{op}", hour=op)
            model.notes[marker].add(f"note-{op}")
        elif choice < 0.76:
            marker, task = rng.choice(sorted(tasks.items()))
            edit_task(study, task.id, tags=[*task.tags, f"t{op}"])
            model.tags.setdefault(marker, set()).add(f"t{op}")
        elif choice < 0.90:
            tick_something(study, rng, model)
        elif choice < 0.95:
            # Only the coordinator may add people (protocols/permissions.yaml); a
            # co-researcher's clone would make a record the history check refuses.
            os.environ["PROSPER_COOP_AS"] = "CO-01"
            alias = f"Person {seed}-{op}"
            add_person(study, alias)
            model.people.add(alias)
        else:
            with study.change("findings", "retitle", "TH1") as change:
                theme = study.load(get("theme"), "TH1")
                theme.title = f"Theme {op}"
                change.save(theme)
            # The team study keeps the shipped starter wording: its renders are drafts.
            rendering.render(study, "lay-summary", formats=["md"], draft=True)

    os.environ["PROSPER_COOP_AS"] = ACTORS[0]
    for study in [*team, *team]:
        sync.sync(study)
        model.syncs += 1
    check(team, model)
    return model


def tick_something(study: Study, rng: random.Random, model: Model) -> None:
    """Tick an item of a checklist run not ticked here yet (the same evidence everywhere)."""
    run_id = f"C-000{rng.randint(1, model.runs)}"
    run = checklists.load_run(study, run_id)
    definition = checklists.get_definition(study, run.definition)
    open_items = [item for item in definition.items if run.tick_for(item.id) is None]
    if not open_items:
        return
    item = rng.choice(open_items)
    evidence = checklists.Evidence(note=f"in place: {item.id}")
    done = checklists.tick(study, run_id, item.id, evidence)
    model.ticks.setdefault((run_id, item.id), set()).add((done.tick.by, done.tick.at.isoformat()))
    if done.completed_now:
        model.completed.add(run_id)


def check(team: list[Study], model: Model) -> None:
    assert model.failures == []
    assert len({git(s, "rev-parse", "HEAD") for s in team}) == 1
    for study in team:
        assert git(study, "status", "--porcelain") == ""
    study = team[0]
    tasks = find(study)
    all_tasks = study.load_all(get("task"))
    assert len(all_tasks) == len(tasks) == len(model.notes)  # each made once, none lost
    for marker, notes in model.notes.items():
        task = tasks[marker]
        assert {note.text for note in task.notes} == notes
        assert set(task.tags) == model.tags.get(marker, set())
        # Fields that belong together came from one side.
        assert (str(task.status) == "done") == (task.done_on is not None), task
        assert (str(task.status) == "blocked") == bool(task.blocked_reason), task
        model.status_conflicts += any(c.field == "status" for c in task.conflicts)
        for name in ("title", "status"):
            writes = [w for w in model.writes if w.marker == marker and w.field == name]
            overwritten = set().union(*(w.seen for w in writes))
            kept = {str(getattr(task, name))}
            kept |= {str(c.mine) for c in task.conflicts if c.field == name}
            kept |= {str(c.theirs) for c in task.conflicts if c.field == name}
            values = {w.op: w.value for w in writes}
            standing = [w for w in writes if w.op not in overwritten and w.value in kept]
            for w in writes:
                if w.op in overwritten or w.value in kept:
                    continue
                # A write back to a value the surviving write had already seen (blocked,
                # then reopened to "todo" again) is no change to a three-way merge.
                assert any(
                    w.op not in k.seen and w.value in {values[o] for o in k.seen} for k in standing
                ), (marker, name, w, kept)
    for (run_id, item), made in model.ticks.items():
        run = checklists.load_run(study, run_id)
        tick = run.tick_for(item)
        assert tick is not None, (run_id, item)
        who_when = {(tick.by, tick.at.isoformat())}
        who_when |= {(also.by, also.at.isoformat()) for also in tick.also_ticked}
        assert made <= who_when, (run_id, item, made, who_when)
        model.ticked_twice += bool(tick.also_ticked)
    for run_id in model.completed:
        assert checklists.load_run(study, run_id).completed is not None, run_id
    aliases = [person.alias for person in study.load_all(get("person"))]
    assert len(aliases) == len(set(aliases))
    assert model.people <= set(aliases)
    summary = study.root / "outputs" / "lay-summary.md"
    if summary.exists():
        import hashlib

        digest = hashlib.sha256(summary.read_bytes()).hexdigest()
        named = {f.sha256 for r in rendering.list_renders(study) for f in r.files}
        assert digest in named
    errors = [p for p in doctor.check_study(study) if p.severity == "error"]
    assert errors == []
    markers = git(study, "grep", "-l", "-e", "^<<<<<<< ", "-e", "^>>>>>>> ", check=False)
    assert markers == ""  # never git conflict markers


@pytest.mark.slow
def test_a_few_clones_syncing_at_once_lose_nothing(
    sealed_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The short version for every run: three clones, two racing syncs at a time."""
    monkeypatch.setenv("PROSPER_COOP_AS", "CO-01")
    started = time.monotonic()
    model = run_team(sealed_env, seed=14, clones=3, operations=40, racers=2, runs=1)
    assert model.syncs >= 12 and model.racing_rounds >= 1
    # The hard cases really happened.
    assert model.ticked_twice >= 1 and model.status_conflicts >= 1
    assert time.monotonic() - started < 240


@pytest.mark.soak
@pytest.mark.parametrize("seed", [12])
def test_a_team_of_twelve_syncing_at_once_loses_nothing(
    sealed_env: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Twelve clones, 150 operations, up to four syncs racing at a time, every sync ends 0."""
    monkeypatch.setenv("PROSPER_COOP_AS", "CO-01")
    model = run_team(sealed_env, seed=seed, clones=12, operations=150, racers=4)
    assert model.syncs >= 60 and model.racing_rounds >= 10
    assert model.ticked_twice >= 1 and model.status_conflicts >= 1
    print(
        f"seed {seed}: {model.syncs} syncs ({model.racing_rounds} racing rounds), "
        f"{len(model.notes)} tasks, {len(model.ticks)} items ticked ({model.ticked_twice} on "
        f"two computers), {model.status_conflicts} status conflicts recorded, all ended 0"
    )
