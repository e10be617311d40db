"""Who could read each encrypted record when it was last written, told from the history.

An age file does not say whom it is encrypted to: a reader cannot be told from
its header without their private key. Git must not say it either, so no plain
list of who reads which record is kept. What the history does say is when each
record file was last written, and how the verified person records (status,
roles, reading key) and ``wellbeing/recipients.yaml`` stood then. The tool
encrypts a record to the readers those verified records named at that moment,
so they remain its readers until it is written again (``keys rekey``).

This is cheap enough for ``status``: three ``git log`` calls and one ``git
ls-tree``, and nothing is decrypted. When the history cannot say for sure
(a change that did not verify, two branches that disagree, a file written in a
merge), the person does not count as a reader then. So a new reader is named
rather than missed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from prosper_coop.core.git import StudyRepo
    from prosper_coop.core.study import Study
    from prosper_coop.crypto.policy import ReaderPolicy

POLICY_PATH = "wellbeing/recipients.yaml"
PEOPLE_FOLDER = "people"
ZERO = "0" * 40
# Where every timeline starts: before the study's first commit.
START = ""

T = TypeVar("T")


@dataclass(frozen=True)
class Holder:
    """What in a person's record decides what they read: their key, status and roles."""

    key: str | None
    active: bool
    roles: frozenset[str]


NOBODY = Holder(None, False, frozenset())


@dataclass
class Timeline(Generic[T]):
    """The values something took, each from the commit that made it so (oldest first)."""

    starts: list[str]
    values: list[T]
    dates: list[str]

    @classmethod
    def beginning(cls, value: T) -> Timeline[T]:
        """A timeline holding ``value`` from before the first commit."""
        return cls([START], [value], [""])

    def add(self, commit: str, value: T, date: str) -> None:
        """``value`` from ``commit`` on (nothing is added when it does not change)."""
        if value != self.values[-1]:
            self.starts.append(commit)
            self.values.append(value)
            self.dates.append(date)


@dataclass
class _Commit:
    sha: str
    date: str
    changes: list[tuple[str, str]] = field(default_factory=list)  # (path, new blob)


def _log(repo: StudyRepo, *args: str) -> Iterator[_Commit]:
    """Commits of ``git log ARGS`` with the files each changed (against its first parent)."""
    raw = repo.raw_log(
        "--raw", "-z", "--no-renames", "--no-abbrev", "--format=%x01%H %cs%x02", *args
    )
    for chunk in raw.split(b"\x01")[1:]:
        header, _, body = chunk.partition(b"\x02")
        sha, _, date = header.decode("ascii", "replace").partition(" ")
        commit = _Commit(sha, date.strip())
        fields = body.lstrip(b"\0\n").split(b"\0")
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.decode("ascii", "replace").split()
            if len(parts) == 5:
                commit.changes.append((path.decode("utf-8", "surrogateescape"), parts[3]))
        yield commit


def _holder(data: bytes | None) -> Holder:
    """The reading part of a person record file (NOBODY when it cannot be read)."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import UserError

    if not data:
        return NOBODY
    try:
        record = yamlio.loads(yamlio.decode(data, "person record"), "person record")
    except UserError:
        return NOBODY
    if not isinstance(record, dict):
        return NOBODY
    key = record.get("age_recipient")
    roles = record.get("roles") or []
    return Holder(
        str(key) if isinstance(key, str) and key else None,
        str(record.get("status") or "active") == "active",
        frozenset(str(role) for role in roles) if isinstance(roles, list) else frozenset(),
    )


def _policy(data: bytes | None) -> ReaderPolicy | None:
    """Who reads what, from a version of ``recipients.yaml`` (the shipped one when absent);
    None when it cannot be read (nobody counts as a reader under it)."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import UserError
    from prosper_coop.crypto.policy import parse_reader_policy, reader_policy

    try:
        if data is None:
            return reader_policy(None)
        mapping = yamlio.loads(yamlio.decode(data, POLICY_PATH), POLICY_PATH)
        return parse_reader_policy(mapping, POLICY_PATH) if isinstance(mapping, dict) else None
    except UserError:
        return None


