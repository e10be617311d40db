"""Tasks to and from spreadsheets (CSV) and JSON.

Import is all or nothing: every row is checked first (row numbers in errors, as a
spreadsheet shows them: the header is row 1), then every task is written in ONE
commit. Rows with an ``id`` update that task (columns left out keep their values);
rows without one become new tasks. Export then import reproduces the same tasks,
text exactly as it was.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return as a formula ("CSV injection", OWASP). Export puts a
single quote before such a cell (:func:`neutralise`), as OWASP advises, and also
before a cell that already starts with a quote followed by one of those characters
or by another quote; import takes exactly that one quote away again
(:func:`restore`), so the text comes back unchanged, and a spreadsheet user who
types ``'=1+1`` gets the text ``=1+1``, as in the spreadsheet itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import InvalidInputError, ValidationError
from prosper_coop.tasks.index import PERSON_ID, TASK_ID, WP_ID, TaskIndex

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.tasks.models import Task

COLUMNS = (
    "id",
    "wp",
    "title",
    "status",
    "owner",
    "due",
    "depends",
    "tags",
    "blocked_reason",
    "created",
    "done_on",
    "notes",
)
REQUIRED = ("wp", "title")
FORMATS = ("csv", "json")
NOTHING_IMPORTED = "Nothing was imported. Fix the file and import it again."
MAX_IMPORT_BYTES = 50_000_000
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


@dataclass
class ImportResult:
    """What an import did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    commit: str | None = None


# -- export ----------------------------------------------------------------------------
def export_tasks(study: Study, fmt: str, *, wp: str | None = None) -> str:
    """Every task (or one work package's) as CSV or JSON text."""
    if fmt not in FORMATS:
        calendar = (
            " For a calendar of due tasks, use: prosper-coop calendar"
            if fmt in ("ics", "ical")
            else ""
        )
        raise InvalidInputError(
            f"unknown format {fmt!r}", f"Use --format csv or --format json.{calendar}"
        )
    if wp is not None:
        from prosper_coop.tasks.query import check_wp_exists

        check_wp_exists(study, wp)
    rows = [row for row in TaskIndex.load(study).rows if wp is None or row.wp == wp]
    records = [json.loads(row.json) for row in rows]
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    return to_csv(records)


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    """Task records (as in the task files) as CSV text, every cell safe to open."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # Python's csv quotes a cell holding \n but not one holding only \r (a line end
    # for every reader): rows with one are written with every cell quoted.
    quoting_all = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for record in records:
        cells = [neutralise(_cell(name, record.get(name))) for name in COLUMNS]
        (quoting_all if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return buffer.getvalue()


def _needs_mark(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or (
        text.startswith(TEXT_MARK) and text[1:2] in (*FORMULA_STARTS, TEXT_MARK)
    )


def neutralise(text: str) -> str:
    """A cell as exported: a single quote before text a spreadsheet would run as a formula.

    Also before text that starts with a quote followed by such a character or by
    another quote, so that :func:`restore` gives back every text exactly.
    """
    return TEXT_MARK + text if _needs_mark(text) else text


def restore(cell: str) -> str:
    """A cell's text as imported: the single quote :func:`neutralise` added, taken away."""
    return cell[1:] if cell.startswith(TEXT_MARK) and _needs_mark(cell[1:]) else cell


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in ("depends", "tags"):
        return ",".join(value)
    if name == "notes":
        return json.dumps(value, ensure_ascii=False) if value else ""
    return str(value)


# -- import ----------------------------------------------------------------------------
def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f"the file is not UTF-8 text (row {row}, byte {exc.start})",
            "Nothing was imported. Save it as 'CSV UTF-8' in your spreadsheet program, "
            "then import it again.",
            file=name,
        ) from None


def _row_error(name: str, row: int, message: str) -> ValidationError:
    return ValidationError(f"row {row}: {message}", NOTHING_IMPORTED, file=name)


