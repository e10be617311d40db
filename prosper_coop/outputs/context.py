"""The data a template can use: plain values only (strings, numbers, lists, dicts).

Templates never see record objects, people's IDs or aliases: only what the
study chose to publish. The shape is documented in ``templates/README.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import NotFoundError

if TYPE_CHECKING:
    from prosper_coop.core.study import Study

WORDING_FILE = "templates/wording.yaml"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_date(day: dt.date) -> str:
    """``26 November 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def evidence_text(wps: list[str]) -> str:
    """``["WP2", "WP3"]`` -> ``"work packages 2 and 3"`` (no abbreviations)."""
    numbers = [wp.removeprefix("WP") for wp in wps]
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"work package {numbers[0]}"
    return "work packages " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def load_wording(study: Study) -> dict[str, str]:
    """``templates/wording.yaml``: the study's own sentences for its outputs."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import ValidationError
    from prosper_coop.core.fsutil import read_regular_file

    where = WORDING_FILE
    path = study.root / where
    if not path.is_file() and not path.is_symlink():
        return {}
    text = yamlio.decode(read_regular_file(path, where), where)
    data = yamlio.loads(text, where)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationError(
            "the file should hold name: text lines", "See templates/README.md.", file=where, line=1
        )
    wording: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValidationError(
                f"{key}: each entry should be a name and a piece of text",
                "Put the text after the colon; quote it if it contains a colon.",
                file=where,
                line=yamlio.line_of(text, (str(key),)),
            )
        wording[key] = " ".join(value.split())
    return wording


def _hours(value: float) -> str:
    return f"{value:g}"


# "NIHR", "National Institute for Health and Care Research (NIHR)" and the name it had
# before 2022, then the programme: "NIHR Health and Social Care Delivery Research".
_NIHR = re.compile(
    r"^(?:the\s+)?(?:NIHR|National\s+Institute\s+for\s+Health\s+(?:and\s+Care\s+)?Research"
    r"(?:\s*\(NIHR\))?)(?![\w-])[\s,:;-]*(?P<programme>.*)$",
    re.IGNORECASE,
)


def funding_context(funder: str) -> dict[str, Any]:
    """Whether the funder is the NIHR, and the programme's name as NIHR's wording uses it.

    ``"NIHR Health and Social Care Delivery Research"`` -> ``nihr: True`` and
    ``funder_programme: "Health and Social Care Delivery Research programme"``;
    the acknowledgement itself is worded in ``templates/_acknowledgement.md.j2``.
    """
    found = _NIHR.match(" ".join(funder.split()))
    if found is None:
        return {"nihr": False, "funder_programme": ""}
    programme = found.group("programme").strip(" .")
    if programme and not programme.lower().endswith("programme"):
        programme += " programme"
    return {"nihr": True, "funder_programme": programme}


def support_context(study: Study) -> dict[str, Any]:
    """Where to get support, from ``wellbeing/signposting.yaml``, for the end of an output.

    Only what a reader needs: each service's name, how to contact it, who it is for
    and when it is open (never the maintainers' sources or check dates).
    """
    from prosper_coop.wellbeing.config import signposting

    info = signposting(study.root)
    return {
        "title": info.title,
        "intro": " ".join(info.intro.split()),
        "services": [
            {
                "name": service.name,
                "contact": service.contact,
                "when": service.when,
                "hours": service.hours,
                "note": service.note,
            }
            for service in info.services
        ],
    }


def _icon_words(theme: Any) -> str:
    """The words a theme's easy-read picture is chosen from: first key message, then title."""
    return " ".join([*theme.key_messages[:1], theme.title])


def build_context(study: Study, rendered_on: dt.date) -> dict[str, Any]:
    """Everything a template may use, read from the study's records."""
    from prosper_coop.core.records import get
    from prosper_coop.outputs import involvement
    from prosper_coop.outputs.credit import team_credits
    from prosper_coop.outputs.findings import (
        AUDIENCE_LABELS,
        Audience,
        list_recommendations,
        list_themes,
        recommendation_number,
    )
    from prosper_coop.outputs.icons import choose_icon, icons_context, load_icon_table

    settings = study.settings
    themes = list_themes(study)
    recs = list_recommendations(study)
    titles = {theme.id: theme.title for theme in themes}
    rec_rows = [
        {
            "id": rec.id,
            "text": rec.text,
            "audience": str(rec.audience),
            "audience_label": AUDIENCE_LABELS[rec.audience],
            "priority": str(rec.priority),
            "theme": rec.theme,
            "theme_title": titles.get(rec.theme, rec.theme),
            "evidence": list(rec.evidence),
            "evidence_text": evidence_text(rec.evidence),
            "number": recommendation_number(rec.id),
        }
        for rec in recs
    ]
    audiences = []
    for audience in Audience:
        items = [row for row in rec_rows if row["audience"] == audience.value]
        if items:
            audiences.append(
                {
                    "name": audience.value,
                    "label": AUDIENCE_LABELS[audience],
                    "recommendations": items,
                }
            )
    icon_table = load_icon_table(study.root)
    icons = icons_context(icon_table)
    theme_rows = [
        {
            "id": theme.id,
            "title": theme.title,
            "summary": theme.summary,
            "key_messages": list(theme.key_messages),
            "evidence": list(theme.evidence),
            "recommendations": [row for row in rec_rows if row["theme"] == theme.id],
            "icon": icons.get(
                choose_icon(icon_table, _icon_words(theme), theme.icon),
                {"name": theme.icon or icon_table.default, "alt": ""},
            ),
        }
        for theme in themes
    ]
    wps = [
        {
            "id": wp.id,
            "title": wp.title,
            "summary": wp.summary,
            "start": wp.start.isoformat(),
            "end": wp.end.isoformat(),
            "stage": "done"
            if wp.end < rendered_on
            else "now"
            if wp.start <= rendered_on
            else "next",
        }
        for wp in study.load_all(get("workpackage"))
    ]
    people = list(study.load_all(get("person")))
    credits = team_credits(people, settings.short_title)
    entries = involvement.list_entries(study)
    report = involvement.build_report(study, entries=entries)
    activities = sorted(report.activities.items(), key=lambda item: (-item[1], item[0]))
    return {
        "wording": load_wording(study),
        "study": {
            "title": settings.title,
            "short_title": settings.short_title,
            "name": settings.short_title or settings.title,
            "funder": settings.funder,
            "award": settings.award,
            **funding_context(settings.funder),
            "funder_acknowledgement": settings.funder_acknowledgement,
            "funder_disclaimer": settings.funder_disclaimer,
            "doi": settings.doi,
            "registration": settings.registration,
        },
        "support": support_context(study),
        "rendered_on": rendered_on.isoformat(),
        "rendered_on_text": long_date(rendered_on),
        "themes": theme_rows,
        "icons": icons,
        "recommendations": rec_rows,
        "audiences": audiences,
        "work_packages": wps,
        "team": credits.as_context(),
        "involvement": {
            "entries": len(entries),
            "contributors": len({entry.person for entry in entries}),
            "hours": _hours(report.totals["hours"]),
            "first": long_date(entries[0].date) if entries else "",
            "last": long_date(entries[-1].date) if entries else "",
            "activities": [{"name": name, "hours": _hours(hours)} for name, hours in activities],
            "impacts": [entry.impact for entry in entries if entry.impact],
        },
    }


def check_needs(template: str, context: dict[str, Any]) -> None:
    """Refuse to render outputs from an empty findings set (and gripp2 from an empty log)."""
    if not context["themes"]:
        raise NotFoundError(
            "there are no findings yet, so there is nothing to render",
            "Add the themes first: prosper-coop findings theme add TH1 'A theme' --summary '...'",
        )
    if template == "recommendations" and not context["recommendations"]:
        raise NotFoundError(
            "there are no recommendations yet",
            "Add one with: prosper-coop rec add 'TEXT' --audience commissioners --theme TH1",
        )
    if template == "gripp2" and not context["involvement"]["entries"]:
        raise NotFoundError(
            "the involvement log is empty, so there is nothing to report",
            "Log time with: prosper-coop involve log CR-01 --date today --hours 2 "
            "--activity 'Analysis workshop'",
        )
