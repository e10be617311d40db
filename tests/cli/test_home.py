"""``prosper-coop`` on its own (the home screen), ``prosper-coop help`` and other spellings.

The home screen is driven at a real pseudo-terminal, with the installed command,
as a person would use it: arrow keys, numbers and letters.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from prosper_coop.cli import home
from prosper_coop.core.study import Study
from tests.helpers import act_as, commit_subjects, git, head, state

UP, DOWN = b"\x1b[A", b"\x1b[B"
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "prosper-coop"
    return [str(script)] if script.exists() else [sys.executable, "-m", "prosper_coop"]


class AtATerminal:
    """The installed ``prosper-coop`` running at a pseudo-terminal: what it wrote, keys to send."""

    def __init__(self, cwd: Path, argv: tuple[str, ...], env: dict[str, str]) -> None:
        self.main, secondary = pty.openpty()
        self.child = subprocess.Popen(
            [*_console_script(), *argv],
            cwd=cwd,
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            env={**os.environ, **env},
            close_fds=True,
        )
        os.close(secondary)
        self.seen = b""
        self.looked_to = 0

    @property
    def transcript(self) -> str:
        """Everything written to the terminal so far."""
        return self.seen.decode("utf-8", errors="replace")

    def _read(self, wait: float) -> bool:
        """Read what was written within ``wait`` seconds; False once the program has gone."""
        ready, _, _ = select.select([self.main], [], [], max(0.0, wait))
        if not ready:
            return self.child.poll() is None
        try:
            chunk = os.read(self.main, 4096)
        except OSError:  # EIO: the program has finished, and its terminal with it
            return False
        self.seen += chunk
        return bool(chunk)

    def expect(self, text: str, timeout: float = 60) -> None:
        """Wait until ``text`` is written (after what the last expect found)."""
        wanted = text.encode()
        deadline = time.monotonic() + timeout
        while (found := self.seen.find(wanted, self.looked_to)) < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.5)):
                raise AssertionError(f"never saw {text!r} in:\n{self.transcript}")
        self.looked_to = found + len(wanted)

    def send(self, keys: bytes) -> None:
        """Press keys."""
        os.write(self.main, keys)

    def finish(self, timeout: float = 60) -> int:
        """Read to the end; the exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.5):
            pass
        return self.child.wait(timeout=max(1.0, deadline - time.monotonic()))

    def close(self) -> None:
        """Stop the program if it is still running, and close the terminal."""
        if self.child.poll() is None:
            self.child.kill()
            self.child.wait(timeout=30)
        os.close(self.main)


@pytest.fixture
def at_a_terminal(example_study: Study) -> Iterator[Callable[..., AtATerminal]]:
    """Start ``prosper-coop`` (with ``argv``, default none) at a terminal, in the example study."""
    started: list[AtATerminal] = []

    def start(*argv: str, **env: str) -> AtATerminal:
        running = AtATerminal(example_study.root, argv, env)
        started.append(running)
        return running

    yield start
    for running in started:
        running.close()


def _answer_the_check_in(terminal: AtATerminal, root: Path) -> None:
    from prosper_coop.wellbeing.config import checkin_settings

    questions = checkin_settings(root)
    terminal.expect(questions.distress_question)
    terminal.send(b"2\n")
    terminal.expect(f"{questions.contact_question} (yes/no) [no]:")
    terminal.send(b"no\n")
    terminal.expect(questions.note_question)
    terminal.send(b"\n")
    terminal.expect("Saved your check-in (CI-0005).")


