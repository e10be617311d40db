"""Fixtures of the kill harness: start states and reference runs, made once per test process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash.harness import Command, Reference, Templates, measure


class References:
    """Each command's run without a kill (its git calls, commits and time), measured once."""

    def __init__(self, templates: Templates, base: Path) -> None:
        self.templates = templates
        self.base = base
        self.done: dict[str, Reference] = {}

    def __call__(self, command: Command) -> Reference:
        if command.key not in self.done:
            folder = self.base / command.key.replace(" ", "-")
            self.done[command.key] = measure(command, self.templates.for_command(command), folder)
        return self.done[command.key]


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """The example study and each command's prepared start state."""
    return Templates(tmp_path_factory.mktemp("crash-start"))


@pytest.fixture(scope="session")
def references(templates: Templates, tmp_path_factory: pytest.TempPathFactory) -> References:
    """``references(command)``: what the command does when nothing kills it."""
    return References(templates, tmp_path_factory.mktemp("crash-reference"))
