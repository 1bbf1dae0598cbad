"""A database that is not answering (a paused Aurora resuming, or down) is waited for
within a bounded budget, then answered with 503 and Retry-After — shown by really stopping the
local PostgreSQL and starting it again."""
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from chalice.test import Client
from sqlalchemy import select, text

from devstack import REPO
from devstack.runner import load_app
from devstack.stack import Stack
from pawport.errors import Unavailable
from pawport.keys import wake_attempt_key
from tests.support import people
from tests.support.clocks import Clock


@pytest.fixture
def stopped_database(stack: Stack):
    stack.postgres.stop()
    try:
        yield stack.postgres
    finally:
        stack.postgres.start()


def database(control, budget: float):
    from chalicelib.control.database import Database
    return Database(control.database._engine, resume_budget_seconds=budget, retry_after_seconds=7)


def test_a_database_that_stays_down_answers_unavailable_within_the_budget(control, stopped_database) -> None:
    started = time.monotonic()
    with pytest.raises(Unavailable) as refused, database(control, budget=1.5).transaction("test"):
        pass
    assert 1.5 <= time.monotonic() - started < 4.0       # waited the whole budget, and no longer
    assert refused.value.status == 503 and refused.value.retry_after_seconds == 7


def test_a_database_that_comes_back_within_the_budget_is_waited_for(control, stopped_database) -> None:
    threading.Timer(1.0, stopped_database.start).start()
    with database(control, budget=15).transaction("test") as session:
        assert session.execute(text("SELECT 1")).scalar() == 1


def control_app():
    """A fresh import of control's app, reading the settings of this moment."""
    from chalicelib.control.settings import settings
    settings.cache_clear()
    try:
        return load_app(REPO / "services" / "control")
    finally:
        settings.cache_clear()


def bearer(stack: Stack) -> dict[str, str]:
    return people.new_person(stack, "resume").headers | {"Content-Type": "application/json"}


def test_control_answers_503_with_retry_after_over_http(control, stack: Stack, stopped_database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAWPORT_DB_RESUME_BUDGET_SECONDS", "1")
    headers = bearer(stack)
    with Client(control_app().app) as client:
        answer = client.http.post("/households", headers=headers, body='{"name": "Waking", "time_zone": "UTC"}')

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "waking up" in answer.json_body["message"]


def test_warmup_says_the_database_is_awake_and_is_a_named_wake(control, stack: Stack) -> None:
    from chalicelib.control.models import Wake
    headers = bearer(stack)
    with Client(control_app().app) as client:
        refused = client.http.post("/warmup")
        answer = client.http.post("/warmup", headers=headers)

    assert refused.status_code == 401
    assert answer.status_code == 200 and answer.json_body["awake"] is True
    with control.database.transaction("test") as session:
        last = session.scalars(select(Wake).where(Wake.action == "warmup").order_by(Wake.id.desc())).first()
    assert last.outcome == "commit"


def test_warmup_answers_at_once_while_the_database_sleeps(control, stack: Stack, stopped_database) -> None:
    headers = bearer(stack)
    with Client(control_app().app) as client:
        started = time.monotonic()
        answer = client.http.post("/warmup", headers=headers)

    assert time.monotonic() - started < 3.0        # no resume budget: one attempt, a 2 s connect timeout
    assert answer.status_code == 200 and answer.json_body["awake"] is False


def test_a_warmup_that_finds_it_paused_is_charged_the_resume_it_started(control, stopped_database) -> None:
    """No session opened, so no ledger row: the attempt is kept in the table, and the resume is the
    warmup's in the operator report, not the commit's that rode it."""
    from chalicelib.control import wake_ledger
    from chalicelib.control.wake_report import awake
    from chalicelib.control.wiring import wire
    n = uuid.uuid4().int % 480                      # a month of its own, far from other tests' rows
    start = datetime(2050 + n // 12, n % 12 + 1, 1, 9, tzinfo=UTC)
    clock = Clock(start)
    wired = wire(control.wired.settings, clock=clock)
    caller = people.caller()

    assert wired.warm_up(wired.context(caller, "req-warm")).awake is False
    [attempt] = wired.store.query(wake_attempt_key(start.strftime("%Y-%m")))
    assert (attempt.kind, attempt.body["action"], attempt.body["request_id"]) == ("wake-attempt", "warmup", "req-warm")
    assert datetime.fromisoformat(attempt.body["started_at"]) == start
    assert attempt.expires_at == start + timedelta(days=62)   # work state: gone once no report reads it

    stopped_database.start()                        # the resume finishes; the commit follows the warmup
    clock.now = start + timedelta(seconds=30)
    wired.handle(control.commands.CreateHousehold(control.requests.NewHousehold(name="Woken", time_zone="UTC")),
                 wired.context(caller, "req-commit"))
    clock.now = start + timedelta(minutes=1)
    figures = wired.operator_aggregates({"month": start.strftime("%Y-%m")}, "req-report")

    assert (figures["resumes"], figures["sessions"]) == (1, 2)   # the commit and its relay; one resume
    assert figures["awake_hours"] == pytest.approx(60 / 3600)    # awake since the attempt, up to now
    pause = timedelta(seconds=wired.settings.db_pause_delay_seconds)
    with wired.database.transaction("test") as session:
        opened = [o for o in wake_ledger.opened_between(session, start, start + timedelta(hours=1)) if o.action != "test"]
    report = awake(opened, pause, attempts=wired.attempts.opened_between(start, start + timedelta(hours=1)))
    assert report.resumes_by_action == {"warmup": 1}
    assert report.sessions_by_action == {"create_household": 1, "create_household:relay": 1, "operator_aggregates": 1}
