"""The study's dates as calendar events: sessions, milestones and tasks with a due date.

An event says what and when, never anything sensitive: a session is named by its
kind, ID and work package (not its title, notes or participants), a task by its ID
and title (tasks are the team's shared work, not personal records), a milestone by
its work package and title. Each event's UID is made from the study's UID and the
record's ID, so importing a newer file updates the events it made before instead of
adding copies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prosper_coop.core.records import get
from prosper_coop.core.study import Study

# A study's calendar is bounded: at most this many events of each kind are written
# (the earliest first), so a hostile or runaway study folder cannot make a file
# without end. The 10,000-task benchmark study stays well inside it.
MAX_EVENTS_PER_KIND = 20_000
DONE = "done"


@dataclass(frozen=True)
class Event:
    """One all-day event."""

    uid: str
    kind: str  # session, milestone or task
    record_id: str
    summary: str
    day: dt.date
    description: str
    wp: str | None


@dataclass(frozen=True)
class Choice:
    """Which events to include: everyone's, or only one person's; all work packages or one."""

    person: str | None = None
    wp: str | None = None


def events(study: Study, choice: Choice = Choice()) -> list[Event]:
    """Every event ``choice`` asks for, by day then kind then ID."""
    uid = study.settings.uid
    found = [
        *_sessions(study, uid, choice),
        *_milestones(study, uid, choice),
        *_tasks(study, uid, choice),
    ]
    return sorted(found, key=lambda event: (event.day, event.kind, event.record_id))


def _uid(kind: str, record_id: str, study_uid: str) -> str:
    return f"{kind}-{record_id}@{study_uid}.prosper-coop"


def _wanted(choice: Choice, wp: str | None) -> bool:
    return choice.wp is None or wp == choice.wp


def _sessions(study: Study, uid: str, choice: Choice) -> list[Event]:
    found = []
    for session in study.load_all(get("session"))[:MAX_EVENTS_PER_KIND]:
        if not _wanted(choice, session.wp):
            continue
        if choice.person is not None and choice.person not in session.facilitators:
            continue
        kind = str(session.type).replace("_", " ").replace("-", " ")
        where = f" ({session.wp})" if session.wp else ""
        mode = f" Held {str(session.mode).replace('_', ' ')}." if session.mode else ""
        found.append(
            Event(
                uid=_uid("session", session.id, uid),
                kind="session",
                record_id=session.id,
                summary=f"{kind.capitalize()} {session.id}{where}",
                day=session.date,
                description=(
                    f"Session {session.id}. Facilitators: {', '.join(session.facilitators)}."
                    f"{mode} Its safeguarding checklist must be complete before it starts: "
                    f"prosper-coop session show {session.id}"
                ),
                wp=session.wp,
            )
        )
    return found


def _milestones(study: Study, uid: str, choice: Choice) -> list[Event]:
    found = []
    for package in study.load_all(get("workpackage")):
        if not _wanted(choice, package.id):
            continue
        if choice.person is not None and package.lead != choice.person:
            continue
        for milestone in package.milestones:
            if milestone.done is not None:
                continue
            found.append(
                Event(
                    uid=_uid("milestone", f"{package.id}-{milestone.id}", uid),
                    kind="milestone",
                    record_id=f"{package.id} {milestone.id}",
                    summary=f"Milestone {milestone.id} ({package.id}): {milestone.title}",
                    day=milestone.due,
                    description=f"Milestone {milestone.id} of {package.id}: {milestone.title}",
                    wp=package.id,
                )
            )
    return found[:MAX_EVENTS_PER_KIND]


def _tasks(study: Study, uid: str, choice: Choice) -> list[Event]:
    found = []
    for task in study.load_all(get("task")):
        if task.due is None or str(task.status) == DONE or not _wanted(choice, task.wp):
            continue
        if choice.person is not None and task.owner != choice.person:
            continue
        owner = f" Owner: {task.owner}." if task.owner else ""
        found.append(
            Event(
                uid=_uid("task", task.id, uid),
                kind="task",
                record_id=task.id,
                summary=f"Due: {task.id} {task.title}",
                day=task.due,
                description=f"Task {task.id} in {task.wp}.{owner} prosper-coop task show {task.id}",
                wp=task.wp,
            )
        )
    found.sort(key=lambda event: (event.day, event.record_id))
    return found[:MAX_EVENTS_PER_KIND]


def to_ics(study: Study, found: list[Event], *, now: dt.datetime) -> bytes:
    """``found`` as an iCalendar file (RFC 5545): one VCALENDAR of all-day VEVENTs."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//prosper-coop//study calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = study.settings.short_title or study.settings.title
    calendar.add("x-wr-calname", f"{name} (prosper-coop)")
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    for event in found:
        item = icalendar.Event()
        item.add("uid", event.uid)
        item.add("dtstamp", stamp)
        item.add("dtstart", event.day)
        item.add("dtend", event.day + dt.timedelta(days=1))
        item.add("summary", event.summary)
        item.add("description", event.description)
        item.add("categories", [event.kind.capitalize(), *([event.wp] if event.wp else [])])
        item.add("transp", "TRANSPARENT")
        calendar.add_component(item)
    return bytes(calendar.to_ical())
