"""``prosper-coop permissions``: who may do what in this study, in plain words."""

from __future__ import annotations

import typer

from prosper_coop.cli.common import AsJson, open_study, output


def register(app: typer.Typer) -> None:
    """Add ``permissions`` to the root app."""
    app.command()(permissions)


def permissions(as_json: AsJson = False) -> None:
    """Show who may do what in this study (protocols/permissions.yaml), and who that is now.

    Changes nothing. To change the table, someone it allows to (the coordinator, by
    default) edits protocols/permissions.yaml and runs: prosper-coop save -m "why"

    Example: prosper-coop permissions
    """
    from prosper_coop.trust.permissions import describe

    out = output(as_json)
    view = describe(open_study())
    if as_json:
        out.json(view.as_dict())
        return
    out.table(
        ["Action", "Who may do it", "Now"],
        [
            [f"{row.what}\n({row.action})", "\n".join(row.who), ", ".join(row.people)]
            for row in view.actions
        ],
        title=f"Who may do what ({view.where}, version {view.version})",
    )
    out.info(
        "Roles count only for people who are active. Whatever the table says, a person may "
        "always read what is theirs and withdraw their own consent."
    )
    if view.unsaved:
        out.warn(
            f"{view.where} has edits that are not saved; they count once saved "
            '(prosper-coop save -m "why", by someone allowed to change it).'
        )
