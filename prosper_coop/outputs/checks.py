"""``doctor`` checks for findings, recommendations, the involvement log and renders."""

from __future__ import annotations

from collections.abc import Iterator

from prosper_coop.core.checks import Loaded, Problem
from prosper_coop.core.errors import UserError


def check_outputs(loaded: Loaded) -> Iterator[Problem]:
    """Unknown themes, work packages and people; rendered files that have gone missing."""
    wps = loaded.ids("workpackage")
    themes = loaded.ids("theme")
    people = loaded.ids("person")
    for theme_id, (theme, _, _) in loaded.of("theme").items():
        for wp in theme.evidence:
            if wp not in wps:
                yield loaded.problem("theme", theme_id, "evidence", f"unknown work package {wp}")
    for rec_id, (rec, _, _) in loaded.of("recommendation").items():
        if rec.theme not in themes:
            yield loaded.problem(
                "recommendation",
                rec_id,
                "theme",
                f"unknown theme {rec.theme} (see: prosper-coop findings list)",
            )
        for wp in rec.evidence:
            if wp not in wps:
                yield loaded.problem(
                    "recommendation", rec_id, "evidence", f"unknown work package {wp}"
                )
    for entry_id, (entry, _, _) in loaded.of("involvement").items():
        if entry.person not in people:
            yield loaded.problem(
                "involvement", entry_id, "person", f"unknown person {entry.person}"
            )
    root = loaded.study.root
    for render_id, (render, _, _) in loaded.of("render").items():
        for rendered in render.files:
            if not (root / rendered.path).is_file():
                yield loaded.problem(
                    "render",
                    render_id,
                    "files",
                    f"{rendered.path} is missing; make it again with: "
                    f"prosper-coop render --again {render_id}",
                    "warning",
                )


def check_output_settings(loaded: Loaded) -> Iterator[Problem]:
    """Readability limits name real outputs, rates are unambiguous, files can be read."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.study import STUDY_FILE
    from prosper_coop.outputs.context import WORDING_FILE, funding_context, load_wording
    from prosper_coop.outputs.readability import GLOSSARY_FILE, load_glossary
    from prosper_coop.outputs.render import available_templates

    study = loaded.study
    try:
        settings = study.settings
    except UserError:
        settings = None  # check_setup reports it
    if settings is not None:
        text = (study.root / STUDY_FILE).read_text(encoding="utf-8", errors="replace")
        known = {"default", *available_templates(study)}
        for name in sorted(set(settings.readability) - known):
            yield Problem(
                STUDY_FILE,
                yamlio.line_of(text, ("readability", name)),
                f"readability.{name}",
                f"there is no template called {name!r}, so these limits are never used "
                f"(templates: {', '.join(sorted(known - {'default'}))})",
                "warning",
            )
        seen: set[str] = set()
        for rate in settings.involvement.rates:
            day = rate.as_of.isoformat()
            if day in seen:
                yield Problem(
                    STUDY_FILE,
                    yamlio.line_of(text, ("involvement", "rates")),
                    "involvement.rates",
                    f"two rates start on {day}; keep one so each day has one rate",
                )
            seen.add(day)
        if (
            funding_context(settings.funder)["nihr"]
            and not settings.award.strip()
            and not settings.funder_acknowledgement.strip()
        ):
            yield Problem(
                STUDY_FILE,
                yamlio.line_of(text, ("funder",)),
                "award",
                "the study is NIHR-funded but has no award number, which NIHR's "
                "acknowledgement in public outputs needs (write it in study.yaml as "
                "award: ..., then prosper-coop save -m 'award number')",
                "warning",
            )
    glossary = study.root / GLOSSARY_FILE
    if glossary.is_file():
        try:
            load_glossary(glossary)
        except UserError as exc:
            yield Problem(GLOSSARY_FILE, exc.line, "(file)", exc.message)
    if (study.root / WORDING_FILE).is_file():
        try:
            load_wording(study)
        except UserError as exc:
            yield Problem(WORDING_FILE, exc.line, "(file)", exc.message)
