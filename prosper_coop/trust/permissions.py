"""Who may do what: the study's permission table, ``protocols/permissions.yaml``.

The table maps each action the tool guards (``people.add``, ``alerts.resolve``,
...) to who may do it: role names, ``self`` (the person the record is about),
``facilitator`` (a facilitator of the session concerned) and ``readers`` (a role
that reads the kind of record concerned, as ``wellbeing/recipients.yaml`` says;
the caller passes those roles). Roles count only for people who are active, as
their records verify (:func:`prosper_coop.trust.state.trusted_people`).

Feature functions call :func:`require` inside (or just before) their
``study.change`` block, so the library refuses as the command line does. These
refusals stop honest mistakes; the signed history is what holds on every clone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import NotPermittedError
from prosper_coop.trust.table import (
    ACTIONS,
    CONTEXT_TOKENS,
    FACILITATOR,
    READERS,
    ROLE_WORDS,
    SELF,
    TABLE_PATH,
    TOKEN_WORDS,
    PermissionTable,
    check_action,
    check_table,
    load_table,
    parse_table,
    roles_for,
    table_allows,
)

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.core.study import Study

__all__ = [
    "ACTIONS",
    "TABLE_PATH",
    "Acting",
    "Decision",
    "PermissionTable",
    "acting",
    "allows",
    "check_table",
    "decide",
    "describe",
    "load_table",
    "parse_table",
    "require",
    "roles_for",
    "table_in_force",
]

SEE_TABLE = f"See who may do what with: prosper-coop permissions ({TABLE_PATH})."


def table_in_force(study: Study) -> PermissionTable:
    """The table as the signed history verifies it (the shipped one when it has none).

    A hand edit counts once it is saved, and saving it needs ``permissions.edit`` under
    the table it would replace; a commit that did not verify (made by hand, or by someone
    without that permission) does not count either. So nobody widens their own
    permissions by editing the file.
    """
    from prosper_coop.core import yamlio
    from prosper_coop.trust.state import trusted_file

    verified = trusted_file(study, TABLE_PATH)
    if verified is None:
        return load_table(None)
    return parse_table(yamlio.decode(verified, TABLE_PATH), TABLE_PATH)


# -- deciding ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    """Whether ``actor`` may do ``action``, and who may (for the refusal)."""

    action: str
    actor: str
    allowed: bool
    tokens: tuple[str, ...]
    readers: tuple[str, ...]
    holders: dict[str, tuple[str, ...]]
    subject: str | None
    facilitators: tuple[str, ...]
    aliases: dict[str, str]
    actor_left: bool
    where: str

    def who(self) -> list[str]:
        """Who may do it, in words: "the wellbeing lead", "the person it is about"."""
        words: list[str] = []
        for token in self.tokens:
            if token == READERS:
                words += [ROLE_WORDS.get(role, role) for role in self.readers] or [
                    TOKEN_WORDS[READERS]
                ]
            else:
                words.append(ROLE_WORDS.get(token, TOKEN_WORDS.get(token, token)))
        return list(dict.fromkeys(words))

    def people(self) -> list[str]:
        """The study IDs of the people who may do it now."""
        found: list[str] = []
        for token in self.tokens:
            if token == SELF and self.subject is not None:
                found.append(self.subject)
            elif token == FACILITATOR:
                found += self.facilitators
            elif token == READERS:
                for role in self.readers:
                    found += self.holders.get(role, ())
            else:
                found += self.holders.get(token, ())
        return [person for person in dict.fromkeys(found) if person != self.actor]


def _or(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _is_active(person: Person) -> bool:
    return str(person.status) == "active"


def _facilitators(study: Study, session: str | None) -> tuple[str, ...]:
    from prosper_coop.core.records import get

    sessions = get("session")
    if session is None or not sessions.pattern.fullmatch(session):
        return ()
    if not study.exists(sessions, session):
        return ()
    return tuple(study.load(sessions, session).facilitators)


class Acting:
    """The acting person with the table in force and the people whose roles count:
    read once, then asked about as many actions as needed (:meth:`decide`).
    """

    def __init__(self, study: Study) -> None:
        from prosper_coop.trust.state import trusted_people

        self.study = study
        self.table = table_in_force(study)
        self.actor = study.actor()
        people = trusted_people(study)
        self.active = {pid: p for pid, p in people.items() if _is_active(p)}
        self.left = self.actor in people and self.actor not in self.active
        holders: dict[str, list[str]] = {}
        for pid in sorted(self.active):
            for role in self.active[pid].roles:
                holders.setdefault(str(role), []).append(pid)
        self.holders = {role: tuple(ids) for role, ids in holders.items()}
        actor = self.active.get(self.actor)
        self.roles = {str(role) for role in actor.roles} if actor is not None else set()

    def decide(
        self,
        action: str,
        *,
        subject: str | None = None,
        session: str | None = None,
        readers: Sequence[str] = (),
    ) -> Decision:
        """Whether the acting person may do ``action`` (see :func:`require`), and who may."""
        tokens = self.table.roles_for(action)
        actor = self.actor
        facilitators = _facilitators(self.study, session) if FACILITATOR in tokens else ()
        allowed = table_allows(
            self.table,
            action,
            self.roles,
            is_self=subject is not None and subject == actor,
            is_facilitator=actor in self.active and actor in facilitators,
            reads=any(role in self.roles for role in readers),
        )
        return Decision(
            action=action,
            actor=actor,
            allowed=allowed,
            tokens=tokens,
            readers=tuple(readers),
            holders=self.holders,
            subject=subject,
            facilitators=tuple(p for p in facilitators if p in self.active),
            aliases={pid: person.alias for pid, person in self.active.items()},
            actor_left=self.left,
            where=self.table.where,
        )

    def allows(
        self,
        action: str,
        *,
        subject: str | None = None,
        session: str | None = None,
        readers: Sequence[str] = (),
    ) -> bool:
        """Whether the acting person may do ``action``."""
        return self.decide(action, subject=subject, session=session, readers=readers).allowed

    def require(
        self,
        action: str,
        *,
        subject: str | None = None,
        session: str | None = None,
        readers: Sequence[str] = (),
        what: str | None = None,
    ) -> str:
        """The acting person's ID if they may do ``action``; else :class:`NotPermittedError`."""
        decision = self.decide(action, subject=subject, session=session, readers=readers)
        if decision.allowed:
            return decision.actor
        raise refusal(decision, what or ACTIONS[action])


