"""The permission table, ``protocols/permissions.yaml``: reading and checking it.

Kept apart from deciding (:mod:`prosper_coop.trust.permissions`), so that the
history verifier (:mod:`prosper_coop.trust.verify`) can read the table without
importing what it verifies.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prosper_coop.core.defaults import study_or_default, where_of
from prosper_coop.core.errors import ValidationError

if TYPE_CHECKING:
    from prosper_coop.core.checks import Loaded, Problem
    from prosper_coop.core.study import Study

TABLE_FILE = ("protocols", "permissions.yaml")
TABLE_PATH = "/".join(TABLE_FILE)
SUPPORTED_VERSIONS = (1,)

# Every action the tool guards, in the order the table is shown, with what it is in words
# ("only the coordinator can <words>").
ACTIONS: dict[str, str] = {
    "people.add": "add people to the study",
    "people.roles": "change people's roles or record that they left",
    "people.edit": "change people's details",
    "people.erase": "erase a person's sensitive records",
    "alerts.resolve": "resolve wellbeing alerts",
    "checklist.tick": "tick onboarding and offboarding items",
    "safeguarding.tick": "tick safeguarding items",
    "consent.record": "record consent",
    "consent.withdraw": "record a withdrawal of consent",
    "records.rekey": "re-encrypt sensitive records to their readers",
    "protocols.edit": "change the study's protocols and wellbeing settings",
    "permissions.edit": "change who may do what",
    "study.edit": "change the study's settings in study.yaml",
    "session.manage": "add, start or close sessions",
    "distress.run": "run the distress protocol",
    "recruitment.manage": "add sites, recruitment targets and participants",
    "surveys.manage": "add surveys and record their invitations and responses",
}

# Actions added after studies were first made, with who may do them where a study's
# table does not say yet (as the shipped table says): such a table still works, and
# doctor asks for a line for each, rather than every permission check failing.
LATER_ACTIONS: dict[str, tuple[str, ...]] = {
    "recruitment.manage": ("coordinator",),
    "surveys.manage": ("coordinator",),
}

SELF = "self"
FACILITATOR = "facilitator"
READERS = "readers"
# Whatever the table says, a person may withdraw what is theirs.
ALWAYS_SELF = ("consent.withdraw",)
# The tokens that are not roles, and the actions each can mean something for.
CONTEXT_TOKENS: dict[str, tuple[str, ...]] = {
    SELF: (
        "people.roles",
        "people.edit",
        "people.erase",
        "alerts.resolve",
        "checklist.tick",
        "consent.record",
        "consent.withdraw",
        "distress.run",
    ),
    FACILITATOR: ("safeguarding.tick", "session.manage", "distress.run"),
    READERS: ("records.rekey",),
}
# Who may do it, in words ("only <words> can ...").
ROLE_WORDS = {
    "coordinator": "the coordinator",
    "co-researcher": "a co-researcher",
    "co-applicant": "a co-applicant",
    "academic": "an academic",
    "safeguarding-lead": "the safeguarding lead",
    "wellbeing-lead": "the wellbeing lead",
    "ppi-lead": "the PPI lead",
}
TOKEN_WORDS = {
    SELF: "the person it is about",
    FACILITATOR: "a facilitator of that session",
    READERS: "whoever holds a role that reads that kind of record",
}


def role_names() -> tuple[str, ...]:
    """The roles a person may hold (:class:`prosper_coop.core.models.Role`)."""
    from prosper_coop.core.models import Role

    return tuple(role.value for role in Role)


@dataclass(frozen=True)
class PermissionTable:
    """The checked table: for each action, who may do it (roles and tokens, as written)."""

    version: int
    rules: dict[str, tuple[str, ...]]
    where: str
    # Later actions the file does not list (their rule is LATER_ACTIONS' default).
    unlisted: tuple[str, ...] = ()

    def roles_for(self, action: str) -> tuple[str, ...]:
        """Who may do ``action``: role names and the tokens self, facilitator, readers."""
        check_action(action)
        return self.rules[action]


def check_action(action: str) -> str:
    """``action`` when the tool knows it; a programming mistake otherwise."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    return action


# -- reading and checking the table -------------------------------------------------------
def load_table(root: Path | None) -> PermissionTable:
    """Read and check the study's ``protocols/permissions.yaml`` (the shipped one if absent).

    Any problem is a :class:`ValidationError` naming ``file:line`` and what to do.
    """
    from prosper_coop.core import yamlio

    path = study_or_default(root, *TABLE_FILE)
    where = where_of(root, path)
    if root is not None and path.is_relative_to(root):  # the study's copy: never via a link
        from prosper_coop.core.fsutil import read_regular_file

        raw = read_regular_file(path, where)
    else:
        raw = path.read_bytes()
    text = yamlio.decode(raw, where)
    return parse_table(text, where)


