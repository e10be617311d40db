"""Who may read each kind of sensitive record: the study's ``wellbeing/recipients.yaml``.

Kept light (no pydantic, no pyrage): sealing a record and checking keys both start here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prosper_coop.core.defaults import read_settings, setting_error

# The roles a person may hold (prosper_coop.core.models.Role), without importing pydantic.
ROLE_NAMES = (
    "coordinator",
    "co-researcher",
    "co-applicant",
    "academic",
    "safeguarding-lead",
    "wellbeing-lead",
    "ppi-lead",
)
# The kinds of sensitive record a reader rule is written for.
READER_KINDS = (
    "checkin",
    "reflection-private",
    "reflection-shared",
    "plan",
    "alert-note",
    "incident",
    "identity",
)


@dataclass(frozen=True)
class ReaderPolicy:
    """``wellbeing/recipients.yaml``: who can read each kind of sensitive record."""

    readers: dict[str, tuple[str, ...]]
    groups: dict[str, tuple[str, ...]]
    required_roles: tuple[str, ...]
    where: str

    def tokens(self, kind: str) -> tuple[str, ...]:
        """The reader names for ``kind`` as written (person, roles, groups)."""
        return self.readers.get(kind, ())

    def roles(self, kind: str) -> tuple[str, ...]:
        """The roles (groups expanded) that read ``kind``; ``person`` left out."""
        found: list[str] = []
        for token in self.tokens(kind):
            for role in self.groups.get(token, (token,)):
                if role != "person" and role not in found:
                    found.append(role)
        return tuple(found)

    def includes_person(self, kind: str) -> bool:
        """Whether the person a record belongs to can read it."""
        return "person" in self.tokens(kind)


def reader_policy(root: Path | None) -> ReaderPolicy:
    """Read and check ``wellbeing/recipients.yaml``."""
    data, where = read_settings(root, "wellbeing", "recipients.yaml")
    groups_raw = data.get("groups") or {}
    readers_raw = data.get("readers") or {}
    if not isinstance(groups_raw, dict) or not isinstance(readers_raw, dict):
        raise setting_error(where, "groups/readers", "should be mappings")

    def names(value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise setting_error(
                where, key, "should be a list of names, e.g. [person, wellbeing-lead]"
            )
        return tuple(value)

    groups = {str(k): names(v, f"groups.{k}") for k, v in groups_raw.items()}
    for group, roles in groups.items():
        unknown = [r for r in roles if r not in ROLE_NAMES]
        if unknown:
            raise setting_error(where, f"groups.{group}", f"unknown role {unknown[0]!r}")
    readers = {str(k): names(v, f"readers.{k}") for k, v in readers_raw.items()}
    for kind in READER_KINDS:
        if kind not in readers:
            raise setting_error(where, f"readers.{kind}", "missing: say who can read these")
    for kind, tokens in readers.items():
        if kind not in READER_KINDS:
            raise setting_error(
                where, f"readers.{kind}", f"unknown kind; use {', '.join(READER_KINDS)}"
            )
        for token in tokens:
            if token != "person" and token not in ROLE_NAMES and token not in groups:
                raise setting_error(where, f"readers.{kind}", f"unknown role or group {token!r}")
        if not tokens:
            raise setting_error(where, f"readers.{kind}", "nobody could read these records")
    required = names(data.get("required_roles") or [], "required_roles")
    return ReaderPolicy(readers, groups, required, where)
