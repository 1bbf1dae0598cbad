"""Rule 2: a database that is not answering (a paused Aurora resuming, or down) is waited for
within a bounded budget, then answered with 503 and Retry-After — shown by really stopping the
local PostgreSQL and starting it again."""
import importlib.util
import threading
import time
import uuid

import pytest
from chalice.test import Client
from sqlalchemy import select, text

from devstack import REPO, identity
from devstack.stack import Stack
from pawport.errors import Unavailable


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
    with pytest.raises(Unavailable) as refused:
        with database(control, budget=1.5).transaction("test"):
            pass
    assert 1.5 <= time.monotonic() - started < 4.0       # waited the whole budget, and no longer
    assert refused.value.status == 503 and refused.value.retry_after_seconds == 7


def test_a_database_that_comes_back_within_the_budget_is_waited_for(control, stopped_database) -> None:
    threading.Timer(1.0, stopped_database.start).start()
    with database(control, budget=15).transaction("test") as session:
        assert session.execute(text("SELECT 1")).scalar() == 1


def control_app(name: str):
    """A fresh import of control's app, reading the settings of this moment."""
    spec = importlib.util.spec_from_file_location(name, REPO / "services/control/app.py")
    app_module = importlib.util.module_from_spec(spec)
    from chalicelib.control.settings import settings
    settings.cache_clear()
    try:
        spec.loader.exec_module(app_module)
    finally:
        settings.cache_clear()
    return app_module


def bearer(stack: Stack) -> dict[str, str]:
    email = f"resume-{uuid.uuid4().hex[:8]}@example.com"
    identity.create_user(stack, email, "Resume-password-1")
    token = identity.sign_in(stack, email, "Resume-password-1")["IdToken"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def test_control_answers_503_with_retry_after_over_http(control, stack: Stack, stopped_database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAWPORT_DB_RESUME_BUDGET_SECONDS", "1")
    headers = bearer(stack)
    with Client(control_app("control_app_resume").app) as client:
        answer = client.http.post("/households", headers=headers, body='{"name": "Waking"}')

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "waking up" in answer.json_body["message"]


def test_warmup_says_the_database_is_awake_and_is_a_named_wake(control, stack: Stack) -> None:
    from chalicelib.control.models import Wake
    headers = bearer(stack)
    with Client(control_app("control_app_warmup").app) as client:
        refused = client.http.post("/warmup")
        answer = client.http.post("/warmup", headers=headers)

    assert refused.status_code == 401
    assert answer.status_code == 200 and answer.json_body["awake"] is True
    with control.database.transaction("test") as session:
        last = session.scalars(select(Wake).where(Wake.action == "warmup").order_by(Wake.id.desc())).first()
    assert last.outcome == "commit"


def test_warmup_answers_at_once_while_the_database_sleeps(control, stack: Stack, stopped_database) -> None:
    headers = bearer(stack)
    with Client(control_app("control_app_warmup_asleep").app) as client:
        started = time.monotonic()
        answer = client.http.post("/warmup", headers=headers)

    assert time.monotonic() - started < 3.0        # no resume budget: one attempt, a 2 s connect timeout
    assert answer.status_code == 200 and answer.json_body["awake"] is False
