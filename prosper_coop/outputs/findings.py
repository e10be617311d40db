"""Findings (themes with key messages) and recommendations, as shared records.

A theme is one finding of the study (PROSPER's final model had six). Each
recommendation is addressed to one audience, rests on one theme and names the
work packages whose evidence supports it. Plain-language outputs are rendered
from these records (see :mod:`prosper_coop.outputs`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import Field, StringConstraints

from prosper_coop.core import choices, ids
from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.models import Date, LongText, Record, Text, WpRef

if TYPE_CHECKING:
    from prosper_coop.core.study import Study

THEME_ID = ids.THEME_ID
REC_ID = ids.REC_ID

M = TypeVar("M", bound=Record)
ThemeRef = Annotated[str, StringConstraints(pattern=THEME_ID.pattern)]
RecText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Audience(StrEnum):
    """Who a recommendation is for."""

    COMMISSIONERS = "commissioners"
    PROVIDERS = "providers"
    POLICY = "policy"
    PRACTICE = "practice"


AUDIENCE_LABELS: dict[Audience, str] = {
    Audience.COMMISSIONERS: "For commissioners",
    Audience.PROVIDERS: "For services",
    Audience.POLICY: "For policy makers",
    Audience.PRACTICE: "For people in practice",
}


class Priority(StrEnum):
    """How soon a recommendation should be acted on."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Theme(Record):
    """One theme of the findings, with its plain-language key messages."""

    id: Annotated[str, StringConstraints(pattern=THEME_ID.pattern)]
    title: Text
    summary: LongText = ""
    key_messages: list[Text] = Field(default_factory=list)
    evidence: list[WpRef] = Field(default_factory=list)
    created: Date | None = None
    # The easy-read picture for this theme (a name in templates/icons/icons.yaml);
    # without it, one is chosen from the words of its first key message and title.
    icon: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")] | None = None


class Recommendation(Record):
    """A recommendation for one audience, resting on one theme."""

    id: Annotated[str, StringConstraints(pattern=REC_ID.pattern)]
    text: RecText
    audience: Audience
    theme: ThemeRef
    priority: Priority = Priority.MEDIUM
    evidence: list[WpRef] = Field(default_factory=list)
    created: Date | None = None
    updated: Date | None = None


# -- parsing what people type -----------------------------------------------------------
def parse_audience(value: str) -> Audience:
    """``commissioners`` -> :class:`Audience`, or a clear error listing the choices."""
    return choices.parse_choice(Audience, value, f"audience {value!r} is not one of the audiences")


def parse_priority(value: str) -> Priority:
    """``high`` -> :class:`Priority`, or a clear error listing the choices."""
    return choices.parse_choice(Priority, value, f"priority {value!r} is not a priority")


def parse_evidence(study: Study, value: str) -> list[str]:
    """``"WP2, WP3"`` -> ``["WP2", "WP3"]``; every work package must exist."""
    from prosper_coop.core import ids
    from prosper_coop.core.choices import split_list
    from prosper_coop.core.records import get

    wps = get("workpackage")
    found = split_list([value.upper()])
    for wp_id in found:
        ids.check_pattern(wp_id, wps.pattern, "work package", wps.example)
        if not study.exists(wps, wp_id):
            raise NotFoundError(
                f"work package {wp_id} not found (named in --evidence)",
                "List work packages with: prosper-coop wp list",
            )
    return found


# -- themes -----------------------------------------------------------------------------
def list_themes(study: Study) -> list[Theme]:
    """Every theme, in ID order."""
    from prosper_coop.core.records import get

    return list(study.load_all(get("theme")))


def load_theme(study: Study, theme_id: str) -> Theme:
    """One theme, or a NotFoundError saying how to list them."""
    from prosper_coop.core.records import get

    theme: Theme = study.load(get("theme"), theme_id.strip().upper())
    return theme


def add_theme(
    study: Study, theme_id: str, title: str, *, summary: str = "", evidence: str = ""
) -> Theme:
    """Add a theme (one commit)."""
    from prosper_coop.core.records import get

    rtype = get("theme")
    theme_id = theme_id.strip().upper()
    study.path_of(rtype, theme_id)  # checks the ID's form
    theme = build_record(
        Theme,
        id=theme_id,
        title=title,
        summary=summary.strip(),
        evidence=parse_evidence(study, evidence),
        created=study.today(),
    )
    with study.change("findings", f"add theme {title.strip()[:60]}", theme_id) as ch:
        if study.exists(rtype, theme_id):
            raise ConflictError(
                f"theme {theme_id} already exists",
                f"Change it with: prosper-coop findings theme edit {theme_id} --title ...",
            )
        ch.save(theme, rtype)
    return theme


def edit_theme(
    study: Study,
    theme_id: str,
    *,
    title: str | None = None,
    summary: str | None = None,
    evidence: str | None = None,
) -> Theme:
    """Change a theme's title, summary or evidence (one commit)."""
    from prosper_coop.core.records import get

    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title
    if summary is not None:
        changes["summary"] = summary.strip()
    if evidence is not None:
        changes["evidence"] = parse_evidence(study, evidence)
    _require_changes(changes, "--title, --summary or --evidence")
    theme_id = theme_id.strip().upper()
    with study.change("findings", f"edit theme {theme_id}", theme_id) as ch:
        theme = load_theme(study, theme_id)
        updated = build_record(Theme, **{**theme.model_dump(), **changes})
        ch.save(updated, get("theme"))
    return updated


