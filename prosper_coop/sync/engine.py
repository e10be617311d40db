"""Working as a team: a git remote, ``sync``, ``clone`` and renumbering clashing IDs.

Git is the engine. ``sync`` fetches, merges and pushes with git; the custom
merge drivers in :mod:`prosper_coop.sync.merge` (named in the study's committed
``.gitattributes``, configured in each clone's ``.git/config``) merge records
field by field and never leave conflict markers.

IDs are short sequential numbers (``T-0028``) so people can say them aloud.
When two machines create the same ID before syncing, ``sync`` renumbers the
local (not yet shared) record to the next free number on both sides before
merging, and rewrites every reference to it in the local records, in one
commit whose message names the renumbering. Encrypted records cannot be
rewritten without a key: a renumbered person's are moved to the new ID as they
are, and ``renumbered/`` records which IDs to read differently inside them
(:mod:`prosper_coop.crypto.renumbered`).
"""

from __future__ import annotations

import random
import re
import shlex
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prosper_coop.core import guard, journal, yamlio
from prosper_coop.core.errors import (
    ConflictError,
    GitError,
    InvalidInputError,
    NotAStudyError,
    NotFoundError,
    UserError,
)
from prosper_coop.core.fsutil import atomic_write, atomic_write_text
from prosper_coop.core.git import StudyRepo, clone, identity_env, install_hook
from prosper_coop.core.study import STUDY_FILE, Study
from prosper_coop.sync import merge as merging

REMOTE = "origin"
GITATTRIBUTES_FILE = ".gitattributes"
GITATTRIBUTES = """\
# prosper-coop: how git merges study files on sync (see the prosper-coop docs,
# docs/guides/coordinator.md, "Working as a team")
*.yaml merge=prosper-coop
*.age merge=prosper-coop-age
"""
DRIVERS = {"prosper-coop": "yaml", "prosper-coop-age": "age"}
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
OTHER = "other file"


# -- setting up ------------------------------------------------------------------------


def driver_command(kind: str, python: str | None = None) -> str:
    """The command git runs to merge a file of ``kind`` (yaml or age)."""
    interpreter = shlex.quote(python or sys.executable)
    return f"{interpreter} -m prosper_coop merge-driver {kind} %O %A %B %P"


