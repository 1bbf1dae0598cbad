"""Records through control against real PostgreSQL and moto: approval from a draft, entry by
hand, edits, deletion, and the checks that refuse bad input with a reason."""
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from pawport.auth import Caller
from pawport.errors import BadInput, Conflict, NotFound
from pawport.keys import document_hash_sk, draft_sk, household_key, record_sk, reminder_key, reminder_sk
from pawport.store import Item, Put
from tests.support.people import caller

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def owner() -> Caller:
    return caller()


def run(control, caller: Caller, command):
    return control.run(caller, command, now=NOW)


def approve(control, caller: Caller, pet: dict, **fields) -> dict:
    return run(control, caller, control.commands.ApproveRecord(pet["pet_id"], control.requests.NewRecord(**fields)))


def update(control, caller: Caller, pet: dict, record: dict, **fields) -> dict:
    command = control.commands.UpdateRecord(pet["pet_id"], record["id"], control.requests.RecordChanges(**fields))
    return run(control, caller, command)


@pytest.fixture
def pet(control, owner) -> dict:
    c, r = control.commands, control.requests
    h = run(control, owner, c.CreateHousehold(r.NewHousehold(name="Records", time_zone="Europe/London")))
    return run(control, owner, c.AddPet(h["household_id"], r.NewPet(name="Ollie", species="dog")))


def put_draft(control, pet: dict, status: str = "ready", reason: str | None = None) -> str:
    """A draft as workers leave it after extraction."""
    upload_id = str(uuid.uuid4())
    control.table.write(Put(Item(
        household_key(pet["household_id"]), draft_sk(upload_id), kind="draft", version=0,
        expires_at=datetime.now(UTC) + timedelta(days=14),
        body={"upload_id": upload_id, "pet_id": pet["pet_id"], "status": status, "reason": reason,
              "file_name": "rabies.pdf", "document_key": f"uploads/{pet['household_id']}/{pet['pet_id']}/{upload_id}/rabies.pdf",
              "content_hash": uuid.uuid4().hex * 2})))
    return upload_id


def rabies(**extra) -> dict:
    return {"vaccine": "Rabies", "administered_on": date(2026, 3, 14), "expires_on": date(2029, 3, 14)} | extra


def item(control, pk: str, sk: str) -> Item | None:
    return control.table.get(pk, sk)


def test_approving_a_draft_commits_the_record_and_retires_the_draft(control, owner, pet) -> None:
    upload_id = put_draft(control, pet)
    record = approve(control, owner, pet, **rabies(upload_id=upload_id))

    pk = household_key(pet["household_id"])
    stored = item(control, pk, record_sk(record["id"]))
    # the stored body also keeps when the record was entered (its in-window reminders start there)
    assert stored.body == record | {"entered_at": NOW.isoformat()} and record["document_key"].endswith("/rabies.pdf")
    assert item(control, pk, draft_sk(upload_id)) is None
    draft_hash = item(control, pk, document_hash_sk(stored_hash(control, record["id"])))
    assert draft_hash.body["record_id"] == record["id"]


def stored_hash(control, record_id: str) -> str:
    with control.database.transaction("test") as session:
        return session.get(control.models.VaccinationRecord, uuid.UUID(record_id)).content_hash


def test_a_record_by_hand_is_edited_and_deleted(control, owner, pet) -> None:
    record = approve(control, owner, pet, vaccine="DHPP", expires_on=date(2027, 1, 1))
    pk, sk = household_key(pet["household_id"]), record_sk(record["id"])
    assert record["document_key"] is None

    update(control, owner, pet, record, vaccine="DHPP", expires_on=date(2028, 1, 1), clinic="Elm Street Vets")
    assert item(control, pk, sk).body["expires_on"] == "2028-01-01" and item(control, pk, sk).version == 2

    run(control, owner, control.commands.DeleteRecord(pet["pet_id"], record["id"]))
    assert item(control, pk, sk) is None


def test_the_due_date_index_follows_edits_and_deletion_and_rebuilds_exactly(control, owner) -> None:
    c, r = control.commands, control.requests
    h = run(control, owner, c.CreateHousehold(r.NewHousehold(name="Index", time_zone="America/Los_Angeles")))
    pet = run(control, owner, c.AddPet(h["household_id"], r.NewPet(name="Sunny", species="dog")))
    record = approve(control, owner, pet, vaccine="Rabies", expires_on=date(2027, 1, 31))
    sk = reminder_sk(h["household_id"], record["id"])
    # the 07:00 UTC run is 23:00 the day before in Los Angeles in winter (PST): its reminders of
    # 2027-01-01 and 2027-01-31 go out with the next day's run; in summer (PDT) it is midnight
    old_days = ["2027-01-02", "2027-02-01"]
    assert [item(control, reminder_key(d), sk).body["windows"] for d in old_days] == [[30], [0]]

    update(control, owner, pet, record, vaccine="Rabies", expires_on=date(2027, 6, 30))
    assert [item(control, reminder_key(d), sk) for d in old_days] == [None, None]
    assert item(control, reminder_key("2027-05-31"), sk).version == 2
    with control.database.transaction("test") as session:
        rebuilt = control.projection.household_items(session, uuid.UUID(h["household_id"]))
    pks = {i["pk"] for i in rebuilt} | {reminder_key(d) for d in old_days}
    key = lambda i: (i["pk"], i["sk"])  # noqa: E731
    assert sorted(control.store.projected(h["household_id"], pks), key=key) == sorted(rebuilt, key=key)
    assert sum(i["kind"] == "reminder" for i in rebuilt) == 2

    run(control, owner, control.commands.DeleteRecord(pet["pet_id"], record["id"]))
    assert control.store.projected(h["household_id"], {pk for pk in pks if pk.startswith("REMINDER#")}) == []


def test_dates_out_of_order_are_refused_with_a_reason(control) -> None:
    with pytest.raises(ValidationError, match="expires_on must be after administered_on"):
        control.requests.NewRecord(vaccine="Rabies", administered_on=date(2026, 3, 14), expires_on=date(2026, 3, 1))


def test_an_administered_date_in_the_future_is_refused(control, owner, pet) -> None:
    with pytest.raises(BadInput, match="in the future"):
        approve(control, owner, pet, vaccine="Rabies", administered_on=date(2026, 12, 1))


def test_a_refused_upload_cannot_be_approved(control, owner, pet) -> None:
    upload_id = put_draft(control, pet, status="rejected", reason="this file is a ZIP archive, not a PDF or photo")
    with pytest.raises(Conflict, match="ZIP archive"):
        approve(control, owner, pet, **rabies(upload_id=upload_id))


def test_another_households_pet_and_draft_are_not_found(control, owner, pet) -> None:
    stranger = caller()
    with pytest.raises(NotFound, match="no such pet"):
        approve(control, stranger, pet, **rabies())
    with pytest.raises(NotFound, match="no such draft"):
        approve(control, owner, pet, **rabies(upload_id=str(uuid.uuid4())))


def test_the_free_plan_holds_three_pets(control, owner, pet) -> None:
    for name in ("Mochi", "Bean"):
        run(control, owner, control.commands.AddPet(pet["household_id"], control.requests.NewPet(name=name, species="cat")))
    with pytest.raises(Conflict, match="three pets per household"):
        run(control, owner, control.commands.AddPet(pet["household_id"], control.requests.NewPet(name="Rex", species="dog")))