def _header(cells: list[str], name: str) -> list[str]:
    header = [cell.strip().lower().replace(" ", "_") for cell in cells]
    unknown = [cell for cell in header if cell not in COLUMNS]
    if unknown:
        raise ValidationError(
            f"row 1: unknown column(s): {', '.join(repr(c) for c in unknown)}",
            f"Columns allowed: {', '.join(COLUMNS)}. {NOTHING_IMPORTED}",
            file=name,
        )
    duplicates = sorted({cell for cell in header if header.count(cell) > 1})
    if duplicates:
        raise ValidationError(
            f"row 1: column(s) given twice: {', '.join(duplicates)}", NOTHING_IMPORTED, file=name
        )
    missing = [cell for cell in REQUIRED if cell not in header]
    if missing:
        raise ValidationError(
            f"row 1: missing column(s): {', '.join(missing)}",
            f"Every file needs at least: {', '.join(REQUIRED)}. {NOTHING_IMPORTED}",
            file=name,
        )
    return header


def _split(value: str) -> list[str]:
    parts = value.replace(";", ",").replace(" ", ",").split(",")
    found: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in found:
            found.append(part)
    return found


def _date(value: str, column: str, name: str, row: int) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _row_error(name, row, f"{column}: {value!r} is not a date (use YYYY-MM-DD)") from None


