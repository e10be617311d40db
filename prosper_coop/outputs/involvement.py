"""The involvement log: hours, activities and expenses of public contributors.

Each entry is one shared record. Payments are worked out at report time from the
dated hourly rates in ``study.yaml`` (``involvement.rates``): an entry is paid at
the latest rate whose ``as_of`` date is on or before the day of the activity, so
a change of rate never rewrites what was owed before it (docs/domain.md section 5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, StringConstraints

from prosper_coop.core import ids
from prosper_coop.core.errors import InvalidInputError
from prosper_coop.core.models import Date, LongText, PersonRef, Record, Text

if TYPE_CHECKING:
    from prosper_coop.core.models import PaymentRate
    from prosper_coop.core.study import Study

ENTRY_ID = ids.ENTRY_ID
MAX_HOURS_PER_ENTRY = 24
PENNY = Decimal("0.01")
MAX_AMOUNT = 1_000_000  # hours or money typed for one entry: anything above is a typo


class InvolvementEntry(Record):
    """Time one person gave to the study on one day, and any expenses."""

    id: Annotated[str, StringConstraints(pattern=ENTRY_ID.pattern)]
    person: PersonRef
    date: Date
    hours: Annotated[float, Field(gt=0, le=MAX_HOURS_PER_ENTRY)]
    activity: Text
    expenses: Annotated[float, Field(ge=0, le=100_000)] = 0.0
    impact: LongText = ""
    logged_by: PersonRef | None = None
    logged_on: Date | None = None


def money(value: float | Decimal) -> Decimal:
    """A money amount rounded to the penny."""
    return Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)


def parse_amount(value: str, what: str) -> float:
    """A non-negative number typed by a person (``1.5``), or a clear error."""
    try:
        number = Decimal(value.strip())
    except ArithmeticError:
        raise InvalidInputError(
            f"{what} {value!r} is not a number", "Use digits, e.g. 1.5"
        ) from None
    if number.is_nan():
        raise InvalidInputError(f"{what} {value!r} is not a number", "Use digits, e.g. 1.5")
    if number < 0:
        raise InvalidInputError(
            f"{what} cannot be negative ({value})", "Give a number of zero or more, e.g. 1.5"
        )
    if number > MAX_AMOUNT:
        raise InvalidInputError(
            f"{what} {value} is too large (at most {MAX_AMOUNT:,})", "Give the amount, e.g. 1.5"
        )
    return float(number.quantize(PENNY, rounding=ROUND_HALF_UP))


def log_time(
    study: Study,
    person: str,
    *,
    date: dt.date,
    hours: str,
    activity: str,
    expenses: str = "0",
    impact: str = "",
) -> InvolvementEntry:
    """Record time a person gave (one commit); hours must be above 0 and at most 24."""
    from prosper_coop.core.records import get
    from prosper_coop.outputs.findings import build_record

    person = person.strip().upper()
    hours_value = parse_amount(hours, "hours")
    if hours_value <= 0 or hours_value > MAX_HOURS_PER_ENTRY:
        raise InvalidInputError(
            f"hours must be more than 0 and at most {MAX_HOURS_PER_ENTRY} (got {hours})",
            "Log each day separately, e.g. --hours 2.5",
        )
    if date > study.today():
        raise InvalidInputError(
            f"the date {date} is in the future",
            "Log time after it was given, e.g. --date today",
        )
    rtype = get("involvement")
    fields: dict[str, Any] = {
        "person": person,
        "date": date,
        "hours": hours_value,
        "activity": activity,
        "expenses": parse_amount(expenses, "expenses"),
        "impact": impact.strip(),
        "logged_on": study.today(),
    }
    with study.change("involve", f"log {hours_value:g} h for {person}") as ch:
        study.load(get("person"), person)  # the person must exist
        entry = build_record(
            InvolvementEntry, id=study.next_id(rtype), logged_by=ch.author, **fields
        )
        ch.record_ids = [entry.id]
        ch.save(entry, rtype)
    return entry


def list_entries(
    study: Study,
    *,
    person: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[InvolvementEntry]:
    """Log entries in date order, optionally for one person and a date range."""
    from prosper_coop.core.records import get

    if start and end and end < start:
        raise InvalidInputError(
            f"--to {end} is before --from {start}", "Give the earlier date with --from."
        )
    wanted = person.strip().upper() if person else None
    entries: list[InvolvementEntry] = list(study.load_all(get("involvement")))
    chosen = [
        e
        for e in entries
        if (wanted is None or e.person == wanted)
        and (start is None or e.date >= start)
        and (end is None or e.date <= end)
    ]
    return sorted(chosen, key=lambda e: (e.date, e.id))


def rate_on(rates: list[PaymentRate], day: dt.date) -> PaymentRate | None:
    """The rate in force on ``day``: the latest one whose ``as_of`` is on or before it."""
    in_force = [rate for rate in rates if rate.as_of <= day]
    return max(in_force, key=lambda rate: rate.as_of) if in_force else None


@dataclass
class PersonTotals:
    """One person's hours, payment and expenses in a report."""

    person: str
    entries: int = 0
    hours: Decimal = Decimal(0)
    payment: Decimal = Decimal(0)
    expenses: Decimal = Decimal(0)
    unpaid_hours: Decimal = Decimal(0)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON and CSV."""
        return {
            "person": self.person,
            "entries": self.entries,
            "hours": float(self.hours),
            "payment": float(self.payment),
            "expenses": float(self.expenses),
            "total": float(self.payment + self.expenses),
            "hours_without_rate": float(self.unpaid_hours),
        }


@dataclass
class InvolvementReport:
    """Hours and payments per person over a period, at the study's dated rates."""

    currency: str
    start: dt.date | None
    end: dt.date | None
    people: list[PersonTotals] = field(default_factory=list)
    rates_used: list[dict[str, Any]] = field(default_factory=list)
    activities: dict[str, float] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, Any]:
        """Totals over everyone."""
        hours = sum((p.hours for p in self.people), Decimal(0))
        payment = sum((p.payment for p in self.people), Decimal(0))
        expenses = sum((p.expenses for p in self.people), Decimal(0))
        unpaid = sum((p.unpaid_hours for p in self.people), Decimal(0))
        return {
            "people": len(self.people),
            "entries": sum(p.entries for p in self.people),
            "hours": float(hours),
            "payment": float(payment),
            "expenses": float(expenses),
            "total": float(payment + expenses),
            "hours_without_rate": float(unpaid),
        }

    def as_dict(self) -> dict[str, Any]:
        """The whole report as plain data."""
        return {
            "currency": self.currency,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "people": [p.as_dict() for p in self.people],
            "totals": self.totals,
            "rates_used": self.rates_used,
            "activities": self.activities,
        }


