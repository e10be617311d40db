"""``status`` for who is looking: a co-researcher sees their own work and the team's
progress in general terms; other people's lateness, consent and onboarding are for
the coordinator and the leads; someone this computer does not know sees only the
general view. Lateness is said gently for everyone.
"""

from __future__ import annotations

import json
import re

import pytest

from prosper_coop.core.configdir import config_dir, signing_key_dir
from prosper_coop.core.study import Study
from prosper_coop.crypto import sealed
from prosper_coop.status import cache as statuscache
from prosper_coop.status import dashboard
from prosper_coop.status.viewer import NOBODY, View, identify
from tests.helpers import TODAY, act_as, git

PERSON = re.compile(r"\b[A-Z]{2,4}-\d{2,3}\b")
PERSONAL_KEYS = {
    "study", "viewer", "records_waiting", "my_tasks", "my_sessions", "checkin",
    "my_checklists", "wellbeing", "team_progress", "outputs", "history", "conflicts",
}  # fmt: skip
TEAM_ONLY = {"tasks", "progress", "onboarding", "open_checklists", "reconsent", "sessions"}
# What only the coordinator and leads may see, in the words the full dashboard uses.
TEAM_WORDS = (
    "re-consent", "Needing re-consent", "Not fully onboarded", "onboarding-co-researcher",
    "Co-researcher E", "C-0006", "C-0010", "open alert", "Past their date", "Late by",
    "Overdue", "overdue", "What this study still needs",
)  # fmt: skip


def words(text: str) -> str:
    return " ".join(text.split())


def status(cli, study: Study, *args: str) -> tuple[str, dict]:
    shown = cli("--study", str(study.root), "status", *args)
    assert shown.exit_code == 0, shown.output
    as_json = cli("--study", str(study.root), "status", "--json", *args)
    assert as_json.exit_code == 0, as_json.output
    return shown.stdout, json.loads(as_json.stdout)


def others_in(text: str, me: str) -> set[str]:
    return {found for found in PERSON.findall(text) if found != me}


def task_counts(study: Study) -> tuple[int, int]:
    from prosper_coop.core.records import get

    tasks = study.load_all(get("task"))
    return sum(1 for t in tasks if str(t.status) == "done"), len(tasks)


