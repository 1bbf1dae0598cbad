"""Reminders, pure: the due-date index a record projects (days on the household's calendar, filed
under the run that sends them), how edits and deletions move it, the daily run's catch-up, and
the per-household messages and mail."""
import uuid
from datetime import UTC, date, datetime
from types import ModuleType

import pytest

from chalicelib.control import projection as control_projection
from chalicelib.workers import reminder_mail
from chalicelib.workers import reminders as workers_reminders
from pawport.keys import reminder_key, reminder_sk
from pawport.reminders import days_left, index_windows, reminder_runs, run_day, windows_of

HOUSEHOLD, PET = uuid.uuid4(), uuid.uuid4()


@pytest.fixture(scope="module")
def projection() -> ModuleType:
    return control_projection


@pytest.fixture(scope="module")
def reminders() -> ModuleType:
    return workers_reminders


ENTERED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DEFAULT = (30, 0)


def record(projection: ModuleType, expires_on: date | None, version: int = 1, entered_at: datetime = ENTERED):
    return projection.VaccinationRecord(id=uuid.uuid4(), household_id=HOUSEHOLD, pet_id=PET, vaccine="Rabies",
                                        expires_on=expires_on, version=version, created_at=entered_at)


@pytest.mark.parametrize("time_zone, reminder_on, run", [
    ("Europe/London", date(2027, 3, 1), date(2027, 3, 1)),         # 07:00 UTC is 07:00 GMT
    ("Pacific/Kiritimati", date(2027, 3, 1), date(2027, 3, 1)),    # UTC+14: 21:00 the same day
    ("America/Los_Angeles", date(2027, 1, 1), date(2027, 1, 2)),   # PST: 23:00 the day before, so the next run
    ("America/Los_Angeles", date(2027, 7, 1), date(2027, 7, 1)),   # PDT: midnight, already the day
    ("Pacific/Pago_Pago", date(2027, 3, 1), date(2027, 3, 2)),     # UTC-11
])
def test_a_reminder_goes_out_with_the_first_run_on_the_households_day(time_zone, reminder_on, run) -> None:
    assert run_day(reminder_on, time_zone) == run


def test_a_record_files_one_entry_per_window_under_the_run_that_sends_it(projection) -> None:
    rabies = record(projection, date(2027, 3, 31))
    items = [i for i in projection.record_items(rabies, "Europe/London", DEFAULT) if i["kind"] == "reminder"]

    assert [(i["pk"], i["body"]["windows"]) for i in items] == [
        (reminder_key("2027-03-01"), [30]), (reminder_key("2027-03-31"), [0])]
    assert {i["sk"] for i in items} == {reminder_sk(str(HOUSEHOLD), str(rabies.id))}
    assert items[0]["body"] == {"household_id": str(HOUSEHOLD), "record_id": str(rabies.id), "pet_id": str(PET),
                                "vaccine": "Rabies", "expires_on": "2027-03-31", "windows": [30]}   # no names, no addresses
    # past days' entries go by themselves: a week after their run, past every catch-up
    assert items[0]["expires_at"] == int(datetime(2027, 3, 9, 7, tzinfo=UTC).timestamp())
    assert [i["kind"] for i in projection.record_items(record(projection, None), "UTC", DEFAULT)] == ["record"]


def test_the_index_holds_the_default_and_every_window_a_member_chose() -> None:
    assert index_windows([]) == (30, 0)
    assert index_windows([[7], [], [30, 1]]) == (30, 7, 1, 0)   # a member who chose none adds none
    assert windows_of(None) == (30, 0) and windows_of([0, 7, 30]) == (30, 7, 0) and windows_of([]) == ()


@pytest.mark.parametrize("entered_at, runs", [
    # long before: each window on its own day
    (ENTERED, {"2027-03-01": (30,), "2027-03-24": (7,), "2027-03-31": (0,)}),
    # inside the 30-day window, after that day's run: the next run sends it
    (datetime(2027, 3, 15, 10, tzinfo=UTC), {"2027-03-16": (30,), "2027-03-24": (7,), "2027-03-31": (0,)}),
    # inside the 30- and 7-day windows, before the day's run: that run sends both, in one entry
    (datetime(2027, 3, 29, 5, tzinfo=UTC), {"2027-03-29": (30, 7), "2027-03-31": (0,)}),
    # on its last valid day, after the run: the next run is a day too late, nothing is sent
    (datetime(2027, 3, 31, 8, tzinfo=UTC), {}),
])
def test_a_record_entered_inside_a_window_gets_it_on_the_next_run(entered_at, runs) -> None:
    found = reminder_runs(date(2027, 3, 31), (30, 7, 0), "Europe/London", entered_at)
    assert {day.isoformat(): windows for day, windows in found.items()} == runs


def test_the_next_run_is_on_the_households_calendar() -> None:
    # Los Angeles, winter: the 07:00 UTC run is 23:00 the evening before, so the last valid day's
    # reminder goes with the next day's run (still that day in Los Angeles)
    found = reminder_runs(date(2027, 1, 31), (0,), "America/Los_Angeles", datetime(2027, 1, 30, 10, tzinfo=UTC))
    assert found == {date(2027, 2, 1): (0,)}
    assert days_left(date(2027, 1, 31), date(2027, 2, 1), "America/Los_Angeles") == 0


