"""The charts, drawn from known data: accessible SVG, a sentence and a table, the same each time."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from prosper_coop.report import charts, gather

TODAY = dt.date(2026, 11, 26)
SVG = "{http://www.w3.org/2000/svg}"


def _row(progress) -> dict:
    row = gather.target_row(progress, TODAY)
    row["status"] = gather.target_status(row)
    row["sentence"] = gather.target_sentence(row)
    return row


def _check_accessible(svg: str, key: str, title: str, summary: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this fails
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{key}-title"
    assert root.get("aria-describedby") == f"{key}-desc"
    first, second = list(root)[:2]
    assert (first.tag, first.get("id"), first.text) == (f"{SVG}title", f"{key}-title", title)
    assert (second.tag, second.get("id"), second.text) == (f"{SVG}desc", f"{key}-desc", summary)
    assert "<script" not in svg.lower() and "javascript" not in svg.lower()
    assert "<!--" not in svg  # pygal's dated comment is gone: the same data, the same bytes
    return root


def test_a_target_behind_plan_is_charted_with_its_planned_curve(fake_targets) -> None:
    row = _row(fake_targets[0])
    assert row["sentence"] == (
        "WP3 survivors (focus groups) at Area A (North): 6 of 16 recruited (38%) with 70% of "
        "the time gone; the plan expected 11 by now, so it is behind plan."
    )
    assert (row["status"]["word"], row["status"]["label"]) == ("Amber", "behind plan")
    chart = charts.recruitment_chart(row, TODAY, 1)
    root = _check_accessible(chart.svg, "chart-target-1", chart.title, row["sentence"])
    legend = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for words in (
        "Planned (dashed line)",
        "Recruited (solid line with dots)",
        "Today (dotted line)",
    ):
        assert words in legend
    assert "stroke-dasharray:10,6" in chart.svg  # the plan is dashed, not only another colour
    assert chart.columns == ["Date", "Planned by then", "Recruited by then"]
    assert chart.rows == [
        ["2026-03-01", "0", ""],
        ["2026-05-01", "3", "2"],  # the plan read off its straight line: 16 * 61 / 365
        ["2026-08-01", "7", "4"],
        ["2026-11-01", "11", "6"],
        ["2027-03-01", "16", "6"],
    ]
    again = charts.recruitment_chart(row, TODAY, 1)
    assert again.svg == chart.svg


def test_targets_reached_and_missed_are_said_in_words(fake_targets) -> None:
    reached, missed = _row(fake_targets[1]), _row(fake_targets[2])
    assert reached["sentence"].endswith("; the target is reached.")
    assert reached["status"]["label"] == "target reached"
    assert missed["missed"] and missed["status"]["rag"] == "red"
    assert missed["sentence"] == (
        "WP3 service staff (interviews) at Area B (South): 7 of 12 recruited (58%) with 100% "
        "of the time gone; its date (2026-10-31) has passed short of the target."
    )


def test_survey_rounds_are_told_apart_by_line_pattern_and_name(fake_surveys) -> None:
    rows = [gather.survey_row(s) for s in fake_surveys]
    assert rows[0]["rate"] == 40
    assert rows[0]["by_org_type"][0] == {
        "name": "commissioner", "invited": 40, "responded": 12, "rate": 30,
    }  # fmt: skip
    chart = charts.surveys_chart(rows)
    assert chart.summary == (
        "National survey, round 1: 48 responses from 120 invited (40%); "
        "National survey, round 2: 20 responses from 100 invited (20%)."
    )
    root = _check_accessible(chart.svg, "chart-surveys", chart.title, chart.summary)
    legend = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "National survey, round 1 (solid line)" in legend
    assert "National survey, round 2 (dashed line)" in legend
    assert chart.rows[0] == ["National survey, round 1", "2026-01-10", "10"]
    assert len(chart.rows) == 5


def _wp(wp_id: str, start: str, end: str, percent: int, milestones: list[dict]) -> dict:
    status = {"word": "Green", "label": "on track", "rag": "green", "why": "fine"}
    return {"id": wp_id, "title": f"Work package {wp_id}", "start": start, "end": end,
            "percent": percent, "status": status, "milestones": milestones}  # fmt: skip


def test_the_gantt_chart_draws_and_tabulates_every_item() -> None:
    met = {"id": "M1", "title": "Sites agreed", "due": "2026-05-10", "done": "2026-05-10",
           "status": {"word": "Green", "why": "met on 2026-05-10"}}  # fmt: skip
    late = {"id": "M2", "title": "Fieldwork done", "due": "2026-11-01", "done": "",
            "status": {"word": "Amber", "why": "overdue by 25 days (due 2026-11-01)"}}  # fmt: skip
    wps = [_wp("WP1", "2025-06-01", "2025-12-01", 100, []),
           _wp("WP3", "2026-03-31", "2027-03-26", 33, [met, late])]  # fmt: skip
    tasks = [{"id": "T-0013", "wp": "WP3", "title": "Access <b>& co</b>",
              "status": "blocked", "start": "2026-10-22", "end": "2026-11-21",
              "why": "blocked"}]  # fmt: skip
    chart = charts.gantt_chart(wps, tasks, TODAY, more_tasks=3)
    root = _check_accessible(chart.svg, "chart-gantt", chart.title, chart.summary)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "T-0013 (blocked) Access <b>& co</b>" in texts  # text, escaped, not markup
    assert "<b>" not in chart.svg
    assert "Today, 2026-11-26" in texts
    assert len([p for p in root.iter(f"{SVG}polygon")]) == 2  # one diamond per milestone
    assert [row[1] for row in chart.rows] == [
        "work package", "work package", "milestone", "milestone", "key task",
    ]  # fmt: skip
    assert chart.rows[-1] == [
        "T-0013 Access <b>& co</b>", "key task", "2026-10-22", "2026-11-21", "blocked",
    ]  # fmt: skip
    assert chart.summary == (
        "2 work packages run from 2025-06-01 to 2027-03-26; on 2026-11-26: Green (on track): "
        "WP1, WP3. 1 of 2 milestones are met; overdue: WP3 M2. Key tasks shown: 1 (3 more are "
        "in the study)."
    )


def test_record_text_is_cleaned_of_control_characters(make_target) -> None:
    hostile = make_target(label="Bad\x1b[2J label\u202e here\x00", site="Site\x07")
    row = _row(hostile)
    assert row["label"] == "Bad\ufffd[2J label\ufffd here\ufffd"
    assert row["site"] == "Site\ufffd"
    chart = charts.recruitment_chart(row, TODAY, 9)
    ET.fromstring(chart.svg)  # still well-formed XML
    assert "\x1b" not in chart.svg and "\u202e" not in chart.svg
