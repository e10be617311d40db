"""``prosper-coop site ...``: the places where fieldwork happens."""

from __future__ import annotations

from typing import Annotated

import typer

from prosper_coop.cli.common import AsJson, Quiet, open_study, output
from prosper_coop.cli.groups import group_app

app = group_app("site")


@app.command()
def add(
    name: Annotated[str, typer.Argument(help='The site\'s name, e.g. "Area A (North)".')],
    region: Annotated[
        str | None, typer.Option("--region", help='Its region, e.g. "North West".')
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Add a site (SITE1, SITE2, ...), named as the study chooses: one commit.

    Example: prosper-coop site add "Area A (North)" --region "North West"
    """
    from prosper_coop.recruitment.sites import add_site

    site = add_site(open_study(), name, region=region)
    out = output(quiet=quiet)
    out.line(site.id)
    out.success(f"Added site {site.id}: {site.name}.")


@app.command("list")
def list_(as_json: AsJson = False) -> None:
    """List the sites.

    Example: prosper-coop site list
    """
    from prosper_coop.recruitment.sites import list_sites

    found = list_sites(open_study())
    out = output(as_json)
    if as_json:
        out.json([site.model_dump(mode="json", exclude={"conflicts"}) for site in found])
        return
    out.table(
        ["ID", "Name", "Region", "Added"],
        [[s.id, s.name, s.region or "-", s.added or "-"] for s in found],
        empty='No sites yet. Add one with: prosper-coop site add "Area A (North)"',
    )
