"""``prosper-coop keys init|show|list|export|import|rekey``."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, git, join_here, state
from tests.wellbeing.helpers import add_person, recipient_of, set_recipient


def test_keys_init_stores_private_key_privately_and_commits_public_key(
    empty_study, cli, monkeypatch
) -> None:
    from prosper_coop.core import localconfig
    from prosper_coop.crypto import keys

    act_as(monkeypatch, "CO-01")
    set_recipient(empty_study, "CO-01", None)  # joined by init; now without a reading key
    result = cli("--study", str(empty_study.root), "keys", "init")
    assert result.exit_code == 0, result.output
    recipient = recipient_of(empty_study, "CO-01")
    path = keys.key_path(recipient)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.is_relative_to(localconfig.config_dir())
    assert "AGE-SECRET-KEY-1" in path.read_text()
    assert git(empty_study, "log", "-1", "--format=%an|%s").strip() == (
        "CO-01|keys: add public key (CO-01)"
    )
    assert "AGE-SECRET-KEY" not in git(empty_study, "log", "-p")
    again = cli("--study", str(empty_study.root), "keys", "init")
    assert again.exit_code == ExitCode.CONFLICT
    assert "already has a key on this computer" in again.stderr


def test_keys_init_replace_keeps_the_old_key_file(example_study, cli, monkeypatch) -> None:
    from prosper_coop.crypto import keys

    old = recipient_of(example_study, "CR-01")
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(example_study.root), "keys", "init", "--replace")
    assert result.exit_code == 0, result.output
    assert "keys rekey" in result.stderr
    assert recipient_of(example_study, "CR-01") != old
    assert keys.find(old) is not None


def test_passphrase_protected_key(empty_study, cli, monkeypatch, tmp_path) -> None:
    from prosper_coop.crypto import keys

    add_person(empty_study, "CR-01", ["co-researcher", "wellbeing-lead"])
    join_here(empty_study, "CR-01")
    act_as(monkeypatch, "CR-01")
    root = str(empty_study.root)
    secret = tmp_path / "passphrase"
    secret.write_text("open sesame\n")
    secret.chmod(0o600)
    monkeypatch.setenv("PROSPER_COOP_PASSPHRASE_FILE", str(secret))
    made = cli("--study", root, "keys", "init", "--passphrase", "--replace")
    assert made.exit_code == 0, made.output
    found = keys.find(recipient_of(empty_study, "CR-01"))
    assert found is not None and found.protected
    assert b"AGE-SECRET-KEY" not in found.path.read_bytes()
    assert cli("--study", root, "checkin", "-d", "2").exit_code == 0

    keys.forget_unlocked()
    secret.write_text("not it\n")
    wrong = cli("--study", root, "reflect", "list")
    assert wrong.exit_code == ExitCode.KEY
    assert "that passphrase did not unlock your key" in wrong.stderr
    assert "not it" not in wrong.stderr
    secret.write_text("open sesame\n")
    keys.forget_unlocked()
    shown = cli("--study", root, "keys", "show", "--json")
    assert json.loads(shown.stdout)["passphrase"] is True
    assert cli("--study", root, "reflect", "list").exit_code == 0


def test_show_and_list(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "WB-01")
    shown = cli("--study", root, "keys", "show", "--json")
    data = json.loads(shown.stdout)
    assert data["person"] == "WB-01" and data["public_key"].startswith("age1")
    assert data["private_key_here"] and data["demo"] is True
    assert data["signing_key_fingerprint"].startswith("SHA256:")
    human = cli("--study", root, "keys", "show")
    assert "demo key" in human.stderr
    assert f"signing key {data['signing_key_fingerprint']}" in human.stdout
    nobody = cli("--study", root, "keys", "show", "CR-05")
    assert "CR-05 has no reading key yet" in nobody.stdout
    listed = json.loads(cli("--study", root, "keys", "list", "--json").stdout)
    has_key = {row["person"]: row["has_key"] for row in listed}
    assert has_key["WB-01"] and not has_key["CR-05"]


def test_export_then_import_restores_the_key(example_study, cli, monkeypatch, tmp_path) -> None:
    from prosper_coop.crypto import keys

    root = str(example_study.root)
    act_as(monkeypatch, "CR-01")
    exported = cli("--study", root, "keys", "export")
    assert exported.exit_code == 0
    assert "AGE-SECRET-KEY-1" in exported.stdout
    assert "Anyone who has it can read" in exported.stderr
    backup = tmp_path / "backup.txt"
    backup.write_text(exported.stdout)
    keys.key_path(recipient_of(example_study, "CR-01")).unlink()
    act_as(monkeypatch, "CR-01")
    assert cli("--study", root, "reflect", "show", "RF-0001").exit_code == ExitCode.KEY
    restored = cli("--study", root, "keys", "import", str(backup))
    assert restored.exit_code == 0, restored.output
    assert cli("--study", root, "reflect", "show", "RF-0001").exit_code == 0


def test_export_refuses_a_file_inside_a_study(example_study, cli, monkeypatch, tmp_path) -> None:
    root = example_study.root
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    for inside in (root / "k.txt", root / "backups" / "new" / "k.txt", root / "people" / "k"):
        result = cli("--study", str(root), "keys", "export", "--out", str(inside))
        assert result.exit_code == ExitCode.USAGE, result.output
        assert f"{inside} is inside the study at {root}" in result.stderr
        assert "Nothing was written" in result.stderr
        assert "AGE-SECRET-KEY" not in result.output
        assert not inside.exists()
    monkeypatch.chdir(root)  # a relative path, as typed in the study folder
    relative = cli("keys", "export", "--out", "./k.txt")
    assert relative.exit_code == ExitCode.USAGE, relative.output
    assert not (root / "k.txt").exists()
    assert state(example_study) == before
    outside = tmp_path / "usb" / "prosper-key.txt"
    outside.parent.mkdir()
    written = cli("keys", "export", "--out", str(outside))
    assert written.exit_code == 0, written.output
    assert outside.read_text().count("AGE-SECRET-KEY-1") == 1
    assert stat.S_IMODE(outside.stat().st_mode) == 0o600


def test_import_bad_files(cli, tmp_path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n")
    result = cli("keys", "import", str(junk))
    assert result.exit_code == ExitCode.KEY
    assert "does not hold exactly one age private key" in result.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("AGE-SECRET-KEY-1NOTAREALKEY\n")
    assert cli("keys", "import", str(bad)).exit_code == ExitCode.KEY
    missing = cli("keys", "import", str(tmp_path / "nope.txt"))
    assert missing.exit_code == ExitCode.NOT_FOUND


def test_rekey_after_a_new_wellbeing_lead_joins(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    add_person(example_study, "WB-02", ["wellbeing-lead"])
    join_here(example_study, "WB-02")
    act_as(monkeypatch, "WB-02")
    unread = cli("--study", root, "wellbeing", "show", "A-0004")  # not encrypted to WB-02 yet
    assert unread.exit_code == ExitCode.NOT_FOUND and "that your key can read" in unread.stderr

    act_as(monkeypatch, "WB-01")
    result = cli("--study", root, "keys", "rekey", "checkin", "--json", "--yes")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(report["rekeyed"]) == ["CI-0001", "CI-0002", "CI-0003", "CI-0004"]
    assert report["not_rekeyed"] == []
    assert report["new_readers"] == [
        {"person": "WB-02", "records": {"checkin": 4}, "new_key": False}
    ]
    assert report["removed_readers"] == []
    assert git(example_study, "log", "-1", "--format=%an|%s").strip() == (
        "WB-01|keys: rekey 4 record(s)"
    )
    changed = git(example_study, "show", "--name-only", "--format=", "HEAD").split()
    assert len(changed) == 4
    alerts = json.loads(cli("--study", root, "keys", "rekey", "alert", "--json", "-y").stdout)
    assert sorted(alerts["rekeyed"]) == ["A-0001", "A-0002", "A-0003", "A-0004",
                                         "AR-5d0c2b7e91a4f366"]  # fmt: skip

    act_as(monkeypatch, "WB-02")
    shown = cli("--study", root, "wellbeing", "show", "A-0004")
    assert "Distress rating: 8" in shown.stdout


def test_rekey_says_what_it_could_not_rekey(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CO-01")  # may re-encrypt incidents (a fallback reader), cannot read I-0001
    before = state(example_study)
    result = cli("--study", str(example_study.root), "keys", "rekey", "incident")
    assert result.exit_code == 0, result.output
    assert "There was nothing your key could re-encrypt" in result.stderr
    assert "could not be re-encrypted because your key cannot read them: I-0001" in result.stderr
    assert state(example_study) == before
    bad = cli("--study", str(example_study.root), "keys", "rekey", "task")
    assert bad.exit_code == ExitCode.USAGE


def test_keys_in_a_subprocess(empty_study, run_cli, tmp_path) -> None:
    cwd = empty_study.root
    set_recipient(empty_study, "CO-01", None)  # joined by init; now without a reading key
    made = run_cli("keys", "init", cwd=cwd)
    assert made.returncode == 0, made.stderr
    shown = run_cli("keys", "show", "--json", cwd=cwd)
    assert json.loads(shown.stdout)["private_key_here"] is True
    listed = run_cli("keys", "list", cwd=cwd)
    assert "CO-01" in listed.stdout
    out = tmp_path / "k.txt"
    assert run_cli("keys", "export", "--out", str(out), cwd=cwd).returncode == 0
    assert run_cli("keys", "import", str(out), cwd=cwd).returncode == 0
    rekey = run_cli("keys", "rekey", cwd=cwd)
    assert rekey.returncode == 0, rekey.stderr


def test_rekey_all_includes_resolution_notes(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    add_person(example_study, "WB-02", ["wellbeing-lead"])
    join_here(example_study, "WB-02")
    act_as(monkeypatch, "WB-01")
    report = json.loads(cli("--study", root, "keys", "rekey", "--json", "--yes").stdout)
    assert {"A-0002", "AR-5d0c2b7e91a4f366"} <= set(report["rekeyed"])  # alert, resolution
    # Reflections and incidents are not the wellbeing lead's to read: left as they are.
    assert not [r for r in report["rekeyed"] + report["not_rekeyed"] if r[:2] in ("RF", "I-")]
    act_as(monkeypatch, "WB-02")
    shown = json.loads(cli("--study", root, "wellbeing", "show", "A-0002", "--json").stdout)
    assert shown["resolution_note"].startswith("Spoke by phone")
    assert shown["checkin_record"]["contact"] is True


def test_rekey_includes_copies_kept_by_sync(example_study, cli, monkeypatch) -> None:
    root = example_study.root
    checkins = sorted((root / "checkins").rglob("CI-*.age"))
    original = checkins[0]
    spare = original.with_name(original.stem + ".conflict-0a1b2c.age")
    spare.write_bytes(original.read_bytes())
    git(example_study, "add", "-A")
    git(
        example_study,
        "-c",
        "user.name=WB-01",
        "-c",
        "user.email=w@b.invalid",
        "commit",
        "-qm",
        "sync: keep both versions",
        "--no-verify",
    )
    add_person(example_study, "WB-02", ["wellbeing-lead"])
    join_here(example_study, "WB-02")
    act_as(monkeypatch, "WB-01")
    result = cli("--study", str(root), "keys", "rekey", "checkin", "--json", "--yes")
    assert result.exit_code == 0, result.output
    assert f"{original.stem}.conflict-0a1b2c" in json.loads(result.stdout)["rekeyed"]
    changed = git(example_study, "show", "--name-only", "--format=", "HEAD").split()
    assert example_study.rel(spare) in changed


def test_rekey_without_a_terminal_shows_the_plan_and_changes_nothing(
    example_study, cli, monkeypatch
) -> None:
    root = str(example_study.root)
    add_person(example_study, "WB-02", ["wellbeing-lead"])
    join_here(example_study, "WB-02")
    act_as(monkeypatch, "WB-01")
    before = state(example_study)
    result = cli("--study", root, "keys", "rekey", "checkin")
    assert result.exit_code == ExitCode.USAGE
    assert state(example_study) == before
    assert result.stderr == (
        "This re-encrypts 4 check-ins to their current readers, in one commit.\n"
        "New readers (they can read these once it is done):\n"
        "  WB-02 (Test WB-02): 4 check-ins\n"
        "Error: nothing was re-encrypted: there is no terminal to ask you to go ahead\n"
        "Check who would read what above, then run: prosper-coop keys rekey checkin --yes\n"
    )
    dry = cli("--study", root, "keys", "rekey", "checkin", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "  WB-02 (Test WB-02): 4 check-ins" in dry.stdout
    assert "Nothing was changed (--dry-run)." in dry.stderr
    assert state(example_study) == before


@pytest.mark.slow  # runs the console script in a real terminal (a pty)
def test_rekey_at_a_terminal_asks_before_it_writes(example_study, monkeypatch, tmp_path) -> None:
    """In a real terminal (a pty): the plan, then "Go ahead? [y/N]"; no writes nothing."""
    import os
    import pty
    import select
    import subprocess
    import sys

    root = str(example_study.root)
    add_person(example_study, "WB-02", ["wellbeing-lead"])
    join_here(example_study, "WB-02")
    act_as(monkeypatch, "WB-01")
    script = Path(sys.executable).parent / "prosper-coop"

    def answer(reply: bytes) -> str:
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [str(script), "--study", root, "keys", "rekey", "checkin"],
            stdin=follower, stdout=follower, stderr=follower, close_fds=True,
        )  # fmt: skip
        os.close(follower)
        seen = b""
        while b"Go ahead? [y/N]" not in seen:
            ready, _, _ = select.select([leader], [], [], 60)
            assert ready, seen
            seen += os.read(leader, 4096)
        os.write(leader, reply)
        while True:  # until it has ended and said all it had to say
            ended = process.poll() is not None  # asked first: what it said before is ready
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                if ended:
                    break
                continue
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # every writer closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait(timeout=60) == 0
        os.close(leader)
        return " ".join(seen.decode("utf-8", "replace").split())

    before = state(example_study)
    said = answer(b"n\n")
    assert "New readers (they can read these once it is done): WB-02 (Test WB-02)" in said
    assert "Go ahead? [y/N]:" in said and said.endswith("Nothing was changed."), said
    assert state(example_study) == before
    said = answer(b"y\n")
    assert "Re-encrypted 4 record(s) to their current readers." in said
    assert git(example_study, "log", "-1", "--format=%an|%s").strip() == (
        "WB-01|keys: rekey 4 record(s)"
    )