def reads(
    policy: ReaderPolicy | None, kind: str, owner: str | None, person: str, holder: Holder
) -> str | None:
    """The key ``person`` read records of ``kind`` (``owner``'s) with, or None if not a reader.

    The rule :func:`prosper_coop.crypto.sealed.readers_for` applies: an active holder
    of a reading role, or the owner (when the policy says ``person``), with a key.
    """
    if policy is None or holder.key is None:
        return None
    if holder.active and holder.roles.intersection(policy.roles(kind)):
        return holder.key
    if owner is not None and person == owner and policy.includes_person(kind):
        return holder.key
    return None


class ReaderHistory:
    """The verified people and reader rules over the study's history, and who could read
    a record written at a given commit.
    """

    def __init__(self, study: Study) -> None:
        self.study = study
        self.people: dict[str, Timeline[Holder]] = {}
        self.policy: Timeline[ReaderPolicy | None] = Timeline.beginning(_policy(None))
        self._bits: dict[str, int] = {}
        self._bit: dict[str, int] = {}
        self._cache: dict[tuple[int, str, str | None], dict[str, str]] = {}
        self._built = False
        self.head = study.repo.commit_id("HEAD")

    def _build(self) -> None:
        """Read the history, once, when first asked (listing files written needs none of it)."""
        if self._built:
            return
        self._built = True
        if self.head is None:
            return
        self._replay()
        self._ancestry()

    # -- building ---------------------------------------------------------------------
    def _replay(self) -> None:
        """Walk the changes to person records and reader rules, oldest first, leaving out
        those that did not verify (:mod:`prosper_coop.trust.verify`)."""
        from prosper_coop.trust.state import verified

        checked = verified(self.study)
        if not checked.state.people:
            return  # nothing in the study verifies: nobody was a reader
        # (Past verify's limit on findings, a later refused change is not known here; its
        # person never counts as a reader now, which is what a rekey writes for.)
        refused = {(f.commit, path) for f in checked.findings for path in f.paths}
        repo = self.study.repo
        commits = list(
            _log(
                repo,
                "--topo-order",
                "--reverse",
                "--diff-merges=first-parent",
                "--",
                PEOPLE_FOLDER,
                POLICY_PATH,
            )
        )
        wanted = {new for c in commits for _path, new in c.changes if new != ZERO}
        blobs = repo.read_blobs(sorted(wanted))
        for commit in commits:
            for path, new in commit.changes:
                if (commit.sha, path) in refused:
                    continue  # it does not count: what verified before still stands
                data = None if new == ZERO else blobs.get(new)
                if path == POLICY_PATH:
                    self.policy.add(commit.sha, _policy(data), commit.date)
                    continue
                parts = path.split("/")
                if len(parts) == 2 and parts[1].endswith(".yaml"):
                    person = parts[1].removesuffix(".yaml")
                    timeline = self.people.setdefault(person, Timeline.beginning(NOBODY))
                    timeline.add(commit.sha, _holder(data), commit.date)

    def _ancestry(self) -> None:
        """For every commit, which timeline changes it comes after (a bit for each)."""
        starts = {s for t in self.people.values() for s in t.starts[1:]}
        starts.update(self.policy.starts[1:])
        bit = {sha: 1 << index for index, sha in enumerate(sorted(starts))}
        raw = self.study.repo.raw_log("--topo-order", "--reverse", "--format=%H %P")
        bits = self._bits
        for line in raw.decode("ascii", "replace").splitlines():
            sha, *parents = line.split()
            value = bit.get(sha, 0)
            for parent in parents:
                value |= bits.get(parent, 0)
            bits[sha] = value
        self._bit = bit

    # -- asking -----------------------------------------------------------------------
    def _in_effect(self, timeline: Timeline[T], bits: int) -> list[T]:
        """The values of ``timeline`` at a commit whose history holds the changes ``bits``.

        One on a straight history; more when branches changed it differently.
        """
        found: list[T] = []
        starts = timeline.starts
        for index, start in enumerate(starts):
            if start != START and not bits & self._bit[start]:
                continue
            if index + 1 < len(starts) and bits & self._bit[starts[index + 1]]:
                continue
            found.append(timeline.values[index])
        return found

    def era(self, commit: str | None) -> int | None:
        """Which changes of readers ``commit`` comes after: commits with the same era had
        the same readers (None for a commit the history does not know)."""
        self._build()
        return None if commit is None else self._bits.get(commit)

    def readers_at(self, commit: str | None, kind: str, owner: str | None) -> dict[str, str]:
        """Who read a record of ``kind`` (``owner``'s) written in ``commit``: person -> key.

        Only people the history shows for sure; nobody for a commit it does not know.
        """
        self._build()
        if commit is None or commit not in self._bits:
            return {}
        bits = self._bits[commit]
        cached = self._cache.get((bits, kind, owner))
        if cached is not None:
            return cached
        policies = self._in_effect(self.policy, bits)
        found: dict[str, str] = {}
        for person, timeline in self.people.items():
            keys = {
                reads(policy, kind, owner, person, holder)
                for policy in policies
                for holder in self._in_effect(timeline, bits)
            }
            if len(keys) == 1:
                key = keys.pop()
                if key is not None:
                    found[person] = key
        self._cache[(bits, kind, owner)] = found
        return found

    def holders_at(self, commit: str | None) -> dict[str, Holder]:
        """Each person's key, status and roles in ``commit``, where the history is sure."""
        self._build()
        if commit is None or commit not in self._bits:
            return {}
        bits = self._bits[commit]
        found: dict[str, Holder] = {}
        for person, timeline in self.people.items():
            values = set(self._in_effect(timeline, bits))
            if len(values) == 1:
                found[person] = values.pop()
        return found

    def since(self, person: str) -> str | None:
        """The date the person's key, status or roles last changed, as far as they verify."""
        self._build()
        timeline = self.people.get(person)
        return (timeline.dates[-1] or None) if timeline else None

    def last_written(self, folders: Sequence[str]) -> dict[str, str | None]:
        """For each file under ``folders`` as committed at HEAD, the commit that wrote it so.

        None for a file whose version came only from a merge: who read it cannot be
        told, so nobody counts as its reader then. Kept in a cache beside the
        repository's own files (:data:`WRITTEN_CACHE`), so only new commits are read
        after the first time.
        """
        repo = self.study.repo
        head = self.head
        if head is None:
            return {}
        at_head = {path: sha for _mode, sha, _size, path in repo.tree_files("HEAD", folders)}
        cached, tip = _read_written(self.study.root, folders)
        if tip is not None and tip != head and not repo.is_ancestor(tip, head):
            cached, tip = {}, None  # history was rewritten: read all of it again
        found: dict[str, str] = {}
        if tip != head:
            since = [f"{tip}..{head}"] if tip is not None else []
            for commit in _log(repo, *since, "--", *folders):
                for path, new in commit.changes:
                    if path not in found and at_head.get(path) == new:
                        found[path] = commit.sha
        written: dict[str, str | None] = {}
        for path, blob in sorted(at_head.items()):
            before = cached.get(path)
            written[path] = found.get(path) or (before[1] if before and before[0] == blob else None)
        if tip != head:
            entries = {p: (at_head[p], c) for p, c in written.items() if c is not None}
            _write_written(self.study.root, folders, head, entries)
        return written


