"""Rendering recruitment: one plain line per target, survey response rates, participants.

Lines read the same with or without colour and with a screen reader: the words
say where a target stands, and the small bar (``[####------]``, plain characters)
only repeats it. Record text is shown on one line with control characters made
visible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prosper_coop.cli.terminal import Terminal, visible

BAR_WIDTH = 10


def _one_line(text: Any) -> str:
    return visible("" if text is None else str(text), newlines=False)


def bar(percent: int, width: int = BAR_WIDTH) -> str:
    """A plain text bar of ``percent`` (0-100 shown; more is shown full): ``[####------]``."""
    filled = round(width * max(0, min(percent, 100)) / 100)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def where_it_stands(item: dict[str, Any]) -> str:
    """Where a target stands, in words: ``behind plan (expected 11 by now)``."""
    expected = f"expected {item['expected_now']} by now"
    return {
        "complete": "target reached",
        "not-started": f"starts on {item['start']}",
        "ahead": f"ahead of plan ({expected})",
        "on-plan": f"on plan ({expected})",
        "slightly-behind": f"a little behind plan ({expected})",
        "behind": f"behind plan ({expected})",
    }.get(str(item.get("state")), expected)


def target_line(item: dict[str, Any]) -> str:
    """One target (``TargetProgress.as_dict()``) as one line, with its bar at the end.

    ``WP3 survivors (focus groups): 6 of 16 (38%), 70% of the time gone — behind plan
    (expected 11 by now) [####------]``
    """
    head = (
        f"{_one_line(item['label'])}: {item['recruited']} of {item['target']} ({item['percent']}%)"
    )
    if item.get("state") != "not-started":
        head += f", {item['time_percent']}% of the time gone"
    line = f"{head} — {where_it_stands(item)}"
    if item.get("withdrawn"):
        line += f"; {item['withdrawn']} withdrew"
    return f"{line} {bar(item['percent'])}"


def targets(out: Terminal, items: list[dict[str, Any]]) -> None:
    """Every target, one line each (``recruit status``)."""
    if not items:
        out.info(
            "No recruitment targets yet. Set one with: prosper-coop recruit target --wp WP3 "
            '--group "survivors (focus groups)" --count 16 --by 2027-06-30'
        )
        return
    for item in items:
        out.render(target_line(item))


def _recruitment(out: Terminal, data: dict[str, Any]) -> None:
    """The dashboard's early warning: targets behind their planned curve."""
    behind = data.get("behind", [])
    if not data.get("targets"):
        return
    if data.get("margin_count") is not None:
        margin = f"more than {data['margin_count']} below"
    else:
        margin = f"more than {data.get('margin_points', 20):g} points below"
    if not behind:
        out.render(f"Recruitment: no target is {margin} its planned curve.")
        return
    out.render(f"Recruitment behind plan ({margin} the planned curve):")
    for item in behind:
        out.render(
            f"- {_one_line(item['label'])}: {item['recruited']} of {item['count']} "
            f"({item['percent']}%) with {item['time_percent']}% of the time gone; "
            f"{item['expected_now']} expected by now."
        )
    out.render("See every target with: prosper-coop recruit status")


RENDERERS: dict[str, Callable[[Terminal, dict[str, Any]], None]] = {
    "recruitment": _recruitment,
}


def _rate(invited: int, responded: int) -> str:
    return f"{round(100 * responded / invited)}%" if invited else "-"


def surveys(out: Terminal, items: list[dict[str, Any]]) -> None:
    """Each survey: responses against invitations, by organisation type and by region."""
    if not items:
        out.info('No surveys yet. Add one with: prosper-coop survey add "National survey"')
        return
    for index, item in enumerate(items):
        if index:
            out.render("")
        about = ", ".join(
            part
            for part in (
                f"round {item['round']}" if item.get("round") else "",
                _one_line(item["wp"]) if item.get("wp") else "",
            )
            if part
        )
        rate = _rate(item["invited"], item["responded"])
        out.render(
            f"{_one_line(item['survey_id'])} {_one_line(item['title'])}"
            + (f" ({about})" if about else "")
            + f": {item['responded']} responses from {item['invited']} invitations ({rate})"
        )
        for field, heading in (("by_org_type", "Organisation type"), ("by_region", "Region")):
            rows = [
                [name, invited, responded, _rate(invited, responded)]
                for name, (invited, responded) in item[field].items()
            ]
            if rows:
                out.table([heading, "Invited", "Responded", "Rate"], rows)


def participants(out: Terminal, listing: dict[str, Any]) -> None:
    """Participants by group and site, with where each one's consent stands."""
    rows = listing["participants"]
    if not rows:
        out.info(
            "No participants recorded. Add one with: prosper-coop participant add "
            '--group "survivors (focus groups)" --site SITE1'
        )
        return
    out.table(
        ["ID", "Group", "Site", "WP", "Recruited", "Consent"],
        [
            [
                p["id"],
                p["group"],
                p.get("site") or "-",
                p.get("wp") or "-",
                p["recruited"],
                p["consent"],
            ]
            for p in rows
        ],
    )
    for key, heading in (("by_group", "Group"), ("by_site", "Site"), ("by_consent", "Consent")):
        out.table([heading, "Participants"], list(listing[key].items()))
