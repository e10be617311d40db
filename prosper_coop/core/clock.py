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


# The dates a person may type (and PROSPER_COOP_TODAY): wide enough for any study,
# narrow enough that "today + N days" and date arithmetic never leave Python's range.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def parse_date(value: str, what: str = "date") -> dt.date:
    """Parse an ISO date (``2026-03-01``), or ``today``/``tomorrow``/``+N`` days.

    Dates outside 1900-2999 are refused with a clear error.
    """
    text = value.strip().lower()
    try:
        if text == "today":
            day = today() if what != "PROSPER_COOP_TODAY" else dt.date.today()
        elif text == "tomorrow":
            day = today() + dt.timedelta(days=1)
        elif text.startswith("+") and text[1:].isdigit() and text[1:].isascii():
            day = today() + dt.timedelta(days=int(text[1:]))
        else:
            day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"{what} {value!r} is not a date",
            "Use the form YYYY-MM-DD, for example 2026-03-01 (or 'today', '+7').",
        ) from None
    except OverflowError:
        day = LATEST + dt.timedelta(days=1)
    if not EARLIEST <= day <= LATEST:
        raise InvalidInputError(
            f"{what} {value!r} is not a date the study can use: dates run from "
            f"{EARLIEST.year} to {LATEST.year}",
            "Use a date in that range, for example 2026-03-01 (or 'today', '+7').",
        )
    return day
