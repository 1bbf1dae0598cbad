"""The scheduled sweep wakes Aurora only when an action left its relay unfinished."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from pawport.auth import Caller
from pawport.errors import NotFound
from pawport.table import household_key

# In the past, so markers other tests write at the real time never fall before these cut-offs.
START = datetime(2020, 1, 6, 10, 0, tzinfo=UTC)


def context(control, now: datetime, caller: Caller):
    return control.households.Context(caller=caller, request_id=str(uuid.uuid4()), now=now)


@pytest.fixture
def owner() -> Caller:
    return Caller(user_id=f"user-{uuid.uuid4()}", email=None)


def test_an_unfinished_relay_is_swept_and_only_then_is_aurora_woken(control, owner, transactions, monkeypatch):
    def dynamodb_down(operations) -> None:
        raise ConnectionError("DynamoDB unreachable")

    with monkeypatch.context() as broken:
        broken.setattr(control.store, "apply", dynamodb_down)
        created = control.actions.perform(control.database, context(control, START, owner),
                                          control.households.create_household,
                                          control.households.NewHousehold(name="Swept"))
    pk = household_key(created["household_id"])
    assert control.store.partition(pk) == []

    before = transactions.read()
    assert control.actions.sweep_abandoned(control.database, START + timedelta(minutes=1)) == 0
    assert transactions.read() - before == 0            # nothing abandoned yet: no connection at all

    assert control.actions.sweep_abandoned(control.database, START + timedelta(minutes=3)) >= 1  # entries published
    assert [i["kind"] for i in control.store.partition(pk)] == ["household", "member"]
    assert control.actions.outbox_markers.older_than(START + timedelta(minutes=3)) == []


def test_an_action_that_fails_leaves_no_marker(control, owner) -> None:
    now = START + timedelta(hours=1)
    with pytest.raises(NotFound):
        control.actions.perform(control.database, context(control, now, owner), control.households.add_pet,
                                str(uuid.uuid4()), control.households.NewPet(name="Rex", species="dog"))
    assert control.actions.outbox_markers.older_than(now + timedelta(minutes=5)) == []
