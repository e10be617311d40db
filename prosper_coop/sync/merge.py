"""Three-way merging of study files, run by git as a custom merge driver.

``sync`` lets git do the work (fetch, merge, push). Git calls the drivers below
only for a file changed on both machines since they last agreed:

* ``prosper-coop`` (``*.yaml``): a record is merged field by field. Lists are
  merged as three-way sets (what either side added is kept, what either side
  removed stays removed; lists of mappings with an ``id`` are merged item by
  item, and checklist ticks, keyed by ``item``, too: a tick made on either side
  stands, and an item ticked on both keeps the first tick with the other's who
  and when in ``also_ticked``); a field changed on one side takes that side; a
  field changed on both sides to different values keeps the local value and
  records a :class:`~prosper_coop.core.models.Conflict` (both values, who, when)
  in the record. Fields that describe one state together (a task's ``status``,
  ``done_on`` and ``blocked_reason``, see :data:`MERGED_TOGETHER`) are merged as
  one: both come from the same side.
  Other YAML files (settings, protocols) are merged line by line as git would;
  if the same lines changed on both sides the local file stays and the other
  version is kept beside it as ``FILE.conflict-<hash>``.
* ``prosper-coop-age`` (``*.age``): encrypted records are never merged as text.
  The newer version wins and the other is kept beside it as
  ``NAME.conflict-<hash>.age``, still readable by its recipients.

Neither driver ever writes git conflict markers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prosper_coop.core.git import last_change, merge_file

# Set by ``sync`` for the drivers: the two commits being merged and the git dir.
ENV_OURS = "PROSPER_COOP_MERGE_OURS"
ENV_THEIRS = "PROSPER_COOP_MERGE_THEIRS"
ENV_GIT_DIR = "PROSPER_COOP_MERGE_GIT_DIR"
SIDECARS_FILE = "prosper-coop-sidecars"
SIDECAR_MARK = ".conflict-"
# Fields of a record type that describe one state together: they always come from the
# same side, so a merge never makes a task "doing" with a done date.
MERGED_TOGETHER: dict[str, tuple[tuple[str, ...], ...]] = {
    "task": (("status", "done_on", "blocked_reason"),),
    "session": (("status", "started", "started_by", "closed", "closed_by"),),
    "person": (("status", "left"),),
    # A recruitment target's number, dates and planned curve make one plan.
    "target": (("count", "start", "due", "curve"),),
}
# Keys that identify the items of a list of mappings (milestones by ``id``, ticks by ``item``).
ITEM_KEYS = ("id", "item")
# The parts of a tick that say who ticked and when, not what was ticked.
TICK_WHO_WHEN = ("by", "at", "also_ticked")


class _Missing:
    """A field absent on one side (distinct from a null value)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass
class FieldConflict:
    """A field changed to different values on both sides."""

    field: str
    mine: Any
    theirs: Any


@dataclass
class MergeResult:
    """The merged data and the conflicts found on the way."""

    data: dict[str, Any]
    conflicts: list[FieldConflict] = field(default_factory=list)


def _key(value: Any) -> str:
    """A stable identity for a list item (so items compare as set members)."""
    return json.dumps(value, sort_keys=True, default=str)


def merge_values(base: Any, ours: Any, theirs: Any, path: str, found: list[FieldConflict]) -> Any:
    """Three-way merge of one value; conflicts are appended to ``found``."""
    if ours == theirs:
        return ours
    if base == ours:
        return theirs
    if base == theirs:
        return ours
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return merge_maps(base if isinstance(base, dict) else {}, ours, theirs, path, found)
    if isinstance(ours, list) and isinstance(theirs, list):
        return merge_lists(base if isinstance(base, list) else [], ours, theirs, path, found)
    found.append(
        FieldConflict(
            path, None if ours is MISSING else ours, None if theirs is MISSING else theirs
        )
    )
    return ours


def merge_maps(
    base: dict[str, Any],
    ours: dict[str, Any],
    theirs: dict[str, Any],
    path: str,
    found: list[FieldConflict],
) -> dict[str, Any]:
    """Merge two mappings key by key (keys in our order, then theirs' new keys)."""
    merged: dict[str, Any] = {}
    keys = list(ours) + [key for key in theirs if key not in ours]
    keys += [key for key in base if key not in merged and key not in keys]
    for key in keys:
        values = [base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING)]
        # The canonical form leaves empty lists and mappings out: absent means empty.
        if any(isinstance(v, list) for v in values):
            values = [[] if v is MISSING or v is None else v for v in values]
        elif any(isinstance(v, dict) for v in values):
            values = [{} if v is MISSING or v is None else v for v in values]
        where = f"{path}.{key}" if path else str(key)
        value = merge_values(values[0], values[1], values[2], where, found)
        if value is not MISSING and value != [] and value != {}:
            merged[key] = value
    return merged


