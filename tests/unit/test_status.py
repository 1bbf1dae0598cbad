"""Status at the 30-day and expiry boundaries, in the household's time zone."""
from datetime import UTC, date, datetime

import pytest

from pawport.status import Status, household_today, most_urgent, record_status

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(("expires_on", "expected"), [
    (None, Status.NO_EXPIRY),
    (date(2026, 12, 2), Status.EXPIRED),      # yesterday
    (date(2026, 12, 3), Status.DUE),          # valid through today
    (date(2027, 1, 2), Status.DUE),           # exactly 30 days ahead
    (date(2027, 1, 3), Status.CURRENT),       # 31 days ahead
    (date(2028, 1, 1), Status.CURRENT),
])
def test_record_status_boundaries(expires_on: date | None, expected: Status) -> None:
    assert record_status(expires_on, TODAY) is expected


def test_the_household_calendar_decides_the_day() -> None:
    # 23:30 UTC on 2 Dec is already 3 Dec in Sydney and still 2 Dec in Los Angeles.
    now = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert household_today(now, "Australia/Sydney") == date(2026, 12, 3)
    assert household_today(now, "America/Los_Angeles") == date(2026, 12, 2)
    expiring = date(2026, 12, 2)
    assert record_status(expiring, household_today(now, "Australia/Sydney")) is Status.EXPIRED
    assert record_status(expiring, household_today(now, "America/Los_Angeles")) is Status.DUE


def test_a_pet_takes_its_most_urgent_record() -> None:
    assert most_urgent([Status.CURRENT, Status.DUE, Status.NO_EXPIRY]) is Status.DUE
    assert most_urgent([Status.CURRENT, Status.EXPIRED]) is Status.EXPIRED
    assert most_urgent([Status.NO_EXPIRY]) is Status.NO_EXPIRY
    assert most_urgent([]) is Status.NO_RECORDS
