"""Fixtures for tests that need the real local stack: each test session runs its own
PostgreSQL and moto on free ports, in its own directory, so `make test` passes beside `make dev`.
Tests that need AWS only share a lighter moto of their own (`moto_endpoint`, `aws_env`, `made`)."""
import functools
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from devstack import resources
from devstack.measure import TransactionCounter
from devstack.moto import moto_server
from devstack.ports import free_port
from devstack.processes import processes
from devstack.resources import Resources
from devstack.stack import DB_NAME, REGION, Ports, Stack, running_stack, service_env
from tests.support.environments import set_exactly


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    ports = Ports(postgres=free_port(), moto=free_port(), api=free_port(), control=free_port(), llm=free_port(),
                  invoke=free_port())
    with running_stack(tmp_path_factory.mktemp("stack"), ports) as running:
        yield running


@pytest.fixture(scope="session")
def services(stack: Stack) -> Iterator[Stack]:
    """api and control over HTTP plus the event runners, exactly as `make dev` starts them."""
    logs = stack.state_dir / "logs"
    logs.mkdir(exist_ok=True)
    started = [_start(p.command, p.env, logs / f"{p.name}.log") for p in processes(stack)]
    try:
        for url in (stack.api_url, stack.control_url, stack.llm_url):
            _wait_healthy(url, started)
        yield stack
    finally:
        for proc in started:
            proc.terminate()
        for proc in started:
            proc.wait(timeout=10)


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:   # the process holds its own copy of the file for as long as it runs
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_healthy(url: str, started: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in started):
            raise RuntimeError(f"a service process exited early: {[p.args for p in started if p.poll() is not None]}")
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise TimeoutError(f"{url}/health did not answer in {timeout:.0f}s")


@pytest.fixture
def transactions(stack: Stack) -> TransactionCounter:
    return TransactionCounter(stack.database_admin_url, DB_NAME)


@pytest.fixture(scope="session")
def control(stack: Stack) -> SimpleNamespace:
    """control wired by its own wiring for the test stack, as control is in AWS, with its
    modules at hand: `control.run(caller, command)` runs a command as a request does."""
    os.environ.update(service_env(stack, "control"))
    from chalicelib.control import commands, members, models, outbox, projection, requests, rules, unit_of_work
    from chalicelib.control.settings import ControlSettings
    from chalicelib.control.wiring import wire
    from pawport.store import Store

    wired = wire(ControlSettings())

    def run(caller, command, now=None, request_id=None):
        ctx = unit_of_work.Context(caller=caller, request_id=request_id or f"req-{uuid.uuid4()}",
                                   now=now or wired.clock())
        return wired.handle(command, ctx).model_dump(mode="json")

    @functools.cache
    def table_at(now):
        """The table as a reader at `now` sees it (items past their TTL then are absent)."""
        return Store.from_settings(wired.settings, lambda: now)

    return SimpleNamespace(wired=wired, database=wired.database, store=wired.projections, table=wired.store,
                           table_at=table_at, run=run, stack=stack,
                           commands=commands, requests=requests, rules=rules, models=models, members=members,
                           outbox=outbox, projection=projection, Context=unit_of_work.Context)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):
    """Set a service's environment exactly: earlier PAWPORT_*/OPENAI_* variables are removed first."""
    return functools.partial(set_exactly, monkeypatch)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """For tests that need AWS only: one moto server for the session, without PostgreSQL."""
    with moto_server(free_port(), tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Default boto3 clients reach the session's moto, as the services reach it under `make dev`;
    returns its endpoint."""
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    return moto_endpoint


@pytest.fixture
def made(aws_env: str) -> Resources:
    """A fresh set of the declared resources (infra/resources.yaml) in moto, a stage of its own."""
    return resources.create_all(aws_env, REGION, "t" + uuid.uuid4().hex[:8])
