"""``prosper-coop people identity set|show`` and ``people erase``."""

from __future__ import annotations

import json
from pathlib import Path

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, argv_recorder, git, recorded_argv, state


def test_identity_is_for_coordinators_only(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CO-01")
    result = cli(
        "--study", root, "people", "identity", "set", "CR-02",
        input="name: Jo Invented\nphone: +44 7700 900123\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "readable by the study coordinator (CO-01)" in result.stderr
    assert git(example_study, "log", "-1", "--format=%s").strip() == (
        "people: update identity (CR-02)"
    )
    update = cli(
        "--study", root, "people", "identity", "set", "CR-02",
        input="email: jo@x.invalid\nother: Flat 2: ring twice\n  (not before 10)\n",
    )  # fmt: skip
    assert update.exit_code == 0, update.output
    shown = json.loads(cli("--study", root, "people", "identity", "show", "CR-02", "--json").stdout)
    assert (shown["real_name"], shown["phone"], shown["email"], shown["other"]) == (
        "Jo Invented", "+44 7700 900123", "jo@x.invalid", "Flat 2: ring twice\n(not before 10)"
    )  # fmt: skip
    act_as(monkeypatch, "WB-01")
    refused = cli("--study", root, "people", "identity", "show", "CR-02")
    assert refused.exit_code == ExitCode.KEY
    assert "Jo Invented" not in refused.output


def test_identity_bad_input(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CO-01")
    before = state(example_study)
    nothing = cli("--study", root, "people", "identity", "set", "CR-02")
    assert nothing.exit_code == ExitCode.USAGE and "nothing to save" in nothing.stderr
    nobody = cli("--study", root, "people", "identity", "set", "CR-77", input="name: X\n")
    assert nobody.exit_code == ExitCode.NOT_FOUND
    long_name = cli(
        "--study", root, "people", "identity", "set", "CR-02", input=f"name: {'x' * 600}\n"
    )
    assert long_name.exit_code == ExitCode.USAGE and "x" * 600 not in long_name.stderr
    # A line that is not name: value is refused, naming the line but never echoing it.
    unnamed = cli("--study", root, "people", "identity", "set", "CR-02", input="Jo Invented\n")
    assert unnamed.exit_code == ExitCode.INVALID, unnamed.output
    assert "line 1: expected one of: name, email, phone, other" in unnamed.stderr
    assert "Jo Invented" not in unnamed.output
    twice = cli("--study", root, "people", "identity", "set", "CR-02", input="name: A\nname: B\n")
    assert twice.exit_code == ExitCode.INVALID and "name is given twice" in twice.stderr
    none_yet = cli("--study", root, "people", "identity", "show", "CR-03")
    assert none_yet.exit_code == ExitCode.NOT_FOUND and "identity set CR-03" in none_yet.stderr
    assert state(example_study) == before


def test_erase_removes_sensitive_records_in_one_commit(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CO-01")
    head = git(example_study, "rev-parse", "HEAD").strip()
    result = cli("--study", root, "people", "erase", "CR-01", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(report["removed"]) == [
        "alerts/CR-01/A-0001.age",
        "checkins/CR-01/CI-0001.age",
        "identities/CR-01.age",
        "plans/CR-01.age",
        "reflections/CR-01/RF-0001.age",
    ]
    assert report["history_commits"] == 1
    assert report["incidents_kept"] == 1
    assert "WB-01" in report["readers_then"]["checkin"]
    assert git(example_study, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    assert git(example_study, "log", "-1", "--format=%s").strip() == (
        "people: erase sensitive records (CR-01)"
    )
    assert (example_study.root / "people" / "CR-01.yaml").is_file()
    # The erasure is recorded by study ID only, so that sync keeps it erased everywhere.
    record = (example_study.root / "erased" / "CR-01.yaml").read_text()
    assert "person: CR-01" in record
    assert git(example_study, "show", "--format=", "--name-only", "HEAD").count("erased/") == 1
    assert git(example_study, "status", "--porcelain") == ""


def test_erase_explains_what_remains(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CO-01")
    result = cli("--study", str(example_study.root), "people", "erase", "CR-04", "--yes")
    assert result.exit_code == 0, result.output
    assert "removed alerts/CR-04/A-0002.age" in result.stdout
    assert "stay in the git history" in result.stdout
    assert "can still open those copies" in result.stdout
    assert "git filter-repo" in result.stdout


def test_erase_asks_first_and_unknown_person(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CO-01")
    before = state(example_study)
    declined = cli("--study", str(example_study.root), "people", "erase", "CR-01", input="n\n")
    assert declined.exit_code == 0 and "Nothing was changed" in declined.stderr
    unknown = cli("--study", str(example_study.root), "people", "erase", "CR-88", "--yes")
    assert unknown.exit_code == ExitCode.NOT_FOUND
    assert state(example_study) == before
    nothing = cli("--study", str(example_study.root), "people", "erase", "CR-05", "--yes")
    assert "no sensitive records for CR-05" in nothing.stderr
    # Another computer may still hold some: the erasure is recorded, in one commit.
    assert "erased/CR-05.yaml" in nothing.stderr
    assert git(example_study, "rev-list", "--count", f"{before[0]}..HEAD").strip() == "1"
    assert git(example_study, "show", "--name-status", "--format=", "HEAD").split() == [
        "A", "erased/CR-05.yaml"
    ]  # fmt: skip
    again = cli("--study", str(example_study.root), "people", "erase", "CR-05", "--yes")
    assert again.exit_code == 0
    assert git(example_study, "rev-list", "--count", f"{before[0]}..HEAD").strip() == "1"


def test_people_sensitive_in_a_subprocess(example_study, run_cli) -> None:
    cwd = example_study.root
    made = run_cli("people", "identity", "set", "CR-03", input="name: Invented Name\n", cwd=cwd)
    assert made.returncode == 0, made.stderr
    shown = run_cli("people", "identity", "show", "CR-03", cwd=cwd)
    assert "Invented Name" in shown.stdout
    erased = run_cli("people", "erase", "CR-03", "--yes", cwd=cwd)
    assert erased.returncode == 0, erased.stderr
    assert not (cwd / "identities" / "CR-03.age").exists()


def test_erase_removes_copies_kept_by_sync(example_study, cli, monkeypatch) -> None:
    """A spare copy that sync kept beside a record is erased with it."""
    root = example_study.root
    spare_checkin = root / "checkins" / "CR-01" / "CI-0001.conflict-0a1b2c.age"
    spare_plan = root / "plans" / "CR-01.conflict-3d4e5f.age"
    for spare, original in (
        (spare_checkin, root / "checkins" / "CR-01" / "CI-0001.age"),
        (spare_plan, root / "plans" / "CR-01.age"),
    ):
        spare.write_bytes(original.read_bytes())
    git(example_study, "add", "-A")
    git(
        example_study,
        "-c",
        "user.name=CO-01",
        "-c",
        "user.email=c@o.invalid",
        "commit",
        "-qm",
        "sync: keep both versions",
        "--no-verify",
    )
    act_as(monkeypatch, "CO-01")
    result = cli("--study", str(root), "people", "erase", "CR-01", "--yes", "--json")
    assert result.exit_code == 0, result.output
    removed = json.loads(result.stdout)["removed"]
    assert "checkins/CR-01/CI-0001.conflict-0a1b2c.age" in removed
    assert "plans/CR-01.conflict-3d4e5f.age" in removed
    assert not spare_checkin.exists() and not spare_plan.exists()


IDENTITY = {"name": "Jo Invented-Argv", "email": "jo.argv@x.invalid", "phone": "+44 7700 900555"}


def test_identity_options_on_the_command_line_are_refused(example_study, cli) -> None:
    before = state(example_study)
    for option in ("--name", "--email", "--phone", "--other"):
        result = cli(
            "--study", str(example_study.root), "people", "identity", "set", "CR-02", option, "x"
        )
        assert result.exit_code == ExitCode.USAGE, result.output
        assert f"Error: {option} is not taken on the command line" in result.stderr
        assert "Nothing was saved" in result.stderr
        assert "| prosper-coop people identity set CR-02" in result.stderr
    assert state(example_study) == before


def test_identity_never_reaches_any_process_arguments(example_study, run_cli, tmp_path) -> None:
    """The real console script reads the details from stdin; no argv ever holds them."""
    env, log = argv_recorder(tmp_path)
    piped = "".join(f"{key}: {value}\n" for key, value in IDENTITY.items())
    done = run_cli("people", "identity", "set", "CR-05", input=piped, cwd=example_study.root,
                   env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = recorded_argv(log)
    assert any(argv[0] == "git" and "commit-tree" in argv for argv in seen)  # git was watched
    parents = [argv for argv in seen if argv[0] == "parent"]
    assert any("identity" in arg for argv in parents for arg in argv)  # and the tool itself
    for value in IDENTITY.values():
        assert not any(value in arg for argv in seen for arg in argv), value
    shown = run_cli("people", "identity", "show", "CR-05", "--json", cwd=example_study.root)
    assert json.loads(shown.stdout)["real_name"] == IDENTITY["name"]
    old_form = run_cli("people", "identity", "set", "CR-05", "--name", "Someone",
                       cwd=example_study.root)  # fmt: skip
    assert old_form.returncode == ExitCode.USAGE
    assert "--name is not taken on the command line" in old_form.stderr


def test_identity_is_asked_for_at_a_terminal(example_study) -> None:
    """With a terminal (a real pseudo-terminal), each detail is asked for."""
    import os
    import pty
    import subprocess
    import sys

    script = Path(sys.executable).parent / "prosper-coop"
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [str(script), "people", "identity", "set", "CR-06"],
        cwd=example_study.root, stdin=secondary, stdout=secondary, stderr=secondary,
    )  # fmt: skip
    os.close(secondary)
    screen = bytearray()
    seen = 0
    for answer in (b"Pat Invented", b"", b"0161 496 0000", b""):
        seen = _expect(primary, screen, b"(Enter to leave", seen)
        os.write(primary, answer + b"\r")
    assert process.wait(timeout=60) == 0, screen.decode(errors="replace")
    os.close(primary)
    shown = subprocess.run(
        [str(script), "people", "identity", "show", "CR-06", "--json"],
        cwd=example_study.root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    record = json.loads(shown.stdout)
    assert (record["real_name"], record["phone"]) == ("Pat Invented", "0161 496 0000")
    assert not record["email"]  # Enter left it out


def _expect(fd: int, screen: bytearray, text: bytes, start: int) -> int:
    """Read the terminal until ``text`` appears after ``start``; where it ends."""
    import os
    import select
    import time

    deadline = time.monotonic() + 60
    while (found := screen.find(text, start)) == -1:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no {text!r} on the terminal: {screen.decode(errors='replace')}"
        screen += os.read(fd, 4096)
    return found + len(text)
