"""Shared helpers for the people, checklist, consent and session tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prosper_coop.core.study import Study
from prosper_coop.tasks.models import Task, TaskStatus, WorkPackage


def add_work(study: Study, *, owner: str | None = None, tasks: int = 0) -> list[str]:
    """Add WP1 (running today) and ``tasks`` open tasks owned by ``owner``."""
    today = dt.date(2026, 11, 26)
    ids = []
    with study.change("test", "add work", []) as change:
        change.save(
            WorkPackage(
                id="WP1",
                title="Fieldwork",
                start=today - dt.timedelta(days=30),
                end=today + dt.timedelta(days=60),
            )
        )
        for number in range(1, tasks + 1):
            task = Task(
                id=f"T-{number:04d}",
                wp="WP1",
                title=f"Task {number}",
                owner=owner,
                status=TaskStatus.TODO,
                created=today,
            )
            ids.append(task.id)
            change.save(task)
    return ids


def write_definition(study: Study, name: str, text: str) -> Path:
    """Write a checklist definition into the study and commit it."""
    rel = f"protocols/checklists/{name}.yaml"
    with study.change("test", f"write {name}", []) as change:
        change.write_text(rel, text)
    return study.root / rel


def bump_version(study: Study, name: str, old: str, new: str) -> None:
    """Give a definition a new version with one wording change, and commit it."""
    path = study.root / "protocols" / "checklists" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "version: 1\n" in text and old in text
    text = text.replace("version: 1\n", "version: 2\n", 1).replace(old, new, 1)
    write_definition(study, name, text)


def join(study: Study, person_id: str) -> None:
    """``person_id`` joins the study on this computer (their keys made here, public halves
    committed), while this computer goes on acting as whoever it acted as before."""
    from prosper_coop.core import localconfig
    from prosper_coop.people.joining import join as join_study

    uid = study.settings.uid
    before = localconfig.study_settings(uid).get("whoami")
    join_study(study, person_id)
    localconfig.set_study_setting(uid, "whoami", before)


def ready_to_facilitate(study: Study, person_id: str) -> None:
    """Onboard ``person_id`` (every required item ticked) and record their consent, as the
    coordinator does, so that they may facilitate a session."""
    from prosper_coop.people import checklists, consent
    from prosper_coop.people import team as people
    from prosper_coop.people.checklists import Evidence

    started = people.start_onboarding(study, person_id)
    for item in started.definition.items:
        if item.required and started.run.tick_for(item.id) is None:
            checklists.tick(
                study, started.run.id, item.id, Evidence(note="WB-01", document="Drive: 3")
            )
    consent.record(
        study,
        person_id,
        "consent-co-researcher",
        yes=["quotes", "reflections"],
        no=["recording", "future-contact"],
    )
