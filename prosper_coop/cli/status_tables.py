"""Rendering the personal and general ``status`` views: plain lines, gently worded.

Co-researchers read these, some on a bad day: short sentences, one thing per line,
no tables to navigate with a screen reader, and dates that have passed said calmly.
Record text is shown on one line with its control characters made visible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prosper_coop.cli.terminal import Terminal, visible

SUPPORT = "Support is there whenever you want it: prosper-coop support"
DATES_CAN_MOVE = (
    "That is okay: dates can move. If you would like more time or some help, "
    "you can talk to the study coordinator."
)


def _one_line(text: Any) -> str:
    return visible("" if text is None else str(text), newlines=False)


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _things(count: int) -> str:
    return "1 thing" if count == 1 else f"{count} things"


def _viewer(out: Terminal, data: dict[str, Any]) -> None:
    view = data.get("view")
    if view == "personal":
        out.render(
            f"This is your own view ({_one_line(data.get('person'))}): your tasks, your "
            "sessions, and how the team is doing."
        )
        out.render(SUPPORT)
    elif view == "general":
        out.render(
            "This computer does not know who you are in this study yet, so this shows "
            "only how the team is doing. To see your own tasks and sessions, join the "
            "study from this computer: prosper-coop join (if you have joined already: "
            "prosper-coop whoami ID)."
        )
        out.render(SUPPORT)


def _records_waiting(out: Terminal, data: dict[str, Any]) -> None:
    for need in data.get("needs", []):
        out.render("")
        out.render(visible(f"{need['message']}\n{need['hint']}"))


def _task_line(task: dict[str, Any]) -> str:
    line = f"- {_one_line(task['id'])} {_one_line(task['title'])} ({_one_line(task['wp'])})."
    if task["status"] == "doing":
        line += " You have started it."
    elif task["status"] == "blocked":
        line += " It is on hold."
    if task["days_past"]:
        line += f" It is past its date ({_days(task['days_past'])})."
    elif task["due"]:
        line += f" Due {_one_line(task['due'])}."
    if task["waits_on"]:
        line += f" It waits on {', '.join(_one_line(t) for t in task['waits_on'][:3])} first."
    return line


def _my_tasks(out: Terminal, data: dict[str, Any]) -> None:
    out.render("")
    tasks = data["tasks"]
    if not tasks:
        out.render("You have no open tasks right now.")
        return
    out.render("Your tasks:")
    for task in tasks:
        out.render(_task_line(task))
    if data["open"] > len(tasks):
        out.render(f"... and {data['open'] - len(tasks)} more: prosper-coop task mine")
    if data["date_passed"]:
        out.render(DATES_CAN_MOVE)


def _my_sessions(out: Terminal, data: dict[str, Any]) -> None:
    out.render("")
    sessions = data["sessions"]
    if not sessions:
        out.render("You have no sessions coming up.")
        return
    out.render("Your sessions coming up:")
    for row in sessions:
        if row["status"] == "started":
            when = "under way now"
        elif row["days_away"] == 0:
            when = f"{row['date']} (today)"
        else:
            when = f"{row['date']} (in {_days(row['days_away'])})"
        line = f"- {_one_line(row['session'])} {_one_line(row['type'])}, {when}"
        if row["with"]:
            line += f", with {', '.join(_one_line(p) for p in row['with'])}"
        line += "."
        if row["safeguarding_to_do"]:
            line += (
                f" Safety checklist: {_things(row['safeguarding_to_do'])} still to do "
                f"(prosper-coop session show {_one_line(row['session'])})."
            )
        else:
            line += " Safety checklist done."
        out.render(line)
    if data["upcoming"] > len(sessions):
        out.render(f"... and {data['upcoming'] - len(sessions)} more: prosper-coop session list")


def _checkin(out: Terminal, data: dict[str, Any]) -> None:
    if not data.get("due"):
        return
    out.render("")
    sessions = data.get("sessions_since") or []
    if sessions:
        which = ", ".join(_one_line(s) for s in sessions)
        since = "since your last check-in" if data.get("last") else "recently"
        out.render(f"You facilitated {which} {since}.")
    elif data.get("days_since") is not None:
        out.render(f"It has been {_days(data['days_since'])} since your last check-in.")
    out.render(
        "If you would like to, you can check in: prosper-coop checkin. "
        "It is optional, and you can stop at any time."
    )


def _my_checklists(out: Terminal, data: dict[str, Any]) -> None:
    for item in data.get("onboarding", []):
        out.render("")
        out.render(
            f"Your onboarding ({_one_line(item['checklist'])}): {_things(item['to_do'])} "
            "still to do. The study coordinator will go through them with you."
        )
    for form in data.get("consent", []):
        out.render("")
        out.render(
            f"The form {_one_line(form['form'])} has a new version "
            f"(version {form['current_version']}; you agreed to version "
            f"{form['agreed_version']}). The study coordinator will talk it through with "
            "you, and you can ask questions first."
        )


def _team_progress(out: Terminal, data: dict[str, Any]) -> None:
    out.render("")
    if not data["work_packages"]:
        out.render("The study has no work packages yet.")
        return
    out.render(f"How the team is doing: {data['done']} of {data['tasks']} tasks done.")
    for wp in data["work_packages"]:
        line = (
            f"- {_one_line(wp['id'])} {_one_line(wp['title'])}: "
            f"{wp['done']} of {wp['tasks']} tasks done."
        )
        milestone = wp["next_milestone"]
        if milestone is None:
            line += " All milestones met."
        else:
            line += f" Next: {_one_line(milestone['title'])} ({_one_line(milestone['due'])})."
        out.render(line)


RENDERERS: dict[str, Callable[[Terminal, dict[str, Any]], None]] = {
    "viewer": _viewer,
    "records_waiting": _records_waiting,
    "my_tasks": _my_tasks,
    "my_sessions": _my_sessions,
    "checkin": _checkin,
    "my_checklists": _my_checklists,
    "team_progress": _team_progress,
}
