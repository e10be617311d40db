"""``prosper-coop findings ...``: themes of the findings and their key messages."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from prosper_coop.cli.common import (
    AsJson,
    Quiet,
    id_list_parser,
    id_parser,
    make_app,
    open_study,
    output,
)
from prosper_coop.cli.groups import group_app
from prosper_coop.core import ids

app = group_app("findings")
theme_app = make_app("Add and change themes.", name="theme")
message_app = make_app("Add and remove a theme's key messages.", name="message")
app.add_typer(theme_app, name="theme")
app.add_typer(message_app, name="message")

# A theme by its ID or number (th1, 1 -> TH1); work packages as a list (wp2,3 -> WP2,WP3).
THEME = id_parser(ids.THEME.normal, "theme")
WORK_PACKAGES = id_list_parser(ids.WORK_PACKAGE.normal, "wps")
ThemeId = Annotated[str, typer.Argument(help="A theme ID, e.g. TH1 (or just 1).", parser=THEME)]
Evidence = Annotated[
    str | None,
    typer.Option(
        "--evidence", help="Work packages the theme rests on, e.g. WP2,WP3.", parser=WORK_PACKAGES
    ),
]


def _theme_row(theme: Any) -> dict[str, Any]:
    data: dict[str, Any] = theme.model_dump(mode="json", exclude={"conflicts"})
    return data


@theme_app.command("add")
def theme_add(
    theme_id: ThemeId,
    title: Annotated[str, typer.Argument(help="The theme's title.")],
    summary: Annotated[str, typer.Option("--summary", "-s", help="A plain summary.")] = "",
    evidence: Evidence = None,
    quiet: Quiet = False,
) -> None:
    """Add a theme of the findings.

    Example: prosper-coop findings theme add TH1 "Precarious funding" -s "Short grants."
    """
    from prosper_coop.outputs import findings

    theme = findings.add_theme(
        open_study(), theme_id, title, summary=summary, evidence=evidence or ""
    )
    out = output(quiet=quiet)
    out.line(theme.id)
    out.success(f"Added theme {theme.id}: {theme.title}")


@theme_app.command("edit")
def theme_edit(
    theme_id: ThemeId,
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    summary: Annotated[str | None, typer.Option("--summary", "-s", help="A new summary.")] = None,
    evidence: Evidence = None,
    quiet: Quiet = False,
) -> None:
    """Change a theme's title, summary or evidence.

    Example: prosper-coop findings theme edit TH4 --summary "Waiting lists are long."
    """
    from prosper_coop.outputs import findings

    theme = findings.edit_theme(
        open_study(), theme_id, title=title, summary=summary, evidence=evidence
    )
    output(quiet=quiet).success(f"Changed theme {theme.id}.")


@message_app.command("add")
def message_add(
    theme_id: ThemeId,
    text: Annotated[str, typer.Argument(help="The key message, in plain words.")],
    quiet: Quiet = False,
) -> None:
    """Add a key message to a theme (short, plain, one idea).

    Example: prosper-coop findings message add TH4 "Waiting lists are long."
    """
    from prosper_coop.outputs import findings

    theme = findings.add_key_message(open_study(), theme_id, text)
    output(quiet=quiet).success(f"Added key message {len(theme.key_messages)} to theme {theme.id}.")


@message_app.command("remove")
def message_remove(
    theme_id: ThemeId,
    number: Annotated[int, typer.Argument(help="Which message (1 is the first).")],
    quiet: Quiet = False,
) -> None:
    """Remove one key message from a theme.

    Example: prosper-coop findings message remove TH4 2
    """
    from prosper_coop.outputs import findings

    theme = findings.remove_key_message(open_study(), theme_id, number)
    output(quiet=quiet).success(
        f"Removed key message {number} from theme {theme.id}; {len(theme.key_messages)} left."
    )


@app.command("list")
def list_(as_json: AsJson = False) -> None:
    """List the themes with their key messages and recommendations.

    Example: prosper-coop findings list --json
    """
    from prosper_coop.outputs import findings

    study = open_study()
    themes = findings.list_themes(study)
    recs = findings.list_recommendations(study)
    out = output(as_json)
    if as_json:
        out.json(
            [
                {**_theme_row(t), "recommendations": [r.id for r in recs if r.theme == t.id]}
                for t in themes
            ]
        )
        return
    out.table(
        ["Theme", "Title", "Key messages", "Recommendations", "Evidence"],
        [
            (
                t.id,
                t.title,
                len(t.key_messages),
                sum(1 for r in recs if r.theme == t.id),
                ", ".join(t.evidence),
            )
            for t in themes
        ],
        empty="No themes yet. Add one with: prosper-coop findings theme add TH1 'Title'",
    )


@app.command("show")
def show(theme_id: ThemeId, as_json: AsJson = False) -> None:
    """Show one theme: summary, key messages, evidence and its recommendations.

    Example: prosper-coop findings show TH1
    """
    from prosper_coop.outputs import findings

    study = open_study()
    theme = findings.load_theme(study, theme_id)
    recs = findings.list_recommendations(study, theme=theme.id)
    out = output(as_json)
    if as_json:
        out.json({**_theme_row(theme), "recommendations": [r.id for r in recs]})
        return
    out.line(f"{theme.id}: {theme.title}")
    if theme.summary:
        out.line(f"  {theme.summary}")
    if theme.evidence:
        out.line(f"  Evidence: {', '.join(theme.evidence)}")
    out.line("  Key messages:" if theme.key_messages else "  No key messages yet.")
    for number, message in enumerate(theme.key_messages, 1):
        out.line(f"    {number}. {message}")
    for rec in recs:
        out.line(f"  {rec.id} ({rec.audience}, {rec.priority}): {rec.text}")
