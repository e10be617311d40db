"""Findings and recommendations as records: adding, editing, listing, and refusing bad input."""

from __future__ import annotations

import pytest

from prosper_coop.core.errors import ConflictError, ExitCode, InvalidInputError, NotFoundError
from prosper_coop.outputs import findings
from tests.helpers import git, head


def test_example_has_the_six_prosper_themes_and_recommendations(example_study) -> None:
    themes = findings.list_themes(example_study)
    assert [t.id for t in themes] == ["TH1", "TH2", "TH3", "TH4", "TH5", "TH6"]
    assert themes[0].title == "Precarious funding landscape"
    assert themes[3].title == "Pressured environments"
    assert all(t.key_messages for t in themes)
    recs = findings.list_recommendations(example_study)
    audiences = {str(r.audience) for r in recs}
    assert {"commissioners", "providers", "policy"} <= audiences
    assert [r.id for r in findings.list_recommendations(example_study, audience="policy")] == [
        "R-007",
        "R-008",
    ]


def test_add_theme_is_one_commit_with_its_message(empty_study) -> None:
    before = head(empty_study)
    theme = findings.add_theme(empty_study, "th1", "Partnership working", summary="  Links help. ")
    assert theme.id == "TH1" and theme.summary == "Links help."
    log = git(empty_study, "log", "--format=%an|%s", f"{before}..HEAD").strip().splitlines()
    assert log == ["CO-01|findings: add theme Partnership working (TH1)"]
    text = (empty_study.root / "themes" / "TH1.yaml").read_text()
    assert "title: Partnership working" in text


def test_duplicate_theme_is_a_conflict_and_changes_nothing(example_study) -> None:
    before = head(example_study)
    with pytest.raises(ConflictError) as caught:
        findings.add_theme(example_study, "TH1", "Again")
    assert caught.value.exit_code == ExitCode.CONFLICT
    assert head(example_study) == before
    assert git(example_study, "status", "--porcelain") == ""


def test_theme_id_must_have_the_theme_form(example_study) -> None:
    with pytest.raises(InvalidInputError, match="does not look right"):
        findings.add_theme(example_study, "CR-01", "Not a theme")
    with pytest.raises(InvalidInputError, match="not allowed"):
        findings.add_theme(example_study, "../x", "Escape")


def test_key_messages_add_and_remove(example_study) -> None:
    theme = findings.add_key_message(example_study, "TH3", "Trust takes time to build.")
    assert theme.key_messages[-1] == "Trust takes time to build."
    count = len(theme.key_messages)
    theme = findings.remove_key_message(example_study, "TH3", count)
    assert len(theme.key_messages) == count - 1
    with pytest.raises(InvalidInputError, match="no key message 9"):
        findings.remove_key_message(example_study, "TH3", 9)


def test_recommendation_gets_the_next_id_and_checks_its_theme(example_study) -> None:
    rec = findings.add_recommendation(
        example_study,
        "Pay co-researchers promptly.",
        audience="Providers",
        theme="th4",
        priority="high",
        evidence="wp4, WP3,WP4",
    )
    assert rec.id == "R-011"
    assert rec.theme == "TH4" and rec.evidence == ["WP4", "WP3"]
    assert str(rec.priority) == "high"
    subject = git(example_study, "log", "-1", "--format=%s").strip()
    assert subject == "rec: add recommendation for providers (R-011)"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"audience": "funders", "theme": "TH1"}, InvalidInputError, "audience 'funders'"),
        ({"audience": "policy", "theme": "TH9"}, NotFoundError, "theme TH9 not found"),
        ({"audience": "policy", "theme": "TH1", "priority": "urgent"}, InvalidInputError, "urgent"),
        ({"audience": "policy", "theme": "TH1", "evidence": "WP9"}, NotFoundError, "WP9"),
    ],
)
def test_bad_recommendations_change_nothing(example_study, kwargs, error, message) -> None:
    before = head(example_study)
    with pytest.raises(error, match=message):
        findings.add_recommendation(example_study, "Do better.", **kwargs)
    assert head(example_study) == before
    assert git(example_study, "status", "--porcelain") == ""


def test_edit_recommendation_changes_only_what_is_given(example_study) -> None:
    rec = findings.edit_recommendation(example_study, "R-003", priority="high", theme="TH1")
    assert str(rec.priority) == "high" and rec.theme == "TH1"
    assert rec.text.startswith("Pay the full cost")
    assert rec.updated is not None
    with pytest.raises(InvalidInputError, match="nothing to change"):
        findings.edit_recommendation(example_study, "R-003")
    with pytest.raises(NotFoundError, match="R-099"):
        findings.edit_recommendation(example_study, "R-099", priority="low")
