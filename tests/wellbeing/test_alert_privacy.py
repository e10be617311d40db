"""An alert is health data: only its readers may learn it exists (issue 15, item 8).

Real git, real age encryption (and the real ``age`` command-line tool where it is
installed): a co-researcher's clone cannot tell from files, paths, commits,
messages or sizes which check-ins raised an alert, nor whose alert a lead resolved.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study
from prosper_coop.crypto import keys, sealed
from prosper_coop.wellbeing.models import Alert, AlertResolution
from tests.helpers import act_as, git
from tests.wellbeing.helpers import read_as, recipient_of

AGE_HINT = "the age command-line tool is not installed (apt-get install age)"


def commit_shape(study: Study, commit: str) -> tuple[str, str, list[tuple[str, str, int]]]:
    """Author, subject and (status, path, blob size) of each file a commit changed."""
    author, subject = git(study, "log", "-1", "--format=%an%n%s", commit).splitlines()
    changed = []
    for line in git(study, "diff-tree", "-r", "--no-commit-id", commit).splitlines():
        meta, path = line.split("\t")
        blob, status = meta.split()[3], meta.split()[4]
        changed.append((status, path, int(git(study, "cat-file", "-s", blob))))
    return author, subject, sorted(changed, key=lambda item: item[1])


def without_numbers(text: str) -> str:
    """``checkins/CR-01/CI-0005.age`` -> ``checkins/CR-01/CI-N.age`` (record numbers only)."""
    return re.sub(r"\b(CI|A)-\d{4,}\b", r"\1-N", text)


def check_in(cli, study: Study, distress: str, contact: str, note: str) -> str:
    """Check in through the command line (``--from-stdin``); return the new commit."""
    result = cli(
        "--study", str(study.root), "checkin", "--from-stdin",
        input=f"distress: {distress}\ncontact: {contact}\nnote: {note}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return git(study, "rev-parse", "HEAD").strip()


def two_checkins(cli, study: Study, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """CR-01 checks in twice: first with no alert, then with one (CI-0005, then CI-0006)."""
    act_as(monkeypatch, "CR-01")
    quiet = check_in(cli, study, "2", "no", "A calm day.")
    raised = check_in(cli, study, "9", "yes", "It has been a very hard week, please call.")
    return quiet, raised


def test_a_checkin_that_raises_an_alert_looks_the_same_in_git(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "CR-03")  # a peer's view, before and after
    before = json.loads(cli("--study", str(example_study.root), "status", "--json").stdout)
    quiet, raised = two_checkins(cli, example_study, monkeypatch)

    quiet_shape, raised_shape = (
        commit_shape(example_study, quiet),
        commit_shape(example_study, raised),
    )
    assert quiet_shape[2] == [
        ("A", "alerts/CR-01/A-0005.age", quiet_shape[2][0][2]),
        ("A", "checkins/CR-01/CI-0005.age", quiet_shape[2][1][2]),
    ]
    # Same author, same message but for the check-in number, same files, same sizes.
    assert without_numbers(repr(quiet_shape)) == without_numbers(repr(raised_shape))
    assert raised_shape[1] == "wellbeing: check-in (CI-0006)"
    assert "alert" not in git(example_study, "log", "--format=%B", f"{quiet}~1..HEAD")
    # The alert file of each is a padded age file; only the readers can tell them apart.
    alert_of_quiet = read_as(example_study, "WB-01", "alerts/CR-01/A-0005.age", Alert)
    alert_of_raised = read_as(example_study, "WB-01", "alerts/CR-01/A-0006.age", Alert)
    assert alert_of_quiet is not None and not alert_of_quiet.is_alert
    assert alert_of_raised is not None and alert_of_raised.level == "high"
    assert read_as(example_study, "CR-03", "alerts/CR-01/A-0006.age", Alert) is None

    # What a peer's commands show is the same shape for both, and says nothing new.
    act_as(monkeypatch, "CR-03")
    log = json.loads(cli("--study", str(example_study.root), "log", "--json", "-n", "2").stdout)
    assert [entry["commit"] for entry in log] == [raised[:10], quiet[:10]]
    shapes = [{k: v for k, v in entry.items() if k not in ("commit", "date")} for entry in log]
    assert without_numbers(json.dumps(shapes[0])) == without_numbers(json.dumps(shapes[1]))
    after = json.loads(cli("--study", str(example_study.root), "status", "--json").stdout)
    assert after["wellbeing"] == before["wellbeing"] == {
        "scope": "own", "open_alerts": 0, "open_alert_ages_days": [], "oldest_open_days": None,
        "by_level": {"high": 0, "contact-requested": 0},
    }  # fmt: skip
    alerts = cli("--study", str(example_study.root), "wellbeing", "alerts", "--json")
    assert json.loads(alerts.stdout) == []
    shown = {
        alert_id: cli("--study", str(example_study.root), "wellbeing", "show", alert_id)
        for alert_id in ("A-0005", "A-0006")
    }
    assert {r.exit_code for r in shown.values()} == {ExitCode.NOT_FOUND}
    assert shown["A-0005"].stderr.replace("A-0005", "A-N") == shown["A-0006"].stderr.replace(
        "A-0006", "A-N"
    )


def test_every_alert_file_has_the_same_size_whatever_it_holds(
    example_study, cli, monkeypatch
) -> None:
    """Sizes come in fixed steps: a long note, a short one, an alert or none, all alike."""
    two_checkins(cli, example_study, monkeypatch)
    act_as(monkeypatch, "CR-02")
    check_in(cli, example_study, "1", "no", "x" * 900)
    sizes = {
        path.relative_to(example_study.root).as_posix(): path.stat().st_size
        for path in sorted(example_study.root.glob("alerts/*/A-*.age"))
    }
    assert len(sizes) == 7 and len(set(sizes.values())) == 1, sizes
    two_readers = sealed.sealed_size(1024, 2)  # the person and WB-01
    assert set(sizes.values()) == {two_readers}
    checkin_sizes = {p.stat().st_size for p in example_study.root.glob("checkins/*/CI-*.age")}
    assert checkin_sizes == {two_readers}


def test_a_peer_cannot_decrypt_an_alert_with_the_age_tool(example_study, cli, monkeypatch) -> None:
    if shutil.which("age") is None:
        pytest.skip(AGE_HINT)
    two_checkins(cli, example_study, monkeypatch)
    target = example_study.root / "alerts" / "CR-01" / "A-0006.age"

    def age_decrypt(person: str) -> subprocess.CompletedProcess[str]:
        key_file = keys.key_path(recipient_of(example_study, person))
        return subprocess.run(
            ["age", "--decrypt", "-i", str(key_file), str(target)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip

    peer = age_decrypt("CR-03")
    assert peer.returncode != 0 and peer.stdout == ""
    assert "no identity matched" in peer.stderr.lower()
    lead = age_decrypt("WB-01")
    assert lead.returncode == 0, lead.stderr
    assert "person: CR-01" in lead.stdout and "level: high" in lead.stdout
    assert "contact_requested: true" in lead.stdout
    assert age_decrypt("CR-01").returncode == 0  # the person can read their own


def test_the_lead_lists_and_resolves_and_git_never_says_whose(
    example_study, cli, monkeypatch
) -> None:
    root = str(example_study.root)
    two_checkins(cli, example_study, monkeypatch)
    act_as(monkeypatch, "WB-01")
    listed = json.loads(cli("--study", root, "wellbeing", "alerts", "--open", "--json").stdout)
    assert [(r["id"], r["person"], r["level"], r["contact_requested"]) for r in listed] == [
        ("A-0006", "CR-01", "high", True),
        ("A-0004", "CR-02", "high", False),
    ]
    shown = cli("--study", root, "wellbeing", "show", "A-0006")
    assert "please call" in shown.stdout and "Distress rating: 9" in shown.stdout
    done = cli("--study", root, "wellbeing", "resolve", "A-0006", input="Called; CR-01 is OK\n")
    assert done.exit_code == 0, done.output
    resolved = git(example_study, "rev-parse", "HEAD").strip()
    author, subject, changed = commit_shape(example_study, resolved)
    assert (author, subject) == ("WB-01", "wellbeing: resolve an alert")
    [(status, path, size)] = changed
    assert status == "A" and re.fullmatch(r"resolutions/AR-[0-9a-f]{16}\.age", path)
    assert size == sealed.sealed_size(1024, 2)  # like every other alert file's size
    patch = git(example_study, "show", resolved)
    assert "CR-01" not in patch and "A-0006" not in patch and "CI-0006" not in patch
    note = read_as(example_study, "CR-01", path, AlertResolution)  # the person reads it
    assert note is not None and (note.alert, note.person, note.resolved_by) == (
        "A-0006", "CR-01", "WB-01"
    )  # fmt: skip
    assert read_as(example_study, "CR-03", path, AlertResolution) is None
    # The alert file itself never changed: nothing in git points at which one was resolved.
    assert git(example_study, "log", "--format=%H", "--", "alerts/CR-01/A-0006.age").split() == [
        git(example_study, "rev-parse", "HEAD~1").strip()
    ]
    still_open = json.loads(cli("--study", root, "wellbeing", "alerts", "--open", "--json").stdout)
    assert [r["id"] for r in still_open] == ["A-0004"]
    again = cli("--study", root, "wellbeing", "resolve", "A-0006", input="x\n")
    assert again.exit_code == ExitCode.CONFLICT and "already resolved (by WB-01)" in again.stderr
    # The person sees their own, resolved; a peer is refused before anything is read.
    act_as(monkeypatch, "CR-01")
    own = json.loads(cli("--study", root, "wellbeing", "show", "A-0006", "--json").stdout)
    assert (own["status"], own["resolution_note"]) == ("resolved", "Called; CR-01 is OK")
    act_as(monkeypatch, "CR-03")
    refused = cli("--study", root, "wellbeing", "resolve", "A-0004", input="x\n")
    assert refused.exit_code == ExitCode.NOT_PERMITTED
    assert "CR-02" not in refused.output


def test_an_alert_kept_in_plain_text_by_an_older_version_is_encrypted_by_rekey(
    example_study, cli, monkeypatch
) -> None:
    """Studies from before alerts were encrypted: doctor says so; the lead's rekey fixes it."""
    root = example_study.root
    note_readers = sealed.readers_for(example_study, "alert", "CR-03")
    old_note = sealed.seal(b"Spoke on the phone.", note_readers).decode("ascii").strip()
    (root / "alerts" / "A-0001.yaml").write_text(
        "id: A-0001\nperson: CR-03\nlevel: contact-requested\ncontact_requested: true\n"
        "raised: 2026-11-23T17:00:00+00:00\nstatus: resolved\ncheckin: CI-0003\n"
        "resolved_by: WB-01\nresolved_at: 2026-11-24T09:00:00+00:00\nnote_encrypted: |\n"
        + "".join(f"  {line}\n" for line in old_note.splitlines())
    )
    git(example_study, "add", "alerts")
    git(example_study, "-c", "user.name=WB-01", "-c", "user.email=w@b.invalid", "commit", "-qm",
        "an old version's alert", "--no-verify")  # fmt: skip
    assert cli("--study", str(root), "doctor").exit_code == ExitCode.INVALID
    act_as(monkeypatch, "WB-01")
    report = json.loads(
        cli("--study", str(root), "keys", "rekey", "alert", "--json", "--yes").stdout
    )
    assert "alerts/A-0001.yaml (encrypted as alerts/CR-03/A-0005.age)" in report["rekeyed"]
    assert not (root / "alerts" / "A-0001.yaml").exists()
    shown = json.loads(cli("--study", str(root), "wellbeing", "show", "A-0005", "--json").stdout)
    assert (shown["person"], shown["status"], shown["checkin"]) == ("CR-03", "resolved", "CI-0003")
    assert shown["resolution_note"] == "Spoke on the phone."
    problems = json.loads(cli("--study", str(root), "doctor", "--json").stdout)
    assert [p for p in problems if p["severity"] == "error"] == []


def test_listing_reads_each_alert_file_once(example_study, monkeypatch) -> None:
    """One pass in this process: every alert and resolution file decrypted once."""
    from prosper_coop.crypto.sealed import Keyring
    from prosper_coop.wellbeing import alerts

    ring = Keyring(example_study, person="WB-01")
    seen: list[str] = []
    original = Keyring.decrypt

    def counting(self: Keyring, data: bytes, where: str) -> bytes | None:
        seen.append(where)
        return original(self, data, where)

    monkeypatch.setattr(Keyring, "decrypt", counting)
    states = alerts.list_alerts(example_study, ring, viewer="WB-01")
    assert [s.alert.id for s in states] == ["A-0004", "A-0002"]
    files = sorted(str(p.relative_to(example_study.root)) for p in _sealed(example_study))
    assert sorted(seen) == files


def _sealed(study: Study) -> list[Path]:
    return [*study.root.glob("alerts/*/A-*.age"), *study.root.glob("resolutions/AR-*.age")]
