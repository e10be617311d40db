"""Rendering people, checklists, consent and sessions for people (scripts use --json)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from prosper_coop.cli.terminal import Terminal

if TYPE_CHECKING:
    from prosper_coop.people.checklists import ItemDefinition, RunView
    from prosper_coop.people.models import Tick
    from prosper_coop.people.sessions import SessionView
    from prosper_coop.people.team import PersonSummary


def _short(items: list[str], limit: int = 4) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" (+{len(items) - limit} more)"


def _onboarding(out: Terminal, data: dict[str, Any]) -> None:
    rows = data["not_onboarded"]
    out.table(
        ["Person", "Alias", "Checklist", "Run", "Still to do"],
        [
            [
                r["person"],
                r["alias"],
                r["checklist"],
                r["run"] or "not started",
                _short(r["missing"]),
            ]
            for r in rows
        ],
        title=f"Not fully onboarded ({len(rows)})",
        empty="Everyone is fully onboarded.",
    )


def _open_checklists(out: Terminal, data: dict[str, Any]) -> None:
    rows = data["open"]
    out.table(
        ["Run", "Checklist", "For", "Done", "Still to do"],
        [
            [r["run"], r["checklist"], r["subject"], r["progress"], _short(r["missing"])]
            for r in rows
        ],
        title=f"Open consent, safeguarding and offboarding checklists ({len(rows)})",
        empty="No consent, safeguarding or offboarding checklist is open.",
    )


def _reconsent(out: Terminal, data: dict[str, Any]) -> None:
    rows = data["needing_reconsent"]
    out.table(
        ["Who", "Alias", "Form", "Agreed to", "Now", "Run"],
        [
            [
                r["subject"],
                r["alias"] or "-",
                r["form"],
                f"v{r['agreed_version']}",
                f"v{r['current_version']}",
                r["run"],
            ]
            for r in rows
        ],
        title=f"Needing re-consent ({len(rows)})",
        empty="Nobody needs to re-consent.",
    )


def _sessions(out: Terminal, data: dict[str, Any]) -> None:
    rows = data["not_safeguarded"]
    out.table(
        ["Session", "Type", "Date", "Facilitators", "Safeguarding still to do"],
        [
            [
                r["session"],
                r["type"],
                r["date"] + (" (past)" if r["days_away"] < 0 else ""),
                ", ".join(r["facilitators"]),
                "; ".join(f"{k}: {_short(v, 3)}" for k, v in r["missing"].items()),
            ]
            for r in rows
        ],
        title=f"Sessions in the next {data['window_days']} days without complete "
        f"safeguarding ({len(rows)})",
        empty=f"Every session in the next {data['window_days']} days has its safeguarding "
        "checklist complete.",
    )


RENDERERS: dict[str, Callable[[Terminal, dict[str, Any]], None]] = {
    "onboarding": _onboarding,
    "open_checklists": _open_checklists,
    "reconsent": _reconsent,
    "sessions": _sessions,
}


# -- command output -----------------------------------------------------------------------
def evidence_text(tick: Tick) -> str:
    """A tick's answer and evidence in a few words."""
    parts = []
    if tick.answer is not None:
        parts.append("yes" if tick.answer else "no")
    if tick.date is not None:
        parts.append(tick.date.isoformat())
    if tick.document:
        parts.append(f"doc: {tick.document}")
    if tick.note:
        parts.append(tick.note)
    return "; ".join(parts)


