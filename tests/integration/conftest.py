"""Fixtures for integration tests that need AWS only: one moto server for the session, reached
by every boto3 client through the environment, exactly as the services reach it under `make dev`."""
from pathlib import Path
from typing import Iterator

import pytest

from devstack.moto import moto_server
from devstack.ports import free_port

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
