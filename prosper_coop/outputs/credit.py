"""The study team as each person chose to be credited (docs/domain.md section 4).

Only this module reads people for outputs, and it hands templates nothing but
the words each person chose: a ``display`` text (name, initials or pseudonym) or
a place in a group, counted but not named. A person who chose ``none`` is left
out entirely; a person who has not chosen yet is counted in their group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prosper_coop.core.models import Person

PUBLIC_ROLES = {"co-researcher", "co-applicant"}
NAMED_STYLES = {"name", "initials", "pseudonym"}


@dataclass
class Group:
    """A named group whose members are counted, not named."""

    name: str
    members: int = 0
    as_author: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data for templates."""
        return {"name": self.name, "members": self.members, "as_author": self.as_author}


@dataclass
class TeamCredits:
    """Authors and acknowledgements, exactly as people chose to appear."""

    authors: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    not_shown: int = 0
    fell_back_to_group: list[str] = field(default_factory=list)

    def as_context(self) -> dict[str, Any]:
        """What templates see: display texts and group names only (never IDs or aliases)."""
        author_groups = [g.name for g in self.groups if g.as_author]
        thanked_groups = [g.name for g in self.groups if not g.as_author]
        return {
            "authors": list(self.authors),
            "acknowledged": list(self.acknowledged),
            "groups": [g.as_dict() for g in self.groups],
            "author_names": [*self.authors, *author_groups],
            "thanked_names": [*self.acknowledged, *thanked_groups],
        }


def group_names(short_title: str) -> tuple[str, str]:
    """The names of the co-researcher group and the research team group."""
    study = short_title.strip() or "study"
    return f"the {study} co-researcher group", f"the {study} research team"


def team_credits(people: list[Person], short_title: str) -> TeamCredits:
    """Credits for everyone, following each person's ``credit`` preference."""
    from prosper_coop.core.models import Credit

    public_name, team_name = group_names(short_title)
    public = Group(public_name)
    team = Group(team_name)
    credits = TeamCredits()
    for person in sorted(people, key=lambda p: p.id):
        choice = person.credit or Credit()
        style = str(choice.style)
        as_author = str(choice.credit_as) == "author"
        if style == "none":
            credits.not_shown += 1
            continue
        display = " ".join(choice.display.split())
        if style in NAMED_STYLES and display:
            (credits.authors if as_author else credits.acknowledged).append(display)
            continue
        if style in NAMED_STYLES:
            credits.fell_back_to_group.append(person.id)
        group = public if PUBLIC_ROLES & {str(role) for role in person.roles} else team
        group.members += 1
        group.as_author = group.as_author or as_author
    credits.groups = [group for group in (public, team) if group.members]
    return credits