def run_detail(out: Terminal, view: RunView) -> None:
    """One run: header, then every item with its tick."""
    from rich.text import Text

    run = view.run
    title = view.definition.title if view.definition else run.definition
    heading = Text(f"{run.id}  {title}", style="bold")
    heading.append(f"  (version {run.version})", style="dim")
    out.render(heading)
    out.render(
        f"For {run.subject}; started {run.started.date()} by {run.started_by}; "
        f"state: {view.state} ({view.progress} required items done)"
    )
    if view.definition is not None and run.version < view.definition.version:
        out.render(
            f"{view.definition.id} is now at version {view.definition.version}: "
            "this run needs review"
            + (" (re-consent)" if str(view.definition.kind) == "consent" else "")
            + "."
        )
    if run.withdrawal is not None:
        w = run.withdrawal
        out.render(
            f"Consent withdrawn {w.at.date()} (recorded by {w.by}), scope {w.scope}; "
            f"follow-up tasks: {', '.join(w.tasks) or 'none'}"
        )
    rows: list[list[Any]] = []
    items: list[ItemDefinition] = (
        view.definition.items
        if view.definition is not None and run.version == view.definition.version
        else []
    )
    shown = set()
    for item in items:
        tick = run.tick_for(item.id)
        shown.add(item.id)
        mark = "[x]" if tick else "[ ]"
        need = "" if item.required else " (optional)"
        rows.append(
            [
                mark,
                item.id,
                item.text + need,
                tick.by if tick else "",
                tick.at.date().isoformat() if tick else "",
                evidence_text(tick) if tick else "",
            ]
        )
    for tick in run.ticks:
        if tick.item not in shown:
            rows.append(
                [
                    "[x]",
                    tick.item,
                    "(wording of an earlier version; see git history)",
                    tick.by,
                    tick.at.date().isoformat(),
                    evidence_text(tick),
                ]
            )
    out.table(["", "Item", "Text", "By", "When", "Evidence"], rows, empty="No items.")


def runs_table(out: Terminal, views: list[RunView], *, empty: str) -> None:
    """A table of runs with their state."""
    out.table(
        ["Run", "Checklist", "Version", "For", "State", "Done", "Started"],
        [
            [
                v.run.id,
                v.run.definition,
                f"v{v.run.version}",
                v.run.subject,
                str(v.state),
                v.progress,
                v.run.started.date().isoformat(),
            ]
            for v in views
        ],
        empty=empty,
    )


def person_detail(out: Terminal, found: PersonSummary) -> None:
    """One person: record, onboarding gaps, checklists, open tasks."""
    from rich.text import Text

    person = found.person
    out.render(Text(f"{person.id}  {person.alias}", style="bold"))
    out.render(f"Roles: {', '.join(str(r) for r in person.roles)}")
    dates = f"Status: {person.status}; joined {person.joined or '-'}"
    if person.left:
        dates += f"; left {person.left}"
    out.render(dates)
    if person.credit is not None:
        credit = person.credit
        shown = f" ({credit.display})" if credit.display else ""
        out.render(
            f"Credit: {credit.style}{shown}, as {credit.credit_as} "
            f"(updated {credit.updated or '-'})"
        )
    else:
        out.render("Credit: not asked yet (prosper-coop consent credit " + person.id + " --as ...)")
    if person.notes:
        out.render(f"Notes: {person.notes}")
    for definition_id, missing in found.onboarding_missing.items():
        out.render(f"Onboarding ({definition_id}) still to do: {', '.join(missing)}")
    out.render(f"Open tasks: {', '.join(found.open_tasks) or 'none'}")
    if found.runs:
        runs_table(out, found.runs, empty="")


def sessions_table(out: Terminal, views: list[SessionView]) -> None:
    """A table of sessions with their safeguarding readiness."""
    out.table(
        ["Session", "Type", "Date", "WP", "Facilitators", "Status", "Safety checks"],
        [
            [
                v.session.id,
                str(v.session.type),
                v.session.date.isoformat(),
                v.session.wp or "-",
                ", ".join(v.session.facilitators),
                str(v.session.status),
                "complete"
                if v.readiness.ready
                else "to do: " + "; ".join(_short(m, 3) for m in v.readiness.missing.values()),
            ]
            for v in views
        ],
        empty="No sessions yet. Plan one with: prosper-coop session add --type interview ...",
    )
