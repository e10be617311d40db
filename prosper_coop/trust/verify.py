"""Verify a study's history from its first commit: who signed each change, and whether
they held the role it needed then.

Anyone can hand-edit a file or run a modified tool, so what counts is what the
signed history proves. Walking every commit from the first (whoever ran ``init``
is the root of trust), a change to a role-restricted file counts only when the
commit is signed by the key in its author's verified person record, and that
person's verified roles allow it by the verified permission table, both as they
stood before the commit. Changes that do not verify are reported (commit, author,
what it tried) and left out of the verified state, but never block the team: the
files stay as they are. The verified state (people with their roles and keys, and
the verified version of each restricted file) is what chooses readers for
encrypted records and who may do what.

Role-restricted files (see :func:`rule_of`): person records, the permission
table, the protocols and checklist definitions, the wellbeing settings (who reads
what, the check-in form, signposting), ``study.yaml``, and checklist runs (ticks,
consent, withdrawals). Results are cached in ``.git/prosper-coop-trust/``, so
only new commits are checked after the first time. The cache is in
``.git/prosper-coop-trust/`` (never shared; delete it to check everything again).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosper_coop.core.fsutil import atomic_write
from prosper_coop.trust.table import table_allows

if TYPE_CHECKING:
    from prosper_coop.core.git import StudyRepo
    from prosper_coop.core.study import Study

RULES_VERSION = 2
CACHE_NAME = "trust.json"
SIGNATURES_NAME = "signatures.txt"
ALLOWED_SIGNERS = "allowed_signers"
MAX_FINDINGS = 1000
ZERO = "0" * 40


@dataclass
class TrustState:
    """What the history verified up to one commit."""

    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    blobs: dict[str, str] = field(default_factory=dict)  # restricted path -> verified blob

    def copy(self) -> TrustState:
        """A copy to change for the next commit."""
        return TrustState(dict(self.people), dict(self.blobs))

    def to_json(self) -> dict[str, Any]:
        """The state as JSON data (for the cache)."""
        return {"people": self.people, "blobs": self.blobs}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrustState:
        """The state from the cache."""
        return cls(dict(data.get("people") or {}), dict(data.get("blobs") or {}))

    def roles_of(self, person: str) -> set[str]:
        """The verified roles of an active person (none if they have left)."""
        record = self.people.get(person) or {}
        if record.get("status", "active") != "active":
            return set()
        return {str(role) for role in record.get("roles") or []}


@dataclass(frozen=True)
class Finding:
    """A commit whose change (or part of it) did not verify."""

    commit: str
    author: str
    problem: str
    paths: tuple[str, ...] = ()
    # "error": a restricted change (or the first commit) that does not count; "warning":
    # a change that cannot be tied to its author, or one settled since (the files as
    # they stand now are verified: someone allowed signed them, or put them back).
    level: str = "error"

    def to_json(self) -> dict[str, Any]:
        """As JSON data."""
        return {
            "commit": self.commit,
            "author": self.author,
            "problem": self.problem,
            "paths": list(self.paths),
            "level": self.level,
        }

    def describe(self) -> str:
        """One line: ``commit 1a2b3c4d by CR-02: changed ... (people/CR-02.yaml)``."""
        where = f" ({', '.join(self.paths[:3])}{', ...' if len(self.paths) > 3 else ''})"
        return f"commit {self.commit[:10]} by {self.author}: {self.problem}" + (
            where if self.paths else ""
        )


@dataclass(frozen=True)
class Verified:
    """The verified state at HEAD and what did not verify on the way."""

    head: str | None
    state: TrustState
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """Whether every commit verified."""
        return not self.findings


# -- which files are role-restricted ---------------------------------------------------
def rule_of(path: str) -> str | None:
    """The kind of rule a path's changes are checked by, or None if any signed change counts."""
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "people" and parts[1].endswith(".yaml"):
        return "person"
    if path == "protocols/permissions.yaml":
        return "permissions.edit"
    if parts[0] == "protocols":
        return "protocols.edit"
    if len(parts) == 2 and parts[0] == "wellbeing" and parts[1].endswith(".yaml"):
        return "protocols.edit"
    if path == "study.yaml":
        return "study.edit"
    if len(parts) == 2 and parts[0] == "checklists" and parts[1].endswith(".yaml"):
        return "checklist"
    return None


