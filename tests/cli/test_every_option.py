"""Every option of every command, fed hostile values, ends calmly.

The command tree is walked from the real Typer app (the click commands Typer
builds), and each command is run in-process against a fresh copy of the example
study with generated values for its options and arguments: huge, negative, NaN
and infinite numbers, odd dates, very long strings, control characters, empty
strings, paths and unicode. Every run must end with success or a documented exit
code (:class:`ExitCode`, the README's table), and never with "something
unexpected" or a traceback.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from prosper_coop.core.errors import ExitCode
from tests.helpers import TODAY

DOCUMENTED = {int(code) for code in ExitCode}
UNEXPECTED = ("something unexpected", "Traceback (most recent call last)")


# -- the command tree -----------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One option or argument of a command, as click describes it."""

    name: str
    option: str | None  # the long (or only) option name; None for an argument
    flag: bool
    required: bool
    multiple: bool
    type_name: str


@dataclass(frozen=True)
class Command:
    """A command line that runs something: its words and its parameters."""

    words: tuple[str, ...]
    params: tuple[Param, ...]

    @property
    def id(self) -> str:
        return " ".join(self.words)


def _params(click_command: Any) -> tuple[Param, ...]:
    found = []
    for param in click_command.params:
        if param.name in {"help", "install_completion", "show_completion"}:
            continue
        is_option = param.param_type_name == "option"
        option = None
        if is_option:
            longs = [name for name in param.opts if name.startswith("--")]
            option = (longs or list(param.opts))[0]
        found.append(
            Param(
                name=str(param.name),
                option=option,
                flag=bool(is_option and param.is_flag),
                required=bool(param.required),
                multiple=bool(getattr(param, "multiple", False) or param.nargs == -1),
                type_name=str(param.type.name),
            )
        )
    return tuple(found)


def _walk(click_command: Any, words: tuple[str, ...]) -> Iterator[Command]:
    subcommands = getattr(click_command, "commands", None)
    if subcommands is None:
        yield Command(words, _params(click_command))
        return
    if words and getattr(click_command, "invoke_without_command", False):
        yield Command(words, _params(click_command))  # a group that runs on its own (reflect)
    for name, sub in sorted(subcommands.items()):
        yield from _walk(sub, (*words, name))


def all_commands() -> list[Command]:
    """Every runnable command line of the full app."""
    import typer.main

    from prosper_coop.cli.app import app

    return list(_walk(typer.main.get_command(app), ()))


COMMANDS = all_commands()


# -- values ---------------------------------------------------------------------------
NUMBERS = [
    "0", "-0", "-1", "1.5", "1e308", "-1e308", "1e-308", "nan", "NaN", "inf", "-inf",
    "Infinity", "99999999999", "-99999999999", str(2**64), str(10**400), "0x10", "1_000",
    "٣", "½", "",
]  # fmt: skip
DATES = [
    "0000-00-00", "9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "1970-01-01",
    "+99999999999", "+0", "-1", "today", "tomorrow", "yesterday", "2026-11-26T10:00",
    "26/11/2026", "20261126",
]  # fmt: skip
# Tests may run as root: no path here may name a real system file or folder that a
# command could write to ("/", "/dev/null"); /proc cannot be written.
PATHS = [
    "", " ", ".", "..", "/proc/nope/x", "/proc/version", "nope/deeper/file", "../outside",
    "~", "-", "a b/c d", "study.yaml", ".git/config", "tasks/00/T-0001.yaml", "people",
]  # fmt: skip
IDS = [
    "T-0001", "T-9999", "t-1", "CR-01", "cr-01", "XX-99", "WP1", "WP99", "TH1", "TH99",
    "R-001", "S-0001", "C-0001", "C-0024", "A-0001", "RF-0001", "I-0001", "M1",
    "INV-00001", "CO-01", "WB-01", "lay-summary", "task", "person",
]  # fmt: skip
ODD_TEXT = [
    "\x1b]0;hacked\x07\x1b[2J", "[bold]x[/bold]", "\u202eevil", "ﬁ", "İ", "ß", "🙂",
    "line\nbreak", "tab\there", "\r", "'; rm -rf /", "$(id)", "{{ 7*7 }}", "%s%n",
    "=HYPERLINK(\"x\")", "---", "null", "true", "~", "*", "a,b", "key=value", "yes", "no",
]  # fmt: skip
# NUL cannot be passed in a real argv, so it is left out.
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
LONG = st.integers(min_value=300, max_value=200_000).map(lambda n: "x" * n)
HOSTILE = st.one_of(st.sampled_from(NUMBERS + DATES + PATHS + IDS + ODD_TEXT), TEXT, LONG)

