"""A draft of several vaccinations approved through control against real PostgreSQL and moto: one
by one (the draft kept, marked), or all at once in one commit (one Aurora session in the wake
ledger), with corrections; only the first record of an upload holds its content hash."""
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from pawport.auth import Caller
from pawport.errors import BadInput, Conflict, NotFound
from pawport.keys import document_hash_sk, draft_sk, household_key, record_sk
from pawport.store import Item, Put
from tests.support import people
from tests.support.clocks import Clock

READ = [("DHPP", "2026-03-14", "2029-03-13"), ("Leptospirosis", "2026-03-14", "2027-03-13"),
        ("Rabies", "2026-03-14", "2029-03-13")]


@pytest.fixture
def wired(control):
    """control on a clock of its own, far from other tests' ledger rows."""
    from chalicelib.control.wiring import wire
    start = datetime(2032, 1, 1, tzinfo=UTC) + timedelta(days=uuid.uuid4().int % 10_000)
    return start, wire(control.wired.settings, clock=Clock(start))


@pytest.fixture
def owner() -> Caller:
    return people.caller()


def run(wired, caller: Caller, command) -> dict:
    return wired.handle(command, wired.context(caller, f"req-{uuid.uuid4()}")).model_dump(mode="json")


@pytest.fixture
def pet(control, wired, owner) -> dict:
    c, r = control.commands, control.requests
    h = run(wired[1], owner, c.CreateHousehold(r.NewHousehold(name="Boosters", time_zone="Europe/London")))
    return run(wired[1], owner, c.AddPet(h["household_id"], r.NewPet(name="Luna", species="dog")))


def put_draft(control, pet: dict, read=READ) -> str:
    """A draft as workers leave it after reading a booster certificate (live on any test's clock)."""
    upload_id = str(uuid.uuid4())
    vaccinations = [{"vaccine": v, "administered_on": given, "expires_on": expires} for v, given, expires in read]
    control.table.write(Put(Item(
        household_key(pet["household_id"]), draft_sk(upload_id), kind="draft", version=0,
        expires_at=datetime(2060, 1, 1, tzinfo=UTC),
        body={"upload_id": upload_id, "pet_id": pet["pet_id"], "status": "ready", "file_name": "booster.pdf",
              "document_key": f"uploads/{pet['household_id']}/{pet['pet_id']}/{upload_id}/booster.pdf",
              "content_hash": uuid.uuid4().hex * 2, "resolved": {},
              "fields": {"pet_name": "Luna", "clinic": "Elm Street Vets", "vaccinations": vaccinations}})))
    return upload_id


def approve_all(control, wired, owner, pet, upload_id: str, **approval) -> dict:
    command = control.commands.ApproveDraft(pet["pet_id"], upload_id, control.requests.DraftApproval(**approval))
    return run(wired, owner, command)


def approve_one(control, wired, owner, pet, **fields) -> dict:
    return run(wired, owner, control.commands.ApproveRecord(pet["pet_id"], control.requests.NewRecord(**fields)))


def draft(control, pet: dict, upload_id: str) -> Item | None:
    return control.table.get(household_key(pet["household_id"]), draft_sk(upload_id))


def hashes(control, record_ids: list[str]) -> list[str | None]:
    with control.database.transaction("test") as session:
        model = control.models.VaccinationRecord
        return [session.get(model, uuid.UUID(r)).content_hash for r in record_ids]


def test_approve_all_makes_every_record_in_one_commit_and_one_aurora_session(control, wired, owner, pet) -> None:
    start, app = wired
    upload_id = put_draft(control, pet)
    before = ledger(control, start)

    approved = approve_all(control, app, owner, pet, upload_id)

    assert [(r["vaccine"], r["administered_on"], r["expires_on"], r["clinic"]) for r in approved["records"]] == [
        (v, given, expires, "Elm Street Vets") for v, given, expires in READ]
    assert ledger(control, start)[len(before):] == ["approve_draft", "approve_draft:relay"]
    pk = household_key(pet["household_id"])
    ids = [r["id"] for r in approved["records"]]
    assert all(control.table.get(pk, record_sk(r)) for r in ids) and draft(control, pet, upload_id) is None
    first, *others = hashes(control, ids)
    assert first and others == [None, None]   # one record holds the upload's bytes
    assert control.table.get(pk, document_hash_sk(first)).body == {"record_id": ids[0]}
    assert {r["document_key"] for r in approved["records"]} == {draft_key(pet, upload_id)}


