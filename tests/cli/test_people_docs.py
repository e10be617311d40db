"""Every people, checklist, consent and session command has help with an example,
and the coordinator's guide shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

COMMANDS = [
    ["people", "add"],
    ["people", "list"],
    ["people", "show"],
    ["people", "edit"],
    ["people", "leave"],
    ["onboard"],
    ["checklist", "list"],
    ["checklist", "start"],
    ["checklist", "run"],
    ["checklist", "tick"],
    ["checklist", "untick"],
    ["checklist", "show"],
    ["checklist", "status"],
    ["consent", "record"],
    ["consent", "withdraw"],
    ["consent", "credit"],
    ["session", "add"],
    ["session", "list"],
    ["session", "show"],
    ["session", "start"],
    ["session", "close"],
]
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "coordinator.md"


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_has_an_example_and_the_guide_shows_it(cli, command) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert f"Example: prosper-coop {' '.join(command)}" in " ".join(result.stdout.split())
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide.split("## People and onboarding", 1)[1].split("\n## Keys for the team", 1)[0]
    assert f"prosper-coop {' '.join(command)}" in section
