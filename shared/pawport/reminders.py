"""When a record's reminders go out. Pure: control's projection files them in the due-date index
and workers' daily run reads them back by the same rules.

Each member chooses their reminder windows: how many days before a record expires they want a
mail (e.g. 30, 7 and 0, the last valid day), or none. A member who never chose has
DEFAULT_WINDOWS. The index holds the windows any member of the household could want (the
default and every window a member chose), and the mail goes to the members whose windows it is.

A reminder is for a day of the household's own calendar. The run fires once a day at
RUN_HOUR_UTC, and a reminder is filed under the date of the first run at which the household's
calendar shows that day: one run reads one partition and finds exactly what is due in every time
zone, from UTC-12 to UTC+14. A record entered when a window's day has already passed (entered 20
days before it expires: the 30-day window) has that window sent by the first run after it was
entered, once for all the windows it is already inside.
"""
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from pawport.status import household_today

RUN_HOUR_UTC = 7   # a morning in Europe, the afternoon in Asia, the evening before in the Americas
DEFAULT_WINDOWS = (30, 0)   # the day a record becomes "due" (status.DUE_WINDOW) and its last valid day
LONGEST_WINDOW = 365
MOST_WINDOWS = 5
# How long an index entry outlives its run: past every catch-up of a missed run (workers' CATCH_UP_DAYS).
ENTRY_LIFETIME = timedelta(days=8)


def windows_of(chosen: Iterable[int] | None) -> tuple[int, ...]:
    """A member's windows, longest first; None (never chosen) is the default."""
    return tuple(sorted(set(DEFAULT_WINDOWS if chosen is None else chosen), reverse=True))


def filed_windows(entry: dict) -> list[int]:
    """The windows a due-date index entry was filed for. Entries filed before the index named its
    windows (they live a week past their run) count as filed for the default windows."""
    return entry["windows"] if "windows" in entry else list(DEFAULT_WINDOWS)


def index_windows(chosen: Iterable[Iterable[int]]) -> tuple[int, ...]:
    """The windows the index holds for a household: the default and every member's choice."""
    return windows_of({*DEFAULT_WINDOWS, *(window for windows in chosen for window in windows)})


def reminder_runs(expires_on: date, windows: Iterable[int], time_zone: str,
                  entered_at: datetime) -> dict[date, tuple[int, ...]]:
    """The daily runs (their UTC dates) that send a record's reminders, and the windows each sends.
    A window whose day passed before the record was entered goes with the first run after entry;
    one whose day falls after the record expired (on the household's calendar) is not sent."""
    first = first_run_after(entered_at)
    runs: dict[date, tuple[int, ...]] = {}
    for window in windows_of(windows):
        run = max(run_day(expires_on - timedelta(days=window), time_zone), first)
        if household_today(run_at(run), time_zone) <= expires_on:
            runs[run] = (*runs.get(run, ()), window)
    return runs


def days_left(expires_on: date, run: date, time_zone: str) -> int:
    """Days from the household's day at that run to the expiry: 0 on the last valid day."""
    return (expires_on - household_today(run_at(run), time_zone)).days


def run_day(reminder_on: date, time_zone: str) -> date:
    """The date (UTC) of the first daily run at which the household's calendar shows reminder_on."""
    day = reminder_on - timedelta(days=1)
    while household_today(run_at(day), time_zone) < reminder_on:
        day += timedelta(days=1)
    return day


def first_run_after(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day if run_at(day) > moment else day + timedelta(days=1)


def run_at(day: date) -> datetime:
    return datetime.combine(day, time(RUN_HOUR_UTC), UTC)


def entry_expires_at(run: date) -> datetime:
    """The TTL of an index entry: a past day's entries go by themselves."""
    return run_at(run) + ENTRY_LIFETIME
