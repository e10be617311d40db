"""Kind input at the command line: words and common forms accepted, a bad value re-asked at
the prompt, a bad option said in one short line, and tables that keep IDs whole."""

from __future__ import annotations

import json
import re

import pytest

from prosper_coop.cli.terminal import column_widths
from prosper_coop.core.errors import ExitCode
from prosper_coop.wellbeing.models import Alert, CheckIn
from tests.helpers import act_as, git, state
from tests.wellbeing.helpers import read_as

SUPPORT_LINE = "Support is there any time: prosper-coop support"


# -- check-ins ----------------------------------------------------------------------------
def test_checkin_takes_a_rating_and_an_answer_in_words(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    root = str(example_study.root)
    result = cli("--study", root, "checkin", "--distress", "three", "--contact", "no", "--json")
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert made["alert"] is None
    saved = read_as(example_study, "CR-01", f"checkins/CR-01/{made['checkin']}.age", CheckIn)
    assert saved is not None and (saved.distress, saved.contact) == (3, False)
    again = cli("--study", root, "checkin", "-d", "Two", "--contact", "Nope", "--json")
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout)["checkin"]
    saved = read_as(example_study, "CR-01", f"checkins/CR-01/{second}.age", CheckIn)
    assert saved is not None and (saved.distress, saved.contact) == (2, False)


def test_a_bad_rating_gives_one_short_line_and_one_on_support(
    example_study, cli, monkeypatch
) -> None:
    """Not the whole list of helplines, and nothing before the error."""
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "checkin", "--distress", "lots")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [
        "Error: the rating should be a whole number from 0 to 10, such as 3 or three",
        "Nothing was saved, so nobody has been told. For example: --distress 3. " + SUPPORT_LINE,
    ]
    assert result.stdout == ""
    assert state(example_study) == before


def test_a_bad_contact_answer_gives_one_short_line_too(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(example_study.root), "checkin", "-d", "2", "--contact", "perhaps")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [
        "Error: --contact should be yes or no",
        "Nothing was saved, so nobody has been told. For example: --contact no. " + SUPPORT_LINE,
    ]


@pytest.mark.parametrize(
    "options", [("--distress", "lots", "--contact", "Yes"), ("--distress", "12")]
)
def test_services_come_in_full_first_when_what_was_typed_asks_for_them(
    example_study, cli, monkeypatch, options
) -> None:
    """Asking for contact, or a rating above the scale, still shows every service first."""
    act_as(monkeypatch, "CR-02")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "checkin", *options)
    assert result.exit_code == ExitCode.USAGE
    err = result.stderr
    assert "Samaritans" in err and err.index("Samaritans") < err.index("Error: ")
    assert "The services above are there for you" in err and "nobody has been told" in err
    assert state(example_study) == before


def test_the_interactive_checkin_takes_words_and_asks_again_kindly(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "CR-04")
    result = cli(
        "--study", str(example_study.root), "checkin", input="lots\nThree\nperhaps\nYeah\n\n"
    )
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert err.count("The rating should be a whole number from 0 to 10, such as 3 or three. "
                     "Please try again.") == 1  # fmt: skip
    assert err.count("Please answer yes or no.") == 1
    assert "Error" not in err
    saved = read_as(example_study, "CR-04", "checkins/CR-04/CI-0005.age", CheckIn)
    assert saved is not None and (saved.distress, saved.contact) == (3, True)
    alert = read_as(example_study, "WB-01", "alerts/CR-04/A-0005.age", Alert)
    assert alert is not None and alert.contact_requested


def test_a_bad_rating_in_a_real_process(example_study, run_cli) -> None:
    """The console script, as a person runs it: two lines, no helplines, exit 2."""
    before = state(example_study)
    result = run_cli(
        "checkin", "--distress", "lots", cwd=example_study.root, env={"PROSPER_COOP_AS": "CR-01"}
    )
    assert result.returncode == ExitCode.USAGE, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: the rating should be")
    assert lines[1].endswith(SUPPORT_LINE)
    assert "Samaritans" not in result.stderr
    assert state(example_study) == before


