"""Vaccination status, computed at read time from expiry dates and an injected clock in the
household's time zone, so it never goes stale in storage."""
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DUE_WINDOW = timedelta(days=30)


class Status(StrEnum):
    EXPIRED = "expired"
    DUE = "due"              # expires within 30 days
    CURRENT = "current"
    NO_EXPIRY = "no-expiry"
    NO_RECORDS = "no-records"


URGENCY = (Status.EXPIRED, Status.DUE, Status.CURRENT, Status.NO_EXPIRY, Status.NO_RECORDS)


def household_today(now: datetime, time_zone: str) -> date:
    """The date on the household's wall calendar: midnight in London is not midnight in Sydney."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def record_status(expires_on: date | None, today: date) -> Status:
    """A record is valid through its expiry date; on the day after it has expired."""
    if expires_on is None:
        return Status.NO_EXPIRY
    if expires_on < today:
        return Status.EXPIRED
    if expires_on - today <= DUE_WINDOW:
        return Status.DUE
    return Status.CURRENT


def most_urgent(statuses: Iterable[Status]) -> Status:
    return min(statuses, key=URGENCY.index, default=Status.NO_RECORDS)
