"""The report's charts: static, accessible SVG, each with a text summary and a data table.

Line charts over time (recruitment against its planned curve, survey responses)
are drawn with pygal, an SVG-native charting library: its output is plain SVG
that needs no JavaScript (``js=[]``), and it is small and pure Python, so it adds
little to the tool. pygal has no Gantt chart, and neither do the other light
libraries, so the Gantt chart is written here as SVG with :mod:`xml.etree` (which
escapes every text). pygal is imported only by these functions, which only
``report`` calls.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``, and
comes with one sentence that says what it shows and the table of its data. Lines
differ by pattern (solid, dashed, dotted) and markers as well as colour; colours
have at least 4.5:1 contrast on white; the Gantt chart labels everything in words.
The output is the same for the same data, and holds no script: pygal's random
chart ID, its dated comment and the settings it embeds for its tooltips (a
script) are taken out.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

INK = "#1a1a1a"
SUBTLE = "#595959"
BLUE = "#0b4f8a"
ORANGE = "#8a3b00"
GREEN = "#1b6e3a"
PURPLE = "#5b2a86"
COLOURS = (BLUE, ORANGE, GREEN, PURPLE, SUBTLE)
# Line patterns, in series order, and their names in legends and summaries.
DASHES = (("", "solid line"), ("10,6", "dashed line"), ("3,5", "dotted line"),
          ("14,5,3,5", "dash-dot line"), ("6,3", "short-dashed line"))  # fmt: skip
FONT = "Arial, Helvetica, sans-serif"
WIDTH = 760
HEIGHT = 380
# At most this many series in one line chart (the rest are in the table), and points
# drawn in one line (the table has every one): a report stays well under 2 MB.
MAX_SERIES = len(DASHES)
MAX_POINTS = 60


@dataclass
class Chart:
    """A chart and what stands in for it where a picture cannot: a sentence and a table."""

    key: str
    title: str
    summary: str
    svg: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for templates."""
        return {
            "key": self.key,
            "title": self.title,
            "summary": self.summary,
            "svg": self.svg,
            "columns": list(self.columns),
            "rows": [list(row) for row in self.rows],
        }


def _month(day: dt.date) -> str:
    return day.strftime("%b %Y")


def accessible(svg: str, key: str, title: str, summary: str) -> str:
    """``svg`` with a stable ID, ``role="img"``, and a ``<title>`` and ``<desc>`` first."""
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    # pygal always embeds its settings as a script for its tooltips; the report has none.
    svg = re.sub(r"<script\b[^>]*>.*?</script>|<script\b[^>]*/>", "", svg, flags=re.DOTALL)
    found = re.search(r'id="chart-([0-9a-f-]{36})"', svg)
    if found:
        svg = svg.replace(found.group(1), key)
    head_end = svg.index(">", svg.index("<svg")) + 1
    opening = svg[:head_end].replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{key}-title" aria-describedby="{key}-desc" '
        'focusable="false" ',
        1,
    )
    described = (
        f'<title id="{key}-title">{html.escape(title)}</title>'
        f'<desc id="{key}-desc">{html.escape(summary)}</desc>'
    )
    return opening + described + svg[head_end:]


def _style() -> Any:
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground=INK,
        foreground_strong=INK,
        foreground_subtle=SUBTLE,
        opacity="1",
        opacity_hover="1",
        stroke_opacity="1",
        stroke_opacity_hover="1",
        guide_stroke_color="#c8c8c8",
        major_guide_stroke_color="#c8c8c8",
        guide_stroke_dasharray="1,0",
        major_guide_stroke_dasharray="1,0",
        transition="0s",
        colors=COLOURS,
        font_family=FONT,
        label_font_size=14,
        major_label_font_size=14,
        legend_font_size=14,
        title_font_size=18,
        value_font_size=14,
        tooltip_font_size=14,
    )


def _line_chart(y_title: str) -> Any:
    import pygal

    return pygal.DateLine(
        js=[],
        disable_xml_declaration=True,
        explicit_size=True,
        width=WIDTH,
        height=HEIGHT,
        style=_style(),
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        x_label_rotation=0,
        x_value_formatter=_month,
        y_title=y_title,
        include_x_axis=True,
        min_scale=4,
        max_scale=8,
        truncate_legend=-1,
        truncate_label=-1,
        # Lines thick enough to tell apart (pygal's own style draws them 1 pixel wide).
        css=(
            "file://style.css",
            "file://graph.css",
            "inline:.series .line.reactive{stroke-width:3px !important}",
        ),
        dots_size=4,
    )


