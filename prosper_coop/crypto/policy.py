"""Who may read each kind of sensitive record: the study's ``wellbeing/recipients.yaml``.

Kept light (no pydantic, no pyrage): sealing a record and checking keys both start here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    "alert",
    "incident",
    "identity",
)
# Kinds a ``fallback:`` may be given for, and the extra token it may use there:
# ``facilitator`` (a facilitator of the session the record is about).
FALLBACK_KINDS = ("incident",)
FACILITATOR = "facilitator"
# Kinds an older recipients.yaml may still name, and the kind that took their place:
# ``alert-note`` (the lead's note on a plain alert) became ``alert`` (the whole alert,
# its resolution and note, all encrypted). An older file's readers carry over.
LEGACY_KINDS = {"alert-note": "alert"}


@dataclass(frozen=True)
class ReaderPolicy:
    """``wellbeing/recipients.yaml``: who can read each kind of sensitive record."""

    readers: dict[str, tuple[str, ...]]
    groups: dict[str, tuple[str, ...]]
    required_roles: tuple[str, ...]
    where: str
    # Who reads a kind while none of its readers has a key yet (``fallback:``).
    fallback: dict[str, tuple[str, ...]] = field(default_factory=dict)

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
    return parse_reader_policy(data, where)


def parse_reader_policy(data: dict[str, Any], where: str) -> ReaderPolicy:
    """Check the mapping of a ``recipients.yaml`` (``where`` names it in errors)."""
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
    for old_kind, kind in LEGACY_KINDS.items():
        if old_kind in readers:
            readers.setdefault(kind, readers[old_kind])
            del readers[old_kind]
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
    fallback = _fallback(data, where, groups, names)
    return ReaderPolicy(readers, groups, required, where, fallback)


def _fallback(
    data: dict[str, Any],
    where: str,
    groups: dict[str, tuple[str, ...]],
    names: Callable[[Any, str], tuple[str, ...]],
) -> dict[str, tuple[str, ...]]:
    """``fallback:``, checked: for an incident, who reads it while no safeguarding lead has
    a key. A file without one keeps the shipped default (the session's facilitators and
    the coordinator), so an incident is never lost for want of a lead's key.
    """
    raw = data.get("fallback", {"incident": [FACILITATOR, "coordinator"]})
    if not isinstance(raw, dict):
        raise setting_error(where, "fallback", "should be a mapping, e.g. incident: [coordinator]")
    fallback = {str(k): names(v, f"fallback.{k}") for k, v in raw.items()}
    for kind, tokens in fallback.items():
        if kind not in FALLBACK_KINDS:
            raise setting_error(
                where, f"fallback.{kind}", f"unknown kind; use {', '.join(FALLBACK_KINDS)}"
            )
        for token in tokens:
            if token != FACILITATOR and token not in ROLE_NAMES and token not in groups:
                raise setting_error(
                    where, f"fallback.{kind}", f"unknown role, group or word {token!r}"
                )
    return fallback