# Values that let a command get past its first check, by parameter name.
VALID = {
    "task_id": "T-0014", "person": "CR-02", "person_id": "CR-02", "subject": "CR-02",
    "wp": "WP1", "wp_id": "WP1", "title": "A plain title", "text": "Some plain text",
    "theme_id": "TH1", "rec_id": "R-001", "session_id": "S-0001", "run": "C-0024",
    "item": "dsl-reachable", "definition": "safeguarding-pre-session", "alert_id": "A-0001",
    "reflection_id": "RF-0001", "incident_id": "I-0001", "milestone_id": "M1",
    "record_type": "task", "template": "lay-summary", "target": "README.md",
    "record_id": "T-0014", "number": "1", "directory": "new-study", "url": "no-such-remote",
    "file": "tasks.csv", "key_file": "key.txt", "date": "2026-10-01", "hours": "2",
    "activity": "Workshop", "due": "2026-12-01", "start": "2026-01-01", "end": "2026-12-01",
    "message": "A change", "alias": "Robin", "role": "co-researcher", "type": "interview",
    "facilitators": "AC-01", "audience": "commissioners", "theme": "TH1", "form": "study",
    "take": "mine", "reason": "Waiting", "note": "A note", "for_": "CR-02", "as_": "initials",
}  # fmt: skip
ACTORS = ["CO-01", "WB-01", "CR-01", "AC-01", "SG-01"]
ODD_TODAY = ["9999-12-31", "0001-01-01", "1900-01-01", "2999-12-31", "2026-02-29", "nonsense"]


def _argv(data: st.DataObject, command: Command) -> list[str]:
    """Options (as ``--name=value``), then ``--``, then the arguments."""
    options: list[str] = []
    arguments: list[str] = []
    for param in command.params:
        if param.flag:
            if data.draw(st.booleans()):
                options.append(str(param.option))
            continue
        valid = VALID.get(param.name, "x")
        choice = st.sampled_from(["hostile", "valid"] + ([] if param.required else ["omit"]))
        how = data.draw(choice, label=f"{param.name}?")
        if how == "omit":
            continue
        count = data.draw(st.integers(1, 2)) if param.multiple else 1
        values = [data.draw(HOSTILE, label=param.name) if how == "hostile" else valid] * count
        if param.option is None:
            arguments += values
        else:
            options += [f"{param.option}={value}" for value in values]
    return [*options, "--", *arguments] if arguments else options


