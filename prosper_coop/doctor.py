"""Checking a study: every record, every cross-reference, the hook and the data line.

:func:`check_study` returns one :class:`Problem` per finding; the CLI prints
``file:line: field: problem`` for each. Later features add their own checks to
``EXTRA_CHECKS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prosper_coop.core import guard, yamlio
from prosper_coop.core.errors import UserError
from prosper_coop.core.records import RECORD_TYPES, RecordType, by_folder
from prosper_coop.core.study import STUDY_FILE, Study, parse_model
from prosper_coop.people import status as people_status


@dataclass(frozen=True)
class Problem:
    """One finding of ``doctor``."""

    path: str
    line: int | None
    field: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        line = f":{self.line}" if self.line else ""
        if self.field.startswith("("):  # about the whole file, not one field
            return f"{self.path}{line}: {self.message}"
        return f"{self.path}{line}: {self.field}: {self.message}"


@dataclass
class Loaded:
    """What a check can see: every valid record, with its file and text."""

    study: Study
    records: dict[str, dict[str, tuple[Any, str, str]]] = field(default_factory=dict)

    def of(self, type_name: str) -> dict[str, tuple[Any, str, str]]:
        """Records of one type: id -> (record, relative path, text)."""
        return self.records.setdefault(type_name, {})

    def ids(self, type_name: str) -> set[str]:
        """IDs of the records of one type."""
        return set(self.of(type_name))

    def problem(
        self, type_name: str, record_id: str, field_name: str, message: str, severity: str = "error"
    ) -> Problem:
        """A problem located at ``field_name`` of a loaded record."""
        _, path, text = self.of(type_name)[record_id]
        return Problem(path, yamlio.line_of(text, (field_name,)), field_name, message, severity)


Check = Callable[[Loaded], Iterable[Problem]]
EXTRA_CHECKS: list[Check] = []
EXTRA_CHECKS.extend([people_status.check_checklists, people_status.check_sessions])


def _from_error(exc: UserError, default_path: str) -> Problem:
    text = exc.message
    field_name, sep, message = text.partition(": ")
    if not sep or " " in field_name:
        field_name, message = "(file)", text
    return Problem(str(exc.file or default_path), exc.line, field_name, message)


def _record_sources(study: Study, staged: bool) -> Iterator[tuple[RecordType, str, bytes]]:
    """(type, relative path, bytes) of every record file to check."""
    if staged:
        repo = study.repo
        folders = by_folder()
        for rel_path in repo.staged_paths():
            top, _, _rest = rel_path.partition("/")
            rtype = folders.get(top)
            if rtype is None or not rel_path.endswith(".yaml") or rtype.sensitive:
                continue
            yield rtype, rel_path, repo.staged_bytes(rel_path)
        return
    for rtype in RECORD_TYPES:
        if rtype.sensitive:
            continue
        for path in study.record_files(rtype):
            yield rtype, study.rel(path), path.read_bytes()


def load_records(study: Study, staged: bool = False) -> tuple[Loaded, list[Problem]]:
    """Parse every record (or the staged ones); return what loaded and the problems."""
    loaded = Loaded(study)
    problems: list[Problem] = []
    sources = list(_record_sources(study, staged))
    staged_paths = {rel for _, rel, _ in sources}
    if staged:
        # Cross-references are checked against the rest of the study as it is on disk.
        for rtype in RECORD_TYPES:
            if rtype.sensitive:
                continue
            for path in study.record_files(rtype):
                rel = study.rel(path)
                if rel not in staged_paths and path.is_file():
                    sources.append((rtype, rel, path.read_bytes()))
    for rtype, rel_path, data in sources:
        stem = rel_path.rsplit("/", 1)[-1].removesuffix(".yaml")
        try:
            text = yamlio.decode(data, rel_path)
            record = parse_model(rtype.model, text, rel_path)
        except UserError as exc:
            if not staged or rel_path in staged_paths:
                problems.append(_from_error(exc, rel_path))
            continue
        record_id = getattr(record, "id", stem)
        if record_id != stem:
            problems.append(
                Problem(
                    rel_path,
                    yamlio.line_of(text, ("id",)),
                    "id",
                    f"the record says {record_id!r} but the file is named "
                    f"{stem}.yaml; make them agree",
                )
            )
            continue
        bucket = loaded.of(rtype.name)
        if record_id in bucket:
            problems.append(
                Problem(rel_path, 1, "id", f"{record_id} also exists at {bucket[record_id][1]}")
            )
            continue
        expected = study.rel(study.path_of(rtype, record_id))
        if expected != rel_path:
            problems.append(
                Problem(rel_path, 1, "id", f"this file belongs at {expected}", "warning")
            )
        bucket[record_id] = (record, rel_path, text)
    return loaded, problems


def check_references(loaded: Loaded) -> Iterator[Problem]:
    """Unknown owners, work packages and dependencies; dependency cycles; dates."""
    people = loaded.ids("person")
    wps = loaded.of("workpackage")
    tasks = loaded.of("task")
    for wp_id, (wp, _, _) in wps.items():
        if wp.lead and wp.lead not in people:
            yield loaded.problem("workpackage", wp_id, "lead", f"unknown person {wp.lead}")
    for task_id, (task, _, _) in tasks.items():
        if task.wp not in wps:
            yield loaded.problem("task", task_id, "wp", f"unknown work package {task.wp}")
        if task.owner and task.owner not in people:
            yield loaded.problem("task", task_id, "owner", f"unknown person {task.owner}")
        for dep in task.depends:
            if dep not in tasks:
                yield loaded.problem("task", task_id, "depends", f"unknown task {dep}")
            elif dep == task_id:
                yield loaded.problem("task", task_id, "depends", "a task cannot depend on itself")
        for note in task.notes:
            if note.by not in people:
                yield loaded.problem(
                    "task", task_id, "notes", f"unknown person {note.by}", "warning"
                )
        wp_entry = wps.get(task.wp)
        if task.due and wp_entry is not None:
            wp = wp_entry[0]
            if not wp.start <= task.due <= wp.end:
                yield loaded.problem(
                    "task",
                    task_id,
                    "due",
                    f"due {task.due} is outside {wp.id} ({wp.start} to {wp.end})",
                    "warning",
                )
    for cycle in find_cycles({tid: list(t.depends) for tid, (t, _, _) in tasks.items()}):
        yield loaded.problem(
            "task", cycle[0], "depends", "dependency cycle: " + " -> ".join([*cycle, cycle[0]])
        )


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each dependency cycle once (iterative DFS, safe for 10,000 nodes)."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if colour[start] != white:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        path = [start]
        colour[start] = grey
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = black
                stack.pop()
                path.pop()
                continue
            if child not in colour or child == node:
                continue
            if colour[child] == grey:
                cycles.append(path[path.index(child) :])
            elif colour[child] == white:
                colour[child] = grey
                stack.append((child, iter(graph[child])))
                path.append(child)
    return cycles


def check_guard(study: Study, staged: bool) -> Iterator[Problem]:
    """No plaintext where an encrypted file belongs (staged files, or tracked files)."""
    folders = guard.sensitive_folders()
    if staged:
        for rel_path in study.repo.staged_paths():
            leak = guard.check_blob(rel_path, study.repo.staged_bytes(rel_path), folders)
            if leak:
                yield Problem(leak.path, None, "(file)", leak.problem)
        return
    for folder in folders:
        base = study.root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file():
                rel = study.rel(path)
                leak = guard.check_blob(rel, path.read_bytes(), folders)
                if leak:
                    yield Problem(leak.path, None, "(file)", leak.problem)


def check_setup(study: Study) -> Iterator[Problem]:
    """study.yaml is valid and the pre-commit hook is installed."""
    try:
        study.settings  # noqa: B018 - validates study.yaml
    except UserError as exc:
        yield _from_error(exc, STUDY_FILE)
    hook = study.root / ".git" / "hooks" / "pre-commit"
    if not hook.is_file() or "doctor --staged" not in hook.read_text(errors="replace"):
        yield Problem(
            ".git/hooks/pre-commit",
            None,
            "(hook)",
            "the safety hook is missing; reinstall it with: prosper-coop doctor --fix",
            "warning",
        )


def check_study(study: Study, *, staged: bool = False) -> list[Problem]:
    """Every problem in the study (or in what is staged for the next commit)."""
    problems: list[Problem] = []
    if not staged:
        problems += check_setup(study)
    loaded, load_problems = load_records(study, staged)
    problems += load_problems
    problems += check_guard(study, staged)
    cross = list(check_references(loaded))
    for check in EXTRA_CHECKS:
        cross += check(loaded)
    if staged:
        staged_set = set(study.repo.staged_paths())
        cross = [p for p in cross if p.path in staged_set]
    problems += cross
    return problems


# Checks that live with their features (each module appends to EXTRA_CHECKS).
# Feature checks register themselves in EXTRA_CHECKS when imported.
import prosper_coop.wellbeing.checks  # noqa: E402, F401
from prosper_coop.outputs import checks as _outputs_checks  # noqa: E402, F401 - registers checks
from prosper_coop.sync import conflicts as _conflicts  # noqa: E402, F401 - adds its check
from prosper_coop.tasks import checks as _task_checks  # noqa: E402,F401