# -- a co-researcher ----------------------------------------------------------------------
def test_a_co_researcher_sees_their_own_work_and_the_team_in_general(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(monkeypatch, "CR-03")
    shown, data = status(cli, example_study)
    said = words(shown)
    assert "This is your own view (CR-03)" in said
    assert "prosper-coop support" in said
    assert (
        "- T-0021 Paired interviews: batch 2 (WP4). Due 2027-01-05. It waits on T-0020 first."
        in said
    )
    assert "- S-0003 interview, 2026-12-06 (in 10 days), with AC-04." in said
    done, total = task_counts(example_study)
    assert f"How the team is doing: {done} of {total} tasks done." in said
    assert "- WP3 In-depth case studies in four areas of England: 2 of 6 tasks done." in said
    # Their own newer consent form, said without the team's word for it.
    assert "The form consent-co-researcher has a new version (version 2; you agreed to" in said
    for word in TEAM_WORDS:
        assert word not in shown, word
    # Nobody else is named, but for who facilitates their session with them.
    session_line = next(line for line in shown.splitlines() if line.startswith("- S-0003"))
    assert others_in(shown.replace(session_line, ""), "CR-03") == set()

    assert data.keys() == PERSONAL_KEYS and not TEAM_ONLY & data.keys()
    assert data["viewer"] == {"person": "CR-03", "roles": ["co-researcher"], "view": "personal"}
    assert [t["id"] for t in data["my_tasks"]["tasks"]] == ["T-0021"]
    assert data["my_tasks"]["tasks"][0]["waits_on"] == ["T-0020"]
    assert [s["session"] for s in data["my_sessions"]["sessions"]] == ["S-0003"]
    assert data["my_checklists"] == {
        "onboarding": [],
        "consent": [{"form": "consent-co-researcher", "agreed_version": 1, "current_version": 2}],
    }
    assert (data["team_progress"]["done"], data["team_progress"]["tasks"]) == (done, total)
    assert data["wellbeing"]["scope"] == "own"
    text = json.dumps({k: v for k, v in data.items() if k != "my_sessions"})
    assert others_in(text, "CR-03") == set()
    assert "re-consent" not in text and "days_late" not in text and '"lead"' not in text


def test_a_co_researcher_is_told_gently_when_a_date_has_passed(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(monkeypatch, "CR-02")  # T-0020 was due 2026-11-23
    shown, data = status(cli, example_study)
    said = words(shown)
    assert (
        "- T-0020 Paired interviews: batch 1 (WP4). You have started it. "
        "It is past its date (3 days). That is okay: dates can move." in said
    )
    assert [(t["id"], t["days_past"]) for t in data["my_tasks"]["tasks"]] == [("T-0020", 3)]
    assert data["my_tasks"]["date_passed"] == 1
    for word in ("Late by", "overdue", "Overdue", "late"):
        assert word not in shown, word
    # Their own alert, as before; nobody else's.
    assert "Wellbeing: you have 1 open alert(s)" in said


def test_a_co_researcher_who_is_still_onboarding_sees_their_own_gaps_only(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(monkeypatch, "CR-05")
    shown, data = status(cli, example_study)
    assert (
        "Your onboarding (onboarding-co-researcher): 6 things still to do. The study "
        "coordinator will go through them with you." in words(shown)
    )
    assert data["my_checklists"]["onboarding"] == [
        {"checklist": "onboarding-co-researcher", "to_do": 6}
    ]
    assert "You have no open tasks right now." in shown
    assert others_in(shown, "CR-05") == set()


# -- the coordinator and the leads --------------------------------------------------------
def test_the_coordinator_sees_the_whole_team_said_gently(example_study: Study, cli) -> None:
    shown, data = status(cli, example_study)  # the example's whoami: CO-01
    said = words(shown)
    assert data["viewer"]["view"] == "coordinator"
    assert {"readiness", *TEAM_ONLY} <= data.keys()
    assert "What this study still needs before it is safe to run" in said
    assert "Past their date (4)" in shown
    assert re.search(r"T-0024 .* CO-01 .* 2026-11-12 .* 14 days", shown)
    assert "Dates can move: an owner may like more time or some help." in said
    assert "Needing re-consent (2)" in shown and "Not fully onboarded (1)" in shown
    assert "C-0006" in shown  # CR-05's onboarding run, with what is still to do
    assert data["onboarding"]["not_onboarded"][0]["alias"] == "Co-researcher E"
    for word in ("Late by", "Overdue", ", late)"):
        assert word not in shown, word
    # The data behind it is unchanged for scripts.
    assert [t["id"] for t in data["tasks"]["overdue"]] == ["T-0024", "T-0012", "T-0013", "T-0020"]
    assert data["tasks"]["overdue"][0]["days_late"] == 14


@pytest.mark.parametrize("lead", ["WB-01", "AC-03"], ids=["wellbeing-lead", "wp-lead"])
def test_a_lead_sees_the_team_but_not_the_coordinators_readiness(
    lead: str, example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(monkeypatch, lead)
    shown, data = status(cli, example_study)
    assert data["viewer"]["view"] == "lead"
    assert data.keys() >= TEAM_ONLY and "readiness" not in data
    assert "Past their date (4)" in shown and "Needing re-consent (2)" in shown
    assert "What this study still needs" not in shown


def test_a_co_applicant_without_a_lead_role_sees_the_personal_view(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(monkeypatch, "CA-01")
    _, data = status(cli, example_study)
    assert data["viewer"]["view"] == "personal" and data.keys() == PERSONAL_KEYS


# -- nobody known here ---------------------------------------------------------------------
def _general(cli, study: Study) -> None:
    shown, data = status(cli, study)
    said = words(shown)
    assert "This computer does not know who you are in this study yet" in said
    assert "prosper-coop join" in said and "prosper-coop support" in said
    done, total = task_counts(study)
    assert f"How the team is doing: {done} of {total} tasks done." in said
    assert data.keys() == {"study", "viewer", "team_progress", "outputs"}
    assert data["viewer"] == {"person": None, "roles": [], "view": "general"}
    assert PERSON.findall(shown + json.dumps(data)) == []
    assert "T-00" not in shown and "T-00" not in json.dumps(data)


def test_nobody_chosen_sees_only_the_general_view(example_study: Study, cli) -> None:
    settings = config_dir() / "settings.yaml"
    settings.write_text("studies: {}\n")  # no whoami, no PROSPER_COOP_AS
    _general(cli, example_study)


def test_someone_not_joined_on_this_computer_sees_only_the_general_view(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = example_study.settings.uid
    for name in ("CO-01", "CO-01.pub"):
        (signing_key_dir(uid) / name).unlink()
    act_as(monkeypatch, "CO-01")  # naming the coordinator is not enough
    _general(cli, example_study)
    act_as(monkeypatch, "CR-99")  # nor someone not in the study
    _general(cli, example_study)


def test_a_role_given_by_hand_does_not_count(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = example_study.root / "people" / "CR-03.yaml"
    path.write_text(path.read_text().replace("- co-researcher", "- co-researcher\n- coordinator"))
    act_as(monkeypatch, "CR-03")
    _, data = status(cli, example_study)
    assert data["viewer"]["view"] == "personal" and "readiness" not in data


def test_the_library_takes_the_viewer_as_an_argument(example_study: Study) -> None:
    import datetime as dt

    today = dt.date.fromisoformat(TODAY)
    assert identify(example_study).view is View.COORDINATOR
    assert dashboard.build(example_study, today, NOBODY).keys() == {
        "study", "viewer", "team_progress", "outputs",
    }  # fmt: skip
    assert "readiness" in dashboard.build(example_study, today)


# -- check-in reminders --------------------------------------------------------------------
def test_a_check_in_is_suggested_after_a_session_and_after_a_while(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CR-03")  # last checked in 2026-11-23
    opened: list[str] = []
    decrypt = sealed.Keyring.decrypt

    def spy(self: sealed.Keyring, data: bytes, where: str) -> bytes | None:
        opened.append(where)
        return decrypt(self, data, where)

    monkeypatch.setattr(sealed.Keyring, "decrypt", spy)
    _, data = status(cli, example_study)
    assert data["checkin"] == {
        "known": True, "due": False, "last": "2026-11-23", "days_since": 3, "sessions_since": [],
    }  # fmt: skip
    assert opened and all(p.startswith(("checkins/CR-03/", "alerts/CR-03/")) for p in opened)

    monkeypatch.setenv("PROSPER_COOP_TODAY", "2026-12-06")
    started = cli("--study", root, "session", "start", "S-0003")
    assert started.exit_code == 0, started.output
    monkeypatch.setenv("PROSPER_COOP_TODAY", "2026-12-07")
    shown, data = status(cli, example_study)
    assert data["checkin"]["due"] and data["checkin"]["sessions_since"] == ["S-0003"]
    assert (
        "You facilitated S-0003 since your last check-in. If you would like to, you can "
        "check in: prosper-coop checkin. It is optional, and you can stop at any time."
    ) in words(shown)

    checked = cli("--study", root, "checkin", "--distress", "2", "--contact", "no")
    assert checked.exit_code == 0, checked.output
    shown, data = status(cli, example_study)
    assert data["checkin"]["last"] == "2026-12-07" and not data["checkin"]["due"]
    assert "check in:" not in shown

    monkeypatch.setenv("PROSPER_COOP_TODAY", "2026-12-28")
    shown, data = status(cli, example_study)
    assert data["checkin"]["days_since"] == 21 and data["checkin"]["due"]
    assert "It has been 21 days since your last check-in." in words(shown)


def test_no_check_in_reminder_without_a_key_here(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(monkeypatch, "CR-05")  # has no key yet
    shown, data = status(cli, example_study)
    assert data["checkin"]["known"] is False and data["checkin"]["due"] is False
    assert "check in" not in shown


# -- the cache, keyed on the viewer --------------------------------------------------------
def test_one_persons_view_is_never_shown_to_another(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statuscache, "RACY_SECONDS", 0.0)
    root = str(example_study.root)
    cache = example_study.root / ".prosper" / "status-cache.json"

    def view() -> str:
        result = cli("--study", root, "status", "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["viewer"]["view"]

    act_as(monkeypatch, "CR-03")
    assert view() == "personal"
    stored = json.loads(cache.read_text())
    assert stored["data"]["viewer"]["person"] == "CR-03"
    stored["data"]["viewer"]["view"] = "from the cache"
    cache.write_text(json.dumps(stored))
    assert view() == "from the cache"  # the same person again: a hit
    act_as(monkeypatch, "CO-01")
    assert view() == "coordinator"

    # Switching with whoami (no PROSPER_COOP_AS): the local settings decide.
    monkeypatch.delenv("PROSPER_COOP_AS")
    for person, expected in (
        ("CR-03", "personal"),
        ("CO-01", "coordinator"),
        ("CR-03", "personal"),
    ):
        switched = cli("--study", root, "whoami", person)
        assert switched.exit_code == 0, switched.output
        assert view() == expected
    assert git(example_study, "status", "--porcelain") == ""


# -- task lists, too ------------------------------------------------------------------------
def test_task_lists_say_gently_that_a_date_has_passed(example_study: Study, cli) -> None:
    listed = cli("--study", str(example_study.root), "task", "list", "--overdue")
    assert listed.exit_code == 0, listed.output
    assert "2026-11-12 (date passed)" in listed.stdout
    assert "overdue" not in listed.stdout


def test_the_installed_script_shows_a_co_researcher_their_view(
    run_cli, example_study: Study
) -> None:
    result = run_cli("status", cwd=example_study.root, env={"PROSPER_COOP_AS": "CR-03"})
    assert result.returncode == 0, result.stderr
    assert "This is your own view (CR-03)" in words(result.stdout)
    assert "Past their date" not in result.stdout and "re-consent" not in result.stdout


def test_record_text_in_the_personal_view_cannot_control_the_terminal(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = example_study.root / "tasks" / "00" / "T-0021.yaml"
    text = path.read_text()
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    path.write_text(text.replace(title, 'title: "Paired \\e[2J\\u202e interviews"'))
    act_as(monkeypatch, "CR-03")
    shown = cli("--study", str(example_study.root), "status")
    assert shown.exit_code == 0, shown.output
    line = next(line for line in shown.stdout.splitlines() if "T-0021" in line)
    assert "interviews (WP4)" in line
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
