"""Kind input in the rest of the commands: IDs typed in lower case or short (``s2``, ``th1``,
``cr-2``, ``3``) do what the stored form does; a yes or no in words; a bad value is still
refused plainly; and ``session list --mine`` for the sessions someone facilitates."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prosper_coop.cli.common import typed_id
from prosper_coop.core.errors import ExitCode
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from tests.helpers import act_as, commit_subjects, git, state


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("t42", "T-0042"), ("t-0042", "T-0042"), ("wp 2", "WP2"), ("s2", "S-0002"),
        ("r7", "R-007"), ("th1", "TH1"), ("inv-3", "INV-00003"), ("cr-2", "CR-02"),
        ("Ppi1", "PPI-01"),
        # left as typed: a stored form (a person whose letters are a theme's), a bare number
        # (any kind could have it), and what is no ID at all
        ("TH-01", "TH-01"), ("42", "42"), ("study", "study"), ("../x", "../x"),
    ],
)  # fmt: skip
def test_any_record_id_is_read_by_its_letters(typed: str, stored: str) -> None:
    assert typed_id(typed) == stored


def _same(cli, root: str, *commands: tuple[str, ...]) -> str:
    """Run each command line; they must all succeed and print the same; return that."""
    printed = []
    for words in commands:
        result = cli("--study", root, *words)
        assert result.exit_code == 0, (words, result.output)
        printed.append(result.stdout)
    assert printed[0], commands[0]
    assert all(out == printed[0] for out in printed), commands
    return printed[0]


# -- sessions ---------------------------------------------------------------------------
def test_session_ids_and_work_packages_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    shown = _same(
        cli, root, ("session", "show", "S-0002", "--json"), ("session", "show", "s2", "--json"),
        ("session", "show", "2", "--json"), ("session", "show", "s-0002", "--json"),
    )  # fmt: skip
    assert json.loads(shown)["id"] == "S-0002"
    listed = _same(
        cli, root, ("session", "list", "--wp", "WP4", "--json"),
        ("session", "list", "--wp", "wp4", "--json"), ("session", "list", "--wp", "4", "--json"),
    )  # fmt: skip
    assert [view["id"] for view in json.loads(listed)] == ["S-0001", "S-0002", "S-0003", "S-0004"]


def test_session_add_takes_facilitators_work_package_and_participants_as_typed(
    example_study, cli
) -> None:
    root = str(example_study.root)
    added = cli(
        "--study", root, "session", "add", "--type", "interview", "--date", "2026-12-20",
        "--facilitators", "cr-2, ac4", "--wp", "wp4", "--participant", "p5",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    session = json.loads(
        cli("--study", root, "session", "show", added.stdout.strip(), "--json").stdout
    )
    assert (session["facilitators"], session["wp"]) == (["CR-02", "AC-04"], "WP4")
    assert session["participants"] == ["P-0005"]


def test_session_start_and_close_by_number_with_debriefs_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    started = cli("--study", root, "session", "start", "3")
    assert started.exit_code == 0, started.output
    assert "Session S-0003 has started." in started.stderr
    closed = cli(
        "--study", root, "session", "close", "s3", "--debrief", "cr-3=later",
        "--debrief", "ac4=declined",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    assert "  CR-03: later" in closed.stderr and "  AC-04: declined" in closed.stderr
    shown = json.loads(cli("--study", root, "session", "show", "S-0003", "--json").stdout)
    assert shown["status"] == "closed"
    assert [debrief["facilitator"] for debrief in shown["debriefs"]] == ["CR-03", "AC-04"]


def test_a_bad_session_id_or_work_package_is_refused_plainly(example_study, cli) -> None:
    root = str(example_study.root)
    shown = cli("--study", root, "session", "show", "lots")
    assert shown.exit_code == ExitCode.USAGE
    assert shown.stderr.splitlines() == [
        "Error: session ID 'lots' does not look right",
        "Use the form S-0001.",
    ]
    listed = cli("--study", root, "session", "list", "--wp", "lots")
    assert listed.exit_code == ExitCode.USAGE
    assert "Error: work package 'lots' does not look right" in listed.stderr
    assert "Traceback" not in shown.output + listed.output


def test_session_list_mine_lists_the_sessions_i_facilitate(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    every = json.loads(cli("--study", root, "session", "list", "--json").stdout)
    for person in ("CR-02", "CR-01", "AC-04"):
        act_as(monkeypatch, person)
        mine = cli("--study", root, "session", "list", "--mine", "--json")
        assert mine.exit_code == 0, mine.output
        expected = [view for view in every if person in view["facilitators"]]
        assert expected and json.loads(mine.stdout) == expected
    act_as(monkeypatch, "CR-02")
    planned = cli("--study", root, "session", "list", "--mine", "--status", "planned", "--json")
    assert [view["id"] for view in json.loads(planned.stdout)] == ["S-0002"]
    table = cli("--study", root, "session", "list", "--mine")
    assert "S-0002" in table.stdout and "S-0004" not in table.stdout


def test_session_list_mine_says_so_kindly_when_there_are_none(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "CR-05")
    result = cli("--study", str(example_study.root), "session", "list", "--mine")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "You (CR-05) are not down to facilitate any sessions. "
        "See every session with: prosper-coop session list"
    )


# -- reflections, findings, recommendations ---------------------------------------------
def test_a_reflection_about_a_work_package_and_session_as_typed(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "CR-02")
    root = str(example_study.root)
    written = cli("--study", root, "reflect", "--wp", "wp4", "--session", "s2", input="A thought")
    assert written.exit_code == 0, written.output
    shown = json.loads(cli("--study", root, "reflect", "show", "4", "--json").stdout)
    assert (shown["id"], shown["wp"], shown["session"]) == ("RF-0004", "WP4", "S-0002")


def test_themes_and_their_evidence_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    _same(cli, root, ("findings", "show", "TH1", "--json"), ("findings", "show", "th1", "--json"),
          ("findings", "show", "1", "--json"))  # fmt: skip
    edited = cli("--study", root, "findings", "theme", "edit", "th1", "--evidence", "wp2, 3")
    assert edited.exit_code == 0, edited.output
    theme = json.loads(cli("--study", root, "findings", "show", "TH1", "--json").stdout)
    assert theme["evidence"] == ["WP2", "WP3"]
    added = cli(
        "--study", root, "findings", "theme", "add", "9", "A new theme", "--evidence", "wp1"
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == "TH9"


def test_recommendations_their_theme_and_evidence_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    _same(cli, root, ("rec", "show", "R-001", "--json"), ("rec", "show", "r1", "--json"),
          ("rec", "show", "1", "--json"))  # fmt: skip
    listed = _same(cli, root, ("rec", "list", "-t", "TH1", "--json"),
                   ("rec", "list", "--theme", "th1", "--json"), ("rec", "list", "-t", "1", "--json"))  # fmt: skip
    assert {rec["theme"] for rec in json.loads(listed)} == {"TH1"}
    added = cli(
        "--study", root, "rec", "add", "Keep waiting lists short.", "-a", "providers",
        "-t", "th2", "-e", "wp2,wp3",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    rec_id = added.stdout.strip()
    edited = cli("--study", root, "rec", "edit", rec_id.lower(), "--theme", "1", "-e", "4")
    assert edited.exit_code == 0, edited.output
    rec = json.loads(cli("--study", root, "rec", "show", rec_id, "--json").stdout)
    assert (rec["theme"], rec["evidence"]) == ("TH1", ["WP4"])
    refused = cli("--study", root, "rec", "list", "-t", "lots")
    assert refused.exit_code == ExitCode.USAGE
    assert "Error: theme ID 'lots' does not look right" in refused.stderr


# -- consent, distress, checklists ------------------------------------------------------
def test_consent_subjects_and_people_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    credit = cli("--study", root, "consent", "credit", "cr2", "--as", "initials", "--display", "J")
    assert credit.exit_code == 0, credit.output
    assert "CR-02 will be credited by initials (J)" in credit.stderr
    withdrawn = cli("--study", root, "consent", "withdraw", "p1", "--wp", "wp4")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert "Recorded the withdrawal of P-0001 (future) on C-0017." in withdrawn.stderr
    assert commit_subjects(example_study)[0].startswith("consent: withdraw (future) (P-0001, ")
    task = example_study.path_of(get("task"), withdrawn.stdout.split()[0]).read_text()
    assert "wp: WP4" in task


def test_distress_takes_people_sessions_and_incidents_as_typed(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "AC-01")
    root = str(example_study.root)
    ran = cli(
        "--study", root, "distress", "run", "-p", "distress-researcher", "--person", "cr-2",
        "--session", "s4", "--wp", "wp3", "-a", "signs=yes", "-a", "able=yes", "-a", "safe=yes",
        "-a", "continue=no", "-a", "debrief=yes", "-a", "follow-up=yes", "--json",
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    made = json.loads(ran.stdout)
    assert made["incident"] == "I-0002"
    assert "wp: WP3" in example_study.path_of(get("task"), made["task"]).read_text()
    act_as(monkeypatch, "SG-01")
    shown = _same(cli, root, ("distress", "show", "I-0002", "--json"),
                  ("distress", "show", "i2", "--json"), ("distress", "show", "2", "--json"))  # fmt: skip
    incident = json.loads(shown)
    assert (incident["person"], incident["session"]) == ("CR-02", "S-0004")


def test_checklist_runs_and_subjects_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    _same(cli, root, ("checklist", "show", "C-0003"), ("checklist", "show", "c3"),
          ("checklist", "show", "3"))  # fmt: skip
    for stored, typed in (("S-0002", "s2"), ("P-0014", "p14"), ("CR-03", "cr3")):
        found = _same(cli, root, ("checklist", "status", "--for", stored, "--json"),
                      ("checklist", "status", "--for", typed, "--json"))  # fmt: skip
        assert {run["subject"] for run in json.loads(found)} == {stored}
    started = cli("--study", root, "checklist", "start", "offboarding", "--for", "ac-2")
    assert started.exit_code == 0, started.output
    run = json.loads(
        cli("--study", root, "checklist", "show", started.stdout.strip(), "--json").stdout
    )
    assert run["subject"] == "AC-02"


# -- people, keys, involvement ----------------------------------------------------------
def test_keys_take_people_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    _same(cli, root, ("keys", "show", "WB-01", "--json"), ("keys", "show", "wb1", "--json"))
    confirmed = cli("--study", root, "keys", "confirm", "cr3")
    assert confirmed.exit_code == 0, confirmed.output
    assert "Confirmed CR-03's keys" in confirmed.stderr


def test_people_and_involvement_take_people_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    _same(cli, root, ("involve", "list", "--person", "CR-02", "--json"),
          ("involve", "list", "--person", "cr2", "--json"))  # fmt: skip
    added = cli(
        "--study", root, "people", "add", "-r", "co-researcher", "--alias", "Co-researcher K",
        "--id", "cr-9",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert example_study.path_of(get("person"), "CR-09").is_file()
    left = cli("--study", root, "people", "leave", "CR-04", "--reassign-to", "cr3")
    assert left.exit_code == 0, left.output
    assert "Reassigned to CR-03: " in left.stderr
    refused = cli("--study", root, "involve", "list", "--person", "lots")
    assert refused.exit_code == ExitCode.USAGE
    assert "Error: person ID 'lots' does not look right" in refused.stderr


# -- the audit trail, conflicts, renders ------------------------------------------------
def test_log_takes_records_and_people_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    assert cli("--study", root, "task", "note", "T-0012", "Asked the site").exit_code == 0
    found = _same(cli, root, ("log", "--record", "T-0012", "--by", "CO-01", "--json"),
                  ("log", "--record", "t12", "--by", "co1", "--json"),
                  ("log", "--record", "t-0012", "--by", "co-01", "--json"))  # fmt: skip
    assert [entry["records"] for entry in json.loads(found)] == [["T-0012"]]
    refused = cli("--study", root, "log", "--by", "lots")
    assert refused.exit_code == ExitCode.USAGE
    assert "Error: person ID 'lots' does not look right" in refused.stderr


def test_resolve_names_the_record_in_its_stored_form(example_study, cli) -> None:
    """No conflict here: the refusal shows that ``t-28`` was read as T-0028."""
    before = state(example_study)
    result = cli("--study", str(example_study.root), "resolve", "t-28", "--take", "mine")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stderr.startswith("Error: T-0028 has no unresolved conflict")
    assert state(example_study) == before


def test_render_again_by_number(example_study, cli) -> None:
    root = str(example_study.root)
    first = cli("--study", root, "render", "recommendations", "--format", "md", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["render"]["id"] == "OUT-00001"
    again = cli("--study", root, "render", "--again", "1", "--json")
    assert again.exit_code == 0, again.output
    made = json.loads(again.stdout)
    assert (made["render"]["again_of"], made["identical"]) == ("OUT-00001", True)


# -- tasks ------------------------------------------------------------------------------
def test_task_show_says_gently_that_a_date_has_passed(example_study, cli) -> None:
    root = str(example_study.root)
    data = json.loads(cli("--study", root, "task", "show", "T-0012", "--json").stdout)
    assert data["days_late"] == 10
    shown = cli("--study", root, "task", "show", "12")
    assert shown.exit_code == 0, shown.output
    assert f"Due:          {data['due']}, past its date (10 days)" in shown.stdout.splitlines()
    assert "overdue" not in shown.stdout


# -- join -------------------------------------------------------------------------------
def _add_co_researcher(cli, study: Study) -> None:
    """CR-08, who has not joined yet (everyone in the example has)."""
    added = cli("--study", str(study.root), "people", "add", "-r", "co-researcher",
                "--alias", "Co-researcher H", "--id", "CR-08")  # fmt: skip
    assert added.exit_code == 0, added.output


def test_join_takes_a_study_id_as_typed(example_study, cli) -> None:
    _add_co_researcher(cli, example_study)
    joined = cli("--study", str(example_study.root), "join", "cr8")
    assert joined.exit_code == 0, joined.output
    assert "You have joined as CR-08." in joined.stderr
    assert "CR-08" in git(example_study, "log", "-1", "--format=%an %s")


def test_join_refuses_what_cannot_be_a_study_id(example_study, cli) -> None:
    before = state(example_study)
    result = cli("--study", str(example_study.root), "join", "lots")
    assert result.exit_code == ExitCode.USAGE
    assert "Error: person ID 'lots' does not look right" in result.stderr
    assert state(example_study) == before


# -- at a real terminal: re-asked, and yes or no in words --------------------------------
def _at_a_terminal(cwd: Path, argv: tuple[str, ...], replies: list[tuple[str, bytes]]) -> str:
    """Run the installed ``prosper-coop`` at a pseudo-terminal; after each text is shown,
    type its reply; return everything shown (the program must end with 0)."""
    script = Path(sys.executable).parent / "prosper-coop"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "prosper_coop"]
    main, secondary = pty.openpty()
    child = subprocess.Popen(
        [*command, *argv], cwd=cwd, stdin=secondary, stdout=secondary, stderr=secondary,
        env=dict(os.environ), close_fds=True,
    )  # fmt: skip
    os.close(secondary)
    seen, looked = b"", 0
    deadline = time.monotonic() + 90

    def read() -> bool:
        nonlocal seen
        ready, _, _ = select.select([main], [], [], 0.5)
        if not ready:
            return child.poll() is None
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the program has ended, and its terminal with it
            return False
        seen += chunk
        return bool(chunk)

    try:
        for text, reply in replies:
            while (found := seen.find(text.encode(), looked)) < 0:
                assert time.monotonic() < deadline and read(), f"never saw {text!r} in {seen!r}"
            looked = found + len(text)
            os.write(main, reply)
        while time.monotonic() < deadline and read():
            pass
        assert child.wait(timeout=30) == 0, seen
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        os.close(main)
    return seen.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.slow  # runs the console script at a pseudo-terminal
def test_task_delete_takes_yes_or_no_in_words(example_study, monkeypatch) -> None:
    monkeypatch.setenv("PROSPER_COOP_AS", "CO-01")
    task = example_study.path_of(get("task"), "T-0021")
    before = state(example_study)
    said = _at_a_terminal(example_study.root, ("task", "delete", "21"), [("(yes/no)", b"Nope\n")])
    assert "Nothing was deleted." in said
    assert state(example_study) == before and task.is_file()
    said = _at_a_terminal(
        example_study.root,
        ("task", "delete", "t21"),
        [("(yes/no)", b"maybe\n"), ("(yes/no)", b"Yeah\n")],
    )
    assert said.count("Please answer yes or no.") == 1
    assert "Deleted T-0021." in said and not task.exists()
    assert commit_subjects(example_study)[0].startswith("task: delete T-0021")


@pytest.mark.slow  # runs the console script at a pseudo-terminal
def test_join_asks_again_for_a_study_id_that_is_not_waiting(
    example_study, cli, monkeypatch
) -> None:
    _add_co_researcher(cli, example_study)
    monkeypatch.delenv("PROSPER_COOP_AS", raising=False)
    said = _at_a_terminal(
        example_study.root, ("join",),
        [("Your study ID", b"cr-99\n"), ("Your study ID", b"lots\n"), ("Your study ID", b"cr8\n")],
    )  # fmt: skip
    again = (
        "That is not one of the IDs waiting to join (CR-08). "
        "Please type it again, or ask your coordinator."
    )
    assert said.count(again) == 2
    assert "You have joined as CR-08." in said
    assert "Error" not in said and "Traceback" not in said
    assert "CR-08" in git(example_study, "log", "-1", "--format=%an %s")
