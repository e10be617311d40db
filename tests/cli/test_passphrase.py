"""A protected key without a terminal: a clear key error (exit 8) saying how to give the
passphrase, which is read only from a file only its owner can read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study
from tests.helpers import act_as
from tests.wellbeing.helpers import add_person


def _protect_key(cli, study: Study, person: str, secret: Path, monkeypatch) -> None:
    """Give ``person`` a new key protected by the passphrase in ``secret``."""
    secret.write_text("correct horse battery\n")
    secret.chmod(0o600)
    act_as(monkeypatch, person)
    monkeypatch.setenv("PROSPER_COOP_PASSPHRASE_FILE", str(secret))
    made = cli("--study", str(study.root), "keys", "init", "--passphrase", "--replace")
    assert made.exit_code == 0, made.output
    monkeypatch.delenv("PROSPER_COOP_PASSPHRASE_FILE")
    act_as(monkeypatch, person)  # forget the unlocked key


@pytest.mark.slow
def test_no_terminal_is_a_key_problem_that_says_what_to_do(
    example_study: Study, cli, monkeypatch, tmp_path
) -> None:
    """The console script, stdin from /dev/null and no controlling terminal at all."""
    _protect_key(cli, example_study, "CR-01", tmp_path / "secret", monkeypatch)
    script = Path(sys.executable).parent / "prosper-coop"
    done = subprocess.run(
        [str(script), "--study", str(example_study.root), "reflect", "list"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,  # no /dev/tty for getpass to fall back on
        timeout=120,
    )
    assert done.returncode == ExitCode.KEY, done.stderr
    assert done.stderr.startswith(
        "Error: your key is protected by a passphrase, and there is no terminal to type it in\n"
    )
    assert "PROSPER_COOP_PASSPHRASE_FILE" in done.stderr and "chmod 600" in done.stderr
    assert "may be echoed" not in done.stderr and "Aborted" not in done.stderr
    assert done.stdout == ""


def test_the_passphrase_file_opens_the_key(example_study: Study, cli, monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    _protect_key(cli, example_study, "CR-01", secret, monkeypatch)
    root = str(example_study.root)
    wrote = cli("--study", root, "reflect", input="Written after the key was protected\n")
    assert wrote.exit_code == 0, wrote.output  # writing needs no passphrase
    monkeypatch.setenv("PROSPER_COOP_PASSPHRASE_FILE", str(secret))
    shown = cli("--study", root, "reflect", "show", "RF-0004")
    assert shown.exit_code == 0, shown.output
    assert "Written after the key was protected" in shown.stdout


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        ("correct horse battery\n", 0o644, "can be read by other people on this computer"),
        ("", 0o600, "is empty"),
        ("\n", 0o600, "is empty"),
        (None, 0o600, "cannot read PROSPER_COOP_PASSPHRASE_FILE"),
        ("x" * 5000, 0o600, "too long"),
    ],
    ids=["readable-by-others", "empty", "blank-line", "missing", "too-long"],
)
def test_a_passphrase_file_that_cannot_be_trusted_is_refused(
    example_study: Study, cli, monkeypatch, tmp_path, content, mode, message
) -> None:
    _protect_key(cli, example_study, "CR-01", tmp_path / "good", monkeypatch)
    secret = tmp_path / "secret"
    if content is not None:
        secret.write_text(content)
        secret.chmod(mode)
    monkeypatch.setenv("PROSPER_COOP_PASSPHRASE_FILE", str(secret))
    result = cli("--study", str(example_study.root), "reflect", "list")
    assert result.exit_code == ExitCode.KEY
    assert message in result.stderr
    assert "correct horse" not in result.output


def test_a_passphrase_in_the_environment_is_refused(
    example_study: Study, cli, monkeypatch, tmp_path
) -> None:
    _protect_key(cli, example_study, "CR-01", tmp_path / "secret", monkeypatch)
    monkeypatch.setenv("PROSPER_COOP_PASSPHRASE", "correct horse battery")
    result = cli("--study", str(example_study.root), "reflect", "list")
    assert result.exit_code == ExitCode.KEY
    assert "PROSPER_COOP_PASSPHRASE is no longer read" in result.stderr
    assert "PROSPER_COOP_PASSPHRASE_FILE" in result.stderr
    assert "correct horse" not in result.output


def test_a_new_passphrase_without_a_terminal_says_how(empty_study: Study, cli, monkeypatch):
    add_person(empty_study, "CR-01", ["co-researcher"])
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(empty_study.root), "keys", "init", "--passphrase")
    assert result.exit_code == ExitCode.KEY
    assert "there is no terminal to type it in" in result.stderr
    assert "PROSPER_COOP_PASSPHRASE_FILE" in result.stderr
