"""The Aurora adapter: one short connection per unit of work, nothing held between invocations."""
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import URL, Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from chalicelib.control.settings import ControlSettings


def database_url(settings: ControlSettings) -> URL:
    password = settings.db_password.get_secret_value() if settings.db_password else None
    return URL.create("postgresql+psycopg", username=settings.db_user, password=password,
                      host=settings.db_host, port=settings.db_port, database=settings.db_name)


def make_engine(settings: ControlSettings) -> Engine:
    # NullPool: a paused Aurora must not be kept awake by idle pooled connections.
    timeouts = (f"-c statement_timeout={settings.db_statement_timeout_ms}"
                f" -c idle_in_transaction_session_timeout={settings.db_statement_timeout_ms * 2}")
    return create_engine(database_url(settings), poolclass=NullPool,
                         connect_args={"connect_timeout": settings.db_connect_timeout_seconds,
                                       "options": timeouts, "application_name": "pawport-control"})


class Database:
    def __init__(self, engine: Engine):
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together on success and rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session