# -- the cache -------------------------------------------------------------------------
def _cache_dir(root: Path) -> Path:
    # Beside the journal's folder, not in it: this is a cache, safe to delete at any time.
    return root / ".git" / "prosper-coop-trust"


def _read_cache(root: Path) -> dict[str, Any] | None:
    path = _cache_dir(root) / CACHE_NAME
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != RULES_VERSION:
        return None
    return data


def _write_cache(root: Path, verified: Verified) -> None:
    folder = _cache_dir(root)
    if not folder.parent.is_dir():
        return
    folder.mkdir(exist_ok=True)
    data = {
        "version": RULES_VERSION,
        "tip": verified.head,
        "state": verified.state.to_json(),
        "findings": [finding.to_json() for finding in verified.findings],
    }
    atomic_write(folder / CACHE_NAME, json.dumps(data, sort_keys=True).encode("utf-8"))
    # For plain git: git -c gpg.ssh.allowedSignersFile=.git/prosper-coop-trust/allowed_signers
    # log --show-signature (the verified keys of today's team, by study ID).
    signers = "".join(
        f"{person} {record['signing_key']}\n"
        for person, record in sorted(verified.state.people.items())
        if isinstance(record.get("signing_key"), str)
    )
    atomic_write(folder / ALLOWED_SIGNERS, signers.encode("utf-8"))


def _read_signatures(root: Path) -> dict[str, str]:
    path = _cache_dir(root) / SIGNATURES_NAME
    found: dict[str, str] = {}
    try:
        text = path.read_text("ascii")
    except (OSError, ValueError):
        return found
    for line in text.splitlines():
        sha, _, result = line.partition(" ")
        if len(sha) == 40:
            found[sha] = result
    return found


def _write_signatures(root: Path, results: dict[str, str]) -> None:
    folder = _cache_dir(root)
    if not folder.parent.is_dir():
        return
    folder.mkdir(exist_ok=True)
    lines = "".join(f"{sha} {result}\n" for sha, result in sorted(results.items()))
    atomic_write(folder / SIGNATURES_NAME, lines.encode("ascii"))


# -- reading the history ---------------------------------------------------------------
@dataclass
class _Commit:
    sha: str
    parents: list[str]
    author: str
    changes: list[tuple[str, str, str]]  # (path, old blob, new blob); ZERO when absent


def _history(repo: StudyRepo, revisions: Sequence[str]) -> list[_Commit]:
    """Commits of ``revisions``, oldest first, each with its changes against its first parent."""
    output = repo.raw_log(
        "--reverse",
        "--topo-order",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "--diff-merges=first-parent",
        "--format=%x01%H %P%x02%an",
        *revisions,
    )
    commits: list[_Commit] = []
    for chunk in output.split(b"\x01")[1:]:
        header, _, rest = chunk.partition(b"\x02")
        shas = header.decode("ascii").split()
        author_raw, _, body = rest.partition(b"\0")
        changes: list[tuple[str, str, str]] = []
        fields = body.lstrip(b"\n").split(b"\0")
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.decode("ascii", "replace").split()
            if len(parts) != 5:
                continue
            changes.append((path.decode("utf-8", "surrogateescape"), parts[2], parts[3]))
        commits.append(
            _Commit(shas[0], shas[1:], author_raw.decode("utf-8", "replace").strip(), changes)
        )
    return commits