def draft_key(pet: dict, upload_id: str) -> str:
    return f"uploads/{pet['household_id']}/{pet['pet_id']}/{upload_id}/booster.pdf"


def ledger(control, since: datetime) -> list[str]:
    from chalicelib.control.models import Wake
    with control.database.transaction("test") as session:
        return list(session.scalars(select(Wake.action).where(Wake.started_at >= since,
                                                              Wake.started_at < since + timedelta(days=1))
                                    .where(Wake.action != "test").order_by(Wake.id)))


def test_one_by_one_keeps_the_draft_until_the_last(control, wired, owner, pet) -> None:
    _, app = wired
    upload_id = put_draft(control, pet)
    with pytest.raises(Conflict, match="3 vaccinations waiting: name one with entry_id"):
        approve_one(control, app, owner, pet, vaccine="Rabies", upload_id=upload_id)

    rabies = approve_one(control, app, owner, pet, vaccine="Rabies", administered_on=date(2026, 3, 14),
                         expires_on=date(2029, 3, 13), upload_id=upload_id, entry_id="3")
    assert draft(control, pet, upload_id).body["resolved"] == {"3": f"approved:{rabies['id']}"}
    with pytest.raises(Conflict, match="entry 3 was already approved"):
        approve_one(control, app, owner, pet, vaccine="Rabies", upload_id=upload_id, entry_id="3")
    with pytest.raises(NotFound, match="no entry 4"):
        approve_one(control, app, owner, pet, vaccine="Rabies", upload_id=upload_id, entry_id="4")

    rest = approve_all(control, app, owner, pet, upload_id)["records"]
    assert [r["vaccine"] for r in rest] == ["DHPP", "Leptospirosis"]
    assert draft(control, pet, upload_id) is None
    assert hashes(control, [rabies["id"], *(r["id"] for r in rest)])[1:] == [None, None]


def test_corrections_are_taken_and_an_entry_that_cannot_be_a_record_is_named(control, wired, owner, pet) -> None:
    _, app = wired
    upload_id = put_draft(control, pet, read=[("DHPP", "2026-03-14", "2029-03-13"), (None, "2026-03-14", None)])
    with pytest.raises(BadInput, match="entry 2 cannot be approved as read"):
        approve_all(control, app, owner, pet, upload_id)
    assert draft(control, pet, upload_id) is not None   # nothing committed

    fixed = control.requests.EntryApproval(entry_id="2", vaccine="Bordetella", administered_on=date(2026, 3, 14),
                                           expires_on=date(2027, 3, 13))
    made = approve_all(control, app, owner, pet, upload_id, entries=[fixed])["records"]
    assert [(r["vaccine"], r["expires_on"]) for r in made] == [("DHPP", "2029-03-13"), ("Bordetella", "2027-03-13")]


def test_a_draft_nothing_was_read_from_is_approved_by_hand_not_all_at_once(control, wired, owner, pet) -> None:
    _, app = wired
    upload_id = put_draft(control, pet, read=[])
    with pytest.raises(Conflict, match="nothing was read from this upload"):
        approve_all(control, app, owner, pet, upload_id)
    record = approve_one(control, app, owner, pet, vaccine="Rabies", upload_id=upload_id)
    assert record["document_key"] == draft_key(pet, upload_id) and draft(control, pet, upload_id) is None


def test_another_households_draft_is_not_found(control, wired, owner, pet) -> None:
    _, app = wired
    upload_id = put_draft(control, pet)
    with pytest.raises(NotFound, match="no such pet"):
        approve_all(control, app, people.caller(), pet, upload_id)
    with pytest.raises(NotFound, match="no such draft"):
        approve_all(control, app, owner, pet, str(uuid.uuid4()))
