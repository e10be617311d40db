"""Sites: the places where fieldwork happens, named as the study chooses (``SITE1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prosper_coop.core.errors import ConflictError, InvalidInputError
from prosper_coop.recruitment import labels
from prosper_coop.trust import permissions

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.recruitment.models import Site

MAX_NAME = 120
REGION_EXAMPLE = '"North West"'


def add_site(study: Study, name: str, *, region: str | None = None) -> Site:
    """Add a site under the next free ID (``SITE1``, ``SITE2``...): one commit.

    The name is the study's own ("Area A (North)"); no real organisation is needed.
    Two sites may not share a name (whatever its case and spacing).
    """
    from prosper_coop.core.records import get
    from prosper_coop.recruitment.models import Site

    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME or not clean.isprintable():
        raise InvalidInputError(
            f"a site's name is one line of at most {MAX_NAME} characters",
            'Give a short name, for example "Area A (North)".',
        )
    area = labels.match_label(region, [], "region", REGION_EXAMPLE) if region else ""
    rtype = get("site")
    with study.change("recruitment", f"add site {clean}", []) as change:
        permissions.require(study, "recruitment.manage", what="add sites")
        sites: list[Site] = study.load_all(rtype)
        same = next((s for s in sites if labels.key(s.name) == labels.key(clean)), None)
        if same is not None:
            raise ConflictError(
                f"there is already a site called {same.name!r} ({same.id})",
                "Give the new site another name, or use " + same.id + ".",
            )
        if area:  # spelt as an earlier site's region when it is the same region
            area = labels.match_label(area, [s.region for s in sites], "region", REGION_EXAMPLE)
        site = Site(
            id=study.next_id(rtype),
            name=clean,
            region=area,
            added=study.today(),
            added_by=change.author,
        )
        change.record_ids.append(site.id)
        change.save(site, rtype)
    return site


def list_sites(study: Study) -> list[Site]:
    """Every site, by ID."""
    from prosper_coop.core.records import get

    return list(study.load_all(get("site")))
