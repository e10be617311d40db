"""Sync with real git: a bare repository as the remote and several clones."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
import pytest

from prosper_coop import doctor
from prosper_coop.core import guard, yamlio
from prosper_coop.core.errors import ConflictError, ExitCode, GitError, NotFoundError
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.crypto import sealed
from prosper_coop.sync import conflicts
from prosper_coop.sync import engine as sync
from prosper_coop.tasks.models import TaskStatus
from prosper_coop.wellbeing.models import CheckIn
from tests.helpers import git
from tests.sync.helpers import (
    TODAY,
    add_note,
    add_person,
    add_task,
    edit_task,
    make_team,
    tasks_by_title,
)

# Real git processes, many of them: see the slow marker in pyproject.toml.
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Key:
    """A real age key pair; check-ins in these tests are encrypted to it."""

    identity: Any
    recipient: str


@pytest.fixture
def key() -> Key:
    identity = pyrage.x25519.Identity.generate()
    return Key(identity, str(identity.to_public()))


def write_checkin(
    study: Study,
    key: Key,
    checkin_id: str,
    note: str,
    *,
    person: str = "CR-01",
    when: str | None = None,
) -> str:
    """Commit a real, encrypted check-in (``checkins/CR-01/CI-0001.age``); return its path."""
    checkin = CheckIn(
        id=checkin_id, person=person, at=dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC), distress=3,
        note=note,
    )  # fmt: skip
    readers = sealed.Readers("checkin", person, (person,), (key.recipient,), ())
    old = os.environ.get("GIT_COMMITTER_DATE")
    if when:
        os.environ["GIT_COMMITTER_DATE"] = when
    try:
        with study.change("wellbeing", "check-in", checkin_id) as change:
            rel = sealed.write(change, get("checkin"), checkin, readers)
    finally:
        if old is None:
            os.environ.pop("GIT_COMMITTER_DATE", None)
        else:
            os.environ["GIT_COMMITTER_DATE"] = old
    return rel


def note_in(path: Path, key: Key) -> str:
    """The note of the encrypted check-in at ``path`` (decrypted with the test key)."""
    data = path.read_bytes()
    assert guard.is_age_ciphertext(data)
    plain = pyrage.decrypt(data, [key.identity]).decode("utf-8")
    return str(CheckIn.model_validate(yamlio.loads(plain, "check-in")).note)


@pytest.fixture
def acting(monkeypatch: pytest.MonkeyPatch):
    """``acting("CR-01")`` makes the next commands run as that person."""

    def set_actor(person: str) -> None:
        monkeypatch.setenv("PROSPER_COOP_AS", person)

    return set_actor


def heads(*studies: Study) -> set[str]:
    return {git(s, "rev-parse", "HEAD").strip() for s in studies}


def test_three_clones_interleaved_changes_lose_nothing(sealed_env: Path, key: Key, acting) -> None:
    remote, (a, b, c) = make_team(sealed_env)
    people_a = add_person(b, "placeholder")  # b's own person, then shared below
    assert people_a == "CR-02"
    sync.sync(b)
    sync.sync(a)
    sync.sync(c)

    # Round 1: a and b create the same IDs (T-0001, CR-03) without knowing of each other.
    acting("CO-01")
    t_a = add_task(a, "Plan focus groups", tags=["fieldwork"])
    add_person(a, "Ana")
    checkin = write_checkin(a, key, "CI-0001", "first check-in")
    assert checkin == "checkins/CR-01/CI-0001.age"
    with a.change("wp", "rename", "WP1") as change:
        wp = a.load(get("workpackage"), "WP1")
        wp.title = "Interviews and focus groups"
        change.save(wp)
    acting("CR-01")
    t_b = add_task(b, "Transcribe pilot interview")
    add_task(b, "Code pilot transcript", depends=[t_b])
    acting("CO-01")  # only a coordinator adds people (a co-researcher's add would not count)
    add_person(b, "Ben")
    acting("CR-01")
    with b.change("wp", "move end", "WP1") as change:
        wp = b.load(get("workpackage"), "WP1")
        wp.end = dt.date(2027, 3, 31)
        change.save(wp)
    assert t_a == t_b == "T-0001"

    acting("CO-01")
    sync.sync(a)
    acting("CR-01")
    result_b = sync.sync(b)
    assert result_b.renumbered == {"T-0001": "T-0003", "CR-03": "CR-04"}
    assert "renumber" in git(b, "log", "-2", "--format=%s")
    acting("CR-02")
    sync.sync(c)

    tasks = tasks_by_title(c)
    assert tasks["Code pilot transcript"].depends == [tasks["Transcribe pilot interview"].id]
    assert sorted(p.alias for p in c.load_all(get("person"))) == [
        "Ana",
        "Ben",
        "Co-researcher one",
        "Study coordinator",
        "placeholder",
    ]
    wp = c.load(get("workpackage"), "WP1")
    assert (wp.title, wp.end) == ("Interviews and focus groups", dt.date(2027, 3, 31))

    # Round 2: the same task changed on all three; the check-in changed on two.
    focus = tasks["Plan focus groups"].id
    acting("CR-02")
    edit_task(c, focus, status=TaskStatus.DOING)
    add_note(c, focus, "Booked the room", hour=10, by="CR-02")
    acting("CO-01")
    edit_task(a, focus, status=TaskStatus.BLOCKED, blocked_reason="Waiting for ethics")
    add_note(a, focus, "Asked the ethics committee", hour=9)
    write_checkin(a, key, "CI-0001", "older edit", when="2026-11-26T09:00:00+00:00")
    acting("CR-01")
    edit_task(b, focus, tags=["fieldwork", "ppi"])
    write_checkin(b, key, "CI-0001", "newer edit", when="2026-11-26T11:00:00+00:00")

    acting("CR-02")
    sync.sync(c)
    acting("CO-01")
    result_a = sync.sync(a)
    assert result_a.conflicts == [focus]
    acting("CR-01")
    result_b = sync.sync(b)
    assert len(result_b.sidecars) == 1
    acting("CR-02")
    sync.sync(c)
    acting("CO-01")
    sync.sync(a)
    assert len(heads(a, b, c) | {git(remote, "rev-parse", "main").strip()}) == 1

    for study in (a, b, c):
        assert git(study, "status", "--porcelain") == ""
        task = study.load(get("task"), focus)
        assert [n.text for n in task.notes] == ["Asked the ethics committee", "Booked the room"]
        assert task.tags == ["fieldwork", "ppi"]
        assert task.blocked_reason == "Waiting for ethics"
        # Status and blocked_reason belong together: both sides' are kept, to choose as one.
        by_field = {c.field: c for c in task.conflicts}
        assert sorted(by_field) == ["blocked_reason", "status"]
        clash, reason = by_field["status"], by_field["blocked_reason"]
        assert {clash.mine, clash.theirs} == {"blocked", "doing"}
        assert {reason.mine, reason.theirs} == {"Waiting for ethics", None}
        assert {clash.mine_by, clash.theirs_by} == {"CO-01", "CR-02"}
        folder = study.root / "checkins" / "CR-01"
        checkins = sorted(p.name for p in folder.glob("*.age"))
        assert checkins[0] == "CI-0001.age"
        assert re.fullmatch(r"CI-0001\.conflict-[0-9a-f]{10}\.age", checkins[1])
        assert note_in(folder / "CI-0001.age", key) == "newer edit"
        assert note_in(folder / checkins[1], key) == "older edit"
        # The copy kept beside is not a check-in of its own.
        assert [p.name for p in study.record_files(get("checkin"))] == ["CI-0001.age"]
        assert conflicts.kept_beside(study) == [f"checkins/CR-01/{checkins[1]}"]
        found = doctor.check_study(study)
        assert [p for p in found if p.severity == "error"] == []
        assert any("status was changed on two computers" in p.message for p in found)
    merges = git(a, "log", "--merges", "--format=%an|%s").splitlines()
    assert merges and all(line.split("|")[0] in {"CO-01", "CR-01", "CR-02"} for line in merges)

    # Resolving is one commit, and the resolution travels.
    acting("CO-01")
    resolved = conflicts.resolve(a, focus, "theirs", "status")
    assert resolved.remaining == 0
    assert set(resolved.fields) == {"status", "blocked_reason"}  # taken together
    sync.sync(a)
    sync.sync(c)
    assert c.load(get("task"), focus).conflicts == []
    assert conflicts.conflict_rows(c) == []


def test_renumbering_names_what_changed_and_updates_references(sealed_env: Path) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    add_task(a, "From a, too")
    mine = add_task(b, "From b")
    follow = add_task(b, "Follows b", depends=[mine])
    edit_task(b, follow, title="Follows b (edited)")
    sync.sync(a)
    result = sync.sync(b)
    assert result.renumbered == {"T-0001": "T-0003", "T-0002": "T-0004"}
    subjects = git(b, "log", "--format=%s").splitlines()
    assert any(
        s.startswith("sync: renumber task T-0001 -> T-0003, task T-0002 -> T-0004")
        for s in subjects
    )
    by_title = tasks_by_title(b)
    assert by_title["From a"].id == "T-0001"
    assert by_title["Follows b (edited)"].depends == ["T-0003"]
    assert sorted(t.id for t in by_title.values()) == ["T-0001", "T-0002", "T-0003", "T-0004"]


def test_refused_push_leaves_both_sides_consistent_and_second_sync_finishes(
    sealed_env: Path,
) -> None:
    remote, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    sync.sync(a)
    add_task(b, "From b")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the server is read-only today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = git(remote, "rev-parse", "main").strip()
    with pytest.raises(GitError) as caught:
        sync.sync(b)
    assert caught.value.exit_code == ExitCode.ERROR
    assert "sync again" in (caught.value.hint or "")
    assert git(remote, "rev-parse", "main").strip() == before
    assert git(b, "status", "--porcelain") == ""
    assert sorted(tasks_by_title(b)) == ["From a", "From b"]
    hook.unlink()
    result = sync.sync(b)
    assert result.pushed and result.merge_commit is None and not result.incoming
    sync.sync(a)
    assert heads(a, b) == {git(remote, "rev-parse", "main").strip()}
    assert sorted(t.id for t in tasks_by_title(a).values()) == ["T-0001", "T-0002"]


def test_killed_sync_then_second_sync_no_loss_no_duplicate(sealed_env: Path, run_cli) -> None:
    remote, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    sync.sync(a)
    add_task(b, "From b")
    started = sealed_env / "push-started"
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ntouch {started}\nsleep 30\nexit 0\n")
    hook.chmod(0o755)
    before = git(remote, "rev-parse", "main").strip()
    script = Path(sys.executable).parent / "prosper-coop"
    process = subprocess.Popen(
        [str(script), "sync"],
        cwd=b.root,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    hook.unlink()
    assert git(remote, "rev-parse", "main").strip() == before
    result = run_cli("sync", cwd=b.root)
    assert result.returncode == 0, result.stderr
    sync.sync(a)
    assert heads(a, b) == {git(remote, "rev-parse", "main").strip()}
    assert sorted(t.title for t in a.load_all(get("task"))) == ["From a", "From b"]


def test_half_done_merge_is_undone_before_syncing(sealed_env: Path) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    task = add_task(a, "Shared")
    sync.sync(a)
    sync.sync(b)
    edit_task(a, task, title="Shared (a)")
    sync.sync(a)
    add_task(b, "Only b")
    git(b, "fetch", "-q", "origin")
    # As if a sync was killed in the middle of git's merge.
    git(
        b,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "merge",
        "--no-commit",
        "--no-ff",
        "origin/main",
    )
    assert (b.root / ".git" / "MERGE_HEAD").exists()
    result = sync.sync(b)
    assert result.merge_commit is not None
    assert sorted(tasks_by_title(b)) == ["Only b", "Shared (a)"]
    assert git(b, "status", "--porcelain") == ""


def test_sync_refuses_unsaved_hand_edits_and_changes_nothing(sealed_env: Path) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    sync.sync(a)
    path = b.root / "people" / "CR-01.yaml"
    path.write_text(path.read_text().replace("Co-researcher one", "Co-researcher 1"))
    head = git(b, "rev-parse", "HEAD")
    with pytest.raises(ConflictError) as caught:
        sync.sync(b)
    assert "save" in (caught.value.hint or "")
    assert git(b, "rev-parse", "HEAD") == head
    assert git(b, "status", "--porcelain").strip() == "M people/CR-01.yaml"
    assert "From a" not in tasks_by_title(b)


def test_dry_run_reports_and_changes_nothing(sealed_env: Path) -> None:
    remote, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    sync.sync(a)
    add_task(b, "From b")
    head = git(b, "rev-parse", "HEAD")
    remote_head = git(remote, "rev-parse", "main")
    result = sync.sync(b, dry_run=True)
    assert [(c.type, c.id, c.change) for c in result.incoming] == [("task", "T-0001", "added")]
    assert [(c.type, c.id, c.change) for c in result.outgoing] == [("task", "T-0001", "added")]
    assert result.renumbered == {"T-0001": "T-0002"}
    assert git(b, "rev-parse", "HEAD") == head and git(remote, "rev-parse", "main") == remote_head
    assert git(b, "status", "--porcelain") == ""


def test_changed_here_removed_there_keeps_the_change(sealed_env: Path) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    task = add_task(a, "Shared")
    sync.sync(a)
    sync.sync(b)
    with a.change("task", "remove", task) as change:
        change.delete(a.rel(a.path_of(get("task"), task)))
    sync.sync(a)
    edit_task(b, task, title="Shared, still needed")
    sync.sync(b)
    sync.sync(a)
    assert a.load(get("task"), task).title == "Shared, still needed"


def test_old_study_gets_merge_rules_on_first_sync(sealed_env: Path) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    with a.change("study", "drop merge rules", "") as change:
        change.delete(".gitattributes")
    result = sync.sync(a)
    assert result.setup_commit
    assert (a.root / ".gitattributes").read_text() == sync.GITATTRIBUTES
    assert "sync: add merge rules (.gitattributes)" in git(a, "log", "--format=%s")
    sync.sync(b)
    assert (b.root / ".gitattributes").read_text() == sync.GITATTRIBUTES


def test_errors_without_remote_and_with_another_study(sealed_env: Path, empty_study: Study) -> None:
    with pytest.raises(NotFoundError) as caught:
        sync.sync(empty_study)
    assert "remote set" in (caught.value.hint or "")
    other_remote, _ = make_team(sealed_env / "other", ("x",))
    sync.set_remote(empty_study, str(other_remote))
    head = git(empty_study, "rev-parse", "HEAD")
    with pytest.raises(ConflictError) as unrelated:
        sync.sync(empty_study)
    assert "different study" in unrelated.value.message
    assert git(empty_study, "rev-parse", "HEAD") == head


def test_unreachable_remote_changes_nothing(empty_study: Study, sealed_env: Path) -> None:
    result = sync.set_remote(empty_study, str(sealed_env / "nowhere.git"))
    assert not result.reachable
    head = git(empty_study, "rev-parse", "HEAD")
    with pytest.raises(GitError) as caught:
        sync.sync(empty_study)
    assert caught.value.message.startswith("could not fetch")
    assert git(empty_study, "rev-parse", "HEAD") == head


def test_encrypted_record_made_on_both_sides_keeps_both(sealed_env: Path, key: Key) -> None:
    """Encrypted records are never renumbered (sync cannot read them): both are kept."""
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    rel = write_checkin(a, key, "CI-0002", "made on a", when="2026-11-26T08:00:00+00:00")
    write_checkin(b, key, "CI-0002", "made on b", when="2026-11-26T12:00:00+00:00")
    sync.sync(a)
    result = sync.sync(b)
    assert result.renumbered == {}
    assert [(c.type, c.id) for c in result.incoming] == [("checkin", "CI-0002")]
    assert note_in(b.root / rel, key) == "made on b"
    (spare,) = result.sidecars
    assert re.fullmatch(r"checkins/CR-01/CI-0002\.conflict-[0-9a-f]{10}\.age", spare)
    assert note_in(b.root / spare, key) == "made on a"
    assert conflicts.kept_beside(b) == [spare]
    assert git(b, "status", "--porcelain") == ""
    found = doctor.check_study(b)
    assert [p for p in found if p.severity == "error"] == []
    assert [p.path for p in found if p.severity == "warning" and p.path == spare] == [spare]
    assert [p.name for p in b.record_files(get("checkin"))] == ["CI-0002.age"]
    assert b.next_id(get("checkin")) == "CI-0003"
    # Pushed: the other computer gets the same two files.
    sync.sync(a)
    assert note_in(a.root / rel, key) == "made on b"
    assert conflicts.kept_beside(a) == [spare]


def add_findings_and_sessions(study: Study, title: str) -> None:
    """A session, a checklist run about it, a theme, a recommendation on it, an hour logged."""
    from prosper_coop.outputs.findings import Audience, Recommendation, Theme
    from prosper_coop.outputs.involvement import InvolvementEntry
    from prosper_coop.people.models import ChecklistRun, Session, SessionType

    at = dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC)
    with study.change("study", f"add {title}", "new") as change:
        session = study.next_id(get("session"))
        change.save(
            Session(id=session, type=SessionType.INTERVIEW, date=TODAY, title=title,
                    facilitators=["CR-01"])
        )  # fmt: skip
        change.save(
            ChecklistRun(id=study.next_id(get("checklist")), definition="session-start",
                         version=1, fingerprint="0123456789abcdef", subject=session,
                         started=at, started_by="CR-01")
        )  # fmt: skip
        theme = study.next_id(get("theme"))
        change.save(Theme(id=theme, title=title))
        change.save(
            Recommendation(id=study.next_id(get("recommendation")), text=f"Act on {title}",
                           audience=Audience.PROVIDERS, theme=theme)
        )  # fmt: skip
        change.save(
            InvolvementEntry(id=study.next_id(get("involvement")), person="CR-01", date=TODAY,
                             hours=1.5, activity=title)
        )  # fmt: skip


def test_renumbering_covers_the_newer_plain_types_but_not_encrypted_ones(
    sealed_env: Path, key: Key
) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    add_findings_and_sessions(a, "from a")
    write_checkin(a, key, "CI-0001", "from a", when="2026-11-26T08:00:00+00:00")
    add_findings_and_sessions(b, "from b")
    write_checkin(b, key, "CI-0001", "from b", when="2026-11-26T09:00:00+00:00")
    sync.sync(a)
    result = sync.sync(b)
    assert result.renumbered == {
        "C-0001": "C-0002",
        "INV-00001": "INV-00002",
        "R-001": "R-002",
        "S-0001": "S-0002",
        "TH1": "TH2",
    }
    assert len(result.sidecars) == 1  # the check-in: both kept, neither renumbered
    sync.sync(a)
    for study in (a, b):
        assert git(study, "status", "--porcelain") == ""
        (mine,) = [s for s in study.load_all(get("session")) if s.title == "from b"]
        assert mine.id == "S-0002"
        runs = {r.id: r.subject for r in study.load_all(get("checklist"))}
        assert runs == {"C-0001": "S-0001", "C-0002": "S-0002"}
        themes = {t.id: t.title for t in study.load_all(get("theme"))}
        assert themes == {"TH1": "from a", "TH2": "from b"}
        recs = {r.id: r.theme for r in study.load_all(get("recommendation"))}
        assert recs == {"R-001": "TH1", "R-002": "TH2"}
        entries = {e.id: e.activity for e in study.load_all(get("involvement"))}
        assert entries == {"INV-00001": "from a", "INV-00002": "from b"}
        assert (study.root / "involvement/00/INV-00002.yaml").is_file()
        assert [p.name for p in study.record_files(get("checkin"))] == ["CI-0001.age"]
        assert note_in(study.root / "checkins/CR-01/CI-0001.age", key) == "from b"
        errors = [p for p in doctor.check_study(study) if p.severity == "error"]
        # Only the made-up checklist definition (the runs themselves are fine).
        assert {p.path for p in errors} == {"checklists/C-0001.yaml", "checklists/C-0002.yaml"}
        assert all("unknown checklist session-start" in p.message for p in errors)


def test_sidecar_mark_is_the_same_everywhere() -> None:
    from prosper_coop.core import study
    from prosper_coop.sync import merge as merging

    assert study.SIDECAR_MARK == merging.SIDECAR_MARK


def test_the_quick_path_knows_where_a_stopped_commands_intent_is() -> None:
    """The quick no-op check steps aside for the full sync, which tidies a stopped one up."""
    from prosper_coop.core import journal
    from prosper_coop.sync import quick

    assert quick.INTENT == (journal.JOURNAL_DIR, journal.INTENT_FILE)


def test_renumbered_person_who_is_me_moves_my_whoami(sealed_env: Path) -> None:
    from prosper_coop.core import localconfig

    _, (a, b) = make_team(sealed_env, ("a", "b"))
    add_person(a, "Someone else")
    me = add_person(b, "Me")
    localconfig.set_study_setting(b.settings.uid, "whoami", me)
    sync.sync(a)
    result = sync.sync(b)
    assert result.renumbered == {"CR-02": "CR-03"}
    assert result.whoami_moved == ("CR-02", "CR-03")
    assert localconfig.study_settings(b.settings.uid)["whoami"] == "CR-03"
    assert b.load(get("person"), "CR-03").alias == "Me"
    assert b.actor() == "CR-03"
    assert git(b, "log", "-2", "--format=%an").split() == ["CR-03", "CR-03"]


def test_someone_pushing_in_between_is_merged_too(
    sealed_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote, (a, b, c) = make_team(sealed_env)
    add_task(a, "From a")
    sync.sync(a)
    add_task(b, "From b")
    add_note_task = add_task(c, "From c")
    original = sync._merge
    calls = []

    def merge_then_c_pushes(*args, **kwargs):  # c pushes while b is merging
        sha = original(*args, **kwargs)
        if not calls:
            calls.append("c")
            assert sync.sync(c).pushed
        return sha

    monkeypatch.setattr(sync, "_merge", merge_then_c_pushes)
    result = sync.sync(b)
    assert calls and result.pushed
    assert git(remote, "rev-parse", "main") == git(b, "rev-parse", "HEAD")
    titles = sorted(t.title for t in b.load_all(get("task")))
    assert titles == ["From a", "From b", "From c"]
    assert len({t.id for t in b.load_all(get("task"))}) == 3
    assert add_note_task == "T-0001"


def test_a_lost_race_for_the_remote_branch_is_retried_like_fetch_first(sealed_env: Path) -> None:
    """Two pushes at once: git says "cannot lock ref ... failed to update ref"; sync ends 0.

    The remote's hook holds the branch's lock on the first push (as a racing push
    does), and lets go on the next.
    """
    remote, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    sync.sync(a)
    add_task(b, "From b")
    raced = sealed_env / "raced"
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        f'if [ -e "{raced}" ]; then rm -f refs/heads/main.lock; exit 0; fi\n'
        f'touch "{raced}" refs/heads/main.lock\n'
    )
    hook.chmod(0o755)
    result = sync.sync(b)
    assert raced.exists() and result.pushed
    assert git(remote, "rev-parse", "main") == git(b, "rev-parse", "HEAD")
    assert not (remote / "refs/heads/main.lock").exists()
    sync.sync(a)
    assert sorted(tasks_by_title(a)) == ["From a", "From b"]


def test_sync_never_shares_a_key_committed_by_hand_without_the_hook(sealed_env: Path) -> None:
    """``git commit --no-verify`` skips the hook; sync still refuses to send the key."""
    from prosper_coop.core.errors import ValidationError

    remote, (a,) = make_team(sealed_env, ("a",))
    before = git(remote, "rev-parse", "main").strip()
    key = str(pyrage.x25519.Identity.generate())
    (a.root / "notes.txt").write_text(f"# my key\n{key}\n")
    git(a, "add", "notes.txt")
    git(a, "-c", "user.name=Someone", "-c", "user.email=s@example.invalid", "commit", "-q", "--no-verify", "-m", "by hand")
    with pytest.raises(ValidationError, match=r"notes\.txt") as caught:
        sync.sync(a)
    assert "never shares a private key" in (caught.value.hint or "")
    assert git(remote, "rev-parse", "main").strip() == before
    assert key not in git(remote, "log", "--all", "-p")