# -- IDs as people type them --------------------------------------------------------------
def test_reflect_show_takes_a_bare_number(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    for typed in ("1", "rf1", "rf-0001"):
        result = cli("--study", str(example_study.root), "reflect", "show", typed)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("RF-0001 by CR-01")


def test_whoami_takes_a_person_id_in_any_case(example_study, cli) -> None:
    """CR-02 joined on this (test) computer when the example was made."""
    result = cli("--study", str(example_study.root), "whoami", "cr-2")
    assert result.exit_code == 0, result.output
    assert "You are now CR-02 in this study." in result.stderr
    assert cli("--study", str(example_study.root), "whoami").stdout.strip() == "CR-02"


def test_work_packages_and_people_in_any_case_list_the_same_tasks(example_study, cli) -> None:
    root = str(example_study.root)
    wanted = cli("--study", root, "task", "list", "--wp", "WP3", "--owner", "AC-03", "--json")
    assert wanted.exit_code == 0, wanted.output
    assert json.loads(wanted.stdout), "the example has WP3 tasks for AC-03"
    for wp, owner in (("wp3", "ac-03"), ("WP 3", "ac3"), ("3", "Ac-03")):
        typed = cli("--study", root, "task", "list", "--wp", wp, "--owner", owner, "--json")
        assert typed.exit_code == 0, typed.output
        assert typed.stdout == wanted.stdout


def test_task_and_wp_commands_take_ids_as_typed(example_study, cli) -> None:
    root = str(example_study.root)
    added = cli(
        "--study", root, "task", "add", "wp2", "Check the survey codebook", "--owner", "cr-1"
    )
    assert added.exit_code == 0, added.output
    task_id = added.stdout.strip()
    shown = json.loads(cli("--study", root, "task", "show", task_id.lower(), "--json").stdout)
    assert (shown["wp"], shown["owner"]) == ("WP2", "CR-01")
    assert cli("--study", root, "task", "assign", task_id[2:], "ac-4").exit_code == 0
    owner = json.loads(cli("--study", root, "task", "show", task_id, "--json").stdout)["owner"]
    assert owner == "AC-04"
    wp = cli("--study", root, "wp", "show", "wp 2", "--json")
    assert wp.exit_code == 0, wp.output
    assert json.loads(wp.stdout)["id"] == "WP2"


def test_an_alert_by_its_number(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "WB-01")
    result = cli("--study", str(example_study.root), "wellbeing", "show", "4", "--person", "cr-02")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Alert A-0004  CR-02")


def test_what_cannot_be_an_id_is_still_refused_plainly(example_study, cli) -> None:
    result = cli("--study", str(example_study.root), "task", "list", "--wp", "lots")
    assert result.exit_code == ExitCode.USAGE
    assert "Error: work package ID 'lots' does not look right" in result.stderr
    assert "Traceback" not in result.output
    assert git(example_study, "status", "--porcelain") == ""


def test_help_names_what_an_id_option_takes(cli) -> None:
    shown = cli("task", "list", "--help").stdout
    assert re.search(r"--wp <wp>\s+Only this work package", shown)
    assert re.search(r"--owner <person>\s+Only this person's", shown)


# -- tables keep IDs whole ----------------------------------------------------------------
def test_a_narrow_table_keeps_ids_and_dates_whole(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    monkeypatch.setenv("COLUMNS", "60")
    root = str(example_study.root)
    rows = json.loads(cli("--study", root, "reflect", "list", "--json").stdout)
    assert len(rows) >= 2
    table = cli("--study", root, "reflect", "list")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 60
    text = "\n".join(lines)
    for row in rows:
        assert row["id"] in text and row["person"] in text
        assert row["at"][:10] in text  # the date on one line
    assert "Reflection" in text  # the heading too


def test_column_widths_leave_a_table_that_fits_to_rich() -> None:
    assert column_widths(["ID", "Title"], [["T-0001", "Short"]], 60, [True, False]) == [
        (None, True),
        (None, True),
    ]


def test_column_widths_keep_ids_whole_and_wrap_text_between_words() -> None:
    slug = "training-trauma-informed"
    rows = [[slug, "Training: trauma-informed practice, before the first interview"]]
    widths = column_widths(["Item", "Text"], rows, 50, [True, False])
    assert widths[0] == (len(slug), True)
    text_width, whole = widths[1]
    assert whole is False and text_width is not None
    assert len("trauma-informed") <= text_width and len(slug) + text_width + 7 == 50


def test_column_widths_fold_only_the_longest_words_when_nothing_else_fits() -> None:
    rows = [["CR-05", "a-very-long-checklist-slug-indeed", "another-long-slug-that-will-fold"]]
    widths = column_widths(["Who", "Checklist", "Still to do"], rows, 40, [True, True, False])
    assert widths[0] == (5, True)  # the short ID stays whole
    assert sum(width or 0 for width, _ in widths) + 10 <= 40
    assert widths[1][1] is False  # the long slug folds rather than being cut off
