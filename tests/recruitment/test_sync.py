"""Two computers recruit at the same time: sync keeps every participant and every count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prosper_coop.core.records import get
from prosper_coop.doctor import check_study
from prosper_coop.recruitment import participants, sites, surveys, targets
from prosper_coop.recruitment.progress import survey_progress, target_progress
from prosper_coop.sync import engine as sync
from tests.helpers import git
from tests.sync.helpers import TODAY, make_team

GROUP = "survivors (focus groups)"


def test_participants_added_on_two_computers_are_all_kept(sealed_env: Path) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    sites.add_site(a, "Area A (North)", region="North West")
    targets.add_target(a, wp="WP1", group=GROUP, count=10, due=TODAY + dt.timedelta(days=100))
    sync.sync(a)
    sync.sync(b)
    recruited = TODAY - dt.timedelta(days=5)
    for _ in range(2):
        participants.add_participant(a, group=GROUP, site="SITE1", recruited=recruited)
    for _ in range(3):
        participants.add_participant(b, group="Survivors", recruited=TODAY)
    sync.sync(a)
    result = sync.sync(b)
    # b's first two clash with a's (its third, P-0003, is new to both), with their runs.
    # Which of b's two runs takes which new number is not fixed; each run still names
    # its own participant (checked below).
    participants_moved = {k: v for k, v in result.renumbered.items() if k.startswith("P-")}
    runs_moved = {k: v for k, v in result.renumbered.items() if k.startswith("C-")}
    assert participants_moved == {"P-0001": "P-0004", "P-0002": "P-0005"}
    assert set(runs_moved) == {"C-0001", "C-0002"}
    assert set(runs_moved.values()) == {"C-0004", "C-0005"}
    assert len(result.renumbered) == 4
    sync.sync(a)
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")
    for study in (a, b):
        found = {p.id: p for p in study.load_all(get("participant"))}
        assert sorted(found) == ["P-0001", "P-0002", "P-0003", "P-0004", "P-0005"]
        assert [found[f"P-000{n}"].site for n in range(1, 6)] == ["SITE1"] * 2 + [None] * 3
        runs = {run.subject: run for run in study.load_all(get("checklist"))}
        assert sorted(runs) == sorted(found)  # each consent run still names its participant
        assert all(run.definition == "consent-participant" for run in runs.values())
        progress = target_progress(study, TODAY)[0]
        assert progress.recruited == 5
        assert progress.actual == [(recruited, 2), (TODAY, 5)]
        assert [p for p in check_study(study) if p.severity == "error"] == []


def test_survey_counts_recorded_on_two_computers_add_up(sealed_env: Path) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    surveys.add_survey(a, "National survey", wp="WP1", round_number=1)
    surveys.record_count(
        a, "SV1", surveys.INVITATIONS, count=100, org_type="provider", region="London"
    )
    sync.sync(a)
    sync.sync(b)
    # The same count on both sides (14 from London on the same day): both are kept.
    for study in (a, b):
        surveys.record_count(
            study, "SV1", surveys.RESPONSES, count=14, org_type="provider", region="London"
        )
    surveys.record_count(b, "SV1", surveys.RESPONSES, count=6, org_type="Provider", region="london")
    sync.sync(a)
    sync.sync(b)
    sync.sync(a)
    for study in (a, b):
        survey = study.load(get("survey"), "SV1")
        assert survey.conflicts == []
        progress = survey_progress(study)[0]
        assert (progress.invited, progress.responded) == (100, 34)
        assert progress.by_region == {"London": (100, 34)}