def _load_yaml(data: bytes) -> dict[str, Any] | None:
    """A record file's mapping as JSON data (dates as ISO text), or None if unreadable."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.validation import json_text

    try:
        loaded = yamlio.loads(data.decode("utf-8"), "record")
        if not isinstance(loaded, dict):
            return None
        converted = json.loads(json_text(loaded, "record"))
    except (UserError, UnicodeDecodeError, ValueError, TypeError):
        return None
    return converted if isinstance(converted, dict) else None


# -- the walk --------------------------------------------------------------------------
class _Walk:
    """Verify commits one by one, oldest first, each from its parents' verified states."""

    def __init__(self, repo: StudyRepo, signatures: dict[str, str]) -> None:
        self.repo = repo
        self.signatures = signatures
        self.blobs: dict[str, bytes] = {}
        self.findings: list[Finding] = []

    def read(self, shas: Sequence[str]) -> None:
        wanted = sorted({s for s in shas if s != ZERO and s not in self.blobs})
        if wanted:
            self.blobs.update(self.repo.read_blobs(wanted))

    def report(
        self, commit: _Commit, problem: str, paths: Sequence[str] = (), level: str = "error"
    ) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding(commit.sha, commit.author, problem, tuple(paths), level))

    def root(self, commit: _Commit) -> TrustState:
        """The first commit: the root of trust, signed by a coordinator it names."""
        from prosper_coop.trust.signing import fingerprint

        state = TrustState()
        self.read([new for _path, _old, new in commit.changes if rule_of(_path)])
        for path, _old, new in commit.changes:
            rule = rule_of(path)
            if rule is None:
                continue
            state.blobs[path] = new
            if rule == "person":
                record = _load_yaml(self.blobs.get(new, b""))
                if record is not None and record.get("id") == Path(path).stem:
                    state.people[str(record["id"])] = record
        founder = state.people.get(commit.author) or {}
        key = founder.get("signing_key")
        signed = self.signatures.get(commit.sha, "")
        if not (
            key
            and signed
            and signed != "!"
            and fingerprint(str(key)) == signed
            and "coordinator" in state.roles_of(commit.author)
        ):
            self.report(
                commit,
                "the study's first commit is not signed by the coordinator it names, so "
                "nothing in the study can be verified",
            )
            return TrustState()
        return state

    def signer(self, commit: _Commit, base: TrustState) -> tuple[str | None, str]:
        """Who signed ``commit`` as far as ``base`` shows, or None and why not."""
        from prosper_coop.trust.signing import fingerprint

        signed = self.signatures.get(commit.sha, "")
        if signed == "":
            return None, "not signed"
        if signed == "!":
            return None, "its signature does not check out"
        record = base.people.get(commit.author)
        if record is None:
            return None, f"signed, but {commit.author} is not a verified person in the study"
        key = record.get("signing_key")
        if key and fingerprint(str(key)) == signed:
            return commit.author, ""
        if not key:
            # Joining: the commit adds the author's first signing key, and is signed by it.
            own = f"people/{commit.author}.yaml"
            for path, _old, new in commit.changes:
                if path == own:
                    self.read([new])
                    added = (_load_yaml(self.blobs.get(new, b"")) or {}).get("signing_key")
                    if added and fingerprint(str(added)) == signed:
                        return commit.author, ""
            return None, f"signed by a key that is not {commit.author}'s"
        return None, (
            f"signed by a key that is not {commit.author}'s verified key (a new key waits "
            "for a coordinator to confirm it)"
        )

    def step(self, commit: _Commit, states: dict[str, TrustState]) -> TrustState:
        base = states[commit.parents[0]].copy()
        others = [states[p] for p in commit.parents[1:] if p in states]
        signer, why = self.signer(commit, base)
        table = _table(self._verified_bytes(base, "protocols/permissions.yaml"))
        restricted = [(p, o, n) for p, o, n in commit.changes if rule_of(p)]
        self.read([n for _p, _o, n in restricted] + [o for _p, o, _n in restricted])
        refused: list[tuple[str, str]] = []
        moved = self._renumbered(base, restricted) if signer is not None else set()
        for path, _old, new in restricted:
            if path in moved:
                continue
            # A merge may bring in a version already verified on the other side.
            if any(other.blobs.get(path, ZERO) == new for other in others):
                source = next(o for o in others if o.blobs.get(path, ZERO) == new)
                self._take(base, path, new, source)
                continue
            if signer is None:
                refused.append((path, why))
                continue
            problem = self._allowed(commit, signer, path, new, base, table, others)
            if problem is None:
                self._accept(base, path, new)
            else:
                refused.append((path, problem))
        if signer is None and not refused and commit.changes:
            self.report(commit, why + "; its changes cannot be tied to its author", (), "warning")
        for problem in sorted({p for _path, p in refused}):
            self.report(commit, problem, [path for path, p in refused if p == problem])
        return base

    def _renumbered(self, base: TrustState, restricted: list[tuple[str, str, str]]) -> set[str]:
        """Records sync renumbered in this commit: each is a verified record under a new ID.

        A record removed and one added in the same folder with the same content apart
        from its ID (and a renumbered person it refers to) is a move: the verified
        content stays verified under the new name. Applied to ``base``; returns the paths.
        """
        removed = {p: o for p, o, n in restricted if n == ZERO and p in base.blobs}
        added = {p: n for p, o, n in restricted if o == ZERO}
        if not removed or not added:
            return set()
        moves: dict[str, str] = {}  # old path -> new path
        renames: dict[str, str] = {}  # old ID -> new ID
        for kind in ("person", "checklist"):
            for old_path in removed:
                if rule_of(old_path) != kind:
                    continue
                old_data = _load_yaml(self._verified_bytes(base, old_path) or b"")
                if old_data is None:
                    continue
                for new_path, new_sha in added.items():
                    if new_path in moves.values() or rule_of(new_path) != kind:
                        continue
                    new_data = _load_yaml(self.blobs.get(new_sha, b""))
                    if new_data is not None and _same_apart_from_ids(old_data, new_data, renames):
                        moves[old_path] = new_path
                        renames[str(old_data.get("id"))] = str(new_data.get("id"))
                        break
        for old_path, new_path in moves.items():
            self._accept(base, old_path, ZERO)
            self._accept(base, new_path, added[new_path])
        return set(moves) | set(moves.values())

    def _verified_bytes(self, state: TrustState, path: str) -> bytes | None:
        sha = state.blobs.get(path)
        if sha is None:
            return None
        self.read([sha])
        return self.blobs.get(sha)

    def _take(self, base: TrustState, path: str, new: str, source: TrustState) -> None:
        if new == ZERO:
            base.blobs.pop(path, None)
        else:
            base.blobs[path] = new
        if rule_of(path) == "person":
            person = Path(path).stem
            if person in source.people:
                base.people[person] = source.people[person]
            else:
                base.people.pop(person, None)

    def _accept(self, base: TrustState, path: str, new: str) -> None:
        if new == ZERO:
            base.blobs.pop(path, None)
            if rule_of(path) == "person":
                base.people.pop(Path(path).stem, None)
            return
        base.blobs[path] = new
        if rule_of(path) == "person":
            record = _load_yaml(self.blobs.get(new, b""))
            if record is not None:
                base.people[Path(path).stem] = record

    def _allowed(
        self,
        commit: _Commit,
        signer: str,
        path: str,
        new: str,
        base: TrustState,
        table: Any,
        others: Sequence[TrustState] = (),
    ) -> str | None:
        """None if ``signer`` may make this change to ``path``; else what it tried.

        In a merge, what the other side's verified version already holds (a field, a
        tick) counts as verified there, so only what is new needs the signer's roles.
        """
        rule = rule_of(path)
        roles = base.roles_of(signer)
        old_data = (
            _load_yaml(self._verified_bytes(base, path) or b"") if path in base.blobs else None
        )
        new_data = None if new == ZERO else _load_yaml(self.blobs.get(new, b""))
        theirs = [
            data
            for other in others
            if path in other.blobs
            for data in [_load_yaml(self._verified_bytes(other, path) or b"")]
            if data is not None
        ]
        if new != ZERO and new_data is None and rule in ("person", "checklist"):
            return "wrote a record that cannot be read"

        def may(action: str, subject: str | None = None, facilitators: Sequence[str] = ()) -> bool:
            return table_allows(
                table,
                action,
                roles,
                is_self=subject == signer,
                is_facilitator=signer in facilitators,
            )

        if rule == "person":
            person = Path(path).stem
            if new_data is not None and new_data.get("id") != person:
                return "wrote a person record under another person's name"
            for action, problem in _person_actions(person, old_data, new_data, theirs):
                if action == "self" and person == signer:
                    continue
                if action == "self":
                    action = "people.edit"
                if not may(action, person):
                    return problem
            return None
        if rule == "checklist":
            return _checklist_problem(self, commit, signer, old_data, new_data, may, theirs)
        assert rule is not None
        if not may(rule):
            return {
                "permissions.edit": "changed the permission table",
                "protocols.edit": "changed the study's protocols or wellbeing settings",
                "study.edit": "changed the study's settings (study.yaml)",
            }.get(rule, f"made a change that needs {rule}")
        return None

    def session_facilitators(self, commit: _Commit, session: str) -> list[str]:
        parent = commit.parents[0] if commit.parents else commit.sha
        data = self.repo.file_bytes_or_none(parent, f"sessions/{session}.yaml")
        record = _load_yaml(data or b"") or {}
        found = record.get("facilitators") or []
        return [str(f) for f in found] if isinstance(found, list) else []