def build_report(
    study: Study,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    entries: list[InvolvementEntry] | None = None,
) -> InvolvementReport:
    """Hours and payments per person between ``start`` and ``end`` (inclusive).

    ``entries`` may be given when the caller has already loaded the log.
    """
    settings = study.settings.involvement
    report = InvolvementReport(settings.currency, start, end)
    by_person: dict[str, PersonTotals] = {}
    used: dict[dt.date, PaymentRate] = {}
    activities: dict[str, Decimal] = {}
    if entries is None:
        entries = list_entries(study, start=start, end=end)
    for entry in entries:
        totals = by_person.setdefault(entry.person, PersonTotals(entry.person))
        hours = Decimal(str(entry.hours))
        totals.entries += 1
        totals.hours += hours
        totals.expenses += money(entry.expenses)
        activities[entry.activity] = activities.get(entry.activity, Decimal(0)) + hours
        rate = rate_on(settings.rates, entry.date)
        if rate is None:
            totals.unpaid_hours += hours
            continue
        used[rate.as_of] = rate
        totals.payment += money(hours * Decimal(str(rate.hourly)))
    report.people = [by_person[key] for key in sorted(by_person)]
    report.rates_used = [
        {"as_of": rate.as_of.isoformat(), "hourly": rate.hourly, "source": rate.source}
        for _, rate in sorted(used.items())
    ]
    report.activities = {name: float(hours) for name, hours in sorted(activities.items())}
    return report


CSV_COLUMNS = ["person", "entries", "hours", "payment", "expenses", "total", "hours_without_rate"]


def report_csv(report: InvolvementReport) -> str:
    """The report as CSV: one row per person, then a TOTAL row."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for person in report.people:
        writer.writerow(_csv_row(person.as_dict()))
    writer.writerow(_csv_row({**report.totals, "person": "TOTAL"}))
    return buffer.getvalue()


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """One row; text that a spreadsheet would run as a formula is neutralised (as task export)."""
    from prosper_coop.tasks.csvio import neutralise

    out: dict[str, Any] = {}
    for key in CSV_COLUMNS:
        value = row.get(key)
        if isinstance(value, float):
            value = f"{value:.2f}"
        out[key] = neutralise(value) if isinstance(value, str) else value
    return out