# The commit that last wrote each sealed file, as of a commit: a cache (safe to delete).
WRITTEN_CACHE = "prosper-coop-written.json"
WRITTEN_VERSION = 1


def _read_written(
    root: Path, folders: Sequence[str]
) -> tuple[dict[str, tuple[str, str]], str | None]:
    import json

    try:
        data = json.loads((root / ".git" / WRITTEN_CACHE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}, None
    if (
        not isinstance(data, dict)
        or data.get("version") != WRITTEN_VERSION
        or data.get("folders") != sorted(folders)
        or not isinstance(data.get("tip"), str)
        or not isinstance(data.get("files"), dict)
    ):
        return {}, None
    entries = {
        str(path): (str(pair[0]), str(pair[1]))
        for path, pair in data["files"].items()
        if isinstance(pair, list) and len(pair) == 2
    }
    return entries, data["tip"]


def _write_written(
    root: Path, folders: Sequence[str], tip: str, entries: dict[str, tuple[str, str]]
) -> None:
    import json

    from prosper_coop.core.fsutil import atomic_write

    folder = root / ".git"
    if not folder.is_dir():
        return
    data = {
        "version": WRITTEN_VERSION,
        "folders": sorted(folders),
        "tip": tip,
        "files": {path: list(pair) for path, pair in entries.items()},
    }
    with contextlib.suppress(OSError):  # only a cache: the next command reads the history
        atomic_write(folder / WRITTEN_CACHE, json.dumps(data, sort_keys=True).encode("utf-8"))
