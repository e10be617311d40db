"""``prosper-coop people identity set|show`` and ``people erase``."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, git, state


def test_identity_is_for_coordinators_only(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CO-01")
    result = cli(
        "--study", root, "people", "identity", "set", "CR-02", "--name", "Jo Invented",
        "--phone", "07700 900123",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "readable by the study coordinator (CO-01)" in result.stderr
    assert git(example_study, "log", "-1", "--format=%s").strip() == (
        "people: update identity (CR-02)"
    )
    update = cli("--study", root, "people", "identity", "set", "CR-02", "--email", "jo@x.invalid")
    assert update.exit_code == 0, update.output
    shown = json.loads(cli("--study", root, "people", "identity", "show", "CR-02", "--json").stdout)
    assert (shown["real_name"], shown["phone"], shown["email"]) == (
        "Jo Invented", "07700 900123", "jo@x.invalid"
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
    nobody = cli("--study", root, "people", "identity", "set", "CR-77", "--name", "X")
    assert nobody.exit_code == ExitCode.NOT_FOUND
    long_name = cli("--study", root, "people", "identity", "set", "CR-02", "--name", "x" * 600)
    assert long_name.exit_code == ExitCode.USAGE and "x" * 600 not in long_name.stderr
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
    assert git(example_study, "status", "--porcelain") == ""


def test_erase_explains_what_remains(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CO-01")
    result = cli("--study", str(example_study.root), "people", "erase", "CR-04", "--yes")
    assert result.exit_code == 0, result.output
    assert "removed alerts/A-0001.yaml" in result.stdout
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
    assert state(example_study) == before


def test_people_sensitive_in_a_subprocess(example_study, run_cli) -> None:
    cwd = example_study.root
    made = run_cli("people", "identity", "set", "CR-03", "--name", "Invented Name", cwd=cwd)
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
