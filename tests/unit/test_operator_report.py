"""control's operator aggregates: which month a call reports on."""
from datetime import UTC, datetime

import pytest

from chalicelib.control.operator_report import month_of

NOW = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(("event", "start", "end"), [
    ({}, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
    ({"month": "2026-02"}, datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
    ({"month": "2025-12"}, datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
    ({"month": "2026-01"}, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)),
])
def test_the_events_month_or_nows(event: dict, start: datetime, end: datetime) -> None:
    assert month_of(event, NOW) == (start, end)


def test_now_is_read_in_utc() -> None:
    assert month_of({}, datetime.fromisoformat("2026-02-28T20:00:00-05:00"))[0] == datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("month", ["2026-13", "March", "2026-3-1"])
def test_a_malformed_month_is_refused(month: str) -> None:
    with pytest.raises(ValueError):
        month_of({"month": month}, NOW)
