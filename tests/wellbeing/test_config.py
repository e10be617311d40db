"""Reading ``wellbeing/checkin.yaml``, ``signposting.yaml`` and ``recipients.yaml``."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop.core.errors import ValidationError
from prosper_coop.crypto import policy
from prosper_coop.wellbeing import config


def test_shipped_checkin_settings() -> None:
    settings = config.checkin_settings(None)
    assert (settings.scale_min, settings.scale_max, settings.threshold) == (0, 10, 7)
    assert settings.signpost_from == 4
    assert "NCCN" in settings.threshold_source
    assert settings.needs_alert(7, False) and settings.needs_alert(0, True)
    assert not settings.needs_alert(6, False)
    assert settings.shows_support(4, False) and not settings.shows_support(3, False)


def test_study_copy_wins_over_shipped(tmp_path) -> None:
    (tmp_path / "wellbeing").mkdir()
    (tmp_path / "wellbeing" / "checkin.yaml").write_text(
        "threshold: 4\nquestions:\n  distress: How are you?\n  contact: Call you?\n"
    )
    settings = config.checkin_settings(tmp_path)
    assert settings.threshold == 4 and settings.signpost_from == 4
    assert settings.where == "wellbeing/checkin.yaml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "should hold a mapping"),
        ("threshold: seven\nquestions: {distress: a, contact: b}\n", "whole number"),
        ("threshold: 3\nquestions: {distress: a}\n", "questions are needed"),
        ("threshold: 3\nscale: {min: 5, max: 5}\nquestions: {distress: a, contact: b}\n", "min"),
    ],
)
def test_bad_checkin_settings(tmp_path, text: str, message: str) -> None:
    (tmp_path / "wellbeing").mkdir()
    (tmp_path / "wellbeing" / "checkin.yaml").write_text(text)
    with pytest.raises(ValidationError, match=message) as caught:
        config.checkin_settings(tmp_path)
    assert caught.value.file == "wellbeing/checkin.yaml"


def test_signposting_keeps_its_format_and_finds_stale_entries() -> None:
    info = config.signposting(None)
    assert info.review_after_days == 180
    assert [s.name for s in info.services][:3] == [
        "Emergency services",
        "Rape Crisis England & Wales 24/7 Rape and Sexual Abuse Support Line",
        "Samaritans",
    ]
    assert info.stale(dt.date(2026, 12, 1)) == []
    assert len(info.stale(dt.date(2027, 6, 1))) == len(info.services)


def test_reader_policy() -> None:
    rules = policy.reader_policy(None)
    assert rules.roles("checkin") == ("wellbeing-lead",)
    assert rules.includes_person("checkin") and not rules.includes_person("incident")
    assert rules.roles("reflection-shared") == ("academic", "co-researcher", "co-applicant")
    assert rules.roles("reflection-private") == ()
    assert rules.required_roles == ("wellbeing-lead", "safeguarding-lead", "coordinator")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("readers: {checkin: [person]}\n", "missing"),
        ("groups: {team: [wizard]}\n", "unknown role 'wizard'"),
        ("readers: [person]\n", "should be mappings"),
    ],
)
def test_bad_reader_policy(tmp_path, text: str, message: str) -> None:
    (tmp_path / "wellbeing").mkdir()
    (tmp_path / "wellbeing" / "recipients.yaml").write_text(text)
    with pytest.raises(ValidationError, match=message):
        policy.reader_policy(tmp_path)
