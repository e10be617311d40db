"""Every wellbeing command has help with an example and appears in the user guides."""

from __future__ import annotations

from pathlib import Path

import pytest

COMMANDS = [
    ["support"], ["checkin"], ["reflect"], ["reflect", "list"], ["reflect", "show"],
    ["wellbeing", "plan"], ["wellbeing", "alerts"], ["wellbeing", "show"],
    ["wellbeing", "resolve"], ["distress", "run"], ["distress", "show"], ["keys", "init"],
    ["keys", "show"], ["keys", "list"], ["keys", "export"], ["keys", "import"],
    ["keys", "rekey"], ["keys", "waiting"], ["people", "identity", "set"], ["people", "identity", "show"],
    ["people", "erase"],
]  # fmt: skip
GUIDES = sorted((Path(__file__).resolve().parents[2] / "docs" / "guides").glob("*.md"))
TEXT = "\n".join(path.read_text(encoding="utf-8") for path in GUIDES)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_has_an_example_and_a_guide_shows_it(cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example: prosper-coop " + " ".join(command) in " ".join(result.stdout.split())
    assert f"prosper-coop {' '.join(command)}" in TEXT


def test_the_guides_state_what_rekey_cannot_do() -> None:
    assert "What `keys rekey` cannot do" in TEXT
    assert "earlier version" in TEXT and "git history" in TEXT


def test_the_readme_says_what_old_history_still_allows_after_someone_leaves() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    said = " ".join(
        readme.split("**What old history still allows.**", 1)[1].split("\n- ")[0].split()
    )
    assert "stops being a reader of older records at the next `keys rekey`" in said
    assert "Every earlier version stays in git history, encrypted to whoever could read it" in said
    assert "A rekey cannot change that" in said
