"""The PROSPER example's recruitment: WP3 falls behind, as in the study, and status says so."""

from __future__ import annotations

import json
from typing import Any

from prosper_coop.core.study import Study
from prosper_coop.recruitment.progress import survey_progress, target_progress
from tests.helpers import act_as

WARNING = (
    "Recruitment behind plan (more than 20 points below the planned curve): "
    "- WP3 victim-survivors (focus groups): 6 of 16 (38%) with 70% of the time gone; "
    "11 expected by now. "
    "- WP3 victim-survivors (focus groups), Area D (London): 0 of 4 (0%) with 70% of the time "
    "gone; 2 expected by now. "
    "See every target with: prosper-coop recruit status"
)


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_coordinators_status_shows_the_early_warning(example_study: Study, cli: Any) -> None:
    shown = cli("--study", str(example_study.root), "status")
    assert shown.exit_code == 0, shown.output
    assert WARNING in _words(shown.stdout)


def test_a_lead_sees_it_and_a_co_researcher_does_not(
    example_study: Study, cli: Any, monkeypatch
) -> None:
    act_as(monkeypatch, "WB-01")
    lead = cli("--study", str(example_study.root), "status", "--json")
    assert [t["target"] for t in json.loads(lead.stdout)["recruitment"]["behind"]] == [
        "RT1", "RT3",
    ]  # fmt: skip
    act_as(monkeypatch, "CR-02")
    own = cli("--study", str(example_study.root), "status")
    assert own.exit_code == 0, own.output
    assert "Recruitment" not in own.stdout and "behind plan" not in own.stdout


def test_every_target_against_its_plan(example_study: Study, cli: Any) -> None:
    shown = cli("--study", str(example_study.root), "recruit", "status")
    assert shown.exit_code == 0, shown.output
    lines = [line for line in _words(shown.stdout).split("] ") if line]
    assert lines == [
        "WP3 victim-survivors (focus groups): 6 of 16 (38%), 70% of the time gone — behind plan "
        "(expected 11 by now) [####------",
        "WP3 commissioners and providers (interviews): 16 of 24 (67%), 70% of the time gone — a "
        "little behind plan (expected 19 by now) [#######---",
        "WP3 victim-survivors (focus groups), Area D (London): 0 of 4 (0%), 70% of the time gone "
        "— behind plan (expected 2 by now) [----------",
        "WP4 victim-survivors (co-research interviews): 4 of 10 (40%), 40% of the time gone — on "
        "plan (expected 4 by now); 1 withdrew [####------]",
    ]


def test_the_example_has_sites_surveys_consent_stages_and_online_sessions(
    example_study: Study, cli: Any
) -> None:
    today = example_study.today()
    targets = target_progress(example_study, today)
    assert [t.target_id for t in targets] == ["RT1", "RT2", "RT3", "RT4"]
    wp3 = next(t for t in targets if t.target_id == "RT2")
    assert wp3.planned[0] == (wp3.start, 0) and wp3.planned[-1] == (wp3.due, 24)
    assert len(wp3.planned) == 5  # a given curve: start, three dated points, due
    assert wp3.actual[-1][1] == wp3.recruited == 16

    surveys = survey_progress(example_study)
    assert [(s.survey_id, s.round) for s in surveys] == [("SV1", 1), ("SV2", 2)]
    for survey in surveys:
        assert set(survey.by_org_type) == {"provider", "commissioner"}
        assert len(survey.by_region) == 6
        assert len(survey.over_time) == 3  # responses came in over time
        assert 0 < survey.responded < survey.invited
        rates = {name: got / sent for name, (sent, got) in survey.by_region.items()}
        assert max(rates.values()) > 1.5 * min(rates.values())  # regions differ

    listing = cli("--study", str(example_study.root), "participant", "list", "--json")
    counts = json.loads(listing.stdout)
    assert counts["by_consent"] == {"consented": 24, "open": 1, "withdrawn": 1}
    assert set(counts["by_site"]) == {"-", "SITE1", "SITE2", "SITE3", "SITE4"}
    session = cli("--study", str(example_study.root), "session", "show", "S-0001", "--json")
    shown = json.loads(session.stdout)
    assert (shown["mode"], shown["participants"]) == ("online", ["P-0001", "P-0002"])
    doctor = cli("--study", str(example_study.root), "doctor", "--strict")
    assert doctor.exit_code == 0, doctor.output
