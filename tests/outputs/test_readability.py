"""Readability: the published formulas, CMUdict syllables, jargon, limits, and no network."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from prosper_coop.core.errors import NotFoundError, ValidationError
from prosper_coop.core.models import ReadabilityThresholds
from prosper_coop.outputs import readability
from prosper_coop.outputs.readability import Glossary, GlossaryTerm, analyse

GLOSSARY = Glossary(
    allowed_abbreviations=["PROSPER"],
    terms=[
        GlossaryTerm(term="commissioning", also=["commissioner"], plain="paying for services"),
        GlossaryTerm(term="prior to", plain="before", kind="wordy"),
    ],
)


def _analyse(units, **limits):
    return analyse(
        units,
        source="test",
        output_type="test",
        thresholds=ReadabilityThresholds(**limits),
        glossary=GLOSSARY,
    )


def test_syllables_come_from_cmudict_with_a_fallback() -> None:
    counts = readability.syllable_counts({"believed", "every", "survivors", "the", "zxqvbnmk"})
    assert counts["believed"] == 2
    assert counts["survivors"] == 3
    assert counts["the"] == 1
    assert counts["zxqvbnmk"] == 1  # not in the dictionary: vowel groups, at least one


def test_formulas_match_the_published_definitions() -> None:
    # 2 sentences, 8 words; syllables: the(1) cat(1) sat(1) down(1) we(1) helped(1) them(1) today(2)
    report = _analyse(["The cat sat down. We helped them today."])
    assert (report.words, report.sentences, report.syllables) == (8, 2, 9)
    wps, spw = 8 / 2, 9 / 8
    assert report.reading_ease == round(206.835 - 1.015 * wps - 84.6 * spw, 1)
    assert report.grade == round(0.39 * wps + 11.8 * spw - 15.59, 1)
    chars = len("Thecatsatdown") + len("Wehelpedthemtoday")
    assert report.ari == round(4.71 * chars / 8 + 0.5 * wps - 21.43, 1)


def test_hyphenated_words_count_once_with_both_parts_syllables() -> None:
    report = _analyse(["Victim-survivors spoke."])
    assert report.words == 2
    assert report.syllables == 2 + 3 + 1  # vic-tim + sur-vi-vors + spoke


def test_sentences_split_on_stops_not_on_abbreviations() -> None:
    assert readability.split_sentences("We met, e.g. online. Then we talked!") == [
        "We met, e.g. online.",
        "Then we talked!",
    ]


def test_longest_sentences_abbreviations_and_jargon() -> None:
    report = _analyse(
        [
            "The NIHR and the PROSPER team met commissioners prior to the survey, i.e. in May.",
            "Short one.",
            "The WP2 survey asked each commissioner about commissioning.",
        ]
    )
    assert report.longest[0].words == 15
    assert report.abbreviations == {"NIHR": 1, "WP2": 1, "i.e.": 1}
    found = {j.term: (j.count, j.plain) for j in report.jargon}
    assert found == {
        "commissioning": (3, "paying for services"),
        "prior to": (1, "before"),
    }


def test_thresholds_report_each_failure_in_plain_words() -> None:
    text = ["This sentence has quite a lot of words in it for an easy read document."]
    report = _analyse(
        text,
        min_reading_ease=99,
        max_words=5,
        max_sentence_words=10,
        max_abbreviations=0,
        max_grade=1,
        max_ari=1,
        max_jargon=0,
    )
    assert not report.passed
    joined = "\n".join(report.failures)
    assert "Flesch Reading Ease" in joined and "99 or more" in joined
    assert "15 words; the limit is 5" in joined
    assert "1 sentence(s) longer than 10 words" in joined
    assert "Flesch-Kincaid grade" in joined and "Automated Readability Index" in joined
    assert _analyse(text, max_words=15, max_sentence_words=15).passed


def test_markdown_not_counted_regions_and_formatting() -> None:
    units = readability.units_from_markdown(
        "# Title\n\nA **bold** [link](https://example.org) here.\n\n"
        "<!-- not-counted -->\nWritten by the team.\n<!-- /not-counted -->\n- One\n- Two\n"
    )
    assert units == ["Title", "A bold link here.", "One", "Two"]


def test_html_units_skip_head_script_and_not_counted() -> None:
    page = (
        '<html><head><meta charset="utf-8"><title>T</title><style>p{}</style></head>'
        "<body><h1>Hello</h1>"
        "<p>One &amp; two.</p><div data-not-counted><p>Credits.</p></div>"
        "<ul><li>Item</li></ul><script>var x;</script></body></html>"
    )
    assert readability.units_from_html(page) == ["Hello", "One & two.", "Item"]


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "summary.md"
    bad.write_bytes("Caf\xe9 society".encode("latin-1"))
    with pytest.raises(ValidationError, match="not UTF-8") as caught:
        readability.units_from_file(bad, "summary.md")
    assert caught.value.location == "summary.md"
    with pytest.raises(NotFoundError):
        readability.units_from_file(tmp_path / "missing.md", "missing.md")


def test_glossary_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text("terms:\n  - term: assist\n    plane: help\n")
    with pytest.raises(ValidationError) as caught:
        readability.load_glossary(path)
    assert caught.value.file == "templates/glossary.yaml"
    assert caught.value.line is not None


def test_shipped_glossary_is_valid_and_covers_domain_terms() -> None:
    root = Path(__file__).resolve().parents[2]
    glossary = readability.load_glossary(root / "templates" / "glossary.yaml")
    terms = {term.term for term in glossary.terms}
    for needed in (
        "assist",
        "prior to",
        "commence",
        "utilise",
        "ensure",
        "in the event that",
        "notify",
        "facilitate",
        "disseminate",
        "participate",
        "due to the fact that",
        "commissioning",
        "statutory",
        "voluntary sector",
        "co-production",
        "qualitative",
    ):
        assert needed in terms
    assert all(term.source for term in glossary.terms if term.term in ("commissioning", "assist"))


def test_readability_works_with_the_network_blocked(tmp_path: Path) -> None:
    """Run the whole computation in a fresh interpreter where any socket use fails."""
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        textwrap.dedent(
            """
            import socket

            def _refuse(*args, **kwargs):
                raise OSError("network disabled for this test")

            socket.socket = _refuse
            socket.create_connection = _refuse
            socket.getaddrinfo = _refuse
            """
        )
    )
    script = textwrap.dedent(
        """
        import json, socket
        from prosper_coop.core.models import ReadabilityThresholds
        from prosper_coop.outputs.readability import Glossary, analyse
        try:
            socket.create_connection(("pypi.org", 443))
            blocked = False
        except OSError:
            blocked = True
        report = analyse(
            ["Survivors value services that believe them. Funding must last."],
            source="t", output_type="t", thresholds=ReadabilityThresholds(),
            glossary=Glossary(),
        )
        print(json.dumps({"blocked": blocked, "syllables": report.syllables,
                          "ease": report.reading_ease}))
        """
    )
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["blocked"] is True
    # sur-vi-vors(3) val-ue(2) ser-vi-ces(3) that(1) be-lieve(2) them(1) fund-ing(2) must(1) last(1)
    assert data["syllables"] == 16
