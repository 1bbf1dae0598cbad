"""Rule 2: a database that is not answering (a paused Aurora resuming, or down) is waited for
within a bounded budget, then answered with 503 and Retry-After — shown by really stopping the
local PostgreSQL and starting it again."""
import importlib.util
import threading
import time
import uuid

import pytest
from chalice.test import Client
from sqlalchemy import text

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


def test_control_answers_503_with_retry_after_over_http(control, stack: Stack, stopped_database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAWPORT_DB_RESUME_BUDGET_SECONDS", "1")
    email = f"resume-{uuid.uuid4().hex[:8]}@example.com"
    identity.create_user(stack, email, "Resume-password-1")
    token = identity.sign_in(stack, email, "Resume-password-1")["IdToken"]
    spec = importlib.util.spec_from_file_location("control_app_resume", REPO / "services/control/app.py")
    app_module = importlib.util.module_from_spec(spec)
    from chalicelib.control.settings import settings
    settings.cache_clear()                               # read the shorter budget set above
    try:
        spec.loader.exec_module(app_module)
        with Client(app_module.app) as client:
            answer = client.http.post("/households", headers={"Authorization": f"Bearer {token}",
                                                              "Content-Type": "application/json"},
                                      body='{"name": "Waking"}')
    finally:
        settings.cache_clear()

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "waking up" in answer.json_body["message"]