def _one_check_in_saved(study: Study, before: str) -> None:
    assert commit_subjects(study)[0] == "wellbeing: check-in (CI-0005)"
    assert git(study, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert (study.root / "checkins" / "CR-01" / "CI-0005.age").is_file()
    assert git(study, "status", "--porcelain") == ""


def _colours(text: str) -> list[str]:
    """The colour codes (foreground or background) among the SGR sequences in ``text``."""
    found = []
    for params in SGR.findall(text):
        for param in params.split(";"):
            if param.isdigit() and (30 <= int(param) <= 49 or 90 <= int(param) <= 107):
                found.append(params)
    return found


# -- the home screen at a terminal ------------------------------------------------------
def test_checking_in_with_the_arrow_keys(example_study, monkeypatch, at_a_terminal) -> None:
    act_as(monkeypatch, "CR-01")
    before = head(example_study)
    terminal = at_a_terminal()
    terminal.expect(home.HOW_TO_CHOOSE)
    for key in (DOWN, DOWN, UP):
        terminal.send(key)
        terminal.expect("(Enter to choose)")
    terminal.send(b"\r")
    _answer_the_check_in(terminal, example_study.root)
    terminal.expect(home.AFTER)
    terminal.send(b"q")
    assert terminal.finish() == 0, terminal.transcript
    lines = terminal.transcript.splitlines()
    assert "Hello CR-01." in lines
    menu = lines[lines.index("What would you like to do?") + 1 : lines.index(home.HOW_TO_CHOOSE)]
    assert menu == [
        "  1. Check in: how you are feeling",
        "  2. Write a reflection",
        "  3. My tasks",
        "  4. My sessions",
        "  5. Sync: share your work with the team, and get theirs",
        "  s. Get support: people to talk to, free and confidential",
        "  h. All commands",
        "  q. Leave",
    ]
    # Each arrow key says the line it reached, as a new line; then the choice is said.
    assert [line for line in lines if line.startswith("> ")] == [
        "> 1. Check in: how you are feeling   (Enter to choose)",
        "> 2. Write a reflection   (Enter to choose)",
        "> 1. Check in: how you are feeling   (Enter to choose)",
        "> 1. Check in: how you are feeling",
    ]
    assert lines[-1] == home.GOODBYE
    _one_check_in_saved(example_study, before)


@pytest.mark.parametrize("no_color", [True, False], ids=["NO_COLOR", "colour"])
def test_checking_in_by_typing_its_number(
    no_color: bool, example_study, monkeypatch, at_a_terminal
) -> None:
    """By number, then back to the menu; with NO_COLOR not one escape code is written."""
    act_as(monkeypatch, "CR-01")
    if not no_color:
        monkeypatch.delenv("NO_COLOR")
    before = head(example_study)
    terminal = at_a_terminal(TERM="xterm-256color")
    terminal.expect(home.HOW_TO_CHOOSE)
    terminal.send(b"1")
    _answer_the_check_in(terminal, example_study.root)
    terminal.expect(home.AFTER)
    terminal.send(b"\r")  # back to the menu
    terminal.expect("What would you like to do next?")
    terminal.expect("  1. Check in: how you are feeling")
    terminal.expect(home.HOW_TO_CHOOSE)
    terminal.send(b"q")
    assert terminal.finish() == 0, terminal.transcript
    assert terminal.transcript.count("> 1. Check in: how you are feeling") == 1
    _one_check_in_saved(example_study, before)
    if no_color:
        assert "\x1b" not in terminal.transcript  # no colour, and no cursor tricks either
    else:  # the same run in colour: the saved message is green (so the check above sees colour)
        assert _colours(terminal.transcript)


def test_support_is_one_key_away(example_study, monkeypatch, at_a_terminal) -> None:
    from prosper_coop.cli.support import load_support

    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    support = load_support(example_study.root)
    terminal = at_a_terminal()
    terminal.expect("  s. Get support")
    terminal.expect(home.HOW_TO_CHOOSE)
    terminal.send(b"s")
    terminal.expect(support.title)
    for service in support.services:
        terminal.expect(service.name)
    terminal.expect(home.AFTER)
    terminal.send(b"?")  # support again, from after anything
    terminal.expect(support.title)
    terminal.expect(support.services[-1].contact)
    terminal.expect(home.AFTER)
    terminal.send(b"q")
    assert terminal.finish() == 0, terminal.transcript
    assert state(example_study) == before


def test_closing_the_input_leaves_calmly(example_study, monkeypatch, at_a_terminal) -> None:
    act_as(monkeypatch, "CR-01")
    terminal = at_a_terminal()
    terminal.expect(home.HOW_TO_CHOOSE)
    terminal.send(b"x")  # means nothing here: said how to choose, nothing run
    terminal.expect("Please type a number from 1 to 5, or one of s, h, q")
    terminal.send(b"\x04")  # Ctrl-D
    assert terminal.finish() == 0, terminal.transcript
    assert terminal.transcript.splitlines()[-1] == home.GOODBYE


def test_ctrl_c_at_the_menu_puts_the_terminal_back(
    example_study, monkeypatch, at_a_terminal
) -> None:
    act_as(monkeypatch, "CR-01")
    terminal = at_a_terminal()
    terminal.expect(home.HOW_TO_CHOOSE)  # written once keys are read one at a time
    assert not termios.tcgetattr(terminal.main)[3] & (termios.ICANON | termios.ECHO)
    terminal.child.send_signal(signal.SIGINT)
    terminal.expect("Stopped. Nothing more was changed.")
    lflag = termios.tcgetattr(terminal.main)[3]
    assert lflag & termios.ICANON and lflag & termios.ECHO  # lines and echo, as before
    assert terminal.finish() == 130, terminal.transcript


# -- who is offered what ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("person", "offered"),
    [
        (
            "CR-01",
            [
                "Check in: how you are feeling",
                "Write a reflection",
                "My tasks",
                "My sessions",
                "Sync: share your work with the team, and get theirs",
            ],
        ),
        (
            "WB-01",
            [
                "Open wellbeing alerts",
                "Sessions to prepare",
                "My tasks",
                "Sync: share your work with the team, and get theirs",
            ],
        ),
        (
            "CO-01",
            [
                "The dashboard: how the study is going",
                "People and their onboarding",
                "Recent changes",
                "Check the study for problems",
                "My tasks",
                "Sync: share your work with the team, and get theirs",
            ],
        ),
    ],
)
def test_each_role_is_offered_what_it_does_most(
    person: str, offered: list[str], example_study, monkeypatch
) -> None:
    act_as(monkeypatch, person)
    visitor = home.who_is_here(example_study.root)
    assert (visitor.person, visitor.joined) == (person, True)
    assert [action.label for action in home.actions_for(visitor)] == offered
    assert home.introduction(visitor, again=False)[0] == f"Hello {person}."