def test_an_edit_moves_the_index_and_a_deletion_empties_it(projection) -> None:
    rabies = record(projection, date(2027, 3, 31))
    before = projection.record_items(rabies, "UTC", DEFAULT)
    rabies.expires_on, rabies.version = date(2027, 9, 30), 2

    operations = projection.record_changed(before, projection.record_items(rabies, "UTC", DEFAULT))

    assert [(o["op"], o["pk"]) for o in operations if o["op"] == "delete"] == [
        ("delete", reminder_key("2027-03-01")), ("delete", reminder_key("2027-03-31"))]
    assert sorted(o["item"]["pk"] for o in operations if o["op"] == "put" and o["item"]["kind"] == "reminder") == [
        reminder_key("2027-08-31"), reminder_key("2027-09-30")]
    removed = projection.record_removed(rabies, "UTC", DEFAULT)
    assert {o["pk"] for o in removed if o["pk"].startswith("REMINDER#")} == {reminder_key("2027-08-31"),
                                                                               reminder_key("2027-09-30")}


def test_a_new_window_or_time_zone_moves_the_index(projection) -> None:
    rabies = record(projection, date(2027, 3, 31))
    chosen = projection.reminders_moved([rabies], ("Europe/London", DEFAULT), ("Europe/London", (30, 7, 0)))
    assert [(o["op"], o["item"]["pk"], o["item"]["body"]["windows"]) for o in chosen] == [
        ("put", reminder_key("2027-03-01"), [30]), ("put", reminder_key("2027-03-24"), [7]),
        ("put", reminder_key("2027-03-31"), [0])]
    # to Los Angeles: 07:00 UTC is 23:00 the evening before in winter (PST), midnight from 14 March (PDT)
    moved = projection.reminders_moved([rabies], ("Europe/London", DEFAULT), ("America/Los_Angeles", DEFAULT))
    assert sorted((o["op"], o.get("pk") or o["item"]["pk"]) for o in moved) == [
        ("delete", reminder_key("2027-03-01")), ("put", reminder_key("2027-03-02")), ("put", reminder_key("2027-03-31"))]


@pytest.mark.parametrize("finished, now, days", [
    (None, datetime(2027, 3, 5, 7, tzinfo=UTC), ["2027-03-05"]),
    (date(2027, 3, 4), datetime(2027, 3, 5, 7, tzinfo=UTC), ["2027-03-05"]),
    (date(2027, 3, 2), datetime(2027, 3, 5, 7, tzinfo=UTC), ["2027-03-03", "2027-03-04", "2027-03-05"]),
    (date(2027, 3, 5), datetime(2027, 3, 5, 9, tzinfo=UTC), []),                   # a retried run: done already
    (date(2027, 1, 1), datetime(2027, 3, 5, 7, tzinfo=UTC),
     ["2027-02-26", "2027-02-27", "2027-02-28", "2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04",
      "2027-03-05"]),                                                              # at most CATCH_UP_DAYS back
])
def test_a_run_makes_up_the_days_before_it_that_did_not_finish(reminders, finished, now, days) -> None:
    assert [d.isoformat() for d in reminders.days_to_run(finished, now)] == days


def test_one_message_per_household_with_all_its_reminders(reminders) -> None:
    due = [{"household_id": h, "record_id": r, "pet_id": "p", "vaccine": "Rabies", "expires_on": "2027-03-31",
            "windows": [30]} for h, r in (("b", "1"), ("a", "2"), ("b", "3"))]

    messages = reminders.messages(date(2027, 3, 1), due)

    assert [(m["household_id"], m["day"], [r["record_id"] for r in m["reminders"]]) for m in messages] == [
        ("a", "2027-03-01", ["2"]), ("b", "2027-03-01", ["1", "3"])]


def test_an_entry_filed_before_entries_named_their_windows_is_for_the_default_windows(reminders) -> None:
    # as the index held them before: one reminder named, no windows
    old = {"household_id": "a", "record_id": "r1", "pet_id": "p1", "vaccine": "Rabies", "expires_on": "2027-03-31",
           "reminder": "due", "reminder_on": "2027-03-01"}
    household = {"record": [{"id": "r1", "expires_on": "2027-03-31"}], "reminder-settings": [{"user_id": "u7", "windows": [7]}]}

    [message] = reminders.messages(date(2027, 3, 1), [old])
    [queued] = reminders.still_due([{k: v for k, v in message["reminders"][0].items() if k != "windows"}], household)

    assert message["reminders"][0]["windows"] == queued["windows"] == list(DEFAULT)
    assert reminder_mail.for_member(windows_of(None), [queued]) == [queued]   # a member who never chose is mailed
    assert reminder_mail.for_member(reminders.member_windows(household)["u7"], [queued]) == []


def test_each_member_gets_only_the_windows_they_chose_and_nothing_edited_since(reminders) -> None:
    household = {"household": [{"name": "The Parkers", "time_zone": "Europe/London"}],
                 "pet": [{"id": "p1", "name": "Ollie"}],
                 "record": [{"id": "r1", "expires_on": "2027-03-31"}, {"id": "r2", "expires_on": "2028-01-01"}],
                 "reminder-settings": [{"user_id": "u7", "windows": [7]}, {"user_id": "off", "windows": []}]}
    sent = [{"record_id": "r1", "pet_id": "p1", "vaccine": "Rabies", "expires_on": "2027-03-31", "windows": [30]},
            {"record_id": "r2", "pet_id": "p1", "vaccine": "DHPP", "expires_on": "2027-03-31", "windows": [0]},
            {"record_id": "gone", "pet_id": "p1", "vaccine": "Lepto", "expires_on": "2027-03-31", "windows": [30]}]

    due = reminders.still_due(sent, household)
    chosen = reminders.member_windows(household)

    assert [r["record_id"] for r in due] == ["r1"]
    assert chosen == {"u7": (7,), "off": ()}
    assert reminder_mail.for_member(chosen.get("someone", windows_of(None)), due) == due
    assert reminder_mail.for_member(chosen["u7"], due) == [] and reminder_mail.for_member(chosen["off"], due) == []
