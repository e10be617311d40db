"""Sections of the personal ``status`` view that read the viewer's own encrypted records.

A check-in reminder: the study's check-in settings name no rhythm, but say that
co-researchers "check in after every session". So a check-in is suggested when a
session the viewer facilitated has taken place since their last check-in, or when
:data:`REMIND_AFTER_DAYS` have passed since it. The date of the last check-in comes
from the viewer's own newest check-in, opened with their own key (no one else's
record is opened); without a key on this computer, or with one locked by a
passphrase, nothing is suggested.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from prosper_coop.core.sections import SectionContext

REMIND_AFTER_DAYS = 14
SESSIONS_NAMED = 3  # sessions named in the reminder (the newest ones)
UNKNOWN: dict[str, Any] = {
    "known": False,
    "due": False,
    "last": None,
    "days_since": None,
    "sessions_since": [],
}


def _last_checkin(ctx: SectionContext, viewer: str) -> tuple[bool, dt.date | None]:
    """Whether the viewer's key opens their check-ins here, and the date of their newest."""
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import CheckIn

    try:
        keyring = ctx.memo.get("keyring") or sealed.Keyring(ctx.study, None, viewer)
        keyring.identity()  # no key, or one locked by a passphrase: nothing is known
        ctx.memo["keyring"] = keyring
        files = sealed.files_of(ctx.study, get("checkin"), viewer)
        newest = keyring.read(files[-1], CheckIn) if files else None
    except UserError:
        return False, None
    if files and newest is None:  # written before this key was made: not known here
        return False, None
    return True, None if newest is None else newest.at.date()


def checkin_section(ctx: SectionContext) -> dict[str, Any]:
    """Whether a check-in may be welcome now, and why (the viewer's own dates only)."""
    import datetime as dt

    if ctx.viewer is None:
        return dict(UNKNOWN)
    known, last = _last_checkin(ctx, ctx.viewer)
    if not known:
        return dict(UNKNOWN)
    since = last if last is not None else ctx.today - dt.timedelta(days=REMIND_AFTER_DAYS)
    sessions = [
        session
        for session in sorted(ctx.records("session"), key=lambda s: (s.date, s.id))
        if ctx.viewer in session.facilitators
        and str(session.status) in ("started", "closed")
        and since < session.date <= ctx.today
    ]
    days_since = None if last is None else (ctx.today - last).days
    return {
        "known": True,
        "due": bool(sessions) or (days_since is not None and days_since >= REMIND_AFTER_DAYS),
        "last": None if last is None else last.isoformat(),
        "days_since": days_since,
        "sessions_since": [session.id for session in sessions[-SESSIONS_NAMED:]],
    }
