"""The Aurora adapter: one short connection per unit of work, nothing held between invocations.

A paused Aurora Serverless v2 cluster takes seconds to resume: connecting is retried with
bounded backoff within a time budget, then the caller gets a 503 with Retry-After, never a raw
500 and never a hang past the budget. Work is never retried after it started (it may not be
idempotent); a connection lost mid-transaction rolls back and also answers 503."""
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import boto3
from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from chalicelib.control import wake_ledger
from chalicelib.control.settings import ControlSettings
from chalicelib.control.wake_ledger import WakeEntry
from pawport.errors import Conflict, Unavailable

log = logging.getLogger(__name__)
WAKING = "the database is waking up; try again in a few seconds"
CONCURRENT = "another change to this household happened at the same moment; try again"


def database_url(settings: ControlSettings) -> URL:
    password = settings.db_password.get_secret_value() if settings.db_password else None
    return URL.create("postgresql+psycopg", username=settings.db_user, password=password,
                      host=settings.db_host, port=settings.db_port, database=settings.db_name)


def make_engine(settings: ControlSettings, connect_timeout_seconds: int | None = None) -> Engine:
    # NullPool: a paused Aurora must not be kept awake by idle pooled connections.
    timeouts = (f"-c statement_timeout={settings.db_statement_timeout_ms}"
                f" -c idle_in_transaction_session_timeout={settings.db_statement_timeout_ms * 2}")
    connect_args = {"connect_timeout": connect_timeout_seconds or settings.db_connect_timeout_seconds,
                    "options": timeouts,
                    "application_name": "pawport-control"} | verified_tls(settings)
    engine = create_engine(database_url(settings), poolclass=NullPool, connect_args=connect_args)
    if settings.db_auth == "iam":
        sign_iam_tokens(engine, settings)
    return engine


def verified_tls(settings: ControlSettings) -> dict[str, str]:
    """libpq's TLS settings: the server proves it is the database named in the settings, signed by
    the CA control ships (AWS's RDS bundle in AWS, the local stack's own CA locally)."""
    return {"sslmode": settings.db_sslmode, "sslrootcert": str(settings.db_sslrootcert)}


def sign_iam_tokens(engine: Engine, settings: ControlSettings) -> None:
    """Each connection gets a fresh IAM auth token (valid 15 minutes), signed here: no API call."""
    rds = boto3.client("rds", region_name=settings.aws_region)

    @event.listens_for(engine, "do_connect")
    def _with_token(dialect: object, record: object, cargs: object, cparams: dict) -> None:
        cparams["password"] = rds.generate_db_auth_token(DBHostname=settings.db_host, Port=settings.db_port,
                                                         DBUsername=settings.db_user, Region=settings.aws_region)


class Database:
    def __init__(self, engine: Engine, resume_budget_seconds: float = 20.0, retry_after_seconds: int = 5,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self._engine, self._budget, self._retry_after = engine, resume_budget_seconds, retry_after_seconds
        self._clock, self._sleep = clock, sleep
        self.now = now   # the wall clock of the wake ledger; the month replay hands it an accelerated one

    @contextmanager
    def transaction(self, action: str, request_id: str | None = None) -> Iterator[Session]:
        """A session whose work commits together on success and rolls back on any error.

        `action` names the route or event handler that opens it: every session is a row of the
        wake ledger, written on the same connection once the work has committed or rolled back."""
        started_at, started = self.now(), self._clock()
        with self._connect() as connection:
            connected, households, outcome = self._clock(), set(), "rollback"
            try:
                with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                    event.listen(session, "before_flush", lambda s, *_: households.update(_households_of(s)))
                    yield session
                outcome = "commit"
            except OperationalError as error:
                if (getattr(error.orig, "sqlstate", None) or "").startswith("40"):   # deadlock, serialization failure
                    raise Conflict(CONCURRENT) from None
                log.warning("database connection lost mid-transaction (%s): %s", action, error.orig)
                raise Unavailable(WAKING, self._retry_after) from None
            finally:
                if not connection.invalidated:   # a lost connection has nowhere to write; logged above
                    wake_ledger.record(connection, WakeEntry(
                        action, request_id, next(iter(households)) if len(households) == 1 else None, started_at,
                        connect_ms=round((connected - started) * 1000),
                        duration_ms=round((self._clock() - started) * 1000), outcome=outcome))

    def _connect(self) -> Connection:
        deadline, delay = self._clock() + self._budget, 0.25
        while True:
            try:
                return self._engine.connect()
            except OperationalError as error:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    log.warning("database not answering after %.0fs: %s", self._budget, error.orig)
                    raise Unavailable(WAKING, self._retry_after) from None
                self._sleep(min(delay, remaining))
                delay = min(delay * 2, 4.0)


def _households_of(session: Session) -> set[uuid.UUID]:
    """The households a session writes to (every row but a household's own names one): the
    ledger's household, when there is exactly one."""
    return {household for row in (*session.new, *session.dirty, *session.deleted)
            if (household := getattr(row, "household_id", None)) is not None}