def test_a_lead_who_is_also_a_co_researcher_sees_both_once(tmp_path: Path) -> None:
    visitor = home.Visitor(
        tmp_path, tmp_path, "CR-07", "whoami", True, True, ("wellbeing-lead", "co-researcher")
    )
    actions = home.actions_for(visitor)
    assert [action.label for action in actions] == [
        "Check in: how you are feeling",
        "Write a reflection",
        "My tasks",
        "My sessions",  # the sessions they facilitate; then all those to prepare, as a lead
        "Open wellbeing alerts",
        "Sessions to prepare",
        "Sync: share your work with the team, and get theirs",
    ]


def test_every_menu_offers_support_and_a_way_out(example_study, monkeypatch, sealed_env) -> None:
    states = [home.who_is_here(sealed_env)]  # not in a study
    act_as(monkeypatch, "CR-99")  # nobody in the study
    states.append(home.who_is_here(example_study.root))
    monkeypatch.setenv("PROSPER_COOP_CONFIG_DIR", str(sealed_env / "new-computer"))
    states.append(home.who_is_here(example_study.root))  # CR-99 on a computer nobody joined
    act_as(monkeypatch, "CR-01")
    states.append(home.who_is_here(example_study.root))  # CR-01, not joined here
    monkeypatch.delenv("PROSPER_COOP_AS")
    states.append(home.who_is_here(example_study.root))  # nobody known here
    offered = [[action.argv for action in home.actions_for(visitor)] for visitor in states]
    assert offered == [
        [("clone",), ("init",)],
        [("join",)],
        [("join",)],
        [("join", "CR-01")],
        [("join",)],
    ]
    keys = [choice.key for choice in home.fixed_choices()]
    assert keys == ["s", "h", "q"]
    words = [" ".join(home.introduction(visitor, again=False)) for visitor in states]
    assert "There is no prosper-coop study in this folder" in words[0]
    assert "nobody with that study ID" in words[1]
    assert "You have not joined this study on this computer yet" in words[3]
    assert "does not know who you are in this study yet" in words[4]
    assert all("Error" not in said for said in words)