def _value_at(points: list[tuple[dt.date, int]], day: dt.date, *, step: bool) -> float | None:
    """The value of a line at ``day``: the last point's (``step``) or read off the line."""
    before = [(d, v) for d, v in points if d <= day]
    if not before:
        return None
    if step:
        return before[-1][1]
    after = [(d, v) for d, v in points if d > day]
    if not after:
        return before[-1][1]
    (d0, v0), (d1, v1) = before[-1], after[0]
    return v0 + (v1 - v0) * (day - d0).days / max((d1 - d0).days, 1)


def _thin(points: list[tuple[dt.date, int]], at_most: int = MAX_POINTS) -> list[Any]:
    """At most ``at_most`` points, evenly spread, the last one kept (the table has them all)."""
    if len(points) <= at_most:
        return points
    step = len(points) / (at_most - 1)
    return [points[round(i * step)] for i in range(at_most - 1)] + [points[-1]]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def _dates(points: list[tuple[str, int]]) -> list[tuple[dt.date, int]]:
    return [(dt.date.fromisoformat(day), count) for day, count in points]


def recruitment_chart(target: dict[str, Any], today: dt.date, index: int) -> Chart:
    """One target's recruitment over time against its planned curve (pygal)."""
    planned = _dates(target["planned"])
    actual = _dates(target["actual"])
    title = f"Recruitment for {target['label']}"
    summary = target["sentence"]
    chart = _line_chart("People recruited (running total)")
    chart.add(
        "Planned (dashed line)",
        planned,
        stroke_style={"width": 3, "dasharray": "10,6"},
        show_dots=False,
    )
    chart.add("Recruited (solid line with dots)", _thin(actual), stroke_style={"width": 3})
    top = max([target["target"], *(v for _, v in planned), *(v for _, v in actual)])
    chart.add(
        "Today (dotted line)",
        [(today, 0), (today, top)],
        stroke_style={"width": 2, "dasharray": "3,5"},
        show_dots=False,
    )
    days = sorted({d for d, _ in planned} | {d for d, _ in actual})
    chart.x_labels = _month_ticks(min([*days, today]), max([*days, today]), at_most=8)
    rows = [
        [
            day.isoformat(),
            _number(_value_at(planned, day, step=False)),
            _number(_value_at(actual, day, step=True)),
        ]
        for day in days
    ]
    key = f"chart-target-{index}"
    svg = accessible(chart.render(is_unicode=True), key, title, summary)
    return Chart(key, title, summary, svg, ["Date", "Planned by then", "Recruited by then"], rows)


def surveys_chart(surveys: list[dict[str, Any]]) -> Chart:
    """Responses over time, one line per survey round (pygal), with response rates."""
    shown = [s for s in surveys if s["over_time"]][:MAX_SERIES]
    chart = _line_chart("Responses (running total)")
    parts = []
    for number, survey in enumerate(shown):
        dash, pattern = DASHES[number]
        style: dict[str, Any] = {"width": 3}
        if dash:
            style["dasharray"] = dash
        points = _thin(_dates(survey["over_time"]))
        chart.add(f"{survey['title']} ({pattern})", points, stroke_style=style)
    days = [dt.date.fromisoformat(day) for s in shown for day, _ in s["over_time"]]
    if days:
        chart.x_labels = _month_ticks(min(days), max(days), at_most=8)
    for survey in surveys:
        rate = f" ({survey['rate']}%)" if survey["rate"] is not None else ""
        parts.append(
            f"{survey['title']}: {survey['responded']} responses from {survey['invited']} "
            f"invited{rate}"
        )
    summary = "; ".join(parts) + "."
    title = "Survey responses over time"
    rows = [
        [survey["title"], day, str(count)] for survey in shown for day, count in survey["over_time"]
    ]
    svg = accessible(chart.render(is_unicode=True), "chart-surveys", title, summary)
    return Chart(
        "chart-surveys", title, summary, svg, ["Survey", "Date", "Responses by then"], rows
    )