def _same_apart_from_ids(old: dict[str, Any], new: dict[str, Any], renames: dict[str, str]) -> bool:
    """Whether two records match once the ID, and people renumbered alongside, are set aside."""
    trimmed_old = {k: v for k, v in old.items() if k != "id"}
    trimmed_new = {k: v for k, v in new.items() if k != "id"}
    if "subject" in trimmed_old:
        trimmed_old["subject"] = renames.get(str(trimmed_old["subject"]), trimmed_old["subject"])
    return trimmed_old == trimmed_new


def _table(data: bytes | None) -> Any:
    """The permission table as verified (the shipped default when it has no verified version)."""
    from prosper_coop.core.errors import UserError
    from prosper_coop.trust.table import load_table, parse_table

    if data is not None:
        try:
            return parse_table(data.decode("utf-8"), "protocols/permissions.yaml")
        except (UserError, UnicodeDecodeError):
            pass  # a broken verified table: the shipped defaults
    return load_table(None)


# Fields a person may change in their own record (their keys, how they are credited).
SELF_FIELDS = {"signing_key", "age_recipient", "credit"}


def _person_actions(
    person: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    theirs: Sequence[dict[str, Any]] = (),
) -> Iterator[tuple[str, str]]:
    """The actions a change to a person record needs, with what it tried in plain words."""
    if old is None and new is not None:
        yield "people.add", f"added {person} to the study"
        return
    if new is None:
        yield "people.erase", f"removed {person}'s record"
        return
    assert old is not None
    changed = {
        k
        for k in set(old) | set(new)
        if old.get(k) != new.get(k) and all(other.get(k) != new.get(k) for other in theirs)
    }
    if changed & {"roles", "status"}:
        yield "people.roles", f"changed {person}'s roles or status"
    if changed & SELF_FIELDS:
        yield "self", f"changed {person}'s keys or credit"
    if changed - SELF_FIELDS - {"roles", "status"}:
        yield "people.edit", f"changed {person}'s record"


