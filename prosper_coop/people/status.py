"""Dashboard sections and doctor checks for people, checklists, consent and sessions.

Everything here is shared data only: IDs, aliases, checklist item IDs and dates. The
team sections are for the coordinator and leads; the ``my_`` sections, for the
personal view, hold only the viewer's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prosper_coop.core import yamlio
from prosper_coop.core.errors import UserError
from prosper_coop.core.fsutil import read_regular_file

if TYPE_CHECKING:
    from prosper_coop.core.checks import Loaded, Problem
    from prosper_coop.core.sections import SectionContext
    from prosper_coop.core.study import Study
    from prosper_coop.people.checklists import ChecklistDefinition, RunView
    from prosper_coop.people.models import Session

SESSIONS_AHEAD = dt.timedelta(days=14)


@dataclass
class _Checklists:
    """Definitions and run states, computed once per dashboard."""

    definitions: dict[str, ChecklistDefinition]
    views: list[RunView]
    sessions: list[Session]


def _data(ctx: SectionContext) -> _Checklists:
    """Load definitions, runs and sessions once, shared by this module's sections."""
    cached: _Checklists | None = ctx.memo.get("people.checklists")
    if cached is not None:
        return cached
    from prosper_coop.people import checklists, sessions

    definitions = checklists.load_definitions(ctx.study)
    views = checklists.view_runs(checklists.load_runs(ctx.study), definitions)
    data = _Checklists(definitions, views, sessions.load_sessions(ctx.study))
    ctx.memo["people.checklists"] = data
    return data


def onboarding_section(ctx: SectionContext) -> dict[str, Any]:
    """Active people who are not fully onboarded, and what each is missing."""
    from prosper_coop.people.team import onboarding_gaps

    data = _data(ctx)
    rows = []
    for person in sorted(ctx.people, key=lambda p: p.id):
        if person.status != "active":
            continue
        gaps = onboarding_gaps(person, data.definitions, data.views)
        for definition_id, missing in gaps.items():
            run = next(
                (
                    v.run.id
                    for v in reversed(data.views)
                    if v.run.subject == person.id
                    and v.run.definition == definition_id
                    and str(v.state) == "open"
                ),
                None,
            )
            rows.append(
                {
                    "person": person.id,
                    "alias": person.alias,
                    "checklist": definition_id,
                    "run": run,
                    "missing": missing,
                }
            )
    return {"not_onboarded": rows}


def open_checklists_section(ctx: SectionContext) -> dict[str, Any]:
    """Open consent, safeguarding and offboarding checklists (onboarding is shown above)."""
    data = _data(ctx)
    rows = []
    for view in data.views:
        definition = view.definition
        if definition is None or str(definition.kind) == "onboarding":
            continue
        if str(view.state) != "open":
            continue
        rows.append(
            {
                "run": view.run.id,
                "checklist": definition.id,
                "kind": str(definition.kind),
                "subject": view.run.subject,
                "progress": view.progress,
                "missing": view.missing,
                "started": view.run.started.date().isoformat(),
            }
        )
    return {"open": rows}


def reconsent_section(ctx: SectionContext) -> dict[str, Any]:
    """People (and participants) whose consent is on an older version of the form."""
    from prosper_coop.people.consent import needing_reconsent

    data = _data(ctx)
    people = {p.id: p for p in ctx.people}
    return {"needing_reconsent": [r.as_dict() for r in needing_reconsent(data.views, people)]}


def sessions_section(ctx: SectionContext) -> dict[str, Any]:
    """Planned sessions due soon (or overdue) whose safeguarding checklist is not complete."""
    from prosper_coop.people.sessions import readiness

    data = _data(ctx)
    rows = []
    for session in data.sessions:
        if str(session.status) != "planned" or session.date > ctx.today + SESSIONS_AHEAD:
            continue
        ready = readiness(session, data.definitions, data.views)
        if ready.ready:
            continue
        rows.append(
            {
                "session": session.id,
                "type": str(session.type),
                "date": session.date.isoformat(),
                "days_away": (session.date - ctx.today).days,
                "facilitators": list(session.facilitators),
                "runs": ready.runs,
                "missing": ready.missing,
            }
        )
    return {"not_safeguarded": rows, "window_days": SESSIONS_AHEAD.days}


# -- the personal view: one's own sessions, onboarding and consent ------------------------
MY_SESSIONS_SHOWN = 12  # the rest are in: prosper-coop session list


def my_sessions_section(ctx: SectionContext) -> dict[str, Any]:
    """Sessions the viewer facilitates that are still to come (or under way), soonest first.

    With each: the other facilitators, and how many safeguarding items are still to
    do before it can start (facilitators can tick them).
    """
    from prosper_coop.people.sessions import readiness

    if ctx.viewer is None:
        return {"sessions": [], "upcoming": 0}
    data = _data(ctx)
    upcoming = [
        session
        for session in data.sessions
        if ctx.viewer in session.facilitators
        and (
            str(session.status) == "started"
            or (str(session.status) == "planned" and session.date >= ctx.today)
        )
    ]
    rows = []
    for session in upcoming[:MY_SESSIONS_SHOWN]:
        ready = readiness(session, data.definitions, data.views)
        rows.append(
            {
                "session": session.id,
                "type": str(session.type),
                "title": session.title,
                "wp": session.wp,
                "date": session.date.isoformat(),
                "days_away": (session.date - ctx.today).days,
                "status": str(session.status),
                "with": [p for p in session.facilitators if p != ctx.viewer],
                "safeguarding_to_do": sum(len(items) for items in ready.missing.values()),
            }
        )
    return {"sessions": rows, "upcoming": len(upcoming)}


