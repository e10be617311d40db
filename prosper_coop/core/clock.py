"""Today's date and the current time, injectable for tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import os

from prosper_coop.core.errors import InvalidInputError


def today() -> dt.date:
    """Today, or the date in ``PROSPER_COOP_TODAY`` (YYYY-MM-DD) when set."""
    forced = os.environ.get("PROSPER_COOP_TODAY")
    if forced:
        return parse_date(forced, "PROSPER_COOP_TODAY")
    return dt.date.today()


def now() -> dt.datetime:
    """The current time in UTC, to the second."""
    moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
    forced = os.environ.get("PROSPER_COOP_TODAY")
    if forced:
        day = parse_date(forced, "PROSPER_COOP_TODAY")
        moment = moment.replace(year=day.year, month=day.month, day=day.day)
    return moment


def parse_date(value: str, what: str = "date") -> dt.date:
    """Parse an ISO date (``2026-03-01``), or ``today``/``tomorrow``/``+N`` days."""
    text = value.strip().lower()
    if text == "today":
        return today() if what != "PROSPER_COOP_TODAY" else dt.date.today()
    if text == "tomorrow":
        return today() + dt.timedelta(days=1)
    if text.startswith("+") and text[1:].isdigit():
        return today() + dt.timedelta(days=int(text[1:]))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"{what} {value!r} is not a date",
            "Use the form YYYY-MM-DD, for example 2026-03-01 (or 'today', '+7').",
        ) from None
