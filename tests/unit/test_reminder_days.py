"""Reminders, pure: the due-date index a record projects (days on the household's calendar, filed
under the run that sends them), how edits and deletions move it, the daily run's catch-up, and
the per-household messages and mail."""
import uuid
from datetime import UTC, date, datetime
from types import ModuleType

import pytest

from chalicelib.control import projection as control_projection
from chalicelib.workers import reminders as workers_reminders
from pawport.keys import reminder_key, reminder_sk
from pawport.reminders import run_day

HOUSEHOLD, PET = uuid.uuid4(), uuid.uuid4()


@pytest.fixture(scope="module")
def projection() -> ModuleType:
    return control_projection


@pytest.fixture(scope="module")
def reminders() -> ModuleType:
    return workers_reminders


def record(projection: ModuleType, expires_on: date | None, version: int = 1):
    return projection.VaccinationRecord(id=uuid.uuid4(), household_id=HOUSEHOLD, pet_id=PET, vaccine="Rabies",
                                        expires_on=expires_on, version=version)


@pytest.mark.parametrize("time_zone, reminder_on, run", [
    ("Europe/London", date(2027, 3, 1), date(2027, 3, 1)),         # 07:00 UTC is 07:00 GMT
    ("Pacific/Kiritimati", date(2027, 3, 1), date(2027, 3, 1)),    # UTC+14: 21:00 the same day
    ("America/Los_Angeles", date(2027, 1, 1), date(2027, 1, 2)),   # PST: 23:00 the day before, so the next run
    ("America/Los_Angeles", date(2027, 7, 1), date(2027, 7, 1)),   # PDT: midnight, already the day
    ("Pacific/Pago_Pago", date(2027, 3, 1), date(2027, 3, 2)),     # UTC-11
])
def test_a_reminder_goes_out_with_the_first_run_on_the_households_day(time_zone, reminder_on, run) -> None:
    assert run_day(reminder_on, time_zone) == run


def test_a_record_files_a_due_and_an_expiry_reminder(projection) -> None:
    rabies = record(projection, date(2027, 3, 31))
    items = [i for i in projection.record_items(rabies, "Europe/London") if i["kind"] == "reminder"]

    assert [(i["pk"], i["body"]["reminder"], i["body"]["reminder_on"]) for i in items] == [
        (reminder_key("2027-03-01"), "due", "2027-03-01"), (reminder_key("2027-03-31"), "expires", "2027-03-31")]
    assert {i["sk"] for i in items} == {reminder_sk(str(HOUSEHOLD), str(rabies.id))}
    assert items[0]["body"] == {"household_id": str(HOUSEHOLD), "record_id": str(rabies.id), "pet_id": str(PET),
                                "vaccine": "Rabies", "expires_on": "2027-03-31", "reminder": "due",
                                "reminder_on": "2027-03-01"}   # no names, no member addresses
    assert [i["kind"] for i in projection.record_items(record(projection, None), "UTC")] == ["record"]


def test_an_edit_moves_the_index_and_a_deletion_empties_it(projection) -> None:
    rabies = record(projection, date(2027, 3, 31))
    before = projection.record_items(rabies, "UTC")
    rabies.expires_on, rabies.version = date(2027, 9, 30), 2

    operations = projection.record_changed(before, projection.record_items(rabies, "UTC"))

    assert [(o["op"], o["pk"]) for o in operations if o["op"] == "delete"] == [
        ("delete", reminder_key("2027-03-01")), ("delete", reminder_key("2027-03-31"))]
    assert sorted(o["item"]["pk"] for o in operations if o["op"] == "put" and o["item"]["kind"] == "reminder") == [
        reminder_key("2027-08-31"), reminder_key("2027-09-30")]
    removed = projection.record_removed(rabies, "UTC")
    assert {o["pk"] for o in removed if o["pk"].startswith("REMINDER#")} == {reminder_key("2027-08-31"),
                                                                               reminder_key("2027-09-30")}


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
            "reminder": "due", "reminder_on": "2027-03-01"} for h, r in (("b", "1"), ("a", "2"), ("b", "3"))]

    messages = reminders.messages(date(2027, 3, 1), due)

    assert [(m["household_id"], m["day"], [r["record_id"] for r in m["reminders"]]) for m in messages] == [
        ("a", "2027-03-01", ["2"]), ("b", "2027-03-01", ["1", "3"])]


def test_the_mail_names_pets_and_skips_what_was_edited_since(reminders) -> None:
    household = {"household": [{"name": "The Parkers"}], "pet": [{"id": "p1", "name": "Ollie"}],
                 "record": [{"id": "r1", "expires_on": "2027-03-31"}, {"id": "r2", "expires_on": "2028-01-01"}]}
    sent = [{"record_id": "r1", "pet_id": "p1", "vaccine": "Rabies", "expires_on": "2027-03-31", "reminder": "due"},
            {"record_id": "r2", "pet_id": "p1", "vaccine": "DHPP", "expires_on": "2027-03-31", "reminder": "expires"},
            {"record_id": "gone", "pet_id": "p1", "vaccine": "Lepto", "expires_on": "2027-03-31", "reminder": "due"}]

    due = reminders.still_due(sent, household)
    subject, text = reminders.render(household, due)

    assert [r["record_id"] for r in due] == ["r1"]
    assert subject == "Ollie's Rabies vaccination needs renewing"
    assert "- Ollie: Rabies expires on 2027-03-31" in text and "The Parkers" in text
