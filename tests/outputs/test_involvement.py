"""The involvement log: logging time, dated payment rates, and the report."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop.core.errors import InvalidInputError, NotFoundError
from prosper_coop.core.models import PaymentRate
from prosper_coop.outputs import involvement
from tests.helpers import git

TODAY = dt.date(2026, 11, 26)


def test_log_time_is_one_commit_by_the_actor(example_study) -> None:
    entry = involvement.log_time(
        example_study,
        "cr-05",
        date=TODAY,
        hours="2.5",
        activity="Co-analysis workshop",
        expenses="7.20",
        impact="A new code for waiting was added.",
    )
    assert entry.id == "INV-00017"
    assert entry.person == "CR-05" and entry.hours == 2.5 and entry.expenses == 7.2
    assert entry.logged_by == "CO-01"
    path = example_study.root / "involvement" / "00" / "INV-00017.yaml"
    assert "activity: Co-analysis workshop" in path.read_text()
    assert git(example_study, "log", "-1", "--format=%s").strip() == (
        "involve: log 2.5 h for CR-05 (INV-00017)"
    )


@pytest.mark.parametrize(
    ("hours", "expenses", "message"),
    [
        ("-2", "0", "cannot be negative"),
        ("0", "0", "more than 0"),
        ("25", "0", "at most 24"),
        ("lots", "0", "not a number"),
        ("2", "-5", "expenses cannot be negative"),
        ("nan", "0", "'nan' is not a number"),
        ("1e308", "0", "hours 1e308 is too large"),
        ("inf", "0", "hours inf is too large"),
        ("2", "1e308", "expenses 1e308 is too large"),
    ],
)
def test_bad_amounts_are_refused(example_study, hours, expenses, message) -> None:
    head = git(example_study, "rev-parse", "HEAD")
    with pytest.raises(InvalidInputError, match=message):
        involvement.log_time(
            example_study, "CR-01", date=TODAY, hours=hours, activity="x", expenses=expenses
        )
    assert git(example_study, "rev-parse", "HEAD") == head
    assert git(example_study, "status", "--porcelain") == ""


def test_unknown_person_and_future_date_are_refused(example_study) -> None:
    with pytest.raises(NotFoundError, match="CR-09"):
        involvement.log_time(example_study, "CR-09", date=TODAY, hours="1", activity="x")
    with pytest.raises(InvalidInputError, match="future"):
        involvement.log_time(
            example_study, "CR-01", date=TODAY + dt.timedelta(days=1), hours="1", activity="x"
        )
    assert git(example_study, "status", "--porcelain") == ""


def test_rate_in_force_is_the_latest_on_or_before_the_day() -> None:
    rates = [
        PaymentRate(as_of=dt.date(2024, 1, 1), hourly=25),
        PaymentRate(as_of=dt.date(2025, 12, 16), hourly=27.5),
    ]
    assert involvement.rate_on(rates, dt.date(2023, 12, 31)) is None
    assert involvement.rate_on(rates, dt.date(2025, 12, 15)).hourly == 25
    assert involvement.rate_on(rates, dt.date(2025, 12, 16)).hourly == 27.5


def test_report_uses_the_rate_of_each_day(example_study) -> None:
    report = involvement.build_report(example_study).as_dict()
    by_person = {row["person"]: row for row in report["people"]}
    # CA-01: 3 h before 16 Dec 2025 at 25.00, then 2 h + 2 h at 27.50; 2 x 12.40 expenses.
    assert by_person["CA-01"]["hours"] == 7
    assert by_person["CA-01"]["payment"] == 75 + 110
    assert by_person["CA-01"]["expenses"] == pytest.approx(24.80)
    assert [rate["hourly"] for rate in report["rates_used"]] == [25.0, 27.5]
    assert report["totals"]["people"] == 6
    assert report["totals"]["hours"] == 66
    assert report["currency"] == "GBP"


def test_report_period_and_csv(example_study) -> None:
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    report = involvement.build_report(example_study, start=start, end=end)
    assert [p.person for p in report.people] == ["CR-02", "CR-04", "CR-05"]
    csv_text = involvement.report_csv(report)
    lines = csv_text.splitlines()
    assert lines[0] == "person,entries,hours,payment,expenses,total,hours_without_rate"
    assert lines[1] == "CR-02,1,1.50,41.25,0.00,41.25,0.00"
    assert lines[-1].startswith("TOTAL,3,11.50,316.25,9.80,326.05")
    with pytest.raises(InvalidInputError, match="before --from"):
        involvement.list_entries(example_study, start=end, end=start)


def test_hours_before_the_first_rate_are_reported_not_priced(example_study) -> None:
    involvement.log_time(example_study, "CR-01", date=dt.date(2023, 5, 2), hours="2", activity="x")
    totals = involvement.build_report(example_study).totals
    assert totals["hours_without_rate"] == 2


def test_report_csv_text_cannot_run_as_a_formula() -> None:
    """Defence in depth: every text cell goes through the same neutralising as task export."""
    row = involvement._csv_row({"person": "=HYPERLINK(1)", "hours": 1.5})
    assert row["person"] == "'=HYPERLINK(1)"
    assert row["hours"] == "1.50"
