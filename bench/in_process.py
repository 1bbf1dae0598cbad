"""The four services in one process for the month replay, each imported with exactly its own
environment as its Lambda would be, against the stack's moto, PostgreSQL and local LLM; and the
meter that counts every call they make to PostgreSQL (SQLAlchemy events) and AWS (botocore
events), per action type of the trace.

api and control answer through Chalice's test client; workers and egress through the event
runner, which delivers their queues' messages as Lambda's event source mappings do."""
import os
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Callable, Iterator, TypeVar

from chalice.test import Client
from sqlalchemy import Engine, event
from sqlalchemy.pool import Pool

from devstack import REPO
from devstack.measure import AwsCalls
from devstack.runner import EventRunner, load_app
from devstack.stack import Stack, service_env

Loaded = TypeVar("Loaded")
DRAIN_LIMIT = 50   # poll rounds: an upload settles in four (upload, job, result); more means a loop


class Meter:
    """Calls per action type. Created before the services are loaded, so no client is missed."""

    def __init__(self) -> None:
        self.aws = AwsCalls()
        self.aws.watch_every_new_client()
        self.postgres: Counter[str] = Counter()
        event.listen(Pool, "connect", lambda *_: self.postgres.update(["postgres.connection"]))
        event.listen(Engine, "begin", lambda *_: self.postgres.update(["postgres.transaction"]))
        event.listen(Engine, "before_cursor_execute", lambda *_: self.postgres.update(["postgres.statement"]))
        self.by_kind: dict[str, Counter[str]] = defaultdict(Counter)

    @contextmanager
    def counting(self, kind: str) -> Iterator[Counter[str]]:
        """Everything sent while the block runs is charged to `kind`; yields a counter for extra
        calls no client of this process makes (the browser's upload straight to S3)."""
        self.aws.calls.clear()
        self.postgres.clear()
        extra: Counter[str] = Counter()
        try:
            yield extra
        finally:
            self.by_kind[kind].update({"events": 1, **self.aws.calls, **self.postgres, **extra})


    @contextmanager
    def aside(self) -> Iterator[None]:
        """Calls that stand for a person, not for the services (reading a mail): not counted."""
        aws, postgres = Counter(self.aws.calls), Counter(self.postgres)
        try:
            yield
        finally:
            self.aws.calls, self.postgres = aws, postgres


class SimClock:
    """The accelerated clock: the replay sets it to each event's time; nothing sleeps."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Services:
    api: Client
    control: Client
    control_app: ModuleType
    workers: EventRunner
    egress: EventRunner

    def settle(self) -> int:
        """Deliver queued events until none is left (an upload's whole pipeline); returns rounds."""
        for rounds in range(1, DRAIN_LIMIT + 1):
            if not (self.workers.poll_once() + self.egress.poll_once()):
                return rounds
        raise RuntimeError(f"the event runners still had work after {DRAIN_LIMIT} rounds")


def load(stack: Stack, clock: SimClock) -> Services:
    control = _as(stack, "control", lambda: load_app(REPO / "services" / "control"))
    api = _as(stack, "api", lambda: load_app(REPO / "services" / "api"))
    workers = _as(stack, "workers", lambda: EventRunner(REPO / "services" / "workers", sqs_retry_delay_seconds=0))
    egress = _as(stack, "egress", lambda: EventRunner(REPO / "services" / "egress", sqs_retry_delay_seconds=0))
    # The accelerated clock where the services read the time that matters to the month: the wake
    # ledger's (control's database adapters) and the api's status-at-read-time.
    control.database.now = control.warmup_database.now = clock
    api.now = clock
    return Services(Client(api.app), Client(control.app), control, workers, egress)


def _as(stack: Stack, service: str, load_it: Callable[[], Loaded]) -> Loaded:
    """Import with the service's environment only: each refuses the other side's secrets."""
    for name in [n for n in os.environ if n.startswith(("PAWPORT_", "OPENAI_"))]:
        del os.environ[name]
    os.environ.update(service_env(stack, service))
    return load_it()
