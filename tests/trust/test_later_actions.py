"""A study made before an action existed keeps working: its table's missing later
actions take the shipped rule, and doctor asks for a line for each."""

from __future__ import annotations

from typing import Any

from prosper_coop import doctor
from prosper_coop.core.study import Study
from prosper_coop.trust.table import LATER_ACTIONS, load_table
from tests.helpers import act_as


def test_a_table_without_the_later_actions_still_works(
    example_study: Study, cli: Any, monkeypatch: Any
) -> None:
    table = example_study.root / "protocols" / "permissions.yaml"
    lines = table.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.strip().startswith(tuple(LATER_ACTIONS))]
    assert len(kept) == len(lines) - len(LATER_ACTIONS)
    table.write_text("".join(kept))
    act_as(monkeypatch, "CO-01")
    saved = cli("--study", str(example_study.root), "save", "-m", "an older table")
    assert saved.exit_code == 0, saved.output

    loaded = load_table(example_study.root)
    assert loaded.unlisted == tuple(LATER_ACTIONS)
    assert loaded.roles_for("recruitment.manage") == ("coordinator",)
    warnings = [p for p in doctor.check_study(example_study) if "is not listed" in p.message]
    assert {p.severity for p in warnings} == {"warning"} and len(warnings) == len(LATER_ACTIONS)

    added = cli("--study", str(example_study.root), "site", "add", "Area E (East)")
    assert added.exit_code == 0, added.output
    act_as(monkeypatch, "CR-01")
    refused = cli("--study", str(example_study.root), "site", "add", "Area F")
    assert refused.exit_code == 9, refused.output
