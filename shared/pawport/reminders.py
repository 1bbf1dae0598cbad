"""When a record's reminders go out. Pure: control's projection files them in the due-date index
and workers' daily run reads them back by the same rules.

A record with an expiry gets two reminders, each on a day of the household's own calendar: the
day its status becomes "due" (30 days before it expires, status.DUE_WINDOW) and the day it
expires (its last valid day). The run fires once a day at RUN_HOUR_UTC, and a reminder is filed
under the date of the first run at which the household's calendar shows that day: one run reads
one partition and finds exactly what is due in every time zone, from UTC-12 to UTC+14.
"""
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from pawport.status import DUE_WINDOW, household_today

RUN_HOUR_UTC = 7   # a morning in Europe, the afternoon in Asia, the evening before in the Americas


class Reminder(StrEnum):
    DUE = "due"            # expires within 30 days
    EXPIRES = "expires"    # expires today


def reminder_days(expires_on: date) -> dict[Reminder, date]:
    """The household-calendar days a record's reminders are for."""
    return {Reminder.DUE: expires_on - DUE_WINDOW, Reminder.EXPIRES: expires_on}


def run_day(reminder_on: date, time_zone: str) -> date:
    """The date (UTC) of the first daily run at which the household's calendar shows reminder_on."""
    day = reminder_on - timedelta(days=1)
    while household_today(run_at(day), time_zone) < reminder_on:
        day += timedelta(days=1)
    return day


def run_at(day: date) -> datetime:
    return datetime.combine(day, time(RUN_HOUR_UTC), UTC)
