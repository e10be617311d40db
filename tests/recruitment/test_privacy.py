"""No participant's name or contact is ever in a shared record, in git, or on a command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study
from tests.helpers import act_as, all_objects, last_commit, state

NAME = "Zelda Quarrington-Marker"
PHONE = "07700 900417"


def _files_holding(root: Path, marker: bytes) -> list[str]:
    return [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not path.is_symlink() and marker in path.read_bytes()
    ]


def test_contacts_go_only_into_the_encrypted_identity_record(
    example_study: Study, cli: Any, monkeypatch
) -> None:
    root = str(example_study.root)
    added = cli("--study", root, "participant", "add", "--group", "survivors (focus groups)",
                "--site", "SITE4", "-q")  # fmt: skip
    assert added.exit_code == 0, added.output
    participant = added.stdout.strip()
    saved = cli("--study", root, "participant", "contact", "set", participant,
                input=f"name: {NAME}\nphone: {PHONE}\n")  # fmt: skip
    assert saved.exit_code == 0, saved.output
    assert "readable by the study coordinator (CO-01)" in saved.output
    assert f"people: update identity ({participant})" in last_commit(example_study)
    assert f"identities/{participant}.age" in last_commit(example_study)

    for marker in (NAME.encode(), PHONE.encode(), b"Quarrington"):
        assert marker not in all_objects(example_study)
        assert _files_holding(example_study.root, marker) == []
    record = (example_study.root / "participants" / f"{participant}.yaml").read_text()
    assert set(line.split(":")[0] for line in record.splitlines()) == {
        "id", "group", "site", "wp", "recruited", "added_by",
    }  # fmt: skip

    shown = cli("--study", root, "participant", "contact", "show", participant, "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["real_name"] == NAME
    doctor = cli("--study", root, "doctor")
    assert doctor.exit_code == 0, doctor.output
    assert participant not in doctor.output  # its identity belongs to a known participant

    act_as(monkeypatch, "CR-01")  # a co-researcher's key does not open it
    hidden = cli("--study", root, "participant", "contact", "show", participant)
    assert hidden.exit_code != 0
    assert NAME not in hidden.output


def test_contacts_are_never_taken_from_the_command_line(example_study: Study, cli: Any) -> None:
    before = state(example_study)
    for option in ("--name", "--email", "--phone", "--other"):
        refused = cli("--study", str(example_study.root), "participant", "contact", "set",
                      "P-0005", f"{option}={NAME}")  # fmt: skip
        assert refused.exit_code == ExitCode.USAGE, refused.output
        assert "Run it without options" in refused.output
    refused = cli("--study", str(example_study.root), "participant", "add", "--group", "x",
                  "--email", "someone@example.invalid")  # fmt: skip
    assert refused.exit_code == ExitCode.USAGE
    assert state(example_study) == before


def test_a_contact_for_someone_not_recorded_is_refused(example_study: Study, cli: Any) -> None:
    before = state(example_study)
    refused = cli("--study", str(example_study.root), "participant", "contact", "set", "P-0999",
                  input=f"name: {NAME}\n")  # fmt: skip
    assert refused.exit_code == ExitCode.NOT_FOUND, refused.output
    assert "participant list" in refused.output
    assert state(example_study) == before