# -- the Gantt chart (hand-written SVG) -------------------------------------------------------
LABEL_WIDTH = 330
GANTT_WIDTH = 980
ROW = 30
TOP = 48
LABEL_CHARS = 38
KEY = (
    "Bars: work packages, filled as far as their tasks are done. Diamonds: milestones "
    "(filled when met). Thin bars: key tasks (hatched when blocked)."
)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _month_ticks(first: dt.date, last: dt.date, at_most: int = 12) -> list[dt.date]:
    """The first of each month between the two dates, thinned to ``at_most`` labels."""
    months = []
    day = dt.date(first.year, first.month, 1)
    while day <= last:
        months.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = max(1, -(-len(months) // at_most))
    return [m for i, m in enumerate(months) if i % step == 0]


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    """A child element; ``stroke_width=2`` is written ``stroke-width="2"``."""
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


class _Gantt:
    """The Gantt chart's drawing: a time axis, then one row per work package and key task."""

    def __init__(self, first: dt.date, last: dt.date, rows: int) -> None:
        self.first = first
        self.span = max((last - first).days, 1)
        self.height = TOP + ROW * rows + 30
        self.svg = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "viewBox": f"0 0 {GANTT_WIDTH} {self.height}",
                "width": str(GANTT_WIDTH),
                "height": str(self.height),
                "font-family": FONT,
                "font-size": "13",
            },
        )
        defs = _el(self.svg, "defs")
        hatch = _el(defs, "pattern", id="gantt-hatch", width=6, height=6,
                    patternUnits="userSpaceOnUse", patternTransform="rotate(45)")  # fmt: skip
        _el(hatch, "rect", width=6, height=6, fill="#ffffff")
        _el(hatch, "line", x1=0, y1=0, x2=0, y2=6, stroke=ORANGE, stroke_width=3)
        _el(self.svg, "rect", width=GANTT_WIDTH, height=self.height, fill="#ffffff")
        axis = _el(self.svg, "g", fill=INK)
        for tick in _month_ticks(first, last):
            tx = self.x(tick)
            _el(axis, "line", x1=tx, x2=tx, y1=TOP - 8, y2=self.height - 24, stroke="#c8c8c8")
            _el(axis, "text", _month(tick), x=tx + 3, y=TOP - 14)
        self.rows = _el(self.svg, "g", fill=INK)
        self.y = TOP

    def x(self, day: str | dt.date) -> float:
        """Where ``day`` falls across the plot."""
        when = dt.date.fromisoformat(day) if isinstance(day, str) else day
        plot = GANTT_WIDTH - LABEL_WIDTH - 20
        return round(LABEL_WIDTH + plot * (when - self.first).days / self.span, 1)

    def work_package(self, wp: dict[str, Any]) -> None:
        """A bar from start to end, filled as far as its tasks are done, and its milestones."""
        y = self.y
        label = f"{wp['id']} ({wp['status']['word']}) {wp['title']}"
        _el(self.rows, "text", _short(label), x=8, y=y + 19, font_weight="bold")
        left, right = self.x(wp["start"]), self.x(wp["end"])
        width = round(right - left, 1)
        _el(self.rows, "rect", x=left, y=y + 6, width=width, height=16, fill="#ffffff",
            stroke=BLUE, stroke_width=2)  # fmt: skip
        done = round(width * wp["percent"] / 100, 1)
        if done:
            _el(self.rows, "rect", x=left, y=y + 6, width=done, height=16, fill=BLUE)
        for milestone in wp["milestones"]:
            mx, my = self.x(milestone["due"]), y + 14
            points = f"{mx},{my - 9} {mx + 9},{my} {mx},{my + 9} {mx - 9},{my}"
            fill = INK if milestone["done"] else "#ffffff"
            _el(self.rows, "polygon", points=points, fill=fill, stroke=INK, stroke_width=2)
            _el(self.rows, "text", milestone["id"], x=mx - 8, y=y + 36, font_size=11)
        self.y += ROW

    def task(self, task: dict[str, Any]) -> None:
        """A thin bar from when the task was made to when it is due (or was done)."""
        flag = "blocked" if task["status"] == "blocked" else task["why"].split(" by ")[0]
        label = _short(f"{task['id']} ({flag}) {task['title']}", LABEL_CHARS + 2)
        _el(self.rows, "text", label, x=22, y=self.y + 19)
        left, right = self.x(task["start"]), self.x(task["end"])
        fill = "url(#gantt-hatch)" if task["status"] == "blocked" else SUBTLE
        _el(self.rows, "rect", x=left, y=self.y + 9, width=round(max(right - left, 3), 1),
            height=10, fill=fill, stroke=INK)  # fmt: skip
        self.y += ROW

    def today(self, today: dt.date) -> None:
        """A dashed line at today, labelled, and the key to the shapes at the foot."""
        tx = self.x(today)
        _el(self.svg, "line", x1=tx, x2=tx, y1=TOP - 30, y2=self.height - 24, stroke=ORANGE,
            stroke_width=2, stroke_dasharray="6,4")  # fmt: skip
        _el(self.svg, "text", f"Today, {today.isoformat()}", x=tx + 4, y=TOP - 32, fill=ORANGE,
            font_weight="bold")  # fmt: skip
        _el(self.svg, "text", KEY, x=8, y=self.height - 8, fill=INK)