def parse_table(text: str, where: str) -> PermissionTable:
    """Check the text of a permission table; ``where`` names the file in errors."""
    from prosper_coop.core import yamlio

    data = yamlio.loads(text, where)

    def problem(field: str, message: str, loc: Sequence[str | int], hint: str) -> ValidationError:
        return ValidationError(
            f"{field}: {message}" if field else message,
            f"{hint} Then check the study with: prosper-coop doctor",
            file=where,
            line=yamlio.line_of(text, loc) or 1,
        )

    restore = f"Compare it with the shipped file, or restore it with: git checkout -- {where}."
    if not isinstance(data, dict):
        raise problem("", "the file should hold 'version: 1' and an 'actions:' table", (), restore)
    for key in data:
        if key not in ("version", "actions"):
            raise problem(
                str(key),
                "not a setting of this file",
                (str(key),),
                "Remove it (only version and actions belong here).",
            )
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        raise problem(
            "version",
            f"{version!r} is not a version this prosper-coop knows "
            f"({', '.join(str(v) for v in SUPPORTED_VERSIONS)})",
            ("version",),
            "Write 'version: 1' at the top of the file.",
        )
    actions = data.get("actions")
    if not isinstance(actions, dict):
        raise problem(
            "actions",
            "should be a table of actions, one per line, e.g. 'people.add: [coordinator]'",
            ("actions",),
            restore,
        )
    roles = role_names()
    rules: dict[str, tuple[str, ...]] = {}
    for action, value in actions.items():
        name = str(action)
        field = f"actions.{name}"
        if name not in ACTIONS:
            raise problem(
                field,
                "not an action prosper-coop knows",
                ("actions", name),
                f"Check the spelling; the actions are: {', '.join(ACTIONS)}.",
            )
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise problem(
                field,
                "should be a list of who may do it, e.g. [coordinator, self]",
                ("actions", name),
                "Write the roles in square brackets, separated by commas.",
            )
        if not value:
            raise problem(
                field,
                "nobody could do this",
                ("actions", name),
                "Name at least one role who may do it, e.g. [coordinator].",
            )
        for index, token in enumerate(value):
            fits = token in roles or name in CONTEXT_TOKENS.get(token, ())
            if not fits and token in CONTEXT_TOKENS:
                raise problem(
                    field,
                    f"{token!r} means nothing for this action",
                    ("actions", name, index),
                    f"'{token}' can be used for: {', '.join(CONTEXT_TOKENS[token])}. "
                    "Use role names here.",
                )
            elif not fits:
                raise problem(
                    field,
                    f"unknown role {token!r}",
                    ("actions", name, index),
                    f"Use the roles {', '.join(roles)}, or self, facilitator or readers "
                    "where they fit.",
                )
            if token in value[:index]:
                raise problem(
                    field,
                    f"{token!r} is listed twice",
                    ("actions", name, index),
                    "List each role once.",
                )
        rules[name] = tuple(value)
    unlisted = tuple(action for action in LATER_ACTIONS if action not in rules)
    rules.update({action: LATER_ACTIONS[action] for action in unlisted})
    missing = [action for action in ACTIONS if action not in rules]
    if missing:
        raise problem(
            "actions",
            f"{', '.join(missing)} missing: say who may do "
            + ("it" if len(missing) == 1 else "them"),
            ("actions",),
            f"Add a line for each under 'actions:', e.g. '  {missing[0]}: [coordinator]'.",
        )
    return PermissionTable(int(version), rules, where, unlisted)


def check_table(loaded: Loaded) -> Iterator[Problem]:
    """``doctor``: the study's permission table (as it stands on disk) can be read and is valid."""
    from prosper_coop.core.checks import Problem, problem_from_error

    try:
        table = load_table(loaded.study.root)
    except ValidationError as exc:
        yield problem_from_error(exc, TABLE_PATH)
        return
    for action in table.unlisted:
        default = ", ".join(LATER_ACTIONS[action])
        yield Problem(
            TABLE_PATH,
            None,
            "actions",
            f"{action} ({ACTIONS[action]}) is not listed, so the default applies: "
            f"[{default}]. Add the line '  {action}: [{default}]' (or your own choice) "
            'under actions:, then: prosper-coop save -m "permissions for new actions"',
            "warning",
        )


def roles_for(action: str, study: Study | None = None) -> tuple[str, ...]:
    """Who may do ``action`` in ``study`` (the shipped table when None), as written."""
    return load_table(study.root if study is not None else None).roles_for(action)


def table_allows(
    table: PermissionTable,
    action: str,
    roles: set[str],
    *,
    is_self: bool,
    is_facilitator: bool = False,
    reads: bool = False,
) -> bool:
    """Whether someone with ``roles`` may do ``action`` by ``table``.

    ``is_self``: the record is about them; ``is_facilitator``: they facilitate the
    session concerned; ``reads``: they hold a role that reads that kind of record.
    The one rule for the local refusal (permissions.require) and the history
    check (verify), so both say the same.
    """
    if action in ALWAYS_SELF and is_self:
        return True
    return any(
        (token == SELF and is_self)
        or (token == FACILITATOR and is_facilitator)
        or (token == READERS and reads)
        or token in roles
        for token in table.roles_for(action)
    )
