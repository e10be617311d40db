"""Text from records never reaches the terminal as control characters or rich markup.

A record may hold a title such as ``ESC ] 0;hacked BEL ESC [2J`` (retitles the
window, clears the screen) or a bidi override (reverses what is read). Every command
that lists or shows record text is run through the real command line here, and
nothing it prints may hold a control character, DEL, a C1 character or a bidi
control; ``[bold]`` in a record stays literal text.
"""

from __future__ import annotations

import json
import re

import pytest

from prosper_coop.core.study import Study
from tests.helpers import act_as

HOSTILE = "\x1b]0;hacked\x07\x1b[2J[bold]x[/bold]\u202eevil\x9b31m\x7f\x08end"
# Anything a terminal may act on: C0 except newline, DEL, C1, bidi embeddings,
# overrides and isolates.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _planted(cli, study: Study, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Put HOSTILE into every kind of record the command line can write; return new IDs."""
    root = str(study.root)

    def run(*args: str, stdin: str | None = None) -> str:
        result = cli("--study", root, *args, input=stdin)
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    ids = {}
    ids["task"] = run("task", "add", "WP1", HOSTILE, "--note", HOSTILE, "--tag", "hostile")
    run("task", "block", ids["task"], "--reason", HOSTILE)
    run("task", "note", ids["task"], f"two lines\n{HOSTILE}")
    run("people", "edit", "CR-02", "--notes", HOSTILE, "--alias", HOSTILE)
    run("findings", "theme", "add", "TH9", HOSTILE, "--summary", HOSTILE)
    run("findings", "message", "add", "TH9", HOSTILE)
    ids["rec"] = run("rec", "add", HOSTILE, "-a", "commissioners", "-t", "TH9")
    run("wp", "add", "WP9", HOSTILE, "--start", "2026-01-01", "--end", "2027-06-01")
    run("wp", "edit", "WP9", "--summary", HOSTILE)
    run("wp", "milestone", "add", "WP9", HOSTILE, "--due", "2026-12-01")
    run("task", "add", "WP9", HOSTILE, "--owner", "CR-02", "--due", "2026-11-27")
    ids["entry"] = run(
        "involve", "log", "CR-02", "-d", "2026-10-01", "--hours", "2", "-a", HOSTILE,
        "--impact", HOSTILE,
    )  # fmt: skip
    session = run(
        "session", "add", "--type", "interview", "--date", "2026-12-01",
        "--facilitators", "AC-01", "--title", HOSTILE,
    )  # fmt: skip
    ids["session"] = session.splitlines()[0]
    ids["run"] = re.findall(r"C-\d{4}", cli("--study", root, "session", "show", ids["session"],
                                             "--json").stdout)[0]  # fmt: skip
    act_as(monkeypatch, "SG-01")  # who ticks safeguarding items
    run("checklist", "tick", ids["run"], "dsl-reachable", "--note", HOSTILE, "--document", HOSTILE)
    act_as(monkeypatch, "CR-01")
    run("reflect", stdin=HOSTILE)  # sensitive text comes on stdin, never in argv
    run("wellbeing", "plan", stdin=f"what-helps: {HOSTILE}\n")
    run("checkin", "--from-stdin", stdin=f"distress: 9\ncontact: yes\nnote: {HOSTILE}\n")
    act_as(monkeypatch, "CO-01")
    return ids


def test_no_command_prints_control_characters_from_records(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _planted(cli, example_study, monkeypatch)
    root = str(example_study.root)
    task, rec, session, run = ids["task"], ids["rec"], ids["session"], ids["run"]
    act_as(monkeypatch, "WB-01")
    alerts = json.loads(cli("--study", root, "wellbeing", "alerts", "--json").stdout)
    alert = max(row["id"] for row in alerts)  # the one CR-01's check-in raised
    commands = {
        "CO-01": [
            ("task", "list"),
            ("task", "list", "--search", "hacked"),
            ("task", "show", task),
            ("task", "board"),
            ("task", "timeline", "--days", "400"),
            ("task", "block", task, "--reason", "again"),  # its error names the task
            ("status",),
            ("log",),
            ("log", "--record", task),
            ("doctor",),
            ("people", "list"),
            ("people", "show", "CR-02"),
            ("findings", "list"),
            ("findings", "show", "TH9"),
            ("rec", "list"),
            ("rec", "show", rec),
            ("wp", "list"),
            ("wp", "show", "WP9"),
            ("wp", "progress"),
            ("involve", "list"),
            ("involve", "report"),
            ("session", "list"),
            ("session", "show", session),
            ("checklist", "show", run),
            ("checklist", "status"),
            ("keys", "list"),
        ],
        "CR-02": [("task", "mine")],
        "CR-01": [
            ("reflect", "list"),
            ("reflect", "show", "RF-0004"),
            ("wellbeing", "plan", "--show"),
        ],
        "WB-01": [("wellbeing", "alerts"), ("wellbeing", "show", alert)],
    }
    leaks = []
    ran = 0
    for person, lines in commands.items():
        act_as(monkeypatch, person)
        for args in lines:
            result = cli("--study", root, *args)
            ran += 1
            assert "something unexpected" not in result.output, (args, result.output)
            for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
                found = sorted(set(FORBIDDEN.findall(text)))
                if found:
                    leaks.append(f"{person} {' '.join(args)}: {stream} has {found!r}")
    assert ran == sum(len(lines) for lines in commands.values())
    assert not leaks, "\n".join(leaks)


def test_shown_text_is_visible_json_and_exports_exact(
    example_study: Study, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _planted(cli, example_study, monkeypatch)
    root = str(example_study.root)
    shown = cli("--study", root, "task", "show", ids["task"]).stdout
    # ESC and BEL become their Unicode control pictures; C1 and bidi controls become
    # U+FFFD; the markup stays literal text.
    assert f"Task:         {ids['task']}  ␛]0;hacked␇␛[2J[bold]x[/bold]�evil�31m␡␈end" in shown
    assert "two lines\n␛]0;hacked" in shown  # a multi-line note keeps its line break
    listed = cli("--study", root, "task", "list", "--tag", "hostile").stdout
    assert "[bold]x[/bold]" in listed

    # JSON keeps every character, with the dangerous ones as \u escapes.
    shown = cli("--study", root, "task", "show", ids["task"], "--json").stdout
    listed = cli("--study", root, "task", "list", "--tag", "hostile", "--json").stdout
    assert not FORBIDDEN.search(shown) and not FORBIDDEN.search(listed)
    assert json.loads(shown)["title"] == HOSTILE
    assert [row["title"] for row in json.loads(listed)] == [HOSTILE]

    # Exports are data: a pipe or a file gets every character as it is.
    exported = cli("--study", root, "task", "export", "--format", "json")
    assert exported.exit_code == 0, exported.output
    assert HOSTILE in [task["title"] for task in json.loads(exported.stdout)]
