"""Starter text: the sentences the shipped templates come with, to be replaced before sharing.

Starter text is marked one way everywhere: it begins with the words ``Say here``
("Say here, in one or two short sentences, what your study wanted to find out.").
The shipped ``templates/wording.yaml`` holds it, and a team may write it into a
template of its own. ``render`` refuses to share an output that still has some
(unless ``--draft``), and says where each piece is: the section of the output, and
the file and line to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

STARTER_TEXT = "Say here"
WORDING_FILE = "templates/wording.yaml"
# "Say here" as the start of a sentence: not inside a word, nor escaped record text.
_STARTER = re.compile(r"(?<![\w\\])Say here\b")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


@dataclass(frozen=True)
class StarterPlace:
    """One piece of starter text in an output: its section, and where to change it."""

    section: str  # the heading it sits under ("" before the first heading)
    file: str  # the file to change: templates/wording.yaml or a template
    line: int | None
    name: str = ""  # the wording.yaml entry, when it comes from there

    @property
    def where(self) -> str:
        """``templates/wording.yaml:9`` (or the file alone when the line is not known)."""
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def part(self) -> str:
        """``the section "What was the question?"`` (``the opening`` before any heading)."""
        return f'the section "{self.section}"' if self.section else "the opening"

    def describe(self) -> str:
        """``the section "What was the question?" (templates/wording.yaml:9, question)``."""
        entry = f", {self.name}" if self.name else ""
        return f"{self.part} ({self.where}{entry})"


def is_starter(text: str) -> bool:
    """Whether ``text`` (a wording entry, a paragraph) still holds starter text."""
    return _STARTER.search(text) is not None


def find_starter(
    markdown: str,
    *,
    wording: Mapping[str, str],
    wording_text: str,
    templates: Mapping[str, str],
    template: str,
) -> list[StarterPlace]:
    """Every piece of starter text in a rendered output, in the order it appears.

    ``wording`` is the study's wording (as templates see it), ``wording_text`` the
    file as written (for line numbers), ``templates`` the texts of the template
    files the render used (name inside ``templates/`` -> text) and ``template`` the
    output's own file name (``lay-summary.md.j2``).
    """
    from prosper_coop.core import yamlio

    found: list[StarterPlace] = []
    section = ""
    for raw in markdown.splitlines():
        heading = _HEADING.match(raw)
        if heading:
            section = heading.group(1).strip()
            continue
        if not is_starter(raw):
            continue
        entry = next(
            (name for name, text in wording.items() if is_starter(text) and text in raw), None
        )
        if entry is not None:
            line = yamlio.line_of(wording_text, (entry,)) if wording_text else None
            found.append(StarterPlace(section, WORDING_FILE, line, entry))
            continue
        file, line = _in_templates(raw, templates, template)
        found.append(StarterPlace(section, file, line))
    return found


def _in_templates(raw: str, templates: Mapping[str, str], template: str) -> tuple[str, int | None]:
    """The template file and line that wrote a line of starter text (best effort)."""
    match = _STARTER.search(raw)
    sentence = raw[match.start() :].split(".")[0] if match else ""
    names = [template, *sorted(name for name in templates if name != template)]
    for name in names:
        text = templates.get(name, "")
        for number, line in enumerate(text.splitlines(), 1):
            if sentence and sentence in line:
                return f"templates/{name}", number
    return f"templates/{template}", None
