"""What the study report says, gathered from the study's records as plain data.

Everything here is shared data, and only what a report may show:

- work packages, milestones and key tasks with their ratings (:mod:`.rag`);
- recruitment against each target and survey responses, from
  :mod:`prosper_coop.recruitment.progress` (counts and dates only);
- public involvement: hours, activities and payments at the dated rates, and the
  team's credit exactly as each person chose it (:mod:`prosper_coop.outputs.credit`:
  anyone who chose "none" is not in it at all);
- onboarding, consent, safeguarding and wellbeing as counts only: nothing is
  decrypted, no alert is counted (peers must not learn one exists), and no study
  ID or alias appears outside the credit section;
- the integration of the work packages: each theme against the work packages and
  sites whose evidence supports it, with its key messages and recommendations.

Record text is cleaned of control characters here, once, so every format (HTML,
SVG, Markdown, Word) gets text it can hold.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prosper_coop.recruitment.progress import SLIGHTLY_BEHIND
from prosper_coop.report import rag

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.people.checklists import ChecklistDefinition, RunView
    from prosper_coop.recruitment.progress import SurveyProgress, TargetProgress
    from prosper_coop.tasks.index import TaskRow

# Key tasks in the Gantt chart: tasks tagged "key", then open tasks that are blocked or
# overdue; at most this many per work package and in all (the rest are counted).
KEY_TAG = "key"
KEY_TASKS_PER_WP = 5
KEY_TASKS_IN_ALL = 40
# Charts drawn one per recruitment target, at most (every target stays in the tables).
MAX_TARGET_CHARTS = 24
# Rows of any one table, at most (a report stays readable and its file small).
MAX_ROWS = 200
PUBLIC_ROLES = ("co-researcher", "co-applicant")
# C0 and C1 controls, DEL, bidi and invisible controls, and what XML cannot hold.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2060-\u2069\ufffe\uffff\ud800-\udfff]"
)


def clean(value: object) -> str:
    """Record text as one clean line: control characters shown as U+FFFD, spaces tidied."""
    text = _CONTROL.sub("\ufffd", str(value))
    return " ".join(text.split())


# -- the study and its plan -------------------------------------------------------------------
def _study(study: Study) -> dict[str, str]:
    settings = study.settings
    return {
        "title": clean(settings.title),
        "short_title": clean(settings.short_title),
        "name": clean(settings.short_title or settings.title),
        "funder": clean(settings.funder),
        "award": clean(settings.award),
        "doi": clean(settings.doi),
        "registration": clean(settings.registration),
        "iras_id": clean(settings.iras_id),
        "sponsor": clean(settings.sponsor),
    }


@dataclass
class _Plan:
    """Work packages with their ratings, and the facts behind them."""

    rows: list[dict[str, Any]]
    facts: dict[str, rag.WorkPackageFacts]


def _plan(
    study: Study, today: dt.date, rows: list[TaskRow], targets: list[dict[str, Any]]
) -> _Plan:
    from prosper_coop.tasks.workpackages import load_work_packages

    today_iso = today.isoformat()
    tally: dict[str, Counter[str]] = {}
    for row in rows:
        counts = tally.setdefault(row.wp, Counter())
        counts["tasks"] += 1
        counts[row.status] += 1
        if row.status != "done" and row.due is not None and row.due < today_iso:
            counts["overdue"] += 1
    behind: dict[str, list[str]] = {}
    missed: dict[str, list[str]] = {}
    for target in targets:
        if target["missed"]:
            missed.setdefault(target["wp"], []).append(target["label"])
        elif target["behind"]:
            behind.setdefault(target["wp"], []).append(target["label"])
    out: list[dict[str, Any]] = []
    facts: dict[str, rag.WorkPackageFacts] = {}
    for wp in load_work_packages(study):
        counts = tally.get(wp.id, Counter())
        wp_facts = rag.WorkPackageFacts(
            id=wp.id,
            start=wp.start,
            end=wp.end,
            milestones=[
                rag.MilestoneFacts(m.id, m.title, m.due, m.done)
                for m in sorted(wp.milestones, key=lambda m: (m.due, m.id))
            ],
            tasks=counts["tasks"],
            done=counts["done"],
            blocked=counts["blocked"],
            overdue=counts["overdue"],
            targets_behind=behind.get(wp.id, []),
            targets_missed=missed.get(wp.id, []),
        )
        ratings = [rag.rate_milestone(m, wp_facts, today) for m in wp_facts.milestones]
        rating = rag.rate_work_package(wp_facts, ratings, today)
        facts[wp.id] = wp_facts
        out.append(
            {
                "id": wp.id,
                "title": clean(wp.title),
                "summary": clean(wp.summary),
                "start": wp.start.isoformat(),
                "end": wp.end.isoformat(),
                "tasks": wp_facts.tasks,
                "done": wp_facts.done,
                "blocked": wp_facts.blocked,
                "overdue": wp_facts.overdue,
                "percent": round(100 * wp_facts.done / wp_facts.tasks) if wp_facts.tasks else 0,
                "time_gone": round(100 * rag.time_gone(wp.start, wp.end, today)),
                "status": rating.as_dict(),
                "milestones": [
                    {
                        "id": m.id,
                        "title": clean(m.title),
                        "due": m.due.isoformat(),
                        "done": m.done.isoformat() if m.done else "",
                        "status": r.as_dict(),
                    }
                    for m, r in zip(wp_facts.milestones, ratings, strict=True)
                ],
            }
        )
    return _Plan(out, facts)


def _key_tasks(rows: list[TaskRow], today: dt.date) -> tuple[list[dict[str, Any]], int]:
    """The key tasks shown in the Gantt chart, and how many more there were."""
    today_iso = today.isoformat()

    def why(row: TaskRow) -> str | None:
        if KEY_TAG in row.tags:
            return "tagged key"
        if row.status == "done" or row.due is None:
            return None
        if row.status == "blocked":
            return "blocked"
        if row.due < today_iso:
            days = (today - dt.date.fromisoformat(row.due)).days
            return f"overdue by {days} day" + ("s" if days != 1 else "")
        return None

    candidates: dict[str, list[tuple[int, str, str, TaskRow]]] = {}
    for row in rows:
        reason = why(row)
        if reason is None:
            continue
        rank = 0 if reason == "tagged key" else 1 if reason == "blocked" else 2
        candidates.setdefault(row.wp, []).append((rank, row.due or row.created, reason, row))
    chosen: list[dict[str, Any]] = []
    total = sum(len(found) for found in candidates.values())
    for wp in sorted(candidates, key=_wp_order):
        for _, _, reason, row in sorted(candidates[wp], key=lambda c: (c[0], c[1], c[3].id))[
            :KEY_TASKS_PER_WP
        ]:
            if len(chosen) >= KEY_TASKS_IN_ALL:
                break
            end = row.done_on or row.due or row.created
            chosen.append(
                {
                    "id": row.id,
                    "wp": row.wp,
                    "title": clean(row.title),
                    "status": row.status,
                    "start": min(row.created, end),
                    "end": end,
                    "why": reason,
                }
            )
    return chosen, total - len(chosen)


def _wp_order(wp_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in wp_id if ch.isdigit())
    return (int(digits) if digits else 0, wp_id)


# -- recruitment and surveys (the recruitment feature's progress interface) --------------------
def target_row(progress: TargetProgress, today: dt.date) -> dict[str, Any]:
    """One target's progress as plain data (the site by its name)."""
    target = int(progress.target)
    recruited = int(progress.recruited)
    due: dt.date = progress.due
    missed = due < today and recruited < target
    site = progress.site_name or progress.site
    site = clean(site) if site else ""
    return {
        "id": clean(progress.target_id),
        "label": clean(progress.label),
        "wp": clean(progress.wp),
        "group": clean(progress.group),
        "site": site,
        "target": target,
        "recruited": recruited,
        "percent": round(100 * recruited / target) if target else 0,
        "start": progress.start.isoformat(),
        "due": due.isoformat(),
        "expected_now": int(progress.expected_now),
        "time_gone": round(100 * float(progress.time_fraction)),
        "behind": bool(progress.behind),
        "slightly_behind": progress.state == SLIGHTLY_BEHIND,
        "missed": missed,
        "planned": [(day.isoformat(), int(count)) for day, count in progress.planned][:MAX_ROWS],
        "actual": [(day.isoformat(), int(count)) for day, count in progress.actual][:MAX_ROWS],
    }