def _by_key(items: list[Any], key: str) -> dict[str, Any] | None:
    """Items keyed by ``key`` when every item is a mapping with a unique value for it."""
    if not all(isinstance(item, dict) and key in item for item in items):
        return None
    keyed = {str(item[key]): item for item in items}
    return keyed if len(keyed) == len(items) else None


def _keyed(
    base: list[Any], ours: list[Any], theirs: list[Any]
) -> tuple[str, list[dict[str, Any]]] | None:
    """The key that identifies the items of all three lists, and each list keyed by it."""
    if not (ours or theirs):
        return None
    for key in ITEM_KEYS:
        keyed = [_by_key(items, key) for items in (base, ours, theirs)]
        if all(found is not None for found in keyed):
            return key, [found for found in keyed if found is not None]
    return None


def _who_when(tick: dict[str, Any]) -> list[dict[str, Any]]:
    """Every (by, at) a tick holds: its own and the ones kept in ``also_ticked``."""
    own = [{"by": tick.get("by"), "at": tick.get("at")}]
    return own + [dict(other) for other in tick.get("also_ticked") or []]


def merge_ticks(
    ours: dict[str, Any], theirs: dict[str, Any], path: str, found: list[FieldConflict]
) -> dict[str, Any]:
    """Merge one item ticked (or ticked again) on both sides.

    When both ticks say the same (answer, date, evidence), the first one stands
    and every other tick's who and when is kept in ``also_ticked``. When they
    disagree, the local tick stands and the other is recorded as one conflict.
    """

    def what(tick: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in tick.items() if k not in TICK_WHO_WHEN}

    if what(ours) != what(theirs):
        found.append(FieldConflict(path, ours, theirs))
        return ours
    everyone: dict[str, dict[str, Any]] = {}
    for entry in _who_when(ours) + _who_when(theirs):
        everyone.setdefault(_key(entry), entry)
    first, *others = sorted(everyone.values(), key=lambda entry: str(entry["at"]))
    merged = {**what(ours), "by": first["by"], "at": first["at"]}
    if others:
        merged["also_ticked"] = others
    return {key: merged[key] for key in [*ours, *merged] if key in merged}


def merge_lists(
    base: list[Any], ours: list[Any], theirs: list[Any], path: str, found: list[FieldConflict]
) -> list[Any]:
    """Merge lists as three-way sets, or item by item when items carry an ``id`` or ``item``."""
    keyed = _keyed(base, ours, theirs)
    if keyed is not None:
        key, (kb, ko, kt) = keyed
        merged: list[Any] = []
        for item_id in list(ko) + [i for i in kt if i not in ko]:
            values = (kb.get(item_id, MISSING), ko.get(item_id, MISSING), kt.get(item_id, MISSING))
            where = f"{path}[{item_id}]"
            if key == "item" and MISSING not in values[1:] and len({_key(v) for v in values}) == 3:
                value = merge_ticks(values[1], values[2], where, found)
            else:
                value = merge_values(values[0], values[1], values[2], where, found)
            if value is not MISSING:
                merged.append(value)
        return merged
    base_keys = {_key(item) for item in base}
    ours_keys = {_key(item) for item in ours}
    theirs_keys = {_key(item) for item in theirs}
    result = [item for item in ours if _key(item) in theirs_keys or _key(item) not in base_keys]
    seen = {_key(item) for item in result}
    for item in theirs:
        key = _key(item)
        if key not in base_keys and key not in ours_keys and key not in seen:
            result.append(item)
            seen.add(key)
    if result and all(isinstance(item, dict) and "at" in item for item in result):
        result.sort(key=lambda item: str(item["at"]))  # dated notes stay in time order
    return result


def _merge_groups(
    base: dict[str, Any],
    ours: dict[str, Any],
    theirs: dict[str, Any],
    together: tuple[tuple[str, ...], ...],
    found: list[FieldConflict],
) -> None:
    """Settle each group of fields that belong together, so both sides then agree on it.

    A group changed on one side only comes whole from that side. Changed on both
    sides differently, the local group stays whole and every field of it that the
    other side holds differently is recorded as a conflict, so that ``resolve``
    can take the other side's group whole. ``ours`` and ``theirs`` are changed in
    place to the settled values.
    """
    for group in together:
        versions = [
            {name: data.get(name, MISSING) for name in group} for data in (base, ours, theirs)
        ]
        old, mine, other = versions
        if mine == other:
            continue
        if old == mine:
            chosen = other
        else:
            chosen = mine
            if old != other:
                for name in group:
                    if other[name] != mine[name]:
                        found.append(
                            FieldConflict(
                                name,
                                None if mine[name] is MISSING else mine[name],
                                None if other[name] is MISSING else other[name],
                            )
                        )
        for data in (ours, theirs):
            for name, value in chosen.items():
                if value is MISSING:
                    data.pop(name, None)
                else:
                    data[name] = value


