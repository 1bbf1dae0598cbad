"""The Aurora adapter: one short connection per unit of work, nothing held between invocations.

A paused Aurora Serverless v2 cluster takes seconds to resume: connecting is retried with
bounded backoff within a time budget, then the caller gets a 503 with Retry-After, never a raw
500 and never a hang past the budget. Work is never retried after it started (it may not be
idempotent); a connection lost mid-transaction rolls back and also answers 503."""
import logging
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import boto3
from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from pawport.errors import Unavailable
from chalicelib.control.settings import ControlSettings

log = logging.getLogger(__name__)
WAKING = "the database is waking up; try again in a few seconds"


def database_url(settings: ControlSettings) -> URL:
    password = settings.db_password.get_secret_value() if settings.db_password else None
    return URL.create("postgresql+psycopg", username=settings.db_user, password=password,
                      host=settings.db_host, port=settings.db_port, database=settings.db_name)


def make_engine(settings: ControlSettings) -> Engine:
    # NullPool: a paused Aurora must not be kept awake by idle pooled connections.
    timeouts = (f"-c statement_timeout={settings.db_statement_timeout_ms}"
                f" -c idle_in_transaction_session_timeout={settings.db_statement_timeout_ms * 2}")
    connect_args = {"connect_timeout": settings.db_connect_timeout_seconds, "options": timeouts,
                    "application_name": "pawport-control"}
    if settings.db_auth == "iam":
        connect_args["sslmode"] = "require"
    engine = create_engine(database_url(settings), poolclass=NullPool, connect_args=connect_args)
    if settings.db_auth == "iam":
        sign_iam_tokens(engine, settings)
    return engine


def sign_iam_tokens(engine: Engine, settings: ControlSettings) -> None:
    """Each connection gets a fresh IAM auth token (valid 15 minutes), signed here: no API call."""
    rds = boto3.client("rds", region_name=settings.aws_region)

    @event.listens_for(engine, "do_connect")
    def _with_token(dialect: object, record: object, cargs: object, cparams: dict) -> None:
        cparams["password"] = rds.generate_db_auth_token(DBHostname=settings.db_host, Port=settings.db_port,
                                                         DBUsername=settings.db_user, Region=settings.aws_region)


class Database:
    def __init__(self, engine: Engine, resume_budget_seconds: float = 20.0, retry_after_seconds: int = 5,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._engine, self._budget, self._retry_after = engine, resume_budget_seconds, retry_after_seconds
        self._clock, self._sleep = clock, sleep

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together on success and rolls back on any error."""
        with self._connect() as connection:
            try:
                with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                    yield session
            except OperationalError as error:
                log.warning("database connection lost mid-transaction: %s", error.orig)
                raise Unavailable(WAKING, self._retry_after) from None

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