def _ticks(data: dict[str, Any] | None) -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for tick in (data or {}).get("ticks") or []:
        if isinstance(tick, dict):
            found.add((str(tick.get("item")), str(tick.get("by")), str(tick.get("at"))))
    return found


def _checklist_problem(
    walk: _Walk,
    commit: _Commit,
    signer: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    may: Any,
    theirs: Sequence[dict[str, Any]] = (),
) -> str | None:
    """None if ``signer`` may make this change to a checklist run; else what it tried."""
    data = new or old or {}
    name = str(data.get("definition") or "")
    subject = str(data.get("subject") or "")
    if name.startswith("safeguarding"):
        action = "safeguarding.tick"
    elif name.startswith("consent"):
        action = "consent.record"
    else:
        action = "checklist.tick"
    facilitators = walk.session_facilitators(commit, subject) if subject.startswith("S-") else []
    if new is None:
        return None if may("people.erase", subject) else f"removed the checklist run for {subject}"
    added = _ticks(new) - _ticks(old)
    for other in theirs:
        added -= _ticks(other)
    if any(by != signer for _item, by, _at in added):
        return f"recorded a tick on {subject}'s checklist in someone else's name"
    withdrawn = (new.get("withdrawal") or None) != ((old or {}).get("withdrawal") or None) and all(
        (other.get("withdrawal") or None) != (new.get("withdrawal") or None) for other in theirs
    )
    if withdrawn and not may("consent.withdraw", subject, facilitators):
        return f"recorded a consent withdrawal for {subject}"
    changed_other = {
        k
        for k in set(new) | set(old or {})
        if (old or {}).get(k) != new.get(k) and all(o.get(k) != new.get(k) for o in theirs)
    } - {"ticks", "withdrawal", "updated"}
    if old is None and not added:
        # Starting a run (a session's safeguarding checklist comes with the session).
        if any(may(a, subject, facilitators) for a in (action, "checklist.tick", "session.manage")):
            return None
        return f"started a {name or 'checklist'} run for {subject}"
    removed = _ticks(old) - _ticks(new)
    if (added or removed or changed_other) and not may(action, subject, facilitators):
        return f"ticked or changed {subject}'s {name or 'checklist'} run"
    return None