# -- the example study, built once ----------------------------------------------------
@pytest.fixture(scope="session")
def example_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An example study and the config folder holding its demo keys, built once."""
    from prosper_coop.workspace import create_study

    base = tmp_path_factory.mktemp("every-option")
    config = base / "config"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base))
        patch.setenv("PROSPER_COOP_CONFIG_DIR", str(config))
        patch.setenv("PROSPER_COOP_TODAY", TODAY)
        patch.setenv("GIT_CONFIG_GLOBAL", str(base / ".gitconfig-none"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        create_study(base / "prosper", title=None, example="prosper")
    return base / "prosper", config


class Sandbox:
    """A copy of the example study (and its keys) to run commands in.

    Copied again only when a command changed something in it, so that the many runs
    that change nothing (reads, refused values) cost no copy.
    """

    def __init__(self, template: tuple[Path, Path], work: Path) -> None:
        self.template = template
        self.work = work
        self.copies = itertools.count()
        self.place = work / "none"
        self.before: dict[str, tuple[int, int, int]] | None = None

    @property
    def study(self) -> Path:
        return self.place / "prosper"

    @property
    def config(self) -> Path:
        return self.place / "config"

    def _state(self) -> dict[str, tuple[int, int, int]]:
        found = {}
        for folder, dirs, files in os.walk(self.place):
            for name in dirs + files:
                path = f"{folder}{os.sep}{name}"
                info = os.lstat(path)
                found[path] = (info.st_mtime_ns, info.st_size, info.st_mode)
        return found

    def ready(self) -> None:
        """Make sure the copy is as the example was built."""
        if self.before is not None and self._state() == self.before:
            return
        shutil.rmtree(self.place, ignore_errors=True)
        self.place = self.work / f"copy-{next(self.copies)}"
        shutil.copytree(self.template[0], self.study, symlinks=True)
        shutil.copytree(self.template[1], self.config, symlinks=True)
        self.before = self._state()


@pytest.fixture
def sandbox(example_template: tuple[Path, Path], tmp_path: Path) -> Sandbox:
    """Copies of the example for one test (shared by its generated examples)."""
    return Sandbox(example_template, tmp_path)


def run_once(sandbox: Sandbox, words: list[str], env: dict[str, str]) -> Any:
    """Run ``prosper-coop --study EXAMPLE words`` in-process; return the click result."""
    from prosper_coop.cli.app import app
    from prosper_coop.crypto import keys

    sandbox.ready()
    keys.forget_unlocked()
    cwd = Path.cwd()
    os.chdir(sandbox.place)
    try:
        return CliRunner().invoke(
            app,
            ["--study", str(sandbox.study), *words],
            env={
                **env,
                "PROSPER_COOP_CONFIG_DIR": str(sandbox.config),
                "VISUAL": "true",
                "EDITOR": "true",
                "GIT_ALLOW_PROTOCOL": "file",
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_SSH_COMMAND": "false",
            },
            catch_exceptions=True,
        )
    finally:
        os.chdir(cwd)


def check_command(data: st.DataObject, command: Command, sandbox: Sandbox) -> None:
    """Run ``command`` once with generated values; it must end calmly."""
    argv = _argv(data, command)
    env = {"PROSPER_COOP_AS": data.draw(st.sampled_from(ACTORS), label="actor")}
    if data.draw(st.integers(0, 9), label="odd today?") == 0:
        env["PROSPER_COOP_TODAY"] = data.draw(st.sampled_from(ODD_TODAY), label="today")
    result = run_once(sandbox, [*command.words, *argv], env)
    shown = f"{command.id} {argv!r} {env!r}\n{result.output[-2000:]}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"{shown}\n{trace}")
    assert result.exit_code in DOCUMENTED, shown
    for sign in UNEXPECTED:
        assert sign not in result.output, shown


def test_the_tree_is_walked_whole() -> None:
    """Every command is found, options and arguments with it."""
    ids = {command.id for command in COMMANDS}
    assert {"task note", "involve log", "task timeline", "status", "reflect", "remote set"} <= ids
    assert len(COMMANDS) > 80
    note = next(command for command in COMMANDS if command.id == "task note")
    assert [(p.name, p.option) for p in note.params][:2] == [("task_id", None), ("text", None)]


FAST = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.id)
@FAST
@given(data=st.data())
def test_every_option_ends_calmly(command: Command, data: st.DataObject, sandbox: Sandbox) -> None:
    check_command(data, command, sandbox)


@pytest.mark.soak
@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.id)
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,  # the same inputs on every run: CI never meets a new one by chance
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_option_ends_calmly_soak(
    command: Command, data: st.DataObject, sandbox: Sandbox
) -> None:
    check_command(data, command, sandbox)


# -- the cases the issue named --------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "env", "code", "message"),
    [
        (
            ["task", "note", "T-0014", "x" * 120_000],
            {},
            ExitCode.USAGE,
            "the note is 120,000 characters long; a note can be at most 20,000",
        ),
        (
            ["involve", "log", "CR-02", "-d", "2026-10-01", "--hours", "1e308", "-a", "Workshop"],
            {},
            ExitCode.USAGE,
            "hours 1e308 is too large",
        ),
        (
            ["task", "timeline", "--days", "99999999999"],
            {},
            ExitCode.USAGE,
            "--days",
        ),
        (
            ["status"],
            {"PROSPER_COOP_TODAY": "9999-12-31"},
            ExitCode.USAGE,
            "PROSPER_COOP_TODAY '9999-12-31' is not a date the study can use",
        ),
        (
            ["task", "list", "--due-before", "+99999999999"],
            {},
            ExitCode.USAGE,
            "--due-before '+99999999999' is not a date the study can use",
        ),
        (["task", "export", "--output", ""], {}, ExitCode.USAGE, ". is a folder, not a file"),
        (
            ["task", "export", "--output", "/proc/self/fd/0"],
            {},
            ExitCode.USAGE,
            "is not a regular file, so it was not replaced",
        ),
        (
            ["keys", "export", "--out", "/proc/nope/key.txt"],
            {"PROSPER_COOP_AS": "CR-01"},
            ExitCode.ERROR,
            "cannot write /proc/nope/key.txt",
        ),
        (["schema", "--out", "/proc/version"], {}, ExitCode.ERROR, "cannot write /proc/version"),
        (["init", "x" * 300], {}, ExitCode.ERROR, "cannot use " + "x" * 300),
        (["clone", "0", "x" * 300], {}, ExitCode.ERROR, "File name too long"),
    ],
    ids=[
        "long-note",
        "huge-hours",
        "huge-days",
        "far-today",
        "far-date",
        "export-to-folder",
        "export-to-device",
        "backup-nowhere",
        "schemas-into-a-file",
        "init-long-name",
        "clone-long-name",
    ],
)
def test_the_named_cases_get_a_clear_message(
    argv: list[str], env: dict[str, str], code: ExitCode, message: str, sandbox: Sandbox
) -> None:
    result = run_once(sandbox, argv, {"PROSPER_COOP_AS": "CO-01", **env})
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "something unexpected" not in result.output