def merge_data(
    base: dict[str, Any],
    ours: dict[str, Any],
    theirs: dict[str, Any],
    together: tuple[tuple[str, ...], ...] = (),
) -> MergeResult:
    """Field-by-field merge of three versions of a record (``conflicts`` united as a set).

    ``together`` lists groups of fields that are merged as one (:data:`MERGED_TOGETHER`).
    """
    found: list[FieldConflict] = []
    plain_base = {k: v for k, v in base.items() if k != "conflicts"}
    plain = {key: value for key, value in ours.items() if key != "conflicts"}
    plain_theirs = {k: v for k, v in theirs.items() if k != "conflicts"}
    _merge_groups(plain_base, plain, plain_theirs, together, found)
    merged = merge_maps(plain_base, plain, plain_theirs, "", found)
    order = {name: index for index, name in enumerate([*ours, *theirs, *base])}
    found.sort(key=lambda conflict: order.get(re.split(r"[.\[]", conflict.field)[0], len(order)))
    recorded = merge_lists(
        list(base.get("conflicts") or []),
        list(ours.get("conflicts") or []),
        list(theirs.get("conflicts") or []),
        "conflicts",
        [],
    )
    if recorded:
        merged["conflicts"] = recorded
    return MergeResult(merged, found)


def _conflict_identity(entry: dict[str, Any]) -> tuple[str, frozenset[str]]:
    return str(entry.get("field")), frozenset({_key(entry.get("mine")), _key(entry.get("theirs"))})


def add_conflicts(
    data: dict[str, Any], conflicts: list[FieldConflict], mine_by: str, theirs_by: str
) -> None:
    """Record ``conflicts`` in ``data["conflicts"]`` (the same clash is recorded once)."""
    from prosper_coop.core import clock

    entries: list[dict[str, Any]] = list(data.get("conflicts") or [])
    known = {_conflict_identity(entry) for entry in entries}
    now = clock.now()
    for conflict in conflicts:
        entry = {
            "field": conflict.field,
            "mine": conflict.mine,
            "theirs": conflict.theirs,
            "mine_by": mine_by,
            "theirs_by": theirs_by,
            "at": now,
        }
        if _conflict_identity(entry) not in known:
            known.add(_conflict_identity(entry))
            entries.append(entry)
    if entries:
        data["conflicts"] = entries


# -- the drivers -------------------------------------------------------------------------
@dataclass
class DriverContext:
    """What a driver knows about the merge beyond the three files."""

    path: str  # the file's path in the study
    ours: str | None = None  # commit shas, when run by sync
    theirs: str | None = None
    git_dir: Path = Path(".git")

    @classmethod
    def from_env(cls, path: str) -> DriverContext:
        """Built from the environment ``sync`` sets for git's drivers."""
        return cls(
            path=path,
            ours=os.environ.get(ENV_OURS) or None,
            theirs=os.environ.get(ENV_THEIRS) or None,
            git_dir=Path(os.environ.get(ENV_GIT_DIR) or ".git"),
        )

    def _last_commit(self, sha: str | None, fmt: str) -> str:
        if not sha:
            return ""
        return last_change(sha, self.path, fmt)

    def who(self, side: str) -> str:
        """The study ID of whoever last changed the file on ``side`` (ours/theirs)."""
        return self._last_commit(self.ours if side == "ours" else self.theirs, "%an")

    def when(self, side: str) -> int:
        """When the file last changed on ``side`` (seconds since 1970; 0 if unknown)."""
        stamp = self._last_commit(self.ours if side == "ours" else self.theirs, "%ct")
        return int(stamp) if stamp.isdigit() else 0

    def keep_beside(self, data: bytes, suffix: str) -> str:
        """Write ``data`` next to the merged file as a sidecar; return its study path."""
        digest = hashlib.sha1(data).hexdigest()[:10]
        folder, _, name = self.path.rpartition("/")
        if suffix and name.endswith(suffix):
            side_name = f"{name[: -len(suffix)]}{SIDECAR_MARK}{digest}{suffix}"
        else:
            side_name = f"{name}{SIDECAR_MARK}{digest}"
        rel = f"{folder}/{side_name}" if folder else side_name
        self._note_created(rel)
        with (self.git_dir / SIDECARS_FILE).open("a", encoding="utf-8") as handle:
            handle.write(rel + "\n")
        target = Path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return rel

    def _note_created(self, rel: str) -> None:
        """Name ``rel`` in sync's intent before writing it, so a kill never leaves it behind.

        ``sync`` waits for git (and so for this driver) meanwhile, and reads the
        sidecars back into its own intent when the merge returns.
        """
        from prosper_coop.core import journal

        root = self.git_dir.resolve().parent
        data = journal.read_intent(root)
        if not data or data.get("kind") != "sync":
            return
        created = [path for path in data.get("created") or [] if isinstance(path, str)]
        if rel not in created:
            journal.write_intent(root, {**data, "created": [*created, rel]})