def target_status(row: dict[str, Any]) -> dict[str, Any]:
    """A target's rating: red when its date passed short of its number, amber when behind."""
    if row["recruited"] >= row["target"]:
        return rag.Rating(rag.Rag.GREEN, "target reached").as_dict()
    if row["missed"]:
        return rag.Rating(
            rag.Rag.RED, "off track", (f"its date {row['due']} passed with {row['recruited']}",)
        ).as_dict()
    if row["behind"]:
        return rag.Rating(
            rag.Rag.AMBER, "behind plan", (f"the plan expected {row['expected_now']} by now",)
        ).as_dict()
    if row["slightly_behind"]:
        return rag.Rating(
            rag.Rag.GREEN, "on plan", ("a little behind, within the study's margin",)
        ).as_dict()
    return rag.Rating(rag.Rag.GREEN, "on plan").as_dict()


def target_sentence(row: dict[str, Any]) -> str:
    """``WP3 survivors (focus groups): 6 of 16 (38%) with 70% of the time gone; ...``."""
    where = f" at {row['site']}" if row["site"] and row["site"] not in row["label"] else ""
    head = (
        f"{row['label']}{where}: {row['recruited']} of {row['target']} recruited "
        f"({row['percent']}%) with {row['time_gone']}% of the time gone"
    )
    if row["recruited"] >= row["target"]:
        return head + "; the target is reached."
    if row["missed"]:
        return head + f"; its date ({row['due']}) has passed short of the target."
    expected = f"; the plan expected {row['expected_now']} by now, so it is"
    if row["behind"]:
        return head + f"{expected} behind plan."
    if row["slightly_behind"]:
        return head + f"{expected} a little behind plan, within the study's margin."
    return head + f"{expected} on plan."


