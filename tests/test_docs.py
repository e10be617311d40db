"""Docs are tests: every command has help with an example and is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from prosper_coop.cli.app import app
from prosper_coop.core.errors import ExitCode

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []

    def walk(command: object, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children is not None:  # a group: its commands are what users run
            for name, child in children.items():
                walk(child, [*path, name])
        else:
            found.append((" ".join(path), command))

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_has_help_with_an_example() -> None:
    missing = [
        name
        for name, command in _commands()
        if "Example: prosper-coop" not in (getattr(command, "help", "") or "")
    ]
    assert missing == []


def test_every_command_is_in_the_readme_reference() -> None:
    missing = [name for name, _ in _commands() if f"prosper-coop {name}" not in README]
    assert missing == []


def test_every_exit_code_is_documented() -> None:
    table = README.split("## Exit codes", 1)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}


def test_lazy_mounting_tables_match_what_modules_register() -> None:
    from prosper_coop.cli import app as app_module

    for module_name, commands in app_module.TOP_LEVEL.items():
        root = app_module.make_root()
        app_module._module(module_name).register(root)  # type: ignore[attr-defined]
        registered = set(typer.main.get_command(root).commands)  # type: ignore[attr-defined]
        assert registered == set(commands), module_name


def test_a_command_line_mounts_only_what_it_needs() -> None:
    from prosper_coop.cli.app import build_app

    for argv, present, absent in (
        (["--study", "x", "task", "list"], {"task"}, {"status", "people"}),
        (["status", "--json"], {"status", "init"}, {"task", "sync"}),
        (["--help"], {"task", "status", "sync", "checkin"}, set()),
        (["no-such-command"], {"task", "status"}, set()),
    ):
        names = set(typer.main.get_command(build_app(argv)).commands)  # type: ignore[attr-defined]
        assert present <= names and not (absent & names), argv