def read_rows(text: str, name: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, cells by column) for every non-blank data row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, None)
        if first is None or not any(cell.strip() for cell in first):
            raise ValidationError(
                "the file is empty (no header row)",
                f"The first row names the columns: {', '.join(COLUMNS)}. {NOTHING_IMPORTED}",
                file=name,
            )
        header = _header(first, name)
        rows = []
        for cells in reader:
            row_number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise _row_error(
                    name,
                    row_number,
                    f"has {len(cells)} cell(s) but the header has {len(header)} column(s)",
                )
            rows.append((row_number, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        raise _row_error(name, reader.line_num, f"this is not valid CSV ({exc})") from None
    return rows


def import_csv(study: Study, path: Path, *, today: dt.date) -> ImportResult:
    """Import tasks from a CSV file, all or nothing, as one commit."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core.records import get
    from prosper_coop.tasks.checks import find_cycles
    from prosper_coop.tasks.models import Task

    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(
            f"there is no file {path}", "Check the path and try again."
        ) from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError("the file is too large to import", NOTHING_IMPORTED, file=name)
    rows = read_rows(_decode(data, name), name)
    rtype = get("task")
    result = ImportResult()
    with study.change("task", "import") as change:
        index = TaskIndex.load(study)
        people = _ids(study.root / "people")
        wps = _ids(study.root / "workpackages")
        next_number = max(
            [index.highest_number()]
            + [
                int(cells["id"].strip()[2:])
                for _, cells in rows
                if TASK_ID.fullmatch(cells.get("id", "").strip())
            ]
        )
        seen: dict[str, int] = {}
        planned: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        for row_number, cells in rows:
            task_id = cells.get("id", "").strip()
            if task_id:
                if not TASK_ID.fullmatch(task_id):
                    raise _row_error(name, row_number, f"id: {task_id!r} is not a task ID (T-0042)")
                if task_id in seen:
                    raise _row_error(
                        name, row_number, f"id: {task_id} is also on row {seen[task_id]}"
                    )
            else:
                next_number += 1
                task_id = rtype.format_id(next_number)
            seen[task_id] = row_number
            existing = index.get(task_id)
            base: dict[str, Any] = (
                json.loads(existing.json)
                if existing is not None
                else {"id": task_id, "created": today.isoformat()}
            )
            planned.append((row_number, fields_from_row(base, cells, name, row_number), cells))
        known = set(index.by_id) | set(seen)
        graph = dict(index.graph())
        tasks: list[Task] = []
        for row_number, record, _cells in planned:
            wp = str(record.get("wp", "")).strip()
            if not WP_ID.fullmatch(wp) or wp not in wps:
                raise _row_error(
                    name,
                    row_number,
                    f"wp: there is no work package {wp!r} (see: prosper-coop wp list)",
                )
            owner = record.get("owner")
            if owner and (not PERSON_ID.fullmatch(owner) or owner not in people):
                raise _row_error(
                    name,
                    row_number,
                    f"owner: there is no person {owner!r} in this study "
                    "(add them with: prosper-coop people add)",
                )
            for dep in record.get("depends", []):
                if dep not in known:
                    raise _row_error(name, row_number, f"depends: there is no task {dep}")
            try:
                task = Task.model_validate(record)
            except PydanticError as exc:
                first = exc.errors(include_url=False)[0]
                loc = ".".join(str(p) for p in first.get("loc", ())) or "row"
                raise _row_error(name, row_number, f"{loc}: {first.get('msg')}") from None
            graph[task.id] = tuple(task.depends)
            tasks.append(task)
        cycles = find_cycles({key: list(value) for key, value in graph.items()})
        if cycles:
            cycle = cycles[0]
            row = seen.get(cycle[0]) or next((seen[c] for c in cycle if c in seen), 0)
            raise _row_error(
                name, row, "depends: dependency cycle: " + " -> ".join([*cycle, cycle[0]])
            )
        changed: list[Task] = []
        for task in tasks:
            existing = index.get(task.id)
            encoded = json.dumps(task.model_dump(mode="json"), ensure_ascii=False).encode()
            if existing is None:
                result.added.append(task.id)
            elif existing.json != encoded:
                result.updated.append(task.id)
            else:
                result.unchanged += 1
                continue
            changed.append(task)
            change.save(task, rtype)
        ids = [t.id for t in changed]
        change.what = f"import {len(ids)} task(s) from {name}"
        change.record_ids = ids[:5] + (["..."] if len(ids) > 5 else [])
    result.commit = change.sha
    if changed:
        TaskIndex.written(study, changed)
    return result


def _ids(folder: Path) -> set[str]:
    try:
        return {p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")}
    except FileNotFoundError:
        return set()


def fields_from_row(
    base: dict[str, Any], cells: dict[str, str], name: str, row: int
) -> dict[str, Any]:
    """The task's fields: the row's cells over ``base`` (the existing task, if any).

    Free text (``title``, ``blocked_reason``) is kept exactly as written (the task
    model trims the ends of a title); other cells are trimmed.
    """
    record = dict(base)
    for column, cell in cells.items():
        raw = restore(cell)
        value = raw if column in ("title", "blocked_reason") else raw.strip()
        if column == "id":
            continue
        if column in ("depends", "tags"):
            record[column] = _split(value)
        elif column in ("due", "created", "done_on"):
            date = _date(value, column, name, row)
            if column == "created" and date is None:
                continue
            record[column] = date.isoformat() if date else None
        elif column == "notes":
            record["notes"] = _notes(raw, name, row)
        elif column == "status":
            record["status"] = value or "todo"
        elif column == "owner":
            record["owner"] = value or None
        else:
            record[column] = value
    return record


def _notes(raw: str, name: str, row: int) -> list[Any]:
    if not raw.strip():
        return []
    try:
        notes = json.loads(raw)
    except json.JSONDecodeError:
        raise _row_error(
            name, row, "notes: not in the exported form (a JSON list); leave the cell as exported"
        ) from None
    if not isinstance(notes, list):
        raise _row_error(name, row, "notes: expected a JSON list of notes")
    return notes


def check_format(fmt: str, choices: Sequence[str] = FORMATS) -> str:
    """Refuse an unknown export format."""
    if fmt not in choices:
        raise InvalidInputError(f"unknown format {fmt!r}", f"Use one of: {', '.join(choices)}.")
    return fmt