def drivers_configured(root: Path) -> bool:
    """Whether ``.git/config`` already names this interpreter's merge drivers."""
    from prosper_coop.sync.quick import drivers_configured as named

    try:
        text = (root / ".git" / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return named(text)


def configure_drivers(root: Path) -> bool:
    """Name the merge drivers in the clone's git config (idempotent); True if changed."""
    if drivers_configured(root):
        return False
    repo = StudyRepo(root)
    for name, kind in DRIVERS.items():
        repo.set_config(f"merge.{name}.name", f"prosper-coop {kind} merge")
        repo.set_config(f"merge.{name}.driver", driver_command(kind))
    # git keeps a cache of untracked folders so checking for unsaved edits stays quick.
    repo.set_config("core.untrackedCache", "true")
    return True


def write_gitattributes(root: Path) -> None:
    """Write the ``.gitattributes`` that sends study files to the merge drivers."""
    atomic_write_text(root / GITATTRIBUTES_FILE, GITATTRIBUTES)


def _ensure_gitattributes(study: Study, actor: str, intent: journal.Intent) -> bool:
    """Commit ``.gitattributes`` in studies made before sync existed; True if added."""
    target = study.root / GITATTRIBUTES_FILE
    current = target.read_text(encoding="utf-8") if target.is_file() else ""
    if all(f"merge={name}" in current for name in DRIVERS):
        return False
    if not target.exists():
        intent.created([GITATTRIBUTES_FILE])
    text = current + ("\n" if current and not current.endswith("\n") else "") + GITATTRIBUTES
    atomic_write_text(target, text)
    study.repo.add([GITATTRIBUTES_FILE])
    study.repo.commit(
        "sync: add merge rules (.gitattributes)",
        actor,
        [GITATTRIBUTES_FILE],
        signing_key=study.signing_key(actor),
    )
    return True


# -- the remote ------------------------------------------------------------------------
def remote_url(study: Study) -> str | None:
    """The study's remote address, or ``None`` when none is set."""
    return study.repo.config_value(f"remote.{REMOTE}.url")


@dataclass(frozen=True)
class RemoteResult:
    """What ``remote set`` did."""

    url: str
    previous: str | None
    reachable: bool
    detail: str = ""


def set_remote(study: Study, url: str) -> RemoteResult:
    """Point the study at ``url`` (any git URL or a local bare repository path)."""
    url = url.strip()
    if not url or url.startswith("-") or any(ch in url for ch in "\n\r\0"):
        raise InvalidInputError(
            f"{url!r} is not a usable remote address",
            "Give a git URL, e.g. git@example.org:team/study.git or /srv/git/study.git",
        )
    local = Path(url).expanduser()
    if "://" not in url and not re.match(r"^[\w.-]+@[\w.-]+:", url) and local.exists():
        url = str(local.resolve())
    previous = remote_url(study)
    with study.lock():
        if previous is None:
            study.repo.add_remote(REMOTE, url)
        else:
            study.repo.set_remote_url(REMOTE, url)
        configure_drivers(study.root)
    reachable, detail = study.repo.remote_reachable(url)
    return RemoteResult(url, previous, reachable, detail)


# -- describing changes ----------------------------------------------------------------
@dataclass(frozen=True)
class RecordChange:
    """One record (or other file) that changed."""

    type: str
    id: str
    change: str  # added, changed, removed
    path: str

    def as_dict(self) -> dict[str, str]:
        """Plain data for --json."""
        return {"type": self.type, "id": self.id, "change": self.change, "path": self.path}


CHANGE_WORDS = {"A": "added", "M": "changed", "D": "removed", "T": "changed"}


def describe_path(path: str) -> tuple[str, str]:
    """(record type, record ID) for a study path; other files are (``other file``, path)."""
    from prosper_coop.core.records import by_folder
    from prosper_coop.wellbeing import erasure

    top, _, rest = path.partition("/")
    rtype = by_folder().get(top)
    name = path.rsplit("/", 1)[-1]
    if top == erasure.FOLDER and "/" not in rest and name.endswith(".yaml"):
        return "erasure", name.removesuffix(".yaml")
    if rtype is None or not rest or not name.endswith((".yaml", ".age")):
        return OTHER, path
    if merging.SIDECAR_MARK in name:
        return OTHER, path
    return rtype.name, name.split(".", 1)[0]


def changes_between(study: Study, old: str, new: str) -> list[RecordChange]:
    """Records (and files) that differ between two commits."""
    if old == new:
        return []
    found = []
    for status, path in study.repo.files_changed(old, new):
        if path.endswith("/.gitkeep"):
            continue
        rtype, record_id = describe_path(path)
        found.append(RecordChange(rtype, record_id, CHANGE_WORDS.get(status[0], "changed"), path))
    return found


@dataclass
class SyncResult:
    """What ``sync`` did (or, with ``--dry-run``, would do)."""

    url: str
    branch: str
    dry_run: bool = False
    incoming: list[RecordChange] = field(default_factory=list)
    outgoing: list[RecordChange] = field(default_factory=list)
    renumbered: dict[str, str] = field(default_factory=dict)
    merge_commit: str | None = None
    fast_forward: bool = False
    pushed: bool = False
    sidecars: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    setup_commit: bool = False
    whoami_moved: tuple[str, str] | None = None
    # Rendered files changed on both computers: path -> the render whose version was kept.
    outputs_kept: dict[str, str] = field(default_factory=dict)
    # Files of erased people that came back from the other side and were removed again.
    erased_again: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        """Nothing came in and nothing went out."""
        return not self.incoming and not self.outgoing and not self.renumbered

    @staticmethod
    def counts(changes: list[RecordChange]) -> dict[str, int]:
        """Number of changed records per record type."""
        return dict(sorted(Counter(change.type for change in changes).items()))

    def as_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {
            "remote": self.url,
            "branch": self.branch,
            "dry_run": self.dry_run,
            "up_to_date": self.up_to_date,
            "incoming": {
                "counts": self.counts(self.incoming),
                "records": [c.as_dict() for c in self.incoming],
            },
            "outgoing": {
                "counts": self.counts(self.outgoing),
                "records": [c.as_dict() for c in self.outgoing],
            },
            "renumbered": self.renumbered,
            "merge_commit": self.merge_commit,
            "fast_forward": self.fast_forward,
            "pushed": self.pushed,
            "kept_beside": self.sidecars,
            "records_with_conflicts": self.conflicts,
            "whoami_moved": list(self.whoami_moved) if self.whoami_moved else None,
            "outputs_kept": self.outputs_kept,
            "erased_again": self.erased_again,
        }


# -- sync ------------------------------------------------------------------------------
def _branch(study: Study) -> str:
    branch = study.repo.current_branch()
    if branch is None:
        raise ConflictError(
            "the study is not on a branch (git is in 'detached HEAD' state)",
            "Go back to the main branch with: git checkout main, then sync again.",
        )
    return branch


def _abort_leftover_merge(study: Study) -> None:
    """Undo a merge left half-done by an interrupted sync (local commits are safe)."""
    git_dir = study.root / ".git"
    if (git_dir / "MERGE_HEAD").exists():
        study.repo.abort_merge()
    sidecars = git_dir / merging.SIDECARS_FILE
    if sidecars.exists():
        for rel in sidecars.read_text(encoding="utf-8").splitlines():
            path = study.root / rel
            if rel and path.is_file() and study.repo.changed_paths([rel]).get(rel) == "??":
                path.unlink()
        sidecars.unlink()


def _refuse_unsaved(study: Study) -> None:
    unsaved = sorted(study.repo.changed_paths())
    if unsaved:
        more = f" (and {len(unsaved) - 1} more)" if len(unsaved) > 1 else ""
        raise ConflictError(
            f"{unsaved[0]}{more} has changes that are not saved yet",
            "Sync shares only saved work. Save your edits first with: "
            "prosper-coop save -m 'what you changed', then run prosper-coop sync again. "
            "Nothing was changed.",
        )


# Someone may push between our fetch and our push (or at the same instant): merge again.
PUSH_ROUNDS = 8
# What git says when another push won the race; any of them means "fetch, merge, try again".
RACE_LOST = (
    "fetch first",
    "non-fast-forward",
    "cannot lock ref",
    "failed to update ref",
    "incorrect old value",
    "stale info",
)
RETRY_PAUSE_SECONDS = 0.1  # times the round number, with jitter, so racers fall out of step


def sync(study: Study, *, dry_run: bool = False) -> SyncResult:
    """Fetch from the remote, merge record by record, and push; report both directions.

    Refuses (changing nothing) when files have unsaved hand edits. If someone
    else pushed in the meantime (or won a race for the remote's branch) it
    fetches and merges again. A failed push leaves the merge here and the remote
    as it was: run ``sync`` again to finish.

    Everything it does to the work tree and index is one transaction
    (:func:`prosper_coop.core.journal.intent`): stopped at any instant, by an
    error or a kill, the study is left at its last commit or at a new one (the
    renumbering, the merge), never half-way, and the next command tidies up.
    """
    url = remote_url(study)
    if url is None:
        raise NotFoundError(
            "this study has no remote to sync with yet",
            "Set one with: prosper-coop remote set URL (ask your coordinator for the address).",
        )
    branch = _branch(study)
    actor = study.actor(must_exist=False)
    result = SyncResult(url=url, branch=branch, dry_run=dry_run)
    with study.lock():
        if dry_run:
            _refuse_unsaved(study)
            _sync_round(study, result, actor, None, last=True)
            return result
        study.recover(locked=True)  # a command stopped half-way is undone or finished first
        _abort_leftover_merge(study)
        _refuse_unsaved(study)
        # Never share a private key, a link or a plain-text sensitive file, even one
        # committed by hand with --no-verify.
        guard.refuse_unsafe_files(study.root, "sync")
        configure_drivers(study.root)
        with journal.intent(study.root, "sync", head=study.repo.commit_id("HEAD")) as intent:
            result.setup_commit = _ensure_gitattributes(study, actor, intent)
            for round_number in range(1, PUSH_ROUNDS + 1):
                last = round_number == PUSH_ROUNDS
                if not _sync_round(study, result, actor, intent, last=last):
                    break
                time.sleep(RETRY_PAUSE_SECONDS * round_number * random.uniform(0.5, 1.5))
        if result.merge_commit or result.fast_forward:
            from prosper_coop.sync.conflicts import records_with_conflicts

            result.conflicts = records_with_conflicts(study)
    return result


def _fetch(study: Study, url: str, branch: str) -> str | None:
    """Fetch the remote branch; return its tip (``None`` if the remote has none yet)."""
    tracking = f"refs/remotes/{REMOTE}/{branch}"
    try:
        study.repo.fetch(REMOTE, f"+refs/heads/{branch}:{tracking}")
    except GitError as exc:
        if "couldn't find remote ref" not in exc.message:
            raise GitError(
                f"could not fetch from {url}: {exc.message.removeprefix('git fetch failed: ')}",
                "Nothing was changed. Check the address (prosper-coop remote set URL) "
                "and your connection, then run prosper-coop sync again.",
            ) from None
    return study.repo.commit_id(tracking)


def _merge_base(study: Study, local: str, remote: str | None, url: str) -> str:
    if remote is None:
        return EMPTY_TREE
    base = study.repo.merge_base(local, remote)
    if base is None:
        raise ConflictError(
            f"the remote {url} holds a different study (no shared history)",
            "Check the address with: git remote -v. To join that study instead, "
            "use: prosper-coop clone URL NEW-FOLDER",
        )
    return base


def _sync_round(
    study: Study, result: SyncResult, actor: str, intent: journal.Intent | None, *, last: bool
) -> bool:
    """Fetch, merge and push once; True if someone pushed first and it should run again.

    ``intent`` is the sync's durable intent (``None`` only for a dry run).
    """
    remote = _fetch(study, result.url, result.branch)
    local = study.repo.commit_id("HEAD")
    assert local is not None
    base = _merge_base(study, local, remote, result.url)
    known = {change.path for change in result.incoming}
    incoming = changes_between(study, base, remote) if remote else []
    result.incoming += [change for change in incoming if change.path not in known]
    result.outgoing = changes_between(study, base, local)
    if intent is None:  # a dry run
        if remote and base != remote and base != local:
            result.renumbered = plan_renumbering(study, base, local, remote)
        return False
    if remote is not None and remote != local and not study.repo.is_ancestor(remote, local):
        if base == local:
            study.repo.fast_forward(remote)
            result.fast_forward = True
        else:
            renumbered = renumber_collisions(study, base, local, remote, actor, intent)
            if renumbered:
                result.renumbered.update(renumbered)
                result.whoami_moved = _follow_whoami(study, renumbered) or result.whoami_moved
                actor = renumbered.get(actor, actor)
                new_local = study.repo.commit_id("HEAD")
                assert new_local is not None
                result.outgoing = changes_between(study, base, new_local)
                local = new_local
            result.merge_commit = _merge(
                study, _Sides(base, local, remote), actor, result, incoming, intent
            )
    if study.repo.commit_id("HEAD") == remote:
        return False
    try:
        study.repo.push(REMOTE, f"HEAD:refs/heads/{result.branch}")
    except GitError as exc:
        detail = exc.message.removeprefix("git push failed: ")
        if not last and any(sign in detail for sign in RACE_LOST):
            return True
        raise GitError(
            f"could not send your changes to {result.url}: {detail}",
            "Everything that came in is merged here and nothing was lost. "
            "Run prosper-coop sync again to finish (it picks up where this stopped).",
        ) from None
    result.pushed = True
    return False


def _move_signing_key(study: Study, old: str, new: str) -> None:
    """The person acting here was renumbered: their signing key follows them to the new ID."""
    from prosper_coop.core.configdir import signing_key_path

    uid = study.settings.uid
    source, target = signing_key_path(uid, old), signing_key_path(uid, new)
    if source.is_file() and not target.exists():
        source.with_name(source.name + ".pub").replace(target.with_name(target.name + ".pub"))
        source.replace(target)


def _follow_whoami(study: Study, renumbered: dict[str, str]) -> tuple[str, str] | None:
    """If this computer's ``whoami`` was renumbered, point it at the new ID."""
    from prosper_coop.core import localconfig

    uid = study.settings.uid
    current = localconfig.study_settings(uid).get("whoami")
    if current in renumbered:
        localconfig.set_study_setting(uid, "whoami", renumbered[current])
        return str(current), renumbered[current]
    return None


@dataclass(frozen=True)
class _Sides:
    """The three commits of a merge: where both sides last agreed, ours, and theirs."""

    base: str
    local: str
    remote: str


def _merge(
    study: Study,
    sides: _Sides,
    actor: str,
    result: SyncResult,
    incoming: list[RecordChange],
    intent: journal.Intent,
) -> str:
    """Merge the remote into HEAD with the study's drivers; commit as ``actor``.

    Before committing, rendered files changed on both sides are settled (the newer
    render's version is kept) and files of erased people are removed again, so
    neither ever stops a sync nor undoes an erasure.
    """
    git_dir = study.root / ".git"
    env = {
        **identity_env(actor),
        merging.ENV_OURS: sides.local,
        merging.ENV_THEIRS: sides.remote,
        merging.ENV_GIT_DIR: str(git_dir),
    }
    merge_failed: GitError | None = None
    try:
        study.repo.merge_without_commit(sides.remote, env)
    except GitError as exc:
        merge_failed = exc
    sidecar_list = git_dir / merging.SIDECARS_FILE
    sidecars: list[str] = []
    if sidecar_list.exists():
        sidecars = sorted(set(sidecar_list.read_text(encoding="utf-8").splitlines()) - {""})
    intent.created(sidecars)  # the drivers noted them too, before writing them
    if not (git_dir / "MERGE_HEAD").exists():
        raise merge_failed or GitError("git merge stopped before it began")
    result.outputs_kept = _settle_rendered_files(study, sides)
    stages = study.repo.unmerged_stages()
    both = sorted(
        path
        for path, found in stages.items()
        if {"2", "3"} <= found and path not in result.outputs_kept
    )
    if both:
        raise ConflictError(
            f"{both[0]} could not be merged automatically (it does not read as a valid file)",
            "Nothing was changed here or on the remote. Run prosper-coop doctor to find the "
            "problem, fix and save it, then run prosper-coop sync again.",
        )
    # Changed on one side and removed on the other: the changed version is kept.
    kept = sorted(path for path in stages if path not in result.outputs_kept)
    study.repo.add(kept + sidecars)
    result.erased_again = _keep_erasures(study)
    result.sidecars = [path for path in sidecars if path not in result.erased_again]
    what = f"merge {len(incoming)} change(s) from {REMOTE}"
    if result.renumbered:
        pairs = ", ".join(f"{old} -> {new}" for old, new in result.renumbered.items())
        what += f", after renumbering {pairs}"
    if result.outputs_kept:
        what += ", kept the newer render of " + ", ".join(sorted(result.outputs_kept))
    if result.erased_again:
        what += f", removed {len(result.erased_again)} file(s) of erased people again"
    sha = study.repo.commit(f"sync: {what} (sync)", actor, signing_key=study.signing_key(actor))
    sidecar_list.unlink(missing_ok=True)
    return sha


# -- rendered files: derived, so they never clash ----------------------------------------------
def _rendered_paths(study: Study) -> dict[str, list[tuple[str, str]]]:
    """Path of every rendered file -> (render record ID, sha256 of its bytes) of each render.

    Read from the render records in the work tree (both sides' after a merge).
    """
    from prosper_coop.core.records import get

    found: dict[str, list[tuple[str, str]]] = {}
    rtype = get("render")
    for path in study.record_files(rtype):
        try:
            data = yamlio.loads(yamlio.decode(path.read_bytes(), study.rel(path)), study.rel(path))
        except (UserError, OSError):
            continue  # doctor reports an unreadable record; its files are not settled here
        if not isinstance(data, dict) or not isinstance(data.get("files"), list):
            continue
        for entry in data["files"]:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                found.setdefault(entry["path"], []).append(
                    (str(data.get("id", path.stem)), str(entry.get("sha256", "")))
                )
    return found


def _settle_rendered_files(study: Study, sides: _Sides) -> dict[str, str]:
    """Keep the newer version of each rendered file changed on both sides; path -> its render.

    Rendered files (``outputs/``, or any file a render record lists) are made from
    the records, so two versions are never merged line by line: the version
    committed last wins (the same choice on every computer), the render records
    that made the other version say ``replaced_by`` the render that was kept,
    and ``render`` makes it afresh whenever wanted.
    """
    import hashlib

    from prosper_coop.outputs.render import DEFAULT_OUT

    repo = study.repo
    ours = {path for _, path in repo.files_changed(sides.base, sides.local)}
    theirs = {path for _, path in repo.files_changed(sides.base, sides.remote)}
    candidates = sorted(ours & theirs)
    if not candidates:
        return {}
    renders = _rendered_paths(study)
    derived = [p for p in candidates if p in renders or p.startswith(f"{DEFAULT_OUT}/")]
    kept: dict[str, str] = {}
    replaced: dict[str, str] = {}
    for path in derived:
        mine = repo.blobs_in(sides.local, [path]).get(path)
        other = repo.blobs_in(sides.remote, [path]).get(path)
        if mine is None or other is None or mine == other:
            continue  # removed on one side (the changed one is kept), or the same bytes
        newer = max(
            (repo.last_change_time(sides.local, path), mine),
            (repo.last_change_time(sides.remote, path), other),
        )[1]
        blobs = repo.read_blobs([mine, other])
        winner = hashlib.sha256(blobs[newer]).hexdigest()
        loser = hashlib.sha256(blobs[other if newer == mine else mine]).hexdigest()
        made_by = renders.get(path, [])
        winners = [rid for rid, sha in made_by if sha == winner]
        kept[path] = max(winners, key=_id_number) if winners else ""
        if winners:
            for rid, sha in made_by:
                if sha == loser and rid not in winners:
                    replaced[rid] = kept[path]
        atomic_write(study.root / path, blobs[newer])
        study.repo.add([path])
    _mark_replaced(study, replaced)
    return kept


def _id_number(record_id: str) -> int:
    match = _NUMBERED.match(record_id)
    return int(match.group(2)) if match else 0


def _mark_replaced(study: Study, replaced: dict[str, str]) -> None:
    """Say in each render record whose files were replaced which render replaced them."""
    from prosper_coop.core.records import get
    from prosper_coop.core.study import to_yaml

    rtype = get("render")
    changed = []
    for render_id, by in sorted(replaced.items()):
        path = study.path_of(rtype, render_id)
        record = study.read_file(path, rtype.model)
        if getattr(record, "replaced_by", None) == by:
            continue
        atomic_write(path, to_yaml(record.model_copy(update={"replaced_by": by})).encode("utf-8"))
        changed.append(study.rel(path))
    study.repo.add(changed)


# -- erasures win ---------------------------------------------------------------------------
def _keep_erasures(study: Study) -> list[str]:
    """Remove (and stage the removal of) every file of an erased person the merge kept.

    Another computer may have changed an erased person's records before it heard
    of the erasure (``keys rekey``, an alert resolved): git keeps a changed file
    that the other side removed, so the erasure records (``erased/``) decide.
    """
    from prosper_coop.wellbeing import erasure

    removed: list[str] = []
    for person in sorted(erasure.erased_people(study.root)):
        removed += erasure.person_files(study, person)
    for rel in removed:
        (study.root / rel).unlink(missing_ok=True)
        _remove_empty_folders(study, rel)
    study.repo.add(removed)
    return removed


# -- ID collisions -------------------------------------------------------------------------
_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def _both_added(
    study: Study, base: str, local: str, remote: str
) -> list[tuple[str, str, str, bool]]:
    """(record type name, ID, path, differs) of plain records both sides created since ``base``.

    Encrypted records are left out: sync cannot read them, so it never renumbers them
    (both versions are kept by the ``*.age`` driver instead). Those of a renumbered
    person are moved to the new ID by :func:`_relabel_sealed`.
    """
    from prosper_coop.core.records import by_folder

    both = sorted(study.repo.files_added(base, local) & study.repo.files_added(base, remote))
    found = []
    for path in both:
        rtype_name, record_id = describe_path(path)
        rtype = by_folder().get(path.split("/", 1)[0])
        if rtype_name == OTHER or rtype is None or rtype.sensitive or not path.endswith(".yaml"):
            continue
        shas = study.repo.object_ids(f"{local}:{path}", f"{remote}:{path}")
        found.append((rtype.name, record_id, path, len(shas) != 2 or shas[0] != shas[1]))
    return found


def _refers_to(study: Study, commit: str, rel: str, old: set[str]) -> bool:
    """Whether the record at ``rel`` as committed in ``commit`` refers to any ``old`` ID."""
    text = study.repo.file_text(commit, rel)
    if not any(needle in text for needle in old):
        return False
    try:
        raw = yamlio.loads(text, rel)
    except UserError:  # an unreadable record is merged (and reported) by git
        return False
    from prosper_coop.crypto.renumbered import replace_ids

    mapping = dict.fromkeys(old, "")
    return bool(replace_ids(raw, mapping) != raw)


def plan_renumbering(study: Study, base: str, local: str, remote: str) -> dict[str, str]:
    """Old ID -> new ID for every local record whose ID the remote also created."""
    return _plan(study, base, local, remote)[0]


def _plan(
    study: Study, base: str, local: str, remote: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The renumbering (old ID -> new ID) and each old ID's record type name.

    A record both sides created identically is one record, not a clash, unless
    it refers to a record being renumbered: after the references are rewritten
    the two differ (a checklist run about this machine's session ``S-0001``,
    renumbered to ``S-0002``), so it is renumbered too.
    """
    from prosper_coop.core.records import get

    candidates = _both_added(study, base, local, remote)
    pending = [(name, rid) for name, rid, _, differs in candidates if differs]
    alike = [(name, rid, rel) for name, rid, rel, differs in candidates if not differs]
    plan: dict[str, str] = {}
    type_of: dict[str, str] = {}
    taken: dict[str, set[str]] = {}
    while pending:
        for type_name, old_id in pending:
            rtype = get(type_name)
            if type_name not in taken:
                ids = {
                    name.rsplit("/", 1)[-1].split(".", 1)[0]
                    for name in study.repo.files_in_tree(remote, rtype.folder)
                    if merging.SIDECAR_MARK not in name
                }
                ids |= {path.stem for path in study.record_files(rtype)}
                if type_name == "person":
                    # A person's encrypted files are moved to the new ID: it must be unused.
                    ids |= _owners_with_sealed_files(study, remote)
                taken[type_name] = ids
            match = _NUMBERED.match(old_id)
            if match is None:
                continue
            prefix, digits = match.groups()
            numbers = [
                int(m.group(2))
                for other in taken[type_name]
                if (m := _NUMBERED.match(other)) is not None and m.group(1) == prefix
            ]
            new_id = f"{prefix}{max(numbers, default=0) + 1:0{len(digits)}d}"
            if not rtype.pattern.fullmatch(new_id):
                continue  # no room left in the ID's form: git's merge keeps both as a conflict
            taken[type_name].add(new_id)
            plan[old_id] = new_id
            type_of[old_id] = type_name
        changing = [
            item
            for item in alike
            if item[1] not in plan and plan and _refers_to(study, local, item[2], set(plan))
        ]
        alike = [item for item in alike if item not in changing]
        pending = [(name, rid) for name, rid, _ in changing]
    return plan, type_of


def _owners_with_sealed_files(study: Study, commit: str) -> set[str]:
    """Person IDs that own encrypted files here or in ``commit`` (even without a person)."""
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed

    owners: set[str] = set()
    for type_name in (*sealed.PER_PERSON, *sealed.PERSON_KEYED):
        rtype = get(type_name)
        listing = study.repo.files_in_tree(commit, rtype.folder)
        folder = study.root / rtype.folder
        here = [study.rel(path) for path in folder.rglob("*.age")] if folder.is_dir() else []
        for rel in [*listing, *here]:
            folder_name, _, name = rel.rpartition("/")
            record_name = name.split(merging.SIDECAR_MARK, 1)[0].removesuffix(".age")
            if name.endswith(".age") and record_name:
                path = Path(folder_name) / f"{record_name}.age"
                owner = sealed.owner_of(rtype, path)
                if owner:
                    owners.add(owner)
    return owners


def _relabel_sealed(
    study: Study, base: str, local: str, plan: dict[str, str]
) -> dict[str, bytes | None]:
    """Moves of this computer's encrypted files to renumbered people, and the registry entry.

    Sync cannot decrypt, so it moves the files this computer added since ``base``
    that belong to a renumbered person (``plans/CR-05.age`` -> ``plans/CR-06.age``,
    spare copies too) unchanged, and records in ``renumbered/`` which IDs to read
    differently in every encrypted file this computer added since ``base`` (see
    :mod:`prosper_coop.crypto.renumbered`). Files from before ``base`` are left alone.
    Returns path -> new bytes (``None``: remove).
    """
    from prosper_coop.core.records import by_folder
    from prosper_coop.crypto import renumbered as relabel
    from prosper_coop.crypto import sealed

    earlier = relabel.registry(study.root)
    writes: dict[str, bytes | None] = {}
    covered: dict[str, tuple[str, dict[str, str]]] = {}
    for rel in sorted(study.repo.files_added(base, local)):
        rtype = by_folder().get(rel.split("/", 1)[0])
        if rtype is None or not rtype.sensitive or not rel.endswith(rtype.suffix):
            continue
        data = (study.root / rel).read_bytes()
        target = sealed.renumbered_path(rtype, rel, plan) or rel
        if target != rel:
            if target in writes or (study.root / target).exists():
                raise ConflictError(
                    f"{rel} cannot move to {target}: a file is already there",
                    "Nothing was changed. Run prosper-coop doctor, then ask your "
                    "coordinator before syncing again.",
                )
            writes[rel] = None
            writes[target] = data
        fingerprint = relabel.fingerprint(data)
        covered[target] = (fingerprint, relabel.compose(earlier.get(fingerprint, {}), plan))
    if covered:
        text = relabel.event_text(plan, covered)
        writes[relabel.event_path(study.root, text)] = text.encode("utf-8")
    return writes


def renumber_collisions(
    study: Study,
    base: str,
    local: str,
    remote: str,
    actor: str,
    intent: journal.Intent | None = None,
) -> dict[str, str]:
    """Renumber local records whose IDs the remote also created; commit; return the map.

    Runs inside ``sync``, which already holds the study lock, so it writes and
    commits itself (a :class:`~prosper_coop.core.study.Change` would wait on that
    lock) with the same care: the worktree was clean before, so on any failure
    a hard reset to HEAD puts back exactly what was there. Files it is about to
    create are named in sync's ``intent`` first, so that a kill at any instant
    leaves nothing half-staged for ``save`` to pick up: the next command puts the
    study back at its last commit.
    """
    from prosper_coop.core import guard
    from prosper_coop.core.records import RECORD_TYPES
    from prosper_coop.core.study import parse_model, to_yaml
    from prosper_coop.crypto.renumbered import replace_ids

    plan, type_of = _plan(study, base, local, remote)
    if not plan:
        return {}
    needles = [old.encode("utf-8") for old in plan]
    writes: dict[str, bytes | None] = {}
    for rtype in RECORD_TYPES:
        if rtype.sensitive:
            continue
        for path in study.record_files(rtype):
            data = path.read_bytes()
            if not any(needle in data for needle in needles):
                continue
            rel = study.rel(path)
            text = yamlio.decode(data, rel)
            raw = yamlio.loads(text, rel)
            replaced = replace_ids(raw, plan)
            if replaced == raw:
                continue
            record = parse_model(rtype.model, yamlio.dumps(replaced), rel)
            new_path = study.path_of(rtype, getattr(record, "id"))  # noqa: B009
            new_rel = study.rel(new_path)
            if new_rel != rel:
                writes[rel] = None
            writes[new_rel] = to_yaml(record).encode("utf-8")
    writes.update(_relabel_sealed(study, base, local, plan))
    writes.update(_move_erasure_records(study, base, local, plan))
    for rel, content in writes.items():
        leak = guard.check_blob(rel, content) if content is not None else None
        if leak is not None:
            raise ConflictError(f"{leak.path}: {leak.problem}", "Nothing was changed.")
    if intent is not None:
        intent.created(
            sorted(
                rel
                for rel, data in writes.items()
                if data is not None and not (study.root / rel).exists()
            )
        )
    try:
        # New files first, then removals: a file moved is never missing on disk.
        for rel, content in sorted(writes.items(), key=lambda item: item[1] is None):
            target = study.root / rel
            if content is None:
                target.unlink(missing_ok=True)
                _remove_empty_folders(study, rel)
            else:
                atomic_write(target, content)
        study.repo.add(sorted(writes))
        pairs = ", ".join(f"{type_of[old]} {old} -> {new}" for old, new in plan.items())
        author = plan.get(actor, actor)
        if author != actor:
            _move_signing_key(study, actor, author)
        study.repo.commit(
            f"sync: renumber {pairs}, also made on another machine ({', '.join(plan.values())})",
            author,
            sorted(writes),
            signing_key=study.signing_key(author),
        )
    except BaseException:
        study.repo.reset_hard()
        for rel, content in writes.items():
            if content is not None and study.repo.changed_paths([rel]).get(rel) == "??":
                (study.root / rel).unlink(missing_ok=True)
                _remove_empty_folders(study, rel)
        raise
    return plan


def _move_erasure_records(
    study: Study, base: str, local: str, plan: dict[str, str]
) -> dict[str, bytes | None]:
    """Erasure records this computer made since ``base`` for renumbered people, moved along.

    Left behind, ``erased/CR-03.yaml`` would erase the other computer's CR-03.
    """
    from prosper_coop.wellbeing import erasure

    writes: dict[str, bytes | None] = {}
    for rel in sorted(study.repo.files_added(base, local)):
        folder, _, name = rel.rpartition("/")
        person = name.removesuffix(".yaml")
        if folder == erasure.FOLDER and person in plan:
            writes[rel] = None
            writes[erasure.record_path(plan[person])] = erasure.record_text(plan[person]).encode()
    return writes


def _remove_empty_folders(study: Study, rel: str) -> None:
    """Remove the folders of ``rel`` that are left empty (up to the study root)."""
    folder = (study.root / rel).parent
    while folder != study.root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


# -- clone -----------------------------------------------------------------------------
def _check_out_study_branch(root: Path) -> None:
    """Check out ``main`` (or the only branch) when the remote's HEAD names no branch.

    A bare repository made with ``git init --bare`` may point HEAD at a branch
    nobody pushed (``master``) while the study lives on ``main``.
    """
    repo = StudyRepo(root)
    branches = repo.remote_branches(REMOTE)
    chosen = "main" if "main" in branches else (branches[0] if len(branches) == 1 else None)
    if chosen is not None:
        repo.check_out_tracking(REMOTE, chosen)


def clone_study(url: str, target: Path) -> Study:
    """Make a new local copy of the study at ``url`` in ``target``, ready to sync."""
    target = target.expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConflictError(
            f"{target} already exists and is not an empty folder",
            "Choose a new folder name, e.g.: prosper-coop clone URL my-study",
        )
    created = not target.exists()
    local = Path(url).expanduser()
    if "://" not in url and local.exists():
        url = str(local.resolve())
    try:
        _clone(url, target)
        root = target.resolve()
        if not (root / STUDY_FILE).is_file():
            _check_out_study_branch(root)
        if not (root / STUDY_FILE).is_file():
            raise NotAStudyError(
                f"{url} does not hold a prosper-coop study (no {STUDY_FILE})",
                "Check the address. An empty remote is filled from an existing study with: "
                "prosper-coop remote set URL, then prosper-coop sync",
            )
        configure_drivers(root)
        install_hook(root)
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        elif target.is_dir():
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise
    return Study(root)


def _clone(url: str, target: Path) -> None:
    """``git clone``, with git's reason for failing said in the study's words."""
    try:
        clone(url, target)
    except GitError as exc:
        detail = exc.message.removeprefix("git clone failed: ")
        raise GitError(
            f"could not copy the study from {url}: {detail}",
            "Check the address and your access to it, then try again.",
        ) from None
