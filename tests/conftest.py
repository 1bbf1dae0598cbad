"""Fixtures for tests that need the real local stack: each test session runs its own
PostgreSQL and moto on free ports, in its own directory, so `make test` passes beside `make dev`."""
import os
import subprocess
import sys
import time
from types import SimpleNamespace
from typing import Iterator

import pytest
import requests

from devstack import REPO
from devstack.measure import TransactionCounter
from devstack.ports import free_port
from devstack.processes import processes
from devstack.stack import DB_NAME, Ports, Stack, running_stack, service_env


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
    started = [subprocess.Popen(p.command, env=p.env, stdout=open(logs / f"{p.name}.log", "wb"),
                                stderr=subprocess.STDOUT) for p in processes(stack)]
    try:
        for url in (stack.api_url, stack.control_url, stack.llm_url):
            _wait_healthy(url, started)
        yield stack
    finally:
        for proc in started:
            proc.terminate()
        for proc in started:
            proc.wait(timeout=10)


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
    """control's modules in this process, configured for the test stack as control is in AWS."""
    os.environ.update(service_env(stack, "control"))
    sys.path.insert(0, str(REPO / "services" / "control"))
    from chalicelib.control import (actions, audit_log, households, members, outbox, projection, projection_store,
                                    records)
    from chalicelib.control.database import Database, make_engine
    from chalicelib.control.settings import ControlSettings
    from pawport import table

    config = ControlSettings()
    table.bind(config.table_name, config.aws_region, config.aws_endpoint_url)
    return SimpleNamespace(database=Database(make_engine(config)), actions=actions, households=households,
                           outbox=outbox, projection=projection, store=projection_store,
                           records=records, members=members, audit_log=audit_log)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):
    """Set a service's environment exactly: earlier PAWPORT_*/OPENAI_* variables are removed first."""
    def given(env: dict[str, str]) -> None:
        for name in [n for n in os.environ if n.startswith(("PAWPORT_", "OPENAI_"))]:
            monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
    return given
