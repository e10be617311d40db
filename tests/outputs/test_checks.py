"""``doctor`` and ``status`` know about findings, recommendations, involvement and renders."""

from __future__ import annotations

import json

from prosper_coop import doctor
from prosper_coop.core.errors import ExitCode
from prosper_coop.outputs import render as rendering


def test_doctor_finds_broken_references_and_missing_outputs(example_study, cli) -> None:
    root = example_study.root
    rec = root / "recommendations" / "R-002.yaml"
    rec.write_text(rec.read_text().replace("theme: TH2", "theme: TH9"))
    entry = root / "involvement" / "00" / "INV-00003.yaml"
    entry.write_text(entry.read_text().replace("person: CR-01", "person: CR-42"))
    theme = root / "themes" / "TH3.yaml"
    theme.write_text(theme.read_text().replace("- WP3", "- WP7"))
    problems = {str(p) for p in doctor.check_study(example_study)}
    assert any(
        p.startswith("recommendations/R-002.yaml:") and "unknown theme TH9" in p for p in problems
    )
    assert any("INV-00003.yaml" in p and "unknown person CR-42" in p for p in problems)
    assert any(
        p.startswith("themes/TH3.yaml") and "unknown work package WP7" in p for p in problems
    )
    result = cli("--study", str(root), "doctor")
    assert result.exit_code == ExitCode.INVALID, result.output


def test_doctor_warns_when_a_rendered_file_is_missing(example_study) -> None:
    rendering.render(example_study, "easy-read", formats=["md"])
    (example_study.root / "outputs" / "easy-read.md").unlink()
    problems = [p for p in doctor.check_study(example_study) if p.field == "files"]
    assert len(problems) == 1 and problems[0].severity == "warning"
    assert "render --again OUT-00001" in problems[0].message


def test_doctor_reports_a_broken_glossary_with_its_line(example_study) -> None:
    path = example_study.root / "templates" / "glossary.yaml"
    path.write_text("terms:\n  - term: assist\n    plain: help\n    colour: red\n")
    problems = [p for p in doctor.check_study(example_study) if p.path == "templates/glossary.yaml"]
    assert len(problems) == 1
    assert problems[0].line == 4


def test_status_has_an_outputs_section(example_study, cli) -> None:
    rendering.render(example_study, "lay-summary", formats=["md"])
    result = cli("--study", str(example_study.root), "status", "--json")
    assert result.exit_code == 0, result.output
    section = json.loads(result.stdout)["outputs"]
    assert section["themes"] == 6 and section["recommendations"] == 10
    assert section["recommendations_by_audience"] == {
        "commissioners": 3,
        "policy": 2,
        "practice": 2,
        "providers": 3,
    }
    assert section["involvement_hours"] == 66 and section["involvement_people"] == 6
    assert section["latest_renders"] == [
        {
            "template": "lay-summary",
            "id": "OUT-00001",
            "rendered_on": "2026-11-26",
            "readable": True,
        }
    ]
    table = cli("--study", str(example_study.root), "status")
    assert "Latest outputs" in table.stdout and "limits met" in table.stdout


def test_canonical_yaml_never_uses_anchors_for_repeated_values() -> None:
    import datetime as dt

    from prosper_coop.core import yamlio

    day = dt.date(2026, 11, 26)
    text = yamlio.dumps({"date": day, "logged_on": day})
    assert text == "date: 2026-11-26\nlogged_on: 2026-11-26\n"
    assert yamlio.loads(text, "x.yaml") == {"date": day, "logged_on": day}


def test_doctor_checks_readability_names_and_duplicate_rates(example_study) -> None:
    path = example_study.root / "study.yaml"
    text = path.read_text()
    text = text.replace("  lay-summary:\n", "  lay_summary:\n", 1)
    text = text.replace("- as_of: 2025-12-16", "- as_of: 2024-01-01", 1)
    path.write_text(text)
    example_study.__dict__.pop("settings", None)
    problems = {p.field: p for p in doctor.check_study(example_study)}
    typo = problems["readability.lay_summary"]
    assert typo.severity == "warning" and "no template called 'lay_summary'" in typo.message
    assert typo.line == text.splitlines().index("  lay_summary:") + 1
    rates = problems["involvement.rates"]
    assert rates.severity == "error" and "two rates start on 2024-01-01" in rates.message
