"""Permissions as data: ``protocols/permissions.yaml`` decides who may do what.

End to end through the command line on the example study, as each person (``act_as``):
a refusal exits 9, names who can do it and commits nothing; the people the table
allows go ahead. The library refuses too, and a broken table is reported with its line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode, NotPermittedError, ValidationError
from prosper_coop.core.study import Study
from prosper_coop.trust import permissions, table
from tests.helpers import act_as, commit_subjects, git, last_author, state

TABLE = "protocols/permissions.yaml"
SHIPPED = Path(__file__).resolve().parents[2] / TABLE


def _refused(result: object, study: Study, before: tuple[str, str]) -> str:
    """The refusal's stderr, after checking it exited 9 and changed nothing."""
    assert result.exit_code == ExitCode.NOT_PERMITTED, result.output  # type: ignore[attr-defined]
    assert state(study) == before
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("Error: only "), stderr
    assert "Traceback" not in stderr and "unexpected" not in stderr
    assert "prosper-coop permissions" in stderr
    return stderr


def _edit(study: Study, rel: str, old: str, new: str) -> None:
    path = study.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- the scenarios of the issue -------------------------------------------------------------
def test_a_co_researcher_cannot_tick_a_safeguarding_item(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    before = state(example_study)
    act_as(monkeypatch, "CR-01")  # not a facilitator of S-0002 (CR-02 and AC-04 are)
    result = cli("--study", root, "checklist", "tick", "C-0022", "lone-working")
    stderr = _refused(result, example_study, before)
    assert stderr.splitlines()[0] == (
        "Error: only the safeguarding lead or a facilitator of that session can tick "
        "safeguarding items (you are CR-01)"
    )
    assert "Ask SG-01 (Designated safeguarding lead), CR-02 (Co-researcher B) or AC-04" in stderr
    # untick and a walk through the checklist are refused the same way
    untick = cli("--study", root, "checklist", "untick", "C-0022", "helplines-ready")
    _refused(untick, example_study, before)
    walk = cli("--study", root, "checklist", "run", "C-0022", input="y\n" * 8)
    _refused(walk, example_study, before)
    assert walk.stdout == ""  # refused before the first question
    # the coordinator is not the safeguarding lead either
    act_as(monkeypatch, "CO-01")
    _refused(
        cli("--study", root, "checklist", "tick", "C-0022", "lone-working"), example_study, before
    )
    # the safeguarding lead and the session's facilitator may
    act_as(monkeypatch, "SG-01")
    done = cli("--study", root, "checklist", "tick", "C-0022", "lone-working")
    assert done.exit_code == 0, done.output
    assert last_author(example_study) == "SG-01"
    act_as(monkeypatch, "CR-02")
    done = cli("--study", root, "checklist", "tick", "C-0022", "debrief-scheduled")
    assert done.exit_code == 0, done.output
    assert last_author(example_study) == "CR-02"


def test_a_co_researcher_cannot_add_a_coordinator(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    before = state(example_study)
    act_as(monkeypatch, "CR-01")
    args = ("--study", root, "people", "add", "--role", "coordinator", "--alias", "Coordinator B")
    stderr = _refused(cli(*args), example_study, before)
    assert stderr.splitlines()[0] == (
        "Error: only the coordinator can add people to the study (you are CR-01)"
    )
    assert "Ask CO-01 (Study coordinator) to do it." in stderr
    assert not (example_study.root / "people" / "CO-02.yaml").exists()
    act_as(monkeypatch, "CO-01")
    done = cli(*args)
    assert done.exit_code == 0, done.output
    assert done.stdout == "CO-02\n"
    assert commit_subjects(example_study)[0] == "people: add CO-02 as coordinator (CO-02)"


def test_nobody_gives_themself_a_role(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    before = state(example_study)
    act_as(monkeypatch, "CR-02")
    args = ("--study", root, "people", "edit", "CR-02", "--add-role", "wellbeing-lead")
    stderr = _refused(cli(*args), example_study, before)
    assert stderr.splitlines()[0] == (
        "Error: only the coordinator can change people's roles or record that they left "
        "(you are CR-02)"
    )
    assert "wellbeing-lead" not in (example_study.root / "people" / "CR-02.yaml").read_text()
    # a plain edit of someone else's details is the coordinator's too
    alias = ("--study", root, "people", "edit", "CR-01", "--alias", "Co-researcher A (WP4)")
    _refused(cli(*alias), example_study, before)
    # the coordinator may give the role
    act_as(monkeypatch, "CO-01")
    done = cli(*args)
    assert done.exit_code == 0, done.output
    assert "- wellbeing-lead" in (example_study.root / "people" / "CR-02.yaml").read_text()


def test_a_person_withdraws_their_own_consent(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    before = state(example_study)
    act_as(monkeypatch, "CR-02")  # someone else's consent: refused
    other = cli("--study", root, "consent", "withdraw", "CR-01", "--note", "Asked in person")
    stderr = _refused(other, example_study, before)
    assert stderr.splitlines()[0] == (
        "Error: only the coordinator or the person it is about can record a withdrawal "
        "of consent (you are CR-02)"
    )
    assert "Ask CO-01 (Study coordinator) or CR-01 (Co-researcher A) to do it." in stderr
    act_as(monkeypatch, "CR-01")  # their own: allowed
    own = cli("--study", root, "consent", "withdraw", "CR-01", "--note", "My own choice")
    assert own.exit_code == 0, own.output
    assert last_author(example_study) == "CR-01"
    assert commit_subjects(example_study)[0].startswith("consent: withdraw (future)")
    # and the coordinator may record one for someone else
    act_as(monkeypatch, "CO-01")
    theirs = cli("--study", root, "consent", "withdraw", "CR-02", "--note", "Asked by e-mail")
    assert theirs.exit_code == 0, theirs.output


def test_recording_consent_is_the_coordinators(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    before = state(example_study)
    args = ("--study", root, "consent", "record", "P-0005", "--form", "consent-participant",
            "--yes", "recording,quotes", "--no", "future-use,withdrawal-window")  # fmt: skip
    act_as(monkeypatch, "AC-04")
    stderr = _refused(cli(*args), example_study, before)
    assert stderr.splitlines()[0] == (
        "Error: only the coordinator can record consent (you are AC-04)"
    )
    # ticking a consent form item by item is recording consent too
    started = cli("--study", root, "checklist", "tick", "C-0010", "voluntary")
    assert started.exit_code == ExitCode.NOT_PERMITTED, started.output
    act_as(monkeypatch, "CO-01")
    done = cli(*args)
    assert done.exit_code == 0, done.output


def test_onboarding_items_are_the_coordinators_or_the_persons_own(
    example_study, cli, monkeypatch
) -> None:
    root = str(example_study.root)
    before = state(example_study)
    act_as(monkeypatch, "CR-01")  # CR-05's onboarding
    stderr = _refused(
        cli(
            "--study", root, "checklist", "tick", "C-0006", "wellbeing-plan", "--date", "2026-11-20"
        ),
        example_study,
        before,
    )
    assert "Ask CO-01 (Study coordinator) or CR-05 (Co-researcher E) to do it." in stderr
    act_as(monkeypatch, "CR-05")  # their own
    own = cli(
        "--study", root, "checklist", "tick", "C-0006", "wellbeing-plan", "--date", "2026-11-20"
    )
    assert own.exit_code == 0, own.output
    act_as(monkeypatch, "CO-01")
    done = cli("--study", root, "checklist", "tick", "C-0006", "buddy", "--note", "AC-04")
    assert done.exit_code == 0, done.output


def test_your_own_credit_is_yours_to_choose(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    args = ("--study", root, "consent", "credit", "CR-02", "--as", "pseudonym", "--display", "Wren")
    before = state(example_study)
    act_as(monkeypatch, "CR-01")
    stderr = _refused(cli(*args), example_study, before)
    assert stderr.splitlines()[0] == (
        "Error: only the coordinator can change how others are credited (you are CR-01)"
    )
    act_as(monkeypatch, "CR-02")
    done = cli(*args)
    assert done.exit_code == 0, done.output
    assert last_author(example_study) == "CR-02"


def test_erasing_is_the_coordinators(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    before = state(example_study)
    act_as(monkeypatch, "WB-01")
    stderr = _refused(
        cli("--study", root, "people", "erase", "CR-02", "--yes"), example_study, before
    )
    assert stderr.splitlines()[0] == (
        "Error: only the coordinator can erase a person's sensitive records (you are WB-01)"
    )
    act_as(monkeypatch, "CO-01")
    done = cli("--study", root, "people", "erase", "CR-02", "--yes")
    assert done.exit_code == 0, done.output


def test_rekey_is_for_the_leads_who_read_those_records(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    before = state(example_study)
    act_as(monkeypatch, "CR-02")
    stderr = _refused(cli("--study", root, "keys", "rekey", "checkin"), example_study, before)
    assert stderr.splitlines()[0] == (
        "Error: only the wellbeing lead can re-encrypt check-ins (you are CR-02)"
    )
    act_as(monkeypatch, "CO-01")  # the coordinator reads identities, not check-ins
    _refused(cli("--study", root, "keys", "rekey", "checkin"), example_study, before)
    act_as(monkeypatch, "WB-01")
    done = cli("--study", root, "keys", "rekey", "checkin", "--yes")
    assert done.exit_code == 0, done.output
    assert last_author(example_study) == "WB-01"
    changed = git(example_study, "show", "--name-only", "--format=", "HEAD").split()
    assert changed and all(path.startswith("checkins/") for path in changed)


def test_rekey_of_everything_touches_only_what_you_lead(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CO-01")
    done = cli("--study", root, "keys", "rekey", "--yes")
    assert done.exit_code == 0, done.output
    changed = git(example_study, "show", "--name-only", "--format=", "HEAD").split()
    assert changed and all(path.startswith("identities/") for path in changed)


def test_the_coordinator_does_each(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CO-01")
    for args in (
        ("people", "add", "--role", "co-researcher", "--alias", "Co-researcher G"),
        ("people", "edit", "CR-05", "--add-role", "ppi-lead"),
        ("people", "edit", "CR-05", "--alias", "Co-researcher E (WP4)"),
        ("checklist", "tick", "C-0006", "it-access"),
        ("consent", "withdraw", "P-0002", "--note", "Asked by e-mail"),
        ("people", "leave", "CR-04", "--reassign-to", "CR-03"),
        ("people", "erase", "CR-04", "--yes"),
    ):
        result = cli("--study", root, *args)
        assert result.exit_code == 0, (args, result.output)
        assert last_author(example_study) == "CO-01"


# -- hand edits and save --------------------------------------------------------------------
def test_save_of_the_permission_table_is_the_coordinators(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    _edit(
        example_study, TABLE, "alerts.resolve: [wellbeing-lead]", "alerts.resolve: [co-researcher]"
    )
    before = state(example_study)
    act_as(monkeypatch, "CR-02")
    stderr = _refused(
        cli("--study", root, "save", "-m", "Let us resolve alerts"), example_study, before
    )
    assert stderr.splitlines()[0] == (
        "Error: only the coordinator can change who may do what (you are CR-02)"
    )
    # the refusal used the table as committed, not the hand edit it refused to save
    act_as(monkeypatch, "CO-01")
    done = cli("--study", root, "save", "-m", "Co-researchers resolve alerts")
    assert done.exit_code == 0, done.output
    assert git(example_study, "show", "--name-only", "--format=%an", "HEAD").split() == [
        "CO-01",
        TABLE,
    ]


@pytest.mark.parametrize(
    ("rel", "old", "new", "words"),
    [
        ("study.yaml", "short_title: PROSPER", "short_title: PROSPER-2", "change the study's settings"),
        ("wellbeing/recipients.yaml", "checkin: [person, wellbeing-lead]",
         "checkin: [person, wellbeing-lead, co-researcher]", "change the study's protocols"),
        ("protocols/checklists/offboarding.yaml", "version: 1", "version: 2",
         "change the study's protocols"),
        ("people/CR-02.yaml", "- co-researcher", "- co-researcher\n- wellbeing-lead",
         "change people's roles"),
        ("people/CR-02.yaml", "alias: Co-researcher B", "alias: Co-researcher Bee",
         "change people's details"),
        ("people/CR-01.yaml", "alias: Co-researcher A", "alias: Co-researcher Ay",
         "change people's details"),
        ("people/CR-02.yaml", "status: active\n", "status: left\nleft: 2026-11-20\n",
         "change people's roles or record that they left"),
    ],
)  # fmt: skip
def test_save_of_settings_and_people_needs_their_permission(
    example_study, cli, monkeypatch, rel, old, new, words
) -> None:
    root = str(example_study.root)
    _edit(example_study, rel, old, new)
    before = state(example_study)
    act_as(monkeypatch, "CR-02")
    stderr = _refused(cli("--study", root, "save", "-m", "A hand edit"), example_study, before)
    assert f"only the coordinator can {words}" in stderr.splitlines()[0]
    act_as(monkeypatch, "CO-01")
    done = cli("--study", root, "save", "-m", "A hand edit")
    assert done.exit_code == 0, done.output
    assert git(example_study, "status", "--porcelain") == ""


def test_save_of_your_own_credit_is_yours(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    _edit(example_study, "people/CR-02.yaml", "display: J. K.", "display: Wren")
    act_as(monkeypatch, "CR-01")  # someone else's record
    before = state(example_study)
    _refused(cli("--study", root, "save", "-m", "Credit as Wren"), example_study, before)
    act_as(monkeypatch, "CR-02")
    done = cli("--study", root, "save", "-m", "Credit as Wren")
    assert done.exit_code == 0, done.output
    assert last_author(example_study) == "CR-02"


def test_save_of_other_hand_edits_is_open_to_all(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    _edit(example_study, "tasks/00/T-0014.yaml", "Site 4: interviews", "Site 4: all interviews")
    act_as(monkeypatch, "CR-02")
    done = cli("--study", root, "save", "-m", "Correct a task title")
    assert done.exit_code == 0, done.output
    assert last_author(example_study) == "CR-02"


def test_a_broken_table_is_reported_with_its_line(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    _edit(
        example_study, TABLE, "alerts.resolve: [wellbeing-lead]", "alerts.resolve: [wellbeing-leed]"
    )
    line = 1 + (example_study.root / TABLE).read_text().splitlines().index(
        "  alerts.resolve: [wellbeing-leed]"
    )
    where = f"protocols/permissions.yaml:{line}"
    act_as(monkeypatch, "CO-01")
    before = state(example_study)
    doctor = cli("--study", root, "doctor")
    assert doctor.exit_code == ExitCode.INVALID, doctor.output
    assert f"{where}: actions.alerts.resolve: unknown role 'wellbeing-leed'" in doctor.output
    saved = cli("--study", root, "save", "-m", "A typo")
    assert saved.exit_code == ExitCode.INVALID, saved.output
    assert saved.stderr.splitlines()[0] == (
        f"Error: actions.alerts.resolve: unknown role 'wellbeing-leed' ({where})"
    )
    assert state(example_study) == before
    # committed past the checks by the coordinator (through the library, so signed and
    # verified): every guarded command stops on it, with the line, and changes nothing
    broken = (example_study.root / TABLE).read_text()
    git(example_study, "checkout", "--", TABLE)
    with Study(example_study.root, actor="CO-01").change("test", "a typo") as change:
        change.write_text(TABLE, broken)
    before = state(example_study)
    result = cli("--study", root, "people", "add", "--role", "co-researcher", "--alias", "CR G")
    assert result.exit_code == ExitCode.INVALID, result.output
    assert state(example_study) == before
    assert result.stderr.splitlines()[0] == (
        f"Error: actions.alerts.resolve: unknown role 'wellbeing-leed' ({where})"
    )
    assert "prosper-coop doctor" in result.stderr and "Traceback" not in result.stderr
    shown = cli("--study", root, "permissions")
    assert shown.exit_code == ExitCode.INVALID, shown.output


def test_an_unsaved_edit_of_the_table_does_not_count(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    _edit(example_study, TABLE, "people.roles: [coordinator]", "people.roles: [co-researcher]")
    act_as(monkeypatch, "CR-02")
    before = state(example_study)
    args = ("--study", root, "people", "edit", "CR-02", "--add-role", "wellbeing-lead")
    _refused(cli(*args), example_study, before)
    shown = cli("--study", root, "permissions")
    assert shown.exit_code == 0, shown.output
    assert "has edits that are not saved" in shown.stderr


def test_a_hand_commit_of_the_table_does_not_count(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    _edit(example_study, TABLE, "people.roles: [coordinator]", "people.roles: [co-researcher]")
    git(example_study, "-c", "user.name=CR-02", "-c", "user.email=CR-02@prosper-coop.invalid",
        "commit", "-q", "--no-verify", "-am", "Co-researchers change roles")  # fmt: skip
    act_as(monkeypatch, "CR-02")
    before = state(example_study)
    args = ("--study", root, "people", "edit", "CR-02", "--add-role", "wellbeing-lead")
    _refused(cli(*args), example_study, before)


def test_a_study_without_a_table_uses_the_shipped_one(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    (example_study.root / TABLE).unlink()
    act_as(monkeypatch, "CR-01")  # removing it is changing it: the coordinator's
    before = state(example_study)
    _refused(cli("--study", root, "save", "-m", "Remove the table"), example_study, before)
    act_as(monkeypatch, "CO-01")
    removed = cli("--study", root, "save", "-m", "Remove the table")
    assert removed.exit_code == 0, removed.output
    assert git(example_study, "ls-files", TABLE) == ""
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    refused = cli("--study", root, "people", "add", "--role", "coordinator", "--alias", "X")
    _refused(refused, example_study, before)
    data = json.loads(cli("--study", root, "permissions", "--json").stdout)
    assert data["file"].endswith(TABLE) and data["file"] != TABLE  # the shipped file
    act_as(monkeypatch, "CO-01")
    added = cli("--study", root, "people", "add", "--role", "co-researcher", "--alias", "X")
    assert added.exit_code == 0, added.output


def test_someone_who_left_holds_no_role(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CO-01")
    left = cli("--study", root, "people", "leave", "CO-01", "--reassign-to", "AC-01")
    assert left.exit_code == 0, left.output
    before = state(example_study)
    result = cli("--study", root, "people", "add", "--role", "co-researcher", "--alias", "X")
    stderr = _refused(result, example_study, before)
    assert stderr.splitlines()[0] == (
        "Error: only the coordinator can add people to the study "
        "(you are CO-01, who has left the study)"
    )
    assert "Nobody active in the study can do it yet" in stderr


# -- the library is guarded too -------------------------------------------------------------
def test_the_library_refuses_as_the_command_line_does(example_study) -> None:
    from prosper_coop.people import consent, team

    study = Study(example_study.root, actor="CR-01")
    before = state(example_study)
    with pytest.raises(NotPermittedError) as refused:
        team.add_person(study, roles=["coordinator"], alias="Coordinator B")
    assert refused.value.exit_code == ExitCode.NOT_PERMITTED
    with pytest.raises(NotPermittedError):
        team.edit_person(study, "CR-01", add_roles=["wellbeing-lead"])
    with pytest.raises(NotPermittedError):
        consent.withdraw(study, "CR-02")
    assert state(example_study) == before
    assert permissions.require(study, "consent.withdraw", subject="CR-01") == "CR-01"
    assert permissions.require(Study(example_study.root, actor="CO-01"), "people.add") == "CO-01"


# -- the table itself -----------------------------------------------------------------------
def test_the_shipped_table_has_the_defaults_of_the_issue() -> None:
    shipped = permissions.parse_table(SHIPPED.read_text(encoding="utf-8"), TABLE)
    assert shipped.version == 1
    assert set(shipped.rules) == set(permissions.ACTIONS)
    for action in ("people.add", "people.roles", "people.edit", "people.erase",
                   "consent.record", "protocols.edit", "permissions.edit", "study.edit"):  # fmt: skip
        assert shipped.roles_for(action) == ("coordinator",), action
    assert shipped.roles_for("alerts.resolve") == ("wellbeing-lead",)
    assert shipped.roles_for("safeguarding.tick") == ("safeguarding-lead", "facilitator")
    assert shipped.roles_for("consent.withdraw") == ("coordinator", "self")
    assert shipped.roles_for("records.rekey") == ("readers",)
    assert permissions.roles_for("checklist.tick") == ("coordinator", "self")
    assert "coordinator" in permissions.roles_for("session.manage")
    assert "facilitator" in permissions.roles_for("distress.run")


def test_every_role_of_the_model_is_a_role_of_the_table() -> None:
    from prosper_coop.core.models import Role

    assert set(table.role_names()) == {str(role) for role in Role}
    assert set(table.ROLE_WORDS) == {str(role) for role in Role}


def _line_of(text: str, needle: str) -> int:
    return 1 + next(i for i, line in enumerate(text.splitlines()) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "message", "needle"),
    [
        ("people.add: [coordinator]", "people.ad: [coordinator]",
         "actions.people.ad: not an action prosper-coop knows", "people.ad:"),
        ("people.add: [coordinator]", "people.add: [cordinator]",
         "actions.people.add: unknown role 'cordinator'", "people.add:"),
        ("people.add: [coordinator]", "people.add: coordinator",
         "actions.people.add: should be a list of who may do it", "people.add:"),
        ("people.add: [coordinator]", "people.add: []",
         "actions.people.add: nobody could do this", "people.add:"),
        ("people.add: [coordinator]", "people.add: [coordinator, self]",
         "actions.people.add: 'self' means nothing for this action", "people.add:"),
        ("people.add: [coordinator]", "people.add: [coordinator, coordinator]",
         "actions.people.add: 'coordinator' is listed twice", "people.add:"),
        ("  people.add: [coordinator]\n", "",
         "actions: people.add missing: say who may do it", "actions:"),
        ("version: 1", "version: 2", "version: 2 is not a version", "version:"),
        ("version: 1", "version: 1\nreaders: []", "readers: not a setting of this file",
         "readers:"),
    ],
)  # fmt: skip
def test_a_broken_table_names_the_line_and_what_to_do(old, new, message, needle) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    broken = text.replace(old, new, 1)
    with pytest.raises(ValidationError) as raised:
        permissions.parse_table(broken, TABLE)
    error = raised.value
    assert error.exit_code == ExitCode.INVALID
    assert error.message.startswith(message), error.message
    assert error.location == f"{TABLE}:{_line_of(broken, needle)}"
    assert error.hint and "prosper-coop doctor" in error.hint


@pytest.mark.parametrize("text", ["- people.add\n", "version: 1\nactions: [people.add]\n", "{"])
def test_a_table_of_the_wrong_shape_is_refused(text) -> None:
    with pytest.raises(ValidationError) as raised:
        permissions.parse_table(text, TABLE)
    assert raised.value.location is not None and raised.value.location.startswith(f"{TABLE}:")


# -- the read-only command ------------------------------------------------------------------
def test_permissions_shows_the_table_in_plain_words(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    shown = cli("--study", root, "permissions")
    assert shown.exit_code == 0, shown.output
    assert state(example_study) == before
    out = shown.stdout
    assert "resolve wellbeing alerts" in out and "the wellbeing lead" in out and "WB-01" in out
    assert "a facilitator of that session" in out
    data = json.loads(cli("--study", root, "permissions", "--json").stdout)
    assert data["file"] == TABLE and data["version"] == 1
    rows = {row["action"]: row for row in data["actions"]}
    assert list(rows) == list(permissions.ACTIONS)
    assert rows["alerts.resolve"]["who"] == ["wellbeing-lead"]
    assert rows["alerts.resolve"]["people"] == ["WB-01"]
    assert rows["safeguarding.tick"]["people"] == ["SG-01"]
    assert rows["people.add"]["in_words"] == ["the coordinator"]


def test_permissions_as_a_user_runs_it(example_study, run_cli) -> None:
    done = run_cli("--study", str(example_study.root), "permissions")
    assert done.returncode == 0, done.stderr
    assert "add people to the study" in done.stdout
