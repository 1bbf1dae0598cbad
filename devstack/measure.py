"""Counting what the code really does, for tests and `make bench`: PostgreSQL's own transaction
counter and botocore's call events (no hand-kept tallies)."""
import time
from collections import Counter
from typing import Any

import botocore.session
import psycopg


class TransactionCounter:
    """Committed plus rolled-back transactions of one database, read from a connection to another
    database, so the sampling itself is not counted."""

    def __init__(self, admin_url: str, database: str):
        self._admin_url, self._database = admin_url, database

    def read(self) -> int:
        time.sleep(1.1)  # backends flush their statistics at most once a second
        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            row = conn.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
                               (self._database,)).fetchone()
        return int(row[0])


class AwsCalls:
    """Every API call the given botocore clients send, by "service.Operation"."""

    def __init__(self, *clients: Any):
        self.calls: Counter[str] = Counter()
        for client in clients:
            self.watch(client)

    def watch(self, client: Any) -> None:
        client.meta.events.register("before-call", self._count)

    def watch_every_new_client(self) -> None:
        """Also count every client created from now on in this process: the services create theirs
        at import or on first use and keep them private, but botocore's Session.create_client makes
        every one. For a process that only measures (the month replay): there is no undoing it."""
        create_client = botocore.session.Session.create_client

        def counted(session: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
            client = create_client(session, *args, **kwargs)
            self.watch(client)
            return client
        botocore.session.Session.create_client = counted

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

    def total(self, service: str) -> int:
        return sum(n for name, n in self.calls.items() if name.startswith(service + "."))
