"""A guided new study: ``init`` asks for (or takes flags for) the study's own details,
ships no PROSPER text, and ``status`` opens with what the study still needs."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, git

FLAGS = (
    "--title", "Peer support after abuse: a co-produced study",
    "--short-name", "PEERS",
    "--iras-id", "314159",
    "--ethics-committee", "Northtown Research Ethics Committee",
    "--ethics-ref", "26/NT/0042",
    "--sponsor", "University of Northtown",
    "--funder", "The Example Foundation",
    "--award", "EF-2026-7",
    "--coordinator", "CO-02",
    "--coordinator-alias", "Study manager",
)  # fmt: skip
FORMS = ("consent-co-researcher", "consent-participant")


def _form(root: Path, name: str) -> str:
    return (root / "protocols" / "checklists" / f"{name}.yaml").read_text(encoding="utf-8")


def _status(cli, root: Path) -> tuple[list[dict], str]:
    as_json = cli("--study", str(root), "status", "--json")
    assert as_json.exit_code == 0, as_json.output
    shown = cli("--study", str(root), "status")
    assert shown.exit_code == 0, shown.output
    return json.loads(as_json.stdout)["readiness"]["needs"], shown.stdout


# -- the flags ------------------------------------------------------------------------
def test_init_with_flags_keeps_the_details_and_fills_the_consent_forms(cli, sealed_env) -> None:
    result = cli("init", "peers", *FLAGS)
    assert result.exit_code == 0, result.output
    root = sealed_env / "peers"
    settings = (root / "study.yaml").read_text(encoding="utf-8")
    for line in (
        "title: 'Peer support after abuse: a co-produced study'",
        "short_title: PEERS",
        "iras_id: '314159'",
        "ethics_committee: Northtown Research Ethics Committee",
        "ethics_reference: 26/NT/0042",
        "sponsor: University of Northtown",
        "funder: The Example Foundation",
        "award: EF-2026-7",
    ):
        assert line in settings.splitlines(), (line, settings)
    coordinator = (root / "people" / "CO-02.yaml").read_text(encoding="utf-8")
    assert "alias: Study manager" in coordinator and "- coordinator" in coordinator
    assert not (root / "people" / "CO-01.yaml").exists()
    for name in FORMS:
        form = _form(root, name)
        assert "Study: Peer support after abuse: a co-produced study. IRAS ID: 314159." in form
        assert "Sponsor: University of Northtown." in form
        assert "Northtown Research Ethics Committee, reference 26/NT/0042" in form
        assert "{study." not in form and "[" not in form.split("items:")[0].split("description")[1]
    assert (
        git(root, "log", "--format=%an|%s").strip() == 'CO-02|study: create study "PEERS" (study)'
    )
    assert git(root, "status", "--porcelain") == ""
    doctor = cli("--study", str(root), "doctor")
    assert doctor.exit_code == 0, doctor.output


def test_without_a_terminal_the_missing_flags_are_listed_and_nothing_is_made(
    cli, sealed_env
) -> None:
    result = cli("init", "peers", "--title", "A study")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Error: " in result.stderr
    assert "--short-name" in result.stderr and "--sponsor" in result.stderr
    assert "--title" not in result.stderr.split("Error:")[1].splitlines()[0]
    assert "Traceback" not in result.output
    assert not (sealed_env / "peers").exists()
    assert list(sealed_env.iterdir()) == []


def test_a_bad_detail_is_refused_calmly_with_what_fits(cli, sealed_env) -> None:
    flags = list(FLAGS)
    flags[flags.index("--iras-id") + 1] = "IRAS 31"
    result = cli("init", "peers", *flags)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--iras-id" in result.stderr and "a number" in result.stderr
    flags = list(FLAGS)
    flags[flags.index("--coordinator") + 1] = "boss"
    result = cli("init", "peers", *flags)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--coordinator" in result.stderr and "CO-01" in result.stderr
    assert list(sealed_env.iterdir()) == []


def test_an_example_brings_its_own_team(cli, sealed_env) -> None:
    result = cli("init", "demo", "--example", "prosper", "--coordinator", "CO-02")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "own team" in result.stderr
    assert list(sealed_env.iterdir()) == []


def test_a_folder_that_cannot_be_used_is_said_before_any_question(cli, sealed_env) -> None:
    (sealed_env / "notes").mkdir()
    (sealed_env / "notes" / "todo.txt").write_text("keep me")
    result = cli("init", "notes")
    assert result.exit_code == ExitCode.CONFLICT, result.output
    assert "is not empty" in result.stderr and "--title" not in result.stderr


# -- at a terminal --------------------------------------------------------------------
ANSWERS = [
    "",  # title: asked again
    "Peer support after abuse",
    "PEERS",
    "IRAS 31",  # not a number: asked again
    "314159",
    "",  # ethics committee not known yet
    "",  # nor the REC reference
    "University of Northtown",
    "",  # no funder, so no award is asked
    "",  # coordinator: CO-01
    "Study manager",
]


def test_init_asks_at_a_terminal(cli, sealed_env, monkeypatch) -> None:
    from prosper_coop.cli import private_input

    monkeypatch.setattr(private_input, "has_terminal", lambda: True)
    result = cli("init", "peers", input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == 0, result.output
    assert "Study title" in result.stderr and "IRAS ID" in result.stderr
    assert "Award" not in result.stderr
    assert result.stderr.count("Please try again") == 2
    root = sealed_env / "peers"
    settings = (root / "study.yaml").read_text(encoding="utf-8")
    assert "title: Peer support after abuse" in settings and "iras_id: '314159'" in settings
    assert "sponsor: University of Northtown" in settings and "ethics" not in settings
    assert "alias: Study manager" in (root / "people" / "CO-01.yaml").read_text()
    form = _form(root, "consent-participant")
    assert "Research ethics committee: [research ethics committee], reference [REC reference]" in (
        form
    )


def test_flags_given_are_not_asked_again(cli, sealed_env, monkeypatch) -> None:
    from prosper_coop.cli import private_input

    monkeypatch.setattr(private_input, "has_terminal", lambda: True)
    answers = ["", "", "University of Northtown", "", "", ""]
    result = cli("init", "peers", *FLAGS[:6], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Study title" not in result.stderr and "Sponsor" in result.stderr


def test_init_at_a_real_terminal(sealed_env) -> None:
    """The installed command, run at a pseudo-terminal, asks its questions there."""
    script = Path(sys.executable).parent / "prosper-coop"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "prosper_coop"]
    main, secondary = pty.openpty()
    child = subprocess.Popen(
        [*command, "init", "peers"],
        cwd=sealed_env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "TERM": "dumb"},
        close_fds=True,
    )
    os.close(secondary)
    os.write(main, ("\n".join(ANSWERS[1:3] + ANSWERS[4:]) + "\n").encode())
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif child.poll() is not None:
            break
    os.close(main)
    assert child.wait(timeout=30) == 0, seen.decode(errors="replace")
    text = seen.decode(errors="replace")
    assert "Study title" in text and "Sponsor" in text
    assert "iras_id: '314159'" in (sealed_env / "peers" / "study.yaml").read_text()


# -- no PROSPER text ----------------------------------------------------------------
def _example_words() -> set[str]:
    """Words that belong to the PROSPER example: its names, IDs, title, funder, themes."""
    import datetime as dt

    from prosper_coop.examples import prosper, prosper_outputs

    words = {"PROSPER", "Prosper study", prosper.TITLE, "CR-06"}
    words |= {person_id for person_id, *_ in prosper.PEOPLE}
    words |= {alias for _, alias, *_ in prosper.PEOPLE if alias[-2:-1] == " "}  # Co-researcher A
    words |= {str(v) for k, v in prosper.settings(dt.date(2026, 1, 1)).items() if k != "title"}
    words |= {wp[1] for wp in prosper.WORK_PACKAGES}
    words |= {theme[1] for theme in prosper_outputs.THEMES}
    words.discard("CO-01")  # the default coordinator's ID; this study's is CO-02
    return {word for word in words if len(word) >= 5}


def test_a_new_study_holds_no_prosper_text(cli, sealed_env) -> None:
    result = cli("init", "peers", *FLAGS)
    assert result.exit_code == 0, result.output
    root = sealed_env / "peers"
    words = _example_words()
    assert {"PROSPER", "SG-01", "WB-01", "Co-researcher A", "18/02/27"} <= words
    found = []
    files = [path for path in root.rglob("*") if path.is_file() and ".git" not in path.parts]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [(path.relative_to(root).as_posix(), w) for w in words if w in text]
        if path.suffix == ".yaml" and "{study." in text:  # a field left unfilled
            found.append((path.relative_to(root).as_posix(), "{study."))
    assert found == []
    assert "PROSPER" not in git(root, "log", "--format=%B")


def test_the_example_keeps_its_own_text(example_study) -> None:
    form = _form(example_study.root, "consent-participant")
    assert "the PROSPER co-production study" in form


# -- what the study still needs -------------------------------------------------------
def test_readiness_lines_appear_and_vanish_as_the_study_is_completed(
    cli, sealed_env, monkeypatch, tmp_path
) -> None:
    act_as(monkeypatch, "CO-01")
    flags = [*FLAGS[:2], *FLAGS[2:4], *FLAGS[10:12]]  # title, short name, sponsor only
    result = cli("init", "s", *flags)
    assert result.exit_code == 0, result.output
    root = sealed_env / "s"

    needs, shown = _status(cli, root)
    kinds = [(n["kind"], n["role"], n["people"]) for n in needs]
    assert kinds == [
        ("no-lead", "safeguarding-lead", []),
        ("no-lead", "wellbeing-lead", []),
        ("form-blanks", None, []),
        ("form-blanks", None, []),
    ]
    assert shown.startswith("What this study still needs before it is safe to run:\n")
    assert "There is no safeguarding lead yet" in shown
    assert "The coordinator" not in shown  # init gave the coordinator their keys
    blanks = [n for n in needs if n["kind"] == "form-blanks"]
    assert [n["file"] for n in blanks] == [f"protocols/checklists/{f}.yaml" for f in FORMS]
    assert all(isinstance(n["line"], int) for n in blanks)
    assert "[IRAS ID]" in blanks[0]["message"] and "[REC reference]" in blanks[0]["message"]
    assert "(protocols/checklists/consent-participant.yaml:" in shown

    for person, role in (("SG-01", "safeguarding-lead"), ("WB-01", "wellbeing-lead")):
        made = cli("--study", str(root), "people", "add", "--id", person, "--role", role,
                   "--alias", role.replace("-", " ").capitalize())  # fmt: skip
        assert made.exit_code == 0, made.output
    made = cli("--study", str(root), "people", "add", "--id", "CR-01",
               "--role", "co-researcher", "--alias", "Co-researcher one")  # fmt: skip
    assert made.exit_code == 0, made.output
    needs, shown = _status(cli, root)
    kinds = [(n["kind"], n["role"], n["people"]) for n in needs]
    assert kinds[:2] == [
        ("lead-without-key", "safeguarding-lead", ["SG-01"]),
        ("lead-without-key", "wellbeing-lead", ["WB-01"]),
    ]
    assert kinds[-1] == ("people-without-keys", None, ["CR-01"])
    assert "no safeguarding lead" not in shown
    assert "CR-01 has no key yet" in shown

    coordinator_computer = os.environ["PROSPER_COOP_CONFIG_DIR"]
    for person in ("SG-01", "WB-01", "CR-01"):  # each joins from their own computer
        monkeypatch.setenv("PROSPER_COOP_CONFIG_DIR", str(tmp_path / "computers" / person))
        monkeypatch.delenv("PROSPER_COOP_AS", raising=False)
        joined = cli("--study", str(root), "join", person)
        assert joined.exit_code == 0, joined.output
    monkeypatch.setenv("PROSPER_COOP_CONFIG_DIR", coordinator_computer)
    act_as(monkeypatch, "CO-01")
    needs, shown = _status(cli, root)
    assert [n["kind"] for n in needs] == ["form-blanks", "form-blanks"]

    for name in FORMS:
        path = root / "protocols" / "checklists" / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        for blank, value in (("[IRAS ID]", "314159"), ("[REC reference]", "26/NT/0042"),
                             ("[research ethics committee]", "Northtown REC")):  # fmt: skip
            text = text.replace(blank, value)
        path.write_text(text, encoding="utf-8")
    saved = cli("--study", str(root), "save", "-m", "Filled in the consent forms")
    assert saved.exit_code == 0, saved.output
    needs, shown = _status(cli, root)
    assert needs == []
    assert "still needs" not in shown and "no key" not in shown
    assert shown.startswith("PEERS")


def test_a_person_who_left_is_not_asked_for_a_key(empty_study, monkeypatch) -> None:
    from prosper_coop.core.models import Person
    from prosper_coop.status.readiness import needs

    act_as(monkeypatch, "CO-01")
    with empty_study.change("people", "add", ["CR-01", "CR-02"]) as change:
        change.save(Person(id="CR-01", alias="Co-researcher one", roles=["co-researcher"]))
        change.save(
            Person(id="CR-02", alias="Co-researcher two", roles=["co-researcher"], status="left")
        )
    found = [n for n in needs(empty_study) if n.kind == "people-without-keys"]
    assert [n.people for n in found] == [("CR-01",)]


def test_an_old_study_file_without_the_new_details_is_still_valid(empty_study, cli) -> None:
    text = (empty_study.root / "study.yaml").read_text(encoding="utf-8")
    assert "sponsor" not in text and "iras_id" not in text
    assert empty_study.settings.sponsor == "" and empty_study.settings.iras_id == ""
    doctor = cli("--study", str(empty_study.root), "doctor")
    assert doctor.exit_code == 0, doctor.output
