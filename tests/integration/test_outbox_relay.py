"""The outbox relay against real PostgreSQL and DynamoDB (moto): a crash between commit and
publish loses nothing, a replay duplicates nothing, and a rebuild from Aurora reproduces the
projection exactly (the table is derived data, Aurora the record)."""
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from pawport.auth import Caller
from pawport.keys import household_key
from tests.support.people import caller

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class NoMarkers:
    def mark(self, now: datetime) -> str:
        return ""

    def clear(self, *markers: str) -> None:
        pass


def act(control, command, caller: Caller) -> dict:
    """One committed control command whose relay never ran: the crash between commit and publish."""
    from chalicelib.control.registry import handler_of
    from chalicelib.control.unit_of_work import SqlUnitOfWork

    ctx = control.Context(caller=caller, request_id=str(uuid.uuid4()), now=NOW)

    def died(*_: object) -> bool:
        return False
    with SqlUnitOfWork(control.database, ctx, "test", NoMarkers(), died, control.store.find_draft,
                       control.wired.budgets) as uow:
        return handler_of(command)(command, uow).model_dump()


def pending(control) -> int:
    with control.database.transaction("test") as session:
        entry = control.outbox.OutboxEntry
        return session.scalar(select(func.count()).where(entry.published_at.is_(None)))


def by_key(item: dict) -> tuple[str, str]:
    return item["pk"], item["sk"]


def rebuilt(control, household_id: str) -> list[dict]:
    with control.database.transaction("test") as session:
        return sorted(control.projection.household_items(session, uuid.UUID(household_id)), key=by_key)


def stored(control, household_id: str) -> list[dict]:
    """Everything DynamoDB holds under the keys the household's projection uses."""
    partitions = {household_key(household_id)} | {item["pk"] for item in rebuilt(control, household_id)}
    return sorted(control.store.projected(household_id, partitions), key=by_key)


def household_with_pets(control, *pets: str) -> str:
    owner = caller(email="owner@example.com")
    c, r = control.commands, control.requests
    new = r.NewHousehold(name="The Outbox Test", time_zone="UTC")
    household_id = act(control, c.CreateHousehold(new), caller=owner)["household_id"]
    for name in pets:
        act(control, c.AddPet(household_id, r.NewPet(name=name, species="dog")), caller=owner)
    return household_id


def test_a_crash_after_commit_loses_nothing(control) -> None:
    household_id = household_with_pets(control, "Ollie", "Rex")
    assert stored(control, household_id) == []            # committed, never published
    assert pending(control) >= 3

    control.outbox.relay(control.database, control.store.apply, NOW)

    assert pending(control) == 0
    assert stored(control, household_id) == rebuilt(control, household_id)
    assert sorted(i["kind"] for i in stored(control, household_id)) == [
        "household", "member", "membership", "pet", "pet", "pet-home", "pet-home"]


def test_a_replay_duplicates_nothing(control) -> None:
    household_id = household_with_pets(control, "Mochi")
    control.outbox.relay(control.database, control.store.apply, NOW)
    before = stored(control, household_id)
    with control.database.transaction("test") as session:      # as if publishing succeeded but marking it did not
        session.execute(update(control.outbox.OutboxEntry).values(published_at=None))

    replayed = control.outbox.relay(control.database, control.store.apply, NOW)

    assert replayed >= 3
    assert stored(control, household_id) == before == rebuilt(control, household_id)


def test_a_failed_publish_keeps_every_entry_of_the_batch_pending(control) -> None:
    household_with_pets(control, "Bean")

    def fail_on_pets(operations) -> None:
        if any(o["item"]["kind"] == "pet" for o in operations):
            raise ConnectionError("DynamoDB unreachable")
        control.store.apply(operations)

    waiting = pending(control)
    with pytest.raises(ConnectionError):
        control.outbox.relay(control.database, fail_on_pets, NOW)
    assert pending(control) == waiting
    control.outbox.relay(control.database, control.store.apply, NOW)
    assert pending(control) == 0


def test_an_older_version_never_overwrites_a_newer_one(control) -> None:
    household_id = household_with_pets(control)
    control.outbox.relay(control.database, control.store.apply, NOW)
    [household, member] = control.store.partition(household_key(household_id))
    newer = household | {"version": household["version"] + 1, "body": household["body"] | {"name": "Renamed"}}

    control.store.write(newer)
    control.store.write(household)                         # a late, stale entry

    assert control.store.partition(household_key(household_id))[0] == newer