def test_a_study_that_cannot_be_read_is_said_gently(example_study, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    (example_study.root / "study.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    visitor = home.who_is_here(example_study.root)
    assert visitor.problem is not None
    assert home.actions_for(visitor) == [home.DOCTOR]
    assert home.introduction(visitor, again=False)[0].startswith(
        "Hello. This study could not be opened just now:"
    )


# -- typed lines, where keys cannot be read one at a time -----------------------------
def test_joining_from_the_menu_then_its_menu(empty_study, cli, monkeypatch) -> None:
    """No one-key reading here (a test runner's input): numbers are typed with Enter."""
    added = cli("--study", str(empty_study.root), "people", "add", "-r", "co-researcher",
                "--alias", "Co-researcher A")  # fmt: skip
    assert added.exit_code == 0, added.output
    act_as(monkeypatch, "CR-01")
    monkeypatch.setattr(home, "at_a_terminal", lambda: True)
    result = cli("--study", str(empty_study.root), input="1\n\nq\n")
    assert result.exit_code == 0, result.output
    said = result.stdout
    assert "  1. Join this study as CR-01" in said and "> 1. Join this study as CR-01" in said
    assert "You have joined as CR-01." in result.stderr
    after = said.split("What would you like to do next?", 1)[1]
    assert "  1. Check in: how you are feeling" in after
    assert commit_subjects(empty_study)[0].startswith("people: join")


def test_starting_a_study_from_the_menu_goes_on_in_it(cli, sealed_env, monkeypatch) -> None:
    from prosper_coop.cli import private_input

    monkeypatch.setattr(home, "at_a_terminal", lambda: True)
    monkeypatch.setattr(private_input, "has_terminal", lambda: True)
    details = ["Peer support after abuse", "PEERS", "314159", "", "", "Northtown", "", "", ""]
    typed = ["2", "", "2", "peers", *details, "", "q"]  # an empty name first: nothing done
    result = cli(input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    said = result.stdout
    assert said.count(home.NOTHING_DONE) == 1, result.output
    assert "There is no prosper-coop study in this folder" in said
    assert (sealed_env / "peers" / "study.yaml").is_file(), result.output
    after = said.split("What would you like to do next?", 1)[1]
    assert "  1. The dashboard: how the study is going" in after  # its coordinator, here


# -- outside a terminal ------------------------------------------------------------------
def test_outside_a_terminal_a_short_help(sealed_env: Path, example_study: Study, cli) -> None:
    in_process = cli()
    assert (in_process.exit_code, in_process.stdout) == (0, home.SHORT_HELP + "\n")
    for argv in ((), ("--study", str(example_study.root))):
        done = subprocess.run(
            [*_console_script(), *argv],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, home.SHORT_HELP + "\n", "")
    lines = home.SHORT_HELP.splitlines()
    assert len(lines) <= 12
    assert sum(line.startswith("  prosper-coop ") for line in lines) == 5
    assert "prosper-coop help" in home.SHORT_HELP


# -- help, and other spellings ---------------------------------------------------------
def _launch(argv: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    from prosper_coop.cli import launch

    monkeypatch.setattr(sys, "argv", ["prosper-coop", *argv])
    with pytest.raises(SystemExit) as stopped:
        launch.main()
    captured = capsys.readouterr()
    return int(stopped.value.code or 0), captured.out, captured.err


def test_help_lists_every_command_once_grouped_and_whole(monkeypatch, capsys) -> None:
    from prosper_coop.cli.app import ALIASES, command_helps

    code, out, err = _launch(["help"], monkeypatch, capsys)
    assert (code, err) == (0, "")
    helps = command_helps()
    names = [name for name in helps if name != "help"]
    listed = [line.split()[0] for line in out.splitlines() if re.match(r"  [a-z]", line)]
    assert sorted(listed) == sorted(names)  # each once, and no other spelling
    assert not set(ALIASES) & set(listed)
    flowing = " ".join(out.split())
    for name in names:  # every description whole, never cut off
        assert f"{name} {home.summary(helps[name])}" in flowing, name
    sections = [line for line in out.splitlines() if line.endswith(":") and not line[0].isspace()]
    assert sections[:2] == ["Every day:", "Joining, and your keys:"]
    assert out.index("  checkin ") < out.index("  init ")


def test_help_for_one_command(monkeypatch, capsys) -> None:
    code, out, _ = _launch(["help", "task", "add"], monkeypatch, capsys)
    assert code == 0 and out.startswith("Usage: prosper-coop task add [OPTIONS]")
    code, out, _ = _launch(["help", "check-in"], monkeypatch, capsys)
    assert code == 0 and out.startswith("Usage: prosper-coop checkin [OPTIONS]")
    code, out, err = _launch(["help", "chekin"], monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err == (
        "Error: there is no command called 'chekin'\n"
        "Did you mean: prosper-coop help checkin? See every command with: prosper-coop help\n"
    )


def test_the_root_help_names_help_once_and_no_alias(monkeypatch, capsys) -> None:
    code, out, _ = _launch(["--help"], monkeypatch, capsys)
    assert code == 0
    commands = out.split("Commands:", 1)[1].split()
    assert commands.count("help") == 1
    assert "check-in" not in out
    assert "Every command, grouped by what it is for: prosper-coop help" in out


def test_check_in_is_accepted_as_checkin(example_study, monkeypatch, capsys) -> None:
    act_as(monkeypatch, "CR-01")
    before = head(example_study)
    argv = ["--study", str(example_study.root), "check-in", "--distress", "2", "--contact", "no"]
    code, _, err = _launch(argv, monkeypatch, capsys)
    assert code == 0, err
    _one_check_in_saved(example_study, before)
    code, out, _ = _launch(["--study", str(example_study.root), "who-am-i"], monkeypatch, capsys)
    assert (code, out) == (0, "CR-01\n")


def test_check_in_as_typed_at_a_shell(example_study, monkeypatch) -> None:
    """The installed command, as a user runs it."""
    act_as(monkeypatch, "CR-01")
    before = head(example_study)
    done = subprocess.run(
        [*_console_script(), "check-in", "--distress", "2", "--contact", "no"],
        cwd=example_study.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    _one_check_in_saved(example_study, before)
