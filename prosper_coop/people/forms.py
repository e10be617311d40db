"""A study's own details in its forms: the ``{study.title}`` fields of the shipped
consent forms, filled when a study is made, and the blanks a form still has.

The shipped forms name no study. ``init`` writes the study's copy with its title,
IRAS ID, sponsor and ethics approval filled in; a detail not known yet becomes a
blank such as ``[IRAS ID]`` for the coordinator to fill in by hand. ``status`` lists
the blanks (and any field left unfilled) until they are gone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.people.checklists import ChecklistDefinition

# ``{study.title}``: a study detail (a field of study.yaml) to fill in.
FIELD = re.compile(r"\{study\.([a-z_]+)\}")
# ``[IRAS ID]``: a blank for the coordinator to fill in by hand.
BLANK = re.compile(r"\[[^\[\]\n]{1,60}\]")
# What a detail not known yet is written as.
BLANKS = {
    "title": "[study title]",
    "short_title": "[short name]",
    "iras_id": "[IRAS ID]",
    "ethics_committee": "[research ethics committee]",
    "ethics_reference": "[REC reference]",
    "sponsor": "[sponsor]",
    "funder": "[funder]",
    "award": "[award]",
}


def fill_study_details(text: str, details: Mapping[str, object]) -> str:
    """``text`` with each ``{study.NAME}`` replaced by the study's detail ``NAME``.

    A detail that is empty becomes its blank (``[IRAS ID]``); a name that is not a
    study detail is left as it is, so ``status`` reports it. Values are put on one
    line, so a filled YAML block stays valid.
    """

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in BLANKS:
            return match.group(0)
        given = " ".join(str(details.get(name) or "").split())
        return given or BLANKS[name]

    return FIELD.sub(value, text)


@dataclass(frozen=True)
class FormBlanks:
    """A consent form that still has blanks or unfilled fields, and where the first is."""

    form: str
    title: str
    file: str
    line: int | None
    blanks: tuple[str, ...]


def blanks_in(definition: ChecklistDefinition) -> list[str]:
    """The blanks (``[IRAS ID]``) and unfilled fields (``{study.x}``) in a form's wording."""
    texts = [definition.title, definition.description]
    for item in definition.items:
        texts += [item.text, item.help]
    found: list[str] = []
    for text in texts:
        for match in [*BLANK.finditer(text), *FIELD.finditer(text)]:
            if match.group(0) not in found:
                found.append(match.group(0))
    return found


def consent_forms_with_blanks(study: Study) -> list[FormBlanks]:
    """Every consent form of the study that still has something to fill in.

    A form that cannot be read is left to ``doctor``, which names the problem.
    """
    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.fsutil import read_regular_file
    from prosper_coop.people.checklists import ChecklistKind, definition_files, parse_definition

    found = []
    for path in definition_files(study):
        where = study.rel(path)
        try:
            text = yamlio.decode(read_regular_file(path, where), where)
            if not (BLANK.search(text) or FIELD.search(text)):
                continue  # nothing to fill in: no need to read the whole form
            definition = parse_definition(text, where, path.stem)
        except UserError:
            continue
        if definition.kind != ChecklistKind.CONSENT:
            continue
        blanks = blanks_in(definition)
        if blanks:
            found.append(
                FormBlanks(
                    definition.id, definition.title, where, _line_of(text, blanks[0]), tuple(blanks)
                )
            )
    return found


def _line_of(text: str, fragment: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if fragment in line and not line.lstrip().startswith("#"):
            return number
    return None