def survey_row(progress: SurveyProgress) -> dict[str, Any]:
    """One survey's responses as plain data, with response rates."""

    def rate(invited: int, responded: int) -> int | None:
        return round(100 * responded / invited) if invited else None

    def breakdown(counts: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
        return [
            {
                "name": clean(name),
                "invited": int(invited),
                "responded": int(responded),
                "rate": rate(int(invited), int(responded)),
            }
            for name, (invited, responded) in sorted(counts.items())
        ][:MAX_ROWS]

    invited = int(progress.invited)
    responded = int(progress.responded)
    title = clean(progress.title)
    if progress.round is not None and "round" not in title.lower():
        title = f"{title}, round {progress.round}"  # two rounds of one survey, told apart
    return {
        "id": clean(progress.survey_id),
        "title": title,
        "invited": invited,
        "responded": responded,
        "rate": rate(invited, responded),
        "by_org_type": breakdown(progress.by_org_type),
        "by_region": breakdown(progress.by_region),
        "over_time": [(day.isoformat(), int(n)) for day, n in progress.over_time][:MAX_ROWS],
    }


def _recruitment(study: Study, today: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from prosper_coop.recruitment import progress

    targets = [target_row(p, today) for p in progress.target_progress(study, today)]
    for row in targets:
        row["status"] = target_status(row)
        row["sentence"] = target_sentence(row)
    surveys = [survey_row(p) for p in progress.survey_progress(study)]
    return targets[:MAX_ROWS], surveys[:MAX_ROWS]


# -- involvement and credit ------------------------------------------------------------------
def _money(value: float) -> str:
    return f"{value:,.2f}"


def _involvement(study: Study) -> dict[str, Any]:
    from prosper_coop.outputs import involvement
    from prosper_coop.outputs.context import long_date

    entries = involvement.list_entries(study)
    report = involvement.build_report(study, entries=entries)
    totals = report.totals
    activities = sorted(report.activities.items(), key=lambda item: (-item[1], item[0]))
    return {
        "entries": len(entries),
        "contributors": len({entry.person for entry in entries}),
        "hours": f"{totals['hours']:g}",
        "first": long_date(entries[0].date) if entries else "",
        "last": long_date(entries[-1].date) if entries else "",
        "currency": clean(report.currency),
        "payment": _money(totals["payment"]),
        "expenses": _money(totals["expenses"]),
        "total": _money(totals["total"]),
        "hours_without_rate": f"{totals['hours_without_rate']:g}",
        "rates": [
            {
                "as_of": rate["as_of"],
                "hourly": _money(float(rate["hourly"])),
                "source": clean(rate["source"]),
            }
            for rate in report.rates_used
        ],
        "activities": [
            {"name": clean(name), "hours": f"{hours:g}"} for name, hours in activities[:MAX_ROWS]
        ],
        "impacts": [clean(entry.impact) for entry in entries if entry.impact][:MAX_ROWS],
    }


def _credit(study: Study) -> dict[str, Any]:
    from prosper_coop.core.records import get
    from prosper_coop.outputs.credit import team_credits

    credits = team_credits(list(study.load_all(get("person"))), study.settings.short_title)
    context = credits.as_context()
    return {
        key: [clean(v) for v in value] if key != "groups" else value
        for key, value in context.items()
    }


# -- onboarding, consent, safeguarding and wellbeing: counts only ---------------------------
def _latest_views(views: list[RunView], kind: str) -> list[RunView]:
    """The standing run of each (checklist, subject) of ``kind``: not superseded."""
    return [
        v
        for v in views
        if v.definition is not None
        and str(v.definition.kind) == kind
        and str(v.state) not in ("superseded", "unknown-definition")
    ]


def _people_counts(study: Study) -> dict[str, Any]:
    from prosper_coop.core.records import get
    from prosper_coop.people import checklists, sessions
    from prosper_coop.people.team import onboarding_gaps

    definitions: dict[str, ChecklistDefinition] = checklists.load_definitions(study)
    views = checklists.view_runs(checklists.load_runs(study), definitions)
    people = [p for p in study.load_all(get("person")) if str(p.status) == "active"]
    public = [p for p in people if {str(r) for r in p.roles} & set(PUBLIC_ROLES)]

    def onboarded(group: list[Any]) -> int:
        return sum(1 for p in group if not onboarding_gaps(p, definitions, views))

    consent: dict[str, Counter[str]] = {"team": Counter(), "participants": Counter()}
    for view in _latest_views(views, "consent"):
        group = "participants" if view.run.subject.startswith("P-") else "team"
        consent[group][str(view.state)] += 1
    all_sessions = sessions.load_sessions(study)
    by_status = Counter(str(s.status) for s in all_sessions)
    checked = Counter(
        "ready" if sessions.readiness(s, definitions, views).ready else "not-ready"
        for s in all_sessions
        if str(s.status) == "planned"
    )
    safeguarding = _latest_views(views, "safeguarding")
    co_researchers = [p for p in people if "co-researcher" in {str(r) for r in p.roles}]
    plans = {path.stem for path in study.record_files(get("plan"))}
    return {
        "onboarding": {
            "active": len(people),
            "onboarded": onboarded(people),
            "public": len(public),
            "public_onboarded": onboarded(public),
        },
        "consent": {
            group: {
                "complete": counts["complete"],
                "open": counts["open"],
                "needs_review": counts["needs-review"],
                "withdrawn": counts["withdrawn"],
                "total": sum(counts.values()),
            }
            for group, counts in consent.items()
        },
        "safeguarding": {
            "sessions": len(all_sessions),
            "planned": by_status["planned"],
            "started": by_status["started"],
            "closed": by_status["closed"],
            "planned_ready": checked["ready"],
            "planned_not_ready": checked["not-ready"],
            "checklists_complete": sum(1 for v in safeguarding if str(v.state) == "complete"),
            "checklists_open": sum(1 for v in safeguarding if str(v.state) == "open"),
            "incidents": len(study.record_files(get("incident"))),
        },
        "wellbeing": {
            "checkins": len(study.record_files(get("checkin"))),
            "reflections": len(study.record_files(get("reflection"))),
            "co_researchers": len(co_researchers),
            "plans": sum(1 for p in co_researchers if p.id in plans),
        },
    }


# -- the integration of the work packages (a joint display) ---------------------------------
def _integration(study: Study, wp_ids: list[str], targets: list[dict[str, Any]]) -> dict[str, Any]:
    from prosper_coop.outputs.findings import AUDIENCE_LABELS, list_recommendations, list_themes

    sites_of: dict[str, list[str]] = {}
    for target in targets:
        if target["site"] and target["site"] not in sites_of.setdefault(target["wp"], []):
            sites_of[target["wp"]].append(target["site"])
    recs = list_recommendations(study)
    themes = []
    for theme in list_themes(study)[:MAX_ROWS]:
        evidence = set(theme.evidence)
        sites = sorted({site for wp in evidence for site in sites_of.get(wp, [])})
        themes.append(
            {
                "id": theme.id,
                "title": clean(theme.title),
                "summary": clean(theme.summary),
                "key_messages": [clean(m) for m in theme.key_messages],
                "wps": [{"id": wp, "supports": wp in evidence} for wp in wp_ids],
                "evidence": [wp for wp in wp_ids if wp in evidence],
                "sites": sites,
                "recommendations": [
                    {
                        "id": rec.id,
                        "text": clean(rec.text),
                        "audience": AUDIENCE_LABELS[rec.audience],
                        "priority": str(rec.priority),
                    }
                    for rec in recs
                    if rec.theme == theme.id
                ],
            }
        )
    return {"wps": wp_ids, "themes": themes}


# -- all of it -----------------------------------------------------------------------------
def gather(study: Study, today: dt.date) -> dict[str, Any]:
    """Everything the report shows, as plain data (see the module docstring)."""
    from prosper_coop.outputs.context import long_date
    from prosper_coop.tasks.index import TaskIndex

    rows = TaskIndex.load(study).rows
    targets, surveys = _recruitment(study, today)
    plan = _plan(study, today, rows, targets)
    key_tasks, more_tasks = _key_tasks(rows, today)
    counts = Counter(wp["status"]["rag"] for wp in plan.rows)
    milestone_counts = Counter(m["status"]["rag"] for wp in plan.rows for m in wp["milestones"])
    return {
        "study": _study(study),
        "made_on": today.isoformat(),
        "made_on_text": long_date(today),
        "rules": [
            {"what": what, "word": word, "rag": word.lower(), "rule": rule}
            for what, word, rule in rag.RULES
        ],
        "key_task_rule": (
            f'Key tasks are tasks tagged "{KEY_TAG}", then open tasks that are blocked or '
            f"overdue: at most {KEY_TASKS_PER_WP} for each work package and "
            f"{KEY_TASKS_IN_ALL} in all."
        ),
        "work_packages": plan.rows,
        "rag_counts": {name.value: counts[name.value] for name in rag.Rag},
        "milestone_counts": {name.value: milestone_counts[name.value] for name in rag.Rag},
        "key_tasks": key_tasks,
        "more_key_tasks": more_tasks,
        "targets": targets,
        "targets_behind": sum(1 for t in targets if t["behind"] or t["missed"]),
        "surveys": surveys,
        "involvement": _involvement(study),
        "team": _credit(study),
        "counts": _people_counts(study),
        "integration": _integration(study, [wp["id"] for wp in plan.rows], targets),
    }
