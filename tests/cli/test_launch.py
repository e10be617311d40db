"""The console script's entry point: one Typer command line, failures reported alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study
from tests.helpers import modules_loaded_by

UNEXPECTED = (
    "Error: something unexpected went wrong (RuntimeError)\n"
    "Your study was left as it was. Run again with PROSPER_COOP_DEBUG=1 "
    "to see details, and report it to the study coordinator.\n"
)


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (KeyboardInterrupt(), ExitCode.INTERRUPTED, "Stopped. Nothing more was changed.\n"),
        (RuntimeError("disk on fire"), ExitCode.ERROR, UNEXPECTED),
    ],
    ids=["ctrl-c", "unexpected"],
)
@pytest.mark.parametrize(
    "argv", [["task", "list", "--json"], ["task", "done", "T-0014"], ["status"]]
)
def test_interruptions_and_surprises_are_reported_calmly(
    argv: list[str],
    failure: BaseException,
    code: int,
    message: str,
    example_study: Study,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prosper_coop.cli import launch

    def fail(*_args: object, **_kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(Study, "open", fail)
    monkeypatch.setattr(sys, "argv", ["prosper-coop", "--study", str(example_study.root), *argv])
    with pytest.raises(SystemExit) as stopped:
        launch.main()
    captured = capsys.readouterr()
    assert (int(stopped.value.code or 0), captured.out, captured.err) == (code, "", message)


def test_debug_shows_the_traceback(
    example_study: Study, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prosper_coop.cli import launch

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setenv("PROSPER_COOP_DEBUG", "1")
    monkeypatch.setattr(Study, "open", boom)
    monkeypatch.setattr(sys, "argv", ["prosper-coop", "--study", str(example_study.root), "status"])
    with pytest.raises(RuntimeError, match="boom"):
        launch.main()


def test_the_entry_point_imports_nothing_heavy() -> None:
    loaded = {name.split(".")[0] for name in modules_loaded_by("import prosper_coop.cli.launch")}
    assert loaded & {"typer", "click", "rich", "pydantic", "yaml", "git"} == set()


def test_a_task_command_imports_only_its_group() -> None:
    loaded = modules_loaded_by(
        "from prosper_coop.cli.app import build_app\nbuild_app(['task', 'list'])"
    )
    assert "prosper_coop.cli.task" in loaded
    for other in ("people", "wellbeing", "render", "checklist", "sync"):
        assert f"prosper_coop.cli.{other}" not in loaded


def _mounted(argv: list[str]) -> dict[str, list[str]]:
    """Group name -> the command names mounted in it, for a command line."""
    import typer.main

    from prosper_coop.cli.app import build_app

    root = typer.main.get_command(build_app(argv))
    return {
        name: sorted(getattr(command, "commands", {}))
        for name, command in root.commands.items()  # type: ignore[attr-defined]
    }


def test_a_command_line_mounts_only_the_command_it_names() -> None:
    assert _mounted(["task", "done", "T-0014"]) == {"task": ["done"]}
    assert _mounted(["--study", "x", "status", "--json"]) == {"status": []}
    assert _mounted(["wp", "milestone", "add", "WP1"]) == {"wp": ["milestone"]}
    assert _mounted(["remote", "set", "x"]) == {"remote": ["set"]}


def test_help_and_typos_see_the_whole_group() -> None:
    from prosper_coop.cli import task

    whole = sorted(info.name or info.callback.__name__ for info in task.app.registered_commands)
    for argv in (["task"], ["task", "--help"], ["task", "lst"]):
        assert len(_mounted(argv)["task"]) == len(whole), argv
    root_listing = _mounted(["--help"])
    assert {"task", "status", "sync", "people", "remote"} <= set(root_listing)


# -- no command: the home screen; other spellings ----------------------------------------
@pytest.mark.parametrize(
    ("argv", "runs"),
    [
        (["check-in", "-d", "2"], ["checkin", "-d", "2"]),
        (["-C", "check-in", "who-am-i"], ["-C", "check-in", "whoami"]),  # -C takes a value
        (["help", "check-in"], ["help", "check-in"]),  # help spells it itself
        (["well-being", "alerts"], ["wellbeing", "alerts"]),
        (["--study=x", "task", "check-in"], ["--study=x", "task", "check-in"]),
    ],
)
def test_other_spellings_of_a_command(argv: list[str], runs: list[str]) -> None:
    from prosper_coop.cli.app import with_aliases

    assert with_aliases(argv) == runs


@pytest.mark.parametrize(
    ("argv", "opens"),
    [
        ([], True),
        (["--study", "x"], True),
        (["--study=x"], True),
        (["--help"], False),
        (["--version"], False),
        (["-C"], False),  # a missing value is reported, not hidden by the home screen
        (["status"], False),
    ],
)
def test_a_command_line_without_a_command_opens_the_home_screen(
    argv: list[str], opens: bool
) -> None:
    from prosper_coop.cli.app import opens_home

    assert opens_home(argv) is opens


def test_the_home_screen_mounts_no_command() -> None:
    assert _mounted([]) == {}
    assert _mounted(["--study", "x"]) == {}
    loaded = modules_loaded_by("from prosper_coop.cli.app import build_app\nbuild_app([])")
    for other in ("home", "task", "people", "wellbeing", "render", "sync", "menu"):
        assert f"prosper_coop.cli.{other}" not in loaded


def test_aliases_name_real_commands() -> None:
    from prosper_coop.cli.app import ALIASES, command_helps

    helps = command_helps()
    assert all(name in helps and alias not in helps for alias, name in ALIASES.items())


# -- a reader that goes away (``| head``) -------------------------------------------------
def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "prosper-coop"
    return [str(script)] if script.exists() else [sys.executable, "-m", "prosper_coop"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [("doctor",), ("status",), ("task", "list"), ("task", "show", "T-0001"), ("log",)],
    ids=lambda argv: "-".join(argv),
)
def test_a_reader_that_has_gone_stops_the_command_quietly(
    argv: tuple[str, ...], example_study: Study
) -> None:
    """Nobody reads stdout any more (its pipe is closed): exit 141, nothing on stderr."""
    if argv == ("doctor",):
        with (example_study.root / "tasks" / "00" / "T-0001.yaml").open("a") as record:
            record.write("surprise: 1\n")  # so that doctor has something to print
    command = [*_console_script(), "--study", str(example_study.root), *argv]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as running:
        assert running.stdout is not None and running.stderr is not None
        running.stdout.close()  # the reader goes away before anything is written
        err = running.stderr.read().decode()
        code = running.wait(timeout=120)
    assert (code, err) == (ExitCode.READER_GONE, "")


@pytest.mark.slow
@pytest.mark.parametrize("argv", [("doctor",), ("status",)], ids=lambda argv: argv[0])
def test_piped_into_head_nothing_goes_wrong(argv: tuple[str, ...], example_study: Study) -> None:
    """``prosper-coop doctor | head -1`` in a real shell: one line out, no error."""
    if argv == ("doctor",):
        for number in range(1, 20):
            path = example_study.root / "tasks" / "00" / f"T-{number:04d}.yaml"
            with path.open("a") as record:
                record.write("surprise: 1\n")
    shell = 'for i in 1 2 3; do "$@" | head -1; done'
    command = [*_console_script(), "--study", str(example_study.root), *argv]
    done = subprocess.run(
        ["sh", "-c", shell, "sh", *command], capture_output=True, text=True, timeout=300
    )
    assert len(done.stdout.splitlines()) == 3
    for sign in ("Error", "something unexpected", "Traceback", "Exception", "BrokenPipe"):
        assert sign not in done.stderr
