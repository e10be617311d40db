"""Interoperability with the reference ``age`` command-line tool (Debian package ``age``).

The tool's files are standard age files: ``age`` decrypts a committed check-in
with an exported identity, and the tool reads a file ``age`` encrypted to a
study member's public key.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.helpers import act_as, git
from tests.wellbeing.helpers import recipient_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("age") is None,
        reason="needs the age command-line tool: sudo apt-get install age "
        "(or brew install age; see https://github.com/FiloSottile/age)",
    ),
]


def test_age_cli_decrypts_a_committed_checkin(example_study, cli, monkeypatch, tmp_path) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CR-03")
    result = cli(
        "--study", root, "checkin", "--from-stdin", input="distress: 4\nnote: interop-note-31\n"
    )
    assert result.exit_code == 0, result.output
    committed = git(example_study, "show", "HEAD", "--name-only", "--format=")
    path = next(line for line in committed.splitlines() if line.startswith("checkins/CR-03/"))

    act_as(monkeypatch, "WB-01")
    exported = tmp_path / "wb01-key.txt"
    result = cli("--study", root, "keys", "export", "--out", str(exported))
    assert result.exit_code == 0, result.output
    assert exported.stat().st_mode & 0o777 == 0o600
    blob = subprocess.run(
        ["git", "show", f"HEAD:{path}"], cwd=root, check=True, capture_output=True
    ).stdout
    plain = subprocess.run(
        ["age", "--decrypt", "--identity", str(exported)],
        input=blob,
        check=True,
        capture_output=True,
    ).stdout.decode()
    assert "distress: 4" in plain
    assert "note: interop-note-31" in plain
    assert "person: CR-03" in plain


def test_tool_reads_a_file_the_age_cli_encrypted(example_study, cli, monkeypatch) -> None:
    root = example_study.root
    recipient = recipient_of(example_study, "CR-04")
    text = (
        "id: RF-0042\nperson: CR-04\nat: 2026-11-20T10:00:00+00:00\nshared: false\n"
        "text: Written by hand, encrypted with the age CLI.\n"
    )
    target = root / "reflections" / "CR-04" / "RF-0042.age"
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["age", "--encrypt", "--recipient", recipient, "--output", str(target)],
        input=text.encode(),
        check=True,
    )
    act_as(monkeypatch, "CR-04")
    saved = cli("--study", str(root), "save", "-m", "Reflection encrypted with age")
    assert saved.exit_code == 0, saved.output
    shown = cli("--study", str(root), "reflect", "show", "RF-0042")
    assert shown.exit_code == 0, shown.output
    assert "Written by hand, encrypted with the age CLI." in shown.stdout


def test_identity_from_age_keygen_can_be_imported(cli, tmp_path) -> None:
    key_file = tmp_path / "age-keygen.txt"
    subprocess.run(["age-keygen", "-o", str(key_file)], check=True, capture_output=True)
    public = next(
        line.split(": ", 1)[1]
        for line in key_file.read_text().splitlines()
        if line.startswith("# public key:")
    )
    result = cli("keys", "import", str(key_file))
    assert result.exit_code == 0, result.output
    assert public in result.output
    from prosper_coop.crypto import keys

    found = keys.find(public)
    assert found is not None and found.path.stat().st_mode & 0o777 == 0o600
    keys.forget_unlocked()
    assert str(keys.unlock(public).to_public()) == public
