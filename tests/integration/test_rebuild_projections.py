"""control's projection rebuild against real PostgreSQL and moto: a drifted table (an item lost,
a stale one left behind) is put back exactly as the relay wrote it, and the work state workers
keep beside the projection (a draft, a document count) is left alone. Over HTTP, with the
dashboard compared byte for byte: tests/e2e/test_rebuild_projections.py."""
import uuid
from datetime import UTC, date, datetime, timedelta

from pawport.keys import document_count_sk, draft_sk, household_key, pet_sk, record_sk, reminder_key, reminder_sk
from pawport.store import Add, Delete, Item, Put
from tests.support.people import caller

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_drifted_projection_is_rebuilt_exactly_and_work_state_is_kept(control) -> None:
    c, r = control.commands, control.requests
    owner = caller(email="owner@example.com")
    household = control.run(owner, c.CreateHousehold(r.NewHousehold(name="Drifted", time_zone="Asia/Tokyo")), now=NOW)
    hid, pk = household["household_id"], household_key(household["household_id"])
    pet = control.run(owner, c.AddPet(hid, r.NewPet(name="Ollie", species="dog")), now=NOW)
    record = control.run(owner, c.ApproveRecord(pet["pet_id"], r.NewRecord(vaccine="Rabies", expires_on=date(2027, 5, 1))),
                         now=NOW)
    table = control.table
    upload = str(uuid.uuid4())
    table.write(Put(Item(pk, draft_sk(upload), kind="draft", expires_at=datetime.now(UTC) + timedelta(days=14),
                         body={"upload_id": upload, "pet_id": pet["pet_id"], "status": "ready"})))
    table.write(Add(pk, document_count_sk(pet["pet_id"]), 3))
    reminder_pks = {reminder_key(d) for d in ("2027-04-01", "2027-05-01")}
    before = sorted(control.store.projected(hid, {pk} | reminder_pks), key=lambda i: (i["pk"], i["sk"]))

    table.write(Delete(pk, pet_sk(pet["pet_id"])))
    stale = str(uuid.uuid4())
    table.write(Put(Item(pk, record_sk(stale), kind="record", version=1, body={"id": stale})))
    table.write(Put(Item(reminder_key("2027-04-01"), reminder_sk(hid, stale), kind="reminder", version=1, body={})))

    done = control.wired.rebuild_projections("req-rebuild").model_dump()

    assert done["households"] >= 1 and done["deleted"] >= 1
    after = sorted(control.store.projected(hid, {pk} | reminder_pks), key=lambda i: (i["pk"], i["sk"]))
    assert after == before
    assert (pk, record_sk(record["id"])) in {(i["pk"], i["sk"]) for i in after}
    assert table.get(pk, draft_sk(upload)) is not None and table.get(pk, document_count_sk(pet["pet_id"])).count == 3
