"""The scheduled sweep wakes Aurora only when an action left its relay unfinished."""
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from pawport.auth import Caller
from pawport.errors import NotFound
from pawport.keys import household_key
from tests.support.people import caller

# In the past, so markers other tests write at the real time never fall before these cut-offs.
START = datetime(2020, 1, 6, 10, 0, tzinfo=UTC)


def context(control, now: datetime, caller: Caller):
    return control.Context(caller=caller, request_id=str(uuid.uuid4()), now=now)


@pytest.fixture
def at_start(control):
    """control on a clock at START: its markers live (and expire) on that clock."""
    from chalicelib.control.wiring import wire
    return wire(control.wired.settings, clock=lambda: START)


def sweep(wired, now: datetime) -> int:
    from chalicelib.control import actions
    return actions.sweep_abandoned(wired.database, wired.markers, wired.projections.apply, now)


@pytest.fixture
def owner() -> Caller:
    return caller()


def test_an_unfinished_relay_is_swept_and_only_then_is_aurora_woken(control, at_start, owner, transactions):
    from chalicelib.control.projection_store import Projections

    class DynamoDBDown(Projections):
        def apply(self, operations) -> None:
            raise ConnectionError("DynamoDB unreachable")

    broken = dataclasses.replace(at_start, projections=DynamoDBDown(at_start.store))
    created = broken.handle(control.commands.CreateHousehold(control.requests.NewHousehold(name="Swept", time_zone="UTC")),
                            context(control, START, owner)).model_dump()
    pk = household_key(created["household_id"])
    assert control.store.partition(pk) == []

    before = transactions.read()
    assert sweep(at_start, START + timedelta(minutes=1)) == 0
    assert transactions.read() - before == 0            # nothing abandoned yet: no connection at all

    assert sweep(at_start, START + timedelta(minutes=3)) >= 1  # entries published
    assert [i["kind"] for i in control.store.partition(pk)] == ["household", "member"]
    assert at_start.markers.older_than(START + timedelta(minutes=3)) == []


def test_an_action_that_fails_leaves_no_marker(control, at_start, owner) -> None:
    now = START + timedelta(hours=1)
    with pytest.raises(NotFound):
        at_start.handle(control.commands.AddPet(str(uuid.uuid4()), control.requests.NewPet(name="Rex", species="dog")),
                        context(control, now, owner))
    assert at_start.markers.older_than(now + timedelta(minutes=5)) == []
