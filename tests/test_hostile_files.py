"""Hostile files in a study: links are never followed, private keys never committed.

A symbolic link anywhere in a study (a record, a protocol, a settings file, an
output) is reported clearly by ``doctor``, ``status`` and ``people list`` and
refused by ``save`` and the pre-commit hook; a private key (age, OpenSSH, PEM, or
a passphrase-protected age identity) is refused anywhere by ``doctor``, ``save``,
the hook and the tool's own commits.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyrage

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, all_objects, git, state

AGE_KEY = str(pyrage.x25519.Identity.generate())
OPENSSH_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)
PEM_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "-----END RSA PRIVATE KEY-----\n"
)
PROTECTED_KEY = pyrage.passphrase.encrypt(f"# a key\n{AGE_KEY}\n".encode(), "invented words")
KEYS = {
    "age": AGE_KEY.encode(),
    "openssh": OPENSSH_KEY.encode(),
    "pem": PEM_KEY.encode(),
    "protected": PROTECTED_KEY,
}
UNEXPECTED = "something unexpected"


def _hand_commit(root: Path) -> subprocess.CompletedProcess[str]:
    """``git commit`` as a person would type it (the pre-commit hook runs)."""
    return subprocess.run(
        ["git", "-c", "user.name=Someone", "-c", "user.email=s@example.invalid",
         "commit", "-m", "by hand"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip


# -- symbolic links ---------------------------------------------------------------------
def test_a_linked_record_is_named_clearly_by_doctor_status_and_people_list(
    example_study, cli
) -> None:
    root = example_study.root
    (root / "people" / "CR-09.yaml").symlink_to("/etc/passwd")
    before = state(example_study)

    doctor = cli("--study", str(root), "doctor")
    assert doctor.exit_code == ExitCode.INVALID, doctor.output
    assert "people/CR-09.yaml: a symbolic link; prosper-coop does not follow links" in (
        doctor.stdout
    )
    for args in (("status",), ("people", "list"), ("status", "--json")):
        result = cli("--study", str(root), *args)
        assert result.exit_code == ExitCode.INVALID, (args, result.output)
        assert "Error: people/CR-09.yaml is a symbolic link" in result.stderr, args
        assert "git rm --cached people/CR-09.yaml" in result.stderr
        assert UNEXPECTED not in result.output
        assert "root:" not in result.output  # nothing of the linked file is shown
    assert state(example_study) == before


def test_a_linked_record_folder_is_named_clearly(example_study, cli, tmp_path) -> None:
    import shutil

    root = example_study.root
    elsewhere = tmp_path / "elsewhere-themes"
    shutil.move(root / "themes", elsewhere)
    (root / "themes").symlink_to(elsewhere)
    for args in (("status",), ("findings", "list")):
        result = cli("--study", str(root), *args)
        assert result.exit_code == ExitCode.INVALID, (args, result.output)
        assert "Error: themes is a symbolic link" in result.stderr
        assert UNEXPECTED not in result.output
    shutil.move(root / "checkins" / "CR-01", tmp_path / "elsewhere-checkins")
    (root / "checkins" / "CR-01").symlink_to(tmp_path / "elsewhere-checkins")
    doctor = cli("--study", str(root), "doctor")
    assert doctor.exit_code == ExitCode.INVALID, doctor.output
    assert "themes: a symbolic link" in doctor.stdout
    assert "checkins/CR-01: a symbolic link" in doctor.stdout
    assert UNEXPECTED not in doctor.output


def test_the_installed_script_reports_a_linked_record(example_study, run_cli) -> None:
    (example_study.root / "people" / "CR-09.yaml").symlink_to("/etc/passwd")
    for args in (("doctor",), ("status",), ("people", "list")):
        done = run_cli(*args, cwd=example_study.root)
        assert done.returncode == ExitCode.INVALID, (args, done.stderr)
        assert "people/CR-09.yaml" in done.stdout + done.stderr
        assert UNEXPECTED not in done.stderr


LINKS = (
    "protocols/distress-participant.yaml",
    "wellbeing/checkin.yaml",
    "protocols/checklists/new.yaml",
    "outputs/lay-summary.md",
    "tasks/00/T-0099.yaml",
    "checkins/CR-01/CI-0099.age",
    "notes",  # a link to a folder
)


def test_doctor_reports_a_link_anywhere_and_save_refuses_it(example_study, cli) -> None:
    root = example_study.root
    for link in LINKS:
        target = root / link
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target.symlink_to("/etc" if link == "notes" else "/etc/hostname")
    doctor = cli("--study", str(root), "doctor")
    assert doctor.exit_code == ExitCode.INVALID, doctor.output
    for link in LINKS:
        assert f"{link}: a symbolic link" in doctor.stdout, link
        assert doctor.stdout.count(f"{link}:") == 1, link  # once, as a link
    assert UNEXPECTED not in doctor.output
    head = git(example_study, "rev-parse", "HEAD")
    save = cli("--study", str(root), "save", "-m", "x")
    assert save.exit_code == ExitCode.INVALID, save.output
    assert "symbolic link" in save.stderr and "Nothing was saved" in save.stderr
    assert git(example_study, "rev-parse", "HEAD") == head
    assert "120000" not in git(example_study, "ls-files", "-s")


def test_a_linked_protocol_or_setting_is_refused_when_used(example_study, cli) -> None:
    root = example_study.root
    protocol = root / "protocols" / "distress-participant.yaml"
    protocol.unlink()
    protocol.symlink_to("/etc/passwd")
    result = cli("--study", str(root), "distress", "run", "-a", "signs=no")
    assert result.exit_code == ExitCode.INVALID, result.output
    assert "protocols/distress-participant.yaml is a symbolic link" in result.stderr
    assert "root:" not in result.output and UNEXPECTED not in result.output


def test_the_hook_refuses_a_staged_link(example_study) -> None:
    root = example_study.root
    (root / "notes.txt").symlink_to("/etc/passwd")
    git(example_study, "add", "notes.txt")
    before = git(example_study, "rev-parse", "HEAD")
    commit = _hand_commit(root)
    assert commit.returncode != 0, commit.stdout + commit.stderr
    assert "notes.txt: a symbolic link" in commit.stdout + commit.stderr
    assert git(example_study, "rev-parse", "HEAD") == before


# -- private keys -----------------------------------------------------------------------
def test_doctor_and_save_refuse_a_private_key_anywhere(example_study, cli) -> None:
    root = example_study.root
    (root / "backup").mkdir()
    for kind, data in KEYS.items():
        (root / "backup" / f"{kind}.txt").write_bytes(data)
    doctor = cli("--study", str(root), "doctor")
    assert doctor.exit_code == ExitCode.INVALID, doctor.output
    for kind in KEYS:
        assert f"backup/{kind}.txt: this file holds a" in doctor.stdout, kind
    assert "keys belong only in your prosper-coop keys folder" in doctor.stdout
    head = git(example_study, "rev-parse", "HEAD")
    save = cli("--study", str(root), "save", "-m", "x")
    assert save.exit_code == ExitCode.INVALID, save.output
    assert "private key" in save.stderr and "backup/" in save.stderr
    assert "(and 3 more: run prosper-coop doctor)" in save.stderr
    assert git(example_study, "rev-parse", "HEAD") == head
    assert AGE_KEY.encode() not in all_objects(example_study)


def test_the_hook_refuses_a_hand_committed_key(example_study) -> None:
    root = example_study.root
    before = git(example_study, "rev-parse", "HEAD")
    for kind, data in KEYS.items():
        (root / "k.txt").write_bytes(data)
        git(example_study, "add", "k.txt")
        commit = _hand_commit(root)
        assert commit.returncode != 0, (kind, commit.stdout + commit.stderr)
        assert "k.txt: this file holds a" in commit.stdout + commit.stderr, kind
        assert git(example_study, "rev-parse", "HEAD") == before
        reachable = git(example_study, "rev-list", "--objects", "--all")
        assert git(example_study, "rev-parse", ":k.txt").strip() not in reachable


def test_the_hook_still_lets_an_ordinary_hand_commit_through(example_study) -> None:
    root = example_study.root
    (root / "notes.txt").write_text("Agenda for the next team meeting.\n")
    git(example_study, "add", "notes.txt")
    commit = _hand_commit(root)
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert git(example_study, "log", "-1", "--format=%s").strip() == "by hand"


def test_an_exported_key_in_the_study_is_never_saved(
    example_study, cli, monkeypatch, tmp_path
) -> None:
    """The issue's path: keys export --out ./k.txt, then save -m x."""
    root = example_study.root
    act_as(monkeypatch, "CR-01")
    exported = cli("--study", str(root), "keys", "export", "--out", str(root / "k.txt"))
    assert exported.exit_code == ExitCode.USAGE, exported.output
    assert not (root / "k.txt").exists()
    outside = tmp_path / "backup" / "k.txt"
    outside.parent.mkdir()
    exported = cli("--study", str(root), "keys", "export", "--out", str(outside))
    assert exported.exit_code == 0, exported.output
    # Copied in by hand anyway: save refuses it.
    (root / "k.txt").write_bytes(outside.read_bytes())
    save = cli("--study", str(root), "save", "-m", "x")
    assert save.exit_code == ExitCode.INVALID, save.output
    assert "k.txt" in save.stderr and "private key" in save.stderr


def test_the_task_index_never_follows_a_linked_task_or_folder(example_study, cli, tmp_path) -> None:
    """A linked task file is reported; a linked task folder is not read at all."""
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "T-0500.yaml").write_text("id: T-0500\ntitle: SECRET-OUTSIDE\nwp: WP1\n")
    root = example_study.root
    (root / "tasks" / "05").symlink_to(secret)
    result = cli("--study", str(root), "task", "list", "--json")
    assert "SECRET-OUTSIDE" not in result.output
    (root / "tasks" / "05").unlink()
    (root / "tasks" / "00" / "T-0099.yaml").symlink_to(secret / "T-0500.yaml")
    result = cli("--study", str(root), "task", "list")
    assert result.exit_code == ExitCode.INVALID, result.output
    assert "symbolic link" in result.output
    assert "SECRET-OUTSIDE" not in result.output
    assert UNEXPECTED not in result.output
