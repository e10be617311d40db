"""Wellbeing checks for ``doctor`` and the wellbeing section of ``status``.

Doctor: every role that must read sensitive records has someone with a key;
public keys are valid age keys; the wellbeing settings and distress protocols
are valid; support details have been checked recently; no alert is stored in
plain text (as versions before alerts were encrypted did). Status: the open alerts
the viewer's own key can read, as counts and ages only (a wellbeing lead's: all;
anyone else's: their own; nothing that others' alerts exist).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prosper_coop.core.checks import Check, Loaded, Problem
from prosper_coop.core.errors import UserError
from prosper_coop.wellbeing.erasure import check_erased


def _settings_problem(exc: UserError, default: str) -> Problem:
    field_name, sep, message = exc.message.partition(": ")
    if not sep or " " in field_name:
        field_name, message = "(file)", exc.message
    return Problem(str(exc.file or default), exc.line, field_name, message)


def check_keys(loaded: Loaded) -> Iterator[Problem]:
    """Valid public keys, and someone with a key in every role that reads records."""
    from prosper_coop.crypto.keys import is_valid_recipient
    from prosper_coop.crypto.policy import reader_policy

    people = loaded.of("person")
    for person_id, (person, _, _) in people.items():
        if person.age_recipient and not is_valid_recipient(person.age_recipient):
            yield loaded.problem(
                "person",
                person_id,
                "age_recipient",
                "not a valid age public key; the person can make a new one with: "
                "prosper-coop keys init --replace",
            )
    try:
        rules = reader_policy(loaded.study.root)
    except UserError as exc:
        yield _settings_problem(exc, "wellbeing/recipients.yaml")
        return
    needed = list(rules.required_roles)
    for kind in rules.readers:
        for role in rules.roles(kind):
            if role not in needed and role in (
                "coordinator",
                "safeguarding-lead",
                "wellbeing-lead",
            ):
                needed.append(role)
    for role in needed:
        holders = [
            p for p, _, _ in people.values() if p.status == "active" and role in map(str, p.roles)
        ]
        with_key = [p for p in holders if p.age_recipient]
        if not with_key:
            who = ", ".join(p.id for p in holders) or "nobody holds it"
            yield Problem(
                rules.where if not rules.where.startswith("/") else "wellbeing/recipients.yaml",
                None,
                role,
                f"no {role} has a key yet ({who}), so records for this role cannot be "
                "encrypted to them; they can run: prosper-coop keys init",
                "warning",
            )


def check_settings(loaded: Loaded) -> Iterator[Problem]:
    """checkin.yaml, signposting.yaml and the distress protocols are valid and current."""
    from prosper_coop.wellbeing import config, distress

    root = loaded.study.root
    try:
        config.checkin_settings(root)
    except UserError as exc:
        yield _settings_problem(exc, "wellbeing/checkin.yaml")
    try:
        support = config.signposting(root)
    except UserError as exc:
        yield _settings_problem(exc, "wellbeing/signposting.yaml")
    else:
        today = loaded.study.today()
        for service in support.stale(today):
            when = service.checked_on.isoformat() if service.checked_on else "never"
            yield Problem(
                "wellbeing/signposting.yaml",
                None,
                "checked_on",
                f"{service.name}: last checked {when}, more than "
                f"{support.review_after_days} days ago; check the details and update checked_on",
                "warning",
            )
    for name in distress.protocol_names(loaded.study):
        try:
            distress.load_protocol(loaded.study, name)
        except UserError as exc:
            yield _settings_problem(exc, f"protocols/{name}.yaml")


def check_alerts(loaded: Loaded) -> Iterator[Problem]:
    """No alert is kept in plain text (``alerts/A-0001.yaml``, from before they were encrypted).

    The guard reports such a file as plain text where encrypted records belong;
    this says what it is and how a wellbeing lead encrypts it.
    """
    from prosper_coop.wellbeing.erasure import plain_alert_files

    for rel in plain_alert_files(loaded.study):
        yield Problem(
            rel,
            None,
            "(file)",
            "an alert kept in plain text, as versions before alerts were encrypted "
            "stored them: anyone with the study can see who asked for help. A wellbeing "
            "lead encrypts it with: prosper-coop keys rekey alert",
        )


def check_sensitive_files(loaded: Loaded) -> Iterator[Problem]:
    """Encrypted files are named and placed so they can be found, rekeyed and erased."""
    from prosper_coop.core.records import RECORD_TYPES
    from prosper_coop.crypto import sealed

    study = loaded.study
    # A participant's contacts are kept as their identity record (identities/P-0001.age).
    people = loaded.ids("person") | loaded.ids("participant")
    for rtype in RECORD_TYPES:
        if not rtype.sensitive:
            continue
        for path in study.record_files(rtype):
            rel = study.rel(path)
            if not rtype.pattern.fullmatch(path.stem):
                yield Problem(
                    rel, None, "(file)", f"not a {rtype.name} file name (like {rtype.example})"
                )
                continue
            owner = sealed.owner_of(rtype, path)
            if rtype.name in sealed.PER_PERSON and owner is None:
                yield Problem(
                    rel,
                    None,
                    "(file)",
                    f"should be in a folder named after its person, e.g. "
                    f"{rtype.folder}/CR-01/{path.name}",
                )
            elif owner is not None and owner not in people:
                yield Problem(rel, None, "(file)", f"belongs to unknown person {owner}", "warning")


def check_renumbered(loaded: Loaded) -> Iterator[Problem]:
    """The registry of renumbered IDs (``renumbered/``) is readable.

    Encrypted records are read through it, so a damaged file is an error. An entry
    for a file that is gone (erased, say) does nothing and is not reported.
    """
    from prosper_coop.crypto import renumbered as relabel

    folder = loaded.study.root / relabel.FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.yaml")):
        where = f"{relabel.FOLDER}/{path.name}"
        try:
            relabel.read_event(path, where)
        except UserError as exc:
            yield _settings_problem(exc, where)


# This feature's doctor checks, in the order doctor runs them.
CHECKS: tuple[Check, ...] = (
    check_keys,
    check_settings,
    check_alerts,
    check_sensitive_files,
    check_renumbered,
    check_erased,
)


def wellbeing_section(ctx: Any) -> dict[str, Any]:
    """The open alerts the viewer's own key can read, as counts and ages in days.

    A wellbeing lead is shown everyone's (``scope: all``), anyone else only their
    own (``scope: own``); with no key on this computer, or one locked by a
    passphrase, nothing (``scope: none``). Never names, never content, and nothing
    that says whether anyone else has an alert. A caller may put a
    :class:`~prosper_coop.crypto.sealed.Keyring` in ``ctx.memo["keyring"]``;
    otherwise the key is opened without asking for a passphrase.
    """
    from prosper_coop.crypto.sealed import Keyring
    from prosper_coop.wellbeing.alerts import alert_counts, read_alerts, reads_everyones

    nothing: dict[str, Any] = {"scope": "none", **alert_counts([], ctx.today)}
    try:
        viewer = ctx.study.actor()
        keyring = ctx.memo.get("keyring") or Keyring(ctx.study, None, viewer)
        keyring.identity()
    except UserError:
        return nothing
    everyone = reads_everyones(ctx.study, viewer)
    try:
        states = read_alerts(ctx.study, keyring, owner=None if everyone else viewer)
    except UserError:
        return nothing
    return {"scope": "all" if everyone else "own", **alert_counts(states, ctx.today)}