def add_key_message(study: Study, theme_id: str, text: str) -> Theme:
    """Add a plain-language key message to a theme (one commit)."""
    from prosper_coop.core.records import get

    theme_id = theme_id.strip().upper()
    with study.change("findings", f"add key message to {theme_id}", theme_id) as ch:
        theme = load_theme(study, theme_id)
        updated = build_record(
            Theme, **{**theme.model_dump(), "key_messages": [*theme.key_messages, text]}
        )
        ch.save(updated, get("theme"))
    return updated


def remove_key_message(study: Study, theme_id: str, number: int) -> Theme:
    """Remove key message ``number`` (counting from 1) from a theme (one commit)."""
    from prosper_coop.core.records import get

    theme_id = theme_id.strip().upper()
    with study.change("findings", f"remove key message {number} from {theme_id}", theme_id) as ch:
        theme = load_theme(study, theme_id)
        if not 1 <= number <= len(theme.key_messages):
            raise InvalidInputError(
                f"theme {theme_id} has no key message {number}",
                f"It has {len(theme.key_messages)}; see them with: "
                f"prosper-coop findings show {theme_id}",
            )
        messages = [m for i, m in enumerate(theme.key_messages, 1) if i != number]
        updated = build_record(Theme, **{**theme.model_dump(), "key_messages": messages})
        ch.save(updated, get("theme"))
    return updated


# -- recommendations --------------------------------------------------------------------
def list_recommendations(
    study: Study, *, audience: str | None = None, theme: str | None = None
) -> list[Recommendation]:
    """Recommendations in ID order, optionally for one audience or theme."""
    from prosper_coop.core.records import get

    wanted_audience = parse_audience(audience) if audience else None
    wanted_theme = theme.strip().upper() if theme else None
    found: list[Recommendation] = list(study.load_all(get("recommendation")))
    return [
        rec
        for rec in found
        if (wanted_audience is None or rec.audience == wanted_audience)
        and (wanted_theme is None or rec.theme == wanted_theme)
    ]


def recommendation_number(rec_id: str) -> str:
    """The number a recommendation is cited by in every output: ``R-007`` -> ``R7``.

    Taken from the ID, so it is the same in every output and every audience's list,
    and stays the same when other recommendations are added, edited or removed.
    """
    prefix, _, number = rec_id.partition("-")
    return f"{prefix}{int(number)}" if number.isdigit() else rec_id


def load_recommendation(study: Study, rec_id: str) -> Recommendation:
    """One recommendation, or a NotFoundError saying how to list them."""
    from prosper_coop.core.records import get

    rec: Recommendation = study.load(get("recommendation"), rec_id.strip().upper())
    return rec


def _check_theme(study: Study, theme_id: str) -> str:
    from prosper_coop.core import ids
    from prosper_coop.core.records import get

    rtype = get("theme")
    theme_id = theme_id.strip().upper()
    ids.check_pattern(theme_id, rtype.pattern, "theme ID", rtype.example)
    if not study.exists(rtype, theme_id):
        raise NotFoundError(
            f"theme {theme_id} not found",
            "List themes with: prosper-coop findings list "
            "(or add one with: prosper-coop findings theme add ID TITLE)",
        )
    return theme_id


def add_recommendation(
    study: Study,
    text: str,
    *,
    audience: str,
    theme: str,
    priority: str = "medium",
    evidence: str = "",
) -> Recommendation:
    """Add a recommendation with the next free ID (one commit)."""
    from prosper_coop.core.records import get

    rtype = get("recommendation")
    fields: dict[str, Any] = {
        "text": text,
        "audience": parse_audience(audience),
        "priority": parse_priority(priority),
        "evidence": parse_evidence(study, evidence),
        "created": study.today(),
    }
    with study.change("rec", f"add recommendation for {fields['audience']}") as ch:
        fields["theme"] = _check_theme(study, theme)
        rec = build_record(Recommendation, id=study.next_id(rtype), **fields)
        ch.record_ids = [rec.id]
        ch.save(rec, rtype)
    return rec


def edit_recommendation(
    study: Study,
    rec_id: str,
    *,
    text: str | None = None,
    audience: str | None = None,
    theme: str | None = None,
    priority: str | None = None,
    evidence: str | None = None,
) -> Recommendation:
    """Change any field of a recommendation (one commit)."""
    from prosper_coop.core.records import get

    changes: dict[str, Any] = {}
    if text is not None:
        changes["text"] = text
    if audience is not None:
        changes["audience"] = parse_audience(audience)
    if priority is not None:
        changes["priority"] = parse_priority(priority)
    if evidence is not None:
        changes["evidence"] = parse_evidence(study, evidence)
    if theme is None:
        _require_changes(changes, "--text, --audience, --theme, --priority or --evidence")
    rec_id = rec_id.strip().upper()
    with study.change("rec", f"edit recommendation {rec_id}", rec_id) as ch:
        if theme is not None:
            changes["theme"] = _check_theme(study, theme)
        rec = load_recommendation(study, rec_id)
        updated = build_record(
            Recommendation, **{**rec.model_dump(), **changes, "updated": study.today()}
        )
        ch.save(updated, get("recommendation"))
    return updated


# -- helpers ----------------------------------------------------------------------------
def _require_changes(changes: dict[str, Any], options: str) -> None:
    if not changes:
        raise InvalidInputError("nothing to change", f"Give at least one of {options}.")


def build_record(model: type[M], **fields: Any) -> M:
    """Build a record from typed-in values, turning validation errors into ours."""
    from pydantic import ValidationError as PydanticError

    try:
        return model(**fields)
    except PydanticError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first.get("loc", ())) or "value"
        raise InvalidInputError(
            f"{field}: {first.get('msg', 'invalid value')}",
            "Check the value you typed and try again. Nothing was changed.",
        ) from None
