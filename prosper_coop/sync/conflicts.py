"""Recorded sync conflicts: finding them, showing them, and resolving them.

A conflict is a field that two people changed to different values before they
synced. ``sync`` keeps the value of the person who merged ("mine") and records
the other ("theirs") in the record's ``conflicts`` list; encrypted records and
other files are kept whole beside the winner as ``NAME.conflict-<hash>``.
``status`` and ``doctor`` show both until someone chooses, with ``resolve``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prosper_coop.core.checks import Loaded, Problem
from prosper_coop.core.errors import InvalidInputError, NotFoundError
from prosper_coop.core.records import RECORD_TYPES, RecordType, type_of_id
from prosper_coop.sync import merge as merging

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from prosper_coop.core.sections import SectionContext
    from prosper_coop.core.study import Study

CONFLICTS_KEY = b"\nconflicts:"
RESOLVE_HINT = "Choose with: prosper-coop resolve {id} --take mine|theirs|VALUE --field {field}"


def _records_with_conflicts(
    study: Study, types: Iterable[RecordType] | None = None
) -> Iterator[tuple[RecordType, Any]]:
    """Every plain record that holds unresolved conflicts (cheap byte scan first)."""
    for rtype in RECORD_TYPES if types is None else types:
        if rtype.sensitive:
            continue
        for path in study.record_files(rtype):
            if CONFLICTS_KEY in path.read_bytes():
                yield rtype, study.read_file(path, rtype.model)


def records_with_conflicts(study: Study) -> list[str]:
    """IDs of records that hold unresolved conflicts."""
    return [record.id for _, record in _records_with_conflicts(study)]


def kept_beside(study: Study) -> list[str]:
    """Committed ``*.conflict-*`` files: the other version of a file changed on two machines."""
    return sorted(study.repo.tracked_files(f"*{merging.SIDECAR_MARK}*"))


def _rows(found: Iterator[tuple[RecordType, Any]]) -> list[dict[str, Any]]:
    rows = []
    for rtype, record in found:
        for conflict in record.conflicts:
            rows.append(
                {
                    "type": rtype.name,
                    "id": record.id,
                    "field": conflict.field,
                    "mine": conflict.mine,
                    "mine_by": conflict.mine_by,
                    "theirs": conflict.theirs,
                    "theirs_by": conflict.theirs_by,
                    "at": conflict.at.isoformat(),
                }
            )
    return rows


def conflict_rows(study: Study) -> list[dict[str, Any]]:
    """One row per unresolved conflict (shared data only)."""
    return _rows(_records_with_conflicts(study))


def conflicts_section(ctx: SectionContext) -> dict[str, Any]:
    """Dashboard: fields changed on two machines, and files kept beside each other."""

    def found() -> Iterator[tuple[RecordType, Any]]:
        for rtype in RECORD_TYPES:
            if rtype.sensitive:
                continue
            # Records another section has loaded already are not read twice.
            loaded = ctx.loaded(rtype.name)
            if loaded is None:
                yield from _records_with_conflicts(ctx.study, [rtype])
                continue
            for record in loaded:
                if record.conflicts:
                    yield rtype, record

    return {"records": _rows(found()), "kept_beside": kept_beside(ctx.study)}


def plain_value(value: Any) -> str:
    """A conflicting value as people write it: ``2027-04-02``, ``doing``, ``nothing``."""
    import datetime as dt

    if value is None or value == "" or value == [] or value == {}:
        return "nothing"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{key}: {plain_value(item)}" for key, item in value.items()) + ")"
    if isinstance(value, list | tuple | set):
        return "[" + ", ".join(plain_value(item) for item in value) + "]"
    text = str(value)
    return f'"{text}"' if any(ch in text for ch in " ,()") else text


def check_conflicts(loaded: Loaded) -> Iterator[Problem]:
    """Doctor: every unresolved conflict, and every file kept beside another (warnings)."""
    for type_name, records in loaded.records.items():
        for record_id, (record, _, _) in records.items():
            for conflict in getattr(record, "conflicts", []):
                yield loaded.problem(
                    type_name,
                    record_id,
                    "conflicts",
                    f"{conflict.field} was changed on two computers "
                    f"({plain_value(conflict.mine)} by {conflict.mine_by or 'someone'}, "
                    f"{plain_value(conflict.theirs)} by {conflict.theirs_by or 'someone'}). "
                    + RESOLVE_HINT.format(id=record_id, field=conflict.field),
                    "warning",
                )
    if (loaded.study.root / ".git").is_dir():
        for path in kept_beside(loaded.study):
            yield Problem(
                path,
                None,
                "(file)",
                "another version of a file changed on two computers, kept so nothing is lost; "
                "compare it with the file beside it, keep what is right, and remove this copy",
                "warning",
            )


# -- resolving -----------------------------------------------------------------------
_PART = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def set_field(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` (``status``, ``credit.style``, ``milestones[M1].title``) in ``data``.

    List items are found by their ``id``, or by ``item`` for checklist ticks (``ticks[consent]``).
    """
    parts = [(key, item) for key, item in _PART.findall(path)]
    if not parts:
        raise InvalidInputError(f"{path!r} is not a field name", "Use the field shown by status.")
    node: Any = data
    for index, (key, item) in enumerate(parts):
        last = index == len(parts) - 1
        if key:
            if not isinstance(node, dict):
                raise InvalidInputError(f"{path!r} does not name a field of this record")
            if last:
                if value is None:
                    node.pop(key, None)
                else:
                    node[key] = value
                return
            node = node.setdefault(key, [] if parts[index + 1][1] else {})
        else:
            if not isinstance(node, list):
                raise InvalidInputError(f"{path!r} does not name a field of this record")
            position = next(
                (
                    i
                    for i, entry in enumerate(node)
                    if isinstance(entry, dict) and str(entry.get("id", entry.get("item"))) == item
                ),
                None,
            )
            if last:
                if position is not None:
                    node.pop(position)
                if value is not None:
                    node.append(value)
                return
            if position is None:
                node.append({"id": item})
                position = len(node) - 1
            node = node[position]


