"""Fixtures for integration tests that need AWS only: one moto server for the session, reached
by every boto3 client through the environment, exactly as the services reach it under `make dev`."""
import uuid
from pathlib import Path
from typing import Iterator

import boto3
import pytest
from runner_harness import Ledger

from devstack import resources
from devstack.moto import moto_server
from devstack.ports import free_port
from devstack.resources import Resources

REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_path: Path = tmp_path_factory.mktemp("moto") / "moto.log"
    with moto_server(free_port(), log_path) as endpoint:
        yield endpoint


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Default boto3 clients reach the session's moto; returns its endpoint."""
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    return moto_endpoint


@pytest.fixture
def made(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> Resources:
    """A fresh set of the declared resources, and the fixture app's environment pointing at it."""
    stage = "t" + uuid.uuid4().hex[:8]
    made = resources.create_all(aws_env, REGION, stage)
    monkeypatch.setenv("RUNNER_LEDGER_BUCKET", made.buckets["passports"])
    monkeypatch.setenv("RUNNER_FLAKY_QUEUE", resources.physical_name(stage, "mail"))
    monkeypatch.setenv("RUNNER_PARTIAL_QUEUE_ARN", resources.queue_arn(boto3.client("sqs"), made.queues["reminders"]))
    monkeypatch.setenv("RUNNER_STREAM_ARN", made.streams["main"])
    return made


@pytest.fixture
def ledger(made: Resources) -> Ledger:
    return Ledger(made.buckets["passports"])