def acting(study: Study) -> Acting:
    """Who acts in ``study`` and what the table in force lets them do."""
    return Acting(study)


def decide(
    study: Study,
    action: str,
    *,
    subject: str | None = None,
    session: str | None = None,
    readers: Sequence[str] = (),
) -> Decision:
    """Whether the acting person may do ``action`` (see :func:`require`), without raising."""
    check_action(action)
    return Acting(study).decide(action, subject=subject, session=session, readers=readers)


def allows(
    study: Study,
    action: str,
    *,
    subject: str | None = None,
    session: str | None = None,
    readers: Sequence[str] = (),
) -> bool:
    """Whether the acting person may do ``action`` (see :func:`require`)."""
    return decide(study, action, subject=subject, session=session, readers=readers).allowed


def require(
    study: Study,
    action: str,
    *,
    subject: str | None = None,
    session: str | None = None,
    readers: Sequence[str] = (),
    what: str | None = None,
) -> str:
    """The acting person's study ID when the table lets them do ``action``.

    ``subject`` is the person the record is about (for ``self``), ``session`` a
    session ID (for ``facilitator``), ``readers`` the roles that read the record
    concerned (for ``readers``), ``what`` the action in words when more precise than
    the table's ("re-encrypt check-ins"). Otherwise raises
    :class:`NotPermittedError` (exit 9), naming who can do it.
    """
    check_action(action)
    return Acting(study).require(
        action, subject=subject, session=session, readers=readers, what=what
    )


def refusal(decision: Decision, what: str) -> NotPermittedError:
    """The calm, plain refusal for ``decision``: what was refused and who can do it."""
    who = _or(decision.who()) or "nobody"
    you = f"you are {decision.actor}" + (", who has left the study" if decision.actor_left else "")
    message = f"only {who} can {what} ({you})"
    people = [
        f"{pid} ({decision.aliases[pid]})" if pid in decision.aliases else pid
        for pid in decision.people()
    ]
    if people:
        ask = f"Ask {_or(people)} to do it."
    else:
        roles = [t for t in decision.tokens if t not in CONTEXT_TOKENS] + list(decision.readers)
        role = roles[0] if roles else "coordinator"
        ask = (
            f"Nobody active in the study can do it yet. The coordinator can give someone "
            f"the role with: prosper-coop people edit ID --add-role {role}"
        )
    return NotPermittedError(message, f"{ask} {SEE_TABLE}")


# -- showing the table ----------------------------------------------------------------------
@dataclass(frozen=True)
class ActionView:
    """One line of the table in words: the action, who may do it, who holds those roles."""

    action: str
    what: str
    who: tuple[str, ...]
    tokens: tuple[str, ...]
    people: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "action": self.action,
            "what": self.what,
            "who": list(self.tokens),
            "in_words": list(self.who),
            "people": list(self.people),
        }


@dataclass(frozen=True)
class TableView:
    """The whole table as it stands in a study, in words."""

    where: str
    version: int
    actions: tuple[ActionView, ...]
    unsaved: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "file": self.where,
            "version": self.version,
            "unsaved_edits": self.unsaved,
            "actions": [view.as_dict() for view in self.actions],
        }


def describe(study: Study) -> TableView:
    """The table in force (as verified) in plain words, with the active people holding
    each role, and whether the file has edits that are not saved yet (they count once saved).
    """
    from prosper_coop.trust.state import trusted_people

    table = table_in_force(study)
    active = [p for p in trusted_people(study).values() if _is_active(p)]
    views = []
    for action, what in ACTIONS.items():
        tokens = table.rules[action]
        who = tuple(dict.fromkeys(ROLE_WORDS.get(t, TOKEN_WORDS.get(t, t)) for t in tokens))
        people = tuple(sorted(p.id for p in active if any(str(role) in tokens for role in p.roles)))
        views.append(ActionView(action, what, who, tokens, people))
    unsaved = bool(study.repo.changed_paths([TABLE_PATH]))
    return TableView(table.where, table.version, tuple(views), unsaved)