def parse_value(text: str) -> Any:
    """A value typed on the command line, read as YAML (``2026-03-01``, ``7``, ``done``)."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import ValidationError

    try:
        return yamlio.loads(text, "--take")
    except ValidationError:
        return text


@dataclass(frozen=True)
class Resolved:
    """What ``resolve`` did."""

    record_id: str
    fields: dict[str, Any]
    remaining: int
    commit: str | None


def resolve(study: Study, record_id: str, take: str, field: str | None = None) -> Resolved:
    """Settle conflicts on a record: take ``mine``, ``theirs`` or a VALUE; one commit."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core.study import validation_error

    rtype = type_of_id(record_id)
    if rtype is None or rtype.sensitive:
        raise NotFoundError(
            f"{record_id} is not the ID of a record that can hold conflicts",
            "See the records with conflicts with: prosper-coop status",
        )
    label = f"take {take}" if take in ("mine", "theirs") else "take a new value"
    what = f"resolve {'all' if field is None else field} ({label})"
    change = study.change("sync", what, record_id)
    with change:
        record = study.load(rtype, record_id)
        chosen = [c for c in record.conflicts if field is None or c.field == field]
        if chosen and field is not None and take in ("mine", "theirs"):
            # Fields that belong together (a task's status and done_on) go together.
            together = {f for group in merging.MERGED_TOGETHER.get(rtype.name, ()) if field in group
                        for f in group}  # fmt: skip
            chosen = [c for c in record.conflicts if c.field == field or c.field in together]
        if not chosen:
            fields = ", ".join(sorted({c.field for c in record.conflicts}))
            raise NotFoundError(
                f"{record_id} has no unresolved conflict"
                + (f" on {field}" if field is not None else ""),
                f"Its conflicts are on: {fields}." if fields else "Nothing needs resolving.",
            )
        if take not in ("mine", "theirs") and len({c.field for c in chosen}) > 1:
            raise InvalidInputError(
                f"{record_id} has conflicts on several fields; a value fits only one",
                "Say which with --field, e.g. --field "
                f"{chosen[0].field} (or use --take mine / --take theirs for all).",
            )
        data = record.model_dump(mode="python", exclude={"conflicts"})
        settled: dict[str, Any] = {}
        for conflict in chosen:
            if take == "mine":
                value = conflict.mine
            elif take == "theirs":
                value = conflict.theirs
            else:
                value = parse_value(take)
            set_field(data, conflict.field, value)
            settled[conflict.field] = value
        data["conflicts"] = [c.model_dump() for c in record.conflicts if c not in chosen]
        try:
            updated = rtype.model.model_validate(data)
        except PydanticError as exc:
            problem = validation_error(exc, study.rel(study.path_of(rtype, record_id)), "")
            raise InvalidInputError(
                f"that value does not fit: {problem.message}",
                "Nothing was changed. Try another value, or --take mine / --take theirs.",
            ) from None
        change.save(updated, rtype)
    return Resolved(record_id, settled, len(data["conflicts"]), change.sha)