def my_checklists_section(ctx: SectionContext) -> dict[str, Any]:
    """The viewer's own onboarding still to do, and consent forms with a newer version.

    Only the viewer's own checklists; counts and form versions, nothing of anyone else.
    """
    from prosper_coop.people.consent import needing_reconsent
    from prosper_coop.people.team import onboarding_gaps

    nothing: dict[str, Any] = {"onboarding": [], "consent": []}
    person = next((p for p in ctx.people if p.id == ctx.viewer), None)
    if person is None:
        return nothing
    data = _data(ctx)
    mine = [view for view in data.views if view.run.subject == person.id]
    onboarding = [
        {"checklist": definition_id, "to_do": len(missing)}
        for definition_id, missing in onboarding_gaps(person, data.definitions, mine).items()
    ]
    consent = [
        {
            "form": row.form,
            "agreed_version": row.agreed_version,
            "current_version": row.current_version,
        }
        for row in needing_reconsent(mine, {person.id: person})
    ]
    return {"onboarding": onboarding, "consent": consent}


# -- doctor -------------------------------------------------------------------------------
def _definitions_for_doctor(
    study: Study,
) -> tuple[dict[str, ChecklistDefinition], list[Problem]]:
    """Every definition that parses, and a problem for each one that does not."""
    from prosper_coop.core.checks import problem_from_error
    from prosper_coop.people import checklists

    definitions: dict[str, ChecklistDefinition] = {}
    problems: list[Problem] = []
    for path in checklists.definition_files(study):
        where = study.rel(path)
        try:
            text = yamlio.decode(read_regular_file(path, where), where)
            definitions[path.stem] = checklists.parse_definition(text, where, path.stem)
        except UserError as exc:
            problems.append(problem_from_error(exc, where))
    return definitions, problems


def check_checklists(loaded: Loaded) -> Iterator[Problem]:
    """Definitions are valid; runs name known definitions, subjects and items; and a
    definition's wording did not change without a new version.
    """
    from prosper_coop.core.checks import Problem
    from prosper_coop.people import checklists
    from prosper_coop.people.models import PARTICIPANT_ID

    definitions, problems = _definitions_for_doctor(loaded.study)
    yield from problems
    broken = {problem.path for problem in problems}  # reported once, above
    people = loaded.ids("person")
    sessions = loaded.ids("session")
    reported_wording: set[str] = set()
    for run_id, (run, _, _) in loaded.of("checklist").items():
        definition = definitions.get(run.definition)
        if definition is None:
            if f"{checklists.DEFINITIONS_DIR}/{run.definition}.yaml" in broken:
                continue
            yield loaded.problem(
                "checklist",
                run_id,
                "definition",
                f"unknown checklist {run.definition} (not in {checklists.DEFINITIONS_DIR}/)",
            )
            continue
        subject_known = (
            run.subject in people
            or run.subject in sessions
            or PARTICIPANT_ID.fullmatch(run.subject) is not None
        )
        if not subject_known:
            yield loaded.problem("checklist", run_id, "subject", f"unknown subject {run.subject}")
        if run.version > definition.version:
            yield loaded.problem(
                "checklist",
                run_id,
                "version",
                f"version {run.version} is newer than {definition.id} itself "
                f"(version {definition.version})",
            )
        if run.version == definition.version:
            item_ids = {item.id for item in definition.items}
            for tick in run.ticks:
                if tick.item not in item_ids:
                    yield loaded.problem(
                        "checklist", run_id, "ticks", f"{definition.id} has no item {tick.item!r}"
                    )
            if run.fingerprint != definition.fingerprint and definition.id not in reported_wording:
                reported_wording.add(definition.id)
                where = f"{checklists.DEFINITIONS_DIR}/{definition.id}.yaml"
                raw = read_regular_file(loaded.study.root / where, where)
                text = raw.decode("utf-8", errors="replace")
                yield Problem(
                    where,
                    yamlio.line_of(text, ("version",)),
                    "version",
                    f"the wording changed since {run_id} was started on version "
                    f"{definition.version}; give it version {definition.version + 1} so "
                    "earlier ticks and consent are not read as agreeing to the new text",
                )
        for person_id in [run.started_by, *(t.by for t in run.ticks)]:
            if person_id not in people:
                yield loaded.problem(
                    "checklist", run_id, "ticks", f"unknown person {person_id}", "warning"
                )


def check_sessions(loaded: Loaded) -> Iterator[Problem]:
    """Sessions name known facilitators and work packages."""
    people = loaded.ids("person")
    wps = loaded.ids("workpackage")
    for session_id, (session, _, _) in loaded.of("session").items():
        for person_id in session.facilitators:
            if person_id not in people:
                yield loaded.problem(
                    "session", session_id, "facilitators", f"unknown person {person_id}"
                )
        if session.wp and session.wp not in wps:
            yield loaded.problem("session", session_id, "wp", f"unknown work package {session.wp}")