def merge_record_text(base: str, ours: str, theirs: str, ctx: DriverContext) -> str | None:
    """Merge three versions of a plain record; ``None`` if they cannot be read as records."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.records import by_folder
    from prosper_coop.core.study import to_yaml

    rtype = by_folder().get(ctx.path.split("/", 1)[0])
    if rtype is None or rtype.sensitive:
        return None
    try:
        versions = [yamlio.loads(text, ctx.path) if text.strip() else {} for text in (base, ours)]
        versions.append(yamlio.loads(theirs, ctx.path) if theirs.strip() else {})
    except UserError:
        return None
    if not all(isinstance(version, dict) for version in versions):
        return None
    base_data, ours_data, theirs_data = versions
    together = MERGED_TOGETHER.get(rtype.name, ())
    result = merge_data(base_data, ours_data, theirs_data, together)
    merged = result.data
    if result.conflicts:
        add_conflicts(merged, result.conflicts, ctx.who("ours"), ctx.who("theirs"))
    try:
        record = rtype.model.model_validate(merged)
    except PydanticError:
        # The merged fields do not fit together (say, an end before a start): keep
        # ours whole and record every field that differs, so nothing is lost.
        merged = dict(ours_data)
        merged["conflicts"] = merge_data(base_data, ours_data, theirs_data, together).data.get(
            "conflicts", []
        )
        differing = [
            FieldConflict(key, ours_data.get(key), theirs_data.get(key))
            for key in dict.fromkeys([*ours_data, *theirs_data])
            if key != "conflicts"
            and theirs_data.get(key) != base_data.get(key)
            and ours_data.get(key) != theirs_data.get(key)
        ]
        add_conflicts(merged, differing, ctx.who("ours"), ctx.who("theirs"))
        try:
            record = rtype.model.model_validate(merged)
        except PydanticError:
            return None
    return to_yaml(record)


def yaml_driver(base: Path, ours: Path, theirs: Path, ctx: DriverContext) -> int:
    """The ``*.yaml`` driver: records field by field, other files line by line."""
    texts = [p.read_bytes().decode("utf-8", errors="surrogateescape") for p in (base, ours, theirs)]
    merged = merge_record_text(texts[0], texts[1], texts[2], ctx)
    if merged is not None:
        ours.write_bytes(merged.encode("utf-8"))
        return 0
    lines = merge_file(ours, base, theirs)
    if lines is not None:
        ours.write_bytes(lines)
        return 0
    ctx.keep_beside(theirs.read_bytes(), "")  # ours stays in place, theirs beside it
    return 0


def age_driver(base: Path, ours: Path, theirs: Path, ctx: DriverContext) -> int:  # noqa: ARG001
    """The ``*.age`` driver: the newer version wins; the other is kept beside it."""
    ours_data, theirs_data = ours.read_bytes(), theirs.read_bytes()
    if ours_data == theirs_data:
        return 0
    ours_when, theirs_when = ctx.when("ours"), ctx.when("theirs")
    theirs_newer = (theirs_when, hashlib.sha1(theirs_data).hexdigest()) > (
        ours_when,
        hashlib.sha1(ours_data).hexdigest(),
    )
    if theirs_newer:
        ctx.keep_beside(ours_data, ".age")
        ours.write_bytes(theirs_data)
    else:
        ctx.keep_beside(theirs_data, ".age")
    return 0


DRIVERS: dict[str, Callable[[Path, Path, Path, DriverContext], int]] = {
    "yaml": yaml_driver,
    "age": age_driver,
}


def run_driver(kind: str, base: str, ours: str, theirs: str, path: str) -> int:
    """Entry point for git: merge into ``ours``; 0 when merged, 1 when not possible."""
    driver = DRIVERS.get(kind)
    if driver is None:
        return 1
    try:
        return driver(Path(base), Path(ours), Path(theirs), DriverContext.from_env(path))
    except Exception:  # git must see a failure, never a half-written file
        if os.environ.get("PROSPER_COOP_DEBUG"):
            raise
        return 1
