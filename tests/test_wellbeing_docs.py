"""Every wellbeing command has help with an example and appears in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

COMMANDS = [
    ["support"], ["checkin"], ["reflect"], ["reflect", "list"], ["reflect", "show"],
    ["wellbeing", "plan"], ["wellbeing", "alerts"], ["wellbeing", "show"],
    ["wellbeing", "resolve"], ["distress", "run"], ["distress", "show"], ["keys", "init"],
    ["keys", "show"], ["keys", "list"], ["keys", "export"], ["keys", "import"],
    ["keys", "rekey"], ["people", "identity", "set"], ["people", "identity", "show"],
    ["people", "erase"],
]  # fmt: skip
README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_has_an_example_and_readme_lists_it(cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example: prosper-coop " + " ".join(command) in " ".join(result.stdout.split())
    assert f"`prosper-coop {' '.join(command)}" in README


def test_readme_states_what_rekey_cannot_do() -> None:
    assert "What `keys rekey` cannot do." in README
    assert "old" in README.lower() and "git history" in README
