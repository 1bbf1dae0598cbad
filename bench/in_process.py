"""The four services in one process for the month replay, each imported with exactly its own
environment as its Lambda would be, against the stack's moto, PostgreSQL and local LLM; and the
meter that counts every call they make to PostgreSQL (SQLAlchemy events) and AWS (botocore
events), per action type of the trace.

api and control answer through Chalice's test client; workers through the event runner, which
delivers pushed events, queue messages and stream records as Lambda would; egress and control's
plain functions through the local Invoke API, as workers' synchronous invocations reach them."""
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import TypeVar

from chalice.test import Client
from sqlalchemy import Engine, event
from sqlalchemy.pool import Pool

from devstack import REPO, runner_lambda
from devstack.measure import AwsCalls
from devstack.runner import EventRunner, load_app
from devstack.runner_invoke import InvokeApi
from devstack.runner_lambda import Function
from devstack.stack import Stack, service_env, service_variables

Loaded = TypeVar("Loaded")
DRAIN_LIMIT = 50   # poll rounds: an upload settles in a few (event, stream records); more means a loop


class Meter:
    """Calls per action type. Created before the services are loaded, so no client is missed.
    Lambda invocations are counted per service ("invocation.<service>", with their milliseconds in
    "invocation_ms.<service>"), and requests through API Gateway as "apigateway.request"."""

    def __init__(self) -> None:
        self.aws = AwsCalls()
        self.aws.watch_every_new_client()
        self.postgres: Counter[str] = Counter()
        event.listen(Pool, "connect", lambda *_: self.postgres.update(["postgres.connection"]))
        event.listen(Engine, "begin", lambda *_: self.postgres.update(["postgres.transaction"]))
        event.listen(Engine, "before_cursor_execute", lambda *_: self.postgres.update(["postgres.statement"]))
        self.lambdas: Counter[str] = Counter()
        runner_lambda.observers.append(lambda function, seconds: self.invoked(function.function_name, seconds))
        self.by_kind: dict[str, Counter[str]] = defaultdict(Counter)

    @contextmanager
    def counting(self, kind: str) -> Iterator[Counter[str]]:
        """Everything sent while the block runs is charged to `kind`; yields a counter for extra
        calls no client of this process makes (the browser's upload straight to S3)."""
        self.aws.calls.clear()
        self.postgres.clear()
        self.lambdas.clear()
        extra: Counter[str] = Counter()
        try:
            yield extra
        finally:
            self.by_kind[kind].update({"events": 1, **self.aws.calls, **self.postgres, **self.lambdas, **extra})

    def invoked(self, function_name: str, seconds: float, through_api_gateway: bool = False) -> None:
        """One Lambda invocation of a function named as Chalice names it: "pawport-<service>-<stage>-<name>"."""
        service = function_name.split("-")[1]
        self.lambdas.update({f"invocation.{service}": 1, f"invocation_ms.{service}": round(seconds * 1000),
                             **({"apigateway.request": 1} if through_api_gateway else {})})

    @contextmanager
    def aside(self) -> Iterator[None]:
        """Calls that stand for a person, not for the services (reading a mail): not counted."""
        aws, postgres, lambdas = Counter(self.aws.calls), Counter(self.postgres), Counter(self.lambdas)
        try:
            yield
        finally:
            self.aws.calls, self.postgres, self.lambdas = aws, postgres, lambdas


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
    invocations: InvokeApi

    def settle(self, limit: int = DRAIN_LIMIT) -> int:
        """Deliver queued events until none is left (an upload's whole pipeline); returns rounds."""
        for rounds in range(1, limit + 1):
            if not (self.workers.poll_once() + self.egress.poll_once()):
                return rounds
        raise RuntimeError(f"the event runners still had work after {limit} rounds")


def load(stack: Stack, clock: SimClock) -> Services:
    control = _as(stack, "control", lambda: _on_clock(load_app(REPO / "services" / "control"), clock))
    api = _as(stack, "api", lambda: load_app(REPO / "services" / "api"))
    workers = _as(stack, "workers", lambda: EventRunner(REPO / "services" / "workers", sqs_retry_delay_seconds=0,
                                                        schedules_on_clock=False))   # the trace fires them
    egress = _as(stack, "egress", lambda: EventRunner(REPO / "services" / "egress", sqs_retry_delay_seconds=0))
    # The api reads the accelerated clock for status at read time and its TTL rule.
    api.clock = clock
    # workers invoke control's aggregates (the weekly report) and egress's extract (every upload):
    # both served on the one Lambda endpoint, as control's runner serves them under `make dev`.
    name = f"{control.app.app_name}-local-operator_aggregates"
    aggregates = Function("operator_aggregates", name, f"arn:aws:lambda:local:000000000000:function:{name}",
                          control.operator_aggregates)
    invocations = InvokeApi([aggregates, *egress.functions], stack.ports.invoke).start()
    return Services(Client(api.app), Client(control.app), control, workers, egress, invocations)


def _on_clock(control: ModuleType, clock: SimClock) -> ModuleType:
    """control wired again with the accelerated clock as its wake ledger's (the awake time of the month)."""
    control.control = control.wire(control.config, ledger_clock=clock)
    return control


def _as(stack: Stack, service: str, load_it: Callable[[], Loaded]) -> Loaded:
    """Import with the service's environment only: each refuses the other side's secrets."""
    for name in service_variables(os.environ):
        del os.environ[name]
    os.environ.update(service_env(stack, service))
    return load_it()