# -- entry points ----------------------------------------------------------------------
def verify(study: Study) -> Verified:
    """The verified state at HEAD (checking only commits not verified before)."""
    repo = study.repo
    root = study.root
    head = repo.head_commit()
    if head is None:
        return Verified(None, TrustState(), ())
    cache = _read_cache(root)
    if cache is not None and cache.get("tip") == head:
        return _from_cache(head, cache)
    start: tuple[str, TrustState, list[Finding]] | None = None
    if cache is not None and isinstance(cache.get("tip"), str):
        tip = str(cache["tip"])
        if repo.is_ancestor(tip, head):
            cached = _from_cache(tip, cache)
            start = (tip, cached.state, list(cached.findings))
    commits = _history(repo, [head] if start is None else [head, f"^{start[0]}"])
    if start is not None:
        known = {start[0]} | {c.sha for c in commits}
        if any(p not in known for c in commits for p in c.parents):
            # A merge with a branch older than the last check: walk the whole history.
            start = None
            commits = _history(repo, [head])
    signatures = _read_signatures(root)
    missing = [c.sha for c in commits if c.sha not in signatures]
    if missing:
        from prosper_coop.trust.signing import check_signatures

        raw = repo.read_commits(missing)
        signatures.update(check_signatures(raw.items()))
        _write_signatures(root, signatures)
    walk = _Walk(repo, signatures)
    states: dict[str, TrustState] = {}
    findings: list[Finding] = []
    if start is not None:
        states[start[0]] = start[1]
        findings = start[2]
    children: dict[str, int] = {}
    for commit in commits:
        for parent in commit.parents:
            children[parent] = children.get(parent, 0) + 1
    for commit in commits:
        if not commit.parents:
            states[commit.sha] = walk.root(commit)
        else:
            if commit.parents[0] not in states:  # a second root: nothing in it verifies
                walk.report(commit, "its history does not start from the study's first commit")
                states[commit.parents[0]] = TrustState()
            states[commit.sha] = walk.step(commit, states)
        for parent in commit.parents:  # free states no later commit needs
            children[parent] -= 1
            if children[parent] == 0 and parent != head:
                states.pop(parent, None)
    state = states.get(head, TrustState())
    verified = Verified(head, state, tuple(_settle(repo, head, state, findings + walk.findings)))
    _write_cache(root, verified)
    return verified


def _settle(
    repo: StudyRepo, head: str, state: TrustState, findings: list[Finding]
) -> list[Finding]:
    """Findings whose files now stand as verified become warnings (e.g. a confirmed key)."""
    open_ = [f for f in findings if f.level == "error" and f.paths]
    if not open_:
        return findings
    paths = sorted({p for f in open_ for p in f.paths})
    at_head = {path: sha for _mode, sha, _size, path in repo.tree_files(head, paths)}
    settled: list[Finding] = []
    for finding in findings:
        if finding in open_ and all(
            at_head.get(path, ZERO) == state.blobs.get(path, ZERO) for path in finding.paths
        ):
            finding = Finding(
                finding.commit,
                finding.author,
                finding.problem + " (settled since: the file as it is now is verified)",
                finding.paths,
                "warning",
            )
        settled.append(finding)
    return settled


def _from_cache(head: str, cache: dict[str, Any]) -> Verified:
    state = TrustState.from_json(cache.get("state") or {})
    findings = tuple(
        Finding(
            str(f.get("commit", "")),
            str(f.get("author", "")),
            str(f.get("problem", "")),
            tuple(str(p) for p in f.get("paths") or []),
            str(f.get("level", "error")),
        )
        for f in cache.get("findings") or []
        if isinstance(f, dict)
    )
    return Verified(head, state, findings)


def verified_bytes(study: Study, verified: Verified, path: str) -> bytes | None:
    """The verified content of a restricted file (None if it has no verified version)."""
    sha = verified.state.blobs.get(path)
    if sha is None:
        return None
    return study.repo.read_blobs([sha]).get(sha)
