"""One rule for where follow-up tasks go, and who owns them."""

from __future__ import annotations

from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.tasks import followup


def test_choose_wp_order_of_preference(example_study: Study) -> None:
    assert followup.choose_wp(example_study, wp="WP2") == "WP2"
    assert followup.choose_wp(example_study, session_wp="WP1", person="AC-03") == "WP1"
    assert followup.choose_wp(example_study, person="AC-03") == "WP3"  # owns most tasks there
    # Nobody to go by: the work package running today that ends last (WP4 runs to +150 days).
    assert followup.choose_wp(example_study) == "WP4"


def test_first_holder_prefers_people_who_can_read(example_study: Study) -> None:
    people = list(example_study.load_all(get("person")))
    assert followup.first_holder(people, "safeguarding-lead") == "SG-01"
    assert followup.first_holder(people, "coordinator", among=("XX-01",)) == "CO-01"
    assert followup.first_holder(people, "no-such-role") is None


def test_add_follow_ups_numbers_after_the_highest_task(example_study: Study) -> None:
    import datetime as dt

    expected = example_study.next_id(get("task"))
    with example_study.change("test", "follow-ups") as change:
        tasks = followup.add_follow_ups(
            example_study,
            change,
            "WP4",
            [
                followup.FollowUp("First", "CO-01", dt.date(2026, 12, 1), ("a",)),
                followup.FollowUp("Second", None, dt.date(2026, 12, 2), ()),
            ],
        )
    assert tasks[0].id == expected
    assert int(tasks[1].id[2:]) == int(expected[2:]) + 1
    assert change.record_ids == [tasks[0].id, tasks[1].id]
    assert example_study.load(get("task"), tasks[1].id).title == "Second"
