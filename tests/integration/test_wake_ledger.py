"""The wake ledger: every session control opens leaves a row, written on its own connection
after the work commits or rolls back, with the action, request, household, start and duration."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pawport.auth import Caller
from pawport.errors import NotFound
from tests.support import people
from tests.support.clocks import Clock


@pytest.fixture
def at(control):
    """control wired on a clock of its own, far from other tests' rows."""
    from chalicelib.control.wiring import wire
    start = datetime(2031, 1, 1, tzinfo=UTC) + timedelta(days=uuid.uuid4().int % 10_000)
    clock = Clock(start)
    return start, clock, wire(control.wired.settings, clock=clock)


def perform(wired, command, request_id: str, caller: Caller) -> dict:
    return wired.handle(command, wired.context(caller, request_id)).model_dump()


def wakes(database, since: datetime) -> list:
    from chalicelib.control.models import Wake
    with database.transaction("test") as session:
        return session.scalars(select(Wake).where(Wake.started_at >= since, Wake.started_at < since + timedelta(days=1))
                               .where(Wake.action != "test").order_by(Wake.id)).all()


def test_an_action_and_its_relay_are_recorded_with_request_and_household(control, at) -> None:
    start, _, wired = at
    caller = people.caller()
    created = perform(wired, control.commands.CreateHousehold(control.requests.NewHousehold(name="Ledger", time_zone="UTC")),
                      request_id="req-1", caller=caller)

    rows = wakes(wired.database, start)
    assert [(w.action, w.request_id, str(w.household_id), w.outcome) for w in rows] == [
        ("create_household", "req-1", created["household_id"], "commit"),
        ("create_household:relay", "req-1", created["household_id"], "commit")]
    assert all(w.started_at == start and 0 <= w.connect_ms <= w.duration_ms < 5000 for w in rows)


def test_a_refused_action_is_recorded_too_it_woke_the_database_all_the_same(control, at) -> None:
    start, _, wired = at
    caller = people.caller()
    with pytest.raises(NotFound):
        perform(wired, control.commands.AddPet(str(uuid.uuid4()), control.requests.NewPet(name="Ghost", species="dog")),
                request_id="req-2", caller=caller)

    [row] = wakes(wired.database, start)
    assert (row.action, row.request_id, row.household_id, row.outcome) == ("add_pet", "req-2", None, "rollback")


def test_the_report_reads_the_ledger_on_the_databases_clock(control, at) -> None:
    from chalicelib.control import wake_ledger
    from chalicelib.control.wake_report import awake
    start, clock, wired = at
    database = wired.database
    for minutes in (0, 2, 30):                      # two stretches: 0-2 min + pause, then 30 min + pause
        clock.now = start + timedelta(minutes=minutes)
        with database.transaction("probe", "req-3") as session:
            session.execute(select(1))

    with database.transaction("test") as session:
        opened = wake_ledger.opened_between(session, start, start + timedelta(hours=1))
    report = awake([o for o in opened if o.action == "probe"], timedelta(seconds=300))
    assert (report.sessions, report.resumes) == (3, 2)
    assert 120 + 300 + 300 <= report.awake_seconds < 120 + 300 + 300 + 5