def gantt_chart(
    work_packages: list[dict[str, Any]],
    key_tasks: list[dict[str, Any]],
    today: dt.date,
    more_tasks: int = 0,
) -> Chart:
    """Work packages (bars, the part done filled), milestones (diamonds) and key tasks."""
    dates = [dt.date.fromisoformat(wp[k]) for wp in work_packages for k in ("start", "end")]
    dates += [dt.date.fromisoformat(m["due"]) for wp in work_packages for m in wp["milestones"]]
    dates += [dt.date.fromisoformat(t[k]) for t in key_tasks for k in ("start", "end")]
    drawing = _Gantt(
        min([*dates, today]), max([*dates, today]), len(work_packages) + len(key_tasks)
    )
    tasks_by_wp: dict[str, list[dict[str, Any]]] = {}
    for task in key_tasks:
        tasks_by_wp.setdefault(task["wp"], []).append(task)
    table: list[list[str]] = []
    for wp in work_packages:
        drawing.work_package(wp)
        status = wp["status"]
        done = f"{status['word']}: {status['label']} ({wp['percent']}% of tasks done)"
        table.append([f"{wp['id']} {wp['title']}", "work package", wp["start"], wp["end"], done])
        for m in wp["milestones"]:
            rating = f"{m['status']['word']}: {m['status']['why']}"
            table.append([f"{wp['id']} {m['id']} {m['title']}", "milestone", "", m["due"], rating])
        for task in tasks_by_wp.get(wp["id"], []):
            drawing.task(task)
            why = (
                task["why"] if task["why"] == task["status"] else f"{task['status']}, {task['why']}"
            )
            name = f"{task['id']} {task['title']}"
            table.append([name, "key task", task["start"], task["end"], why])
    drawing.today(today)
    summary = _gantt_summary(work_packages, key_tasks, today, more_tasks)
    title = "The study's timeline: work packages, milestones and key tasks"
    svg = accessible(ET.tostring(drawing.svg, encoding="unicode"), "chart-gantt", title, summary)
    columns = ["Item", "Kind", "Starts", "Ends or due", "Status"]
    return Chart("chart-gantt", title, summary, svg, columns, table)


def _gantt_summary(
    work_packages: list[dict[str, Any]],
    key_tasks: list[dict[str, Any]],
    today: dt.date,
    more_tasks: int,
) -> str:
    """One paragraph saying what the Gantt chart shows."""
    if not work_packages:
        return "There are no work packages yet."
    start = min(wp["start"] for wp in work_packages)
    end = max(wp["end"] for wp in work_packages)
    ratings: dict[str, list[str]] = {}
    for wp in work_packages:
        word = f"{wp['status']['word']} ({wp['status']['label']})"
        ratings.setdefault(word, []).append(wp["id"])
    milestones = [m for wp in work_packages for m in wp["milestones"]]
    met = sum(1 for m in milestones if m["done"])
    late = [
        f"{wp['id']} {m['id']}"
        for wp in work_packages
        for m in wp["milestones"]
        if not m["done"] and m["due"] < today.isoformat()
    ]
    parts = [
        f"{len(work_packages)} work packages run from {start} to {end}; on {today.isoformat()}: "
        + "; ".join(f"{word}: {', '.join(ids)}" for word, ids in ratings.items())
        + ".",
        f"{met} of {len(milestones)} milestones are met"
        + (f"; overdue: {', '.join(late[:10])}." if late else "."),
    ]
    if key_tasks:
        more = f" ({more_tasks} more are in the study)." if more_tasks else "."
        parts.append(f"Key tasks shown: {len(key_tasks)}{more}")
    return " ".join(parts)
