"""What the event runner's tests share (their fixtures `made` and `ledger` are in conftest.py): the
fixture app, the ledger its handlers write, a runner on a clock set by hand, the AWS event samples,
and boto3's Lambda client for the runner's Invoke API."""
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

from devstack import REPO
from devstack.resources import Resources
from devstack.runner import EventRunner
from tests.support.clocks import Clock

FIXTURE_APP = REPO / "tests" / "fixtures" / "runner_app"
SAMPLES = REPO / "tests" / "fixtures" / "aws-events"
REGION = "us-east-1"
MAX_STREAM_RETRIES = 2
MONDAY = datetime(2026, 1, 5, tzinfo=UTC).timestamp()


class Ledger:
    """What the fixture app's handlers wrote into S3."""

    def __init__(self, bucket: str) -> None:
        self._s3, self._bucket = boto3.client("s3"), bucket

    def keys(self, prefix: str) -> list[str]:
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def read(self, key: str) -> Any:
        return json.loads(self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read())

    def values(self, prefix: str) -> list[Any]:
        return [self.read(key) for key in self.keys(prefix)]


def runner_for(made: Resources, clock: Callable[[], float] | None = None) -> EventRunner:
    return EventRunner(FIXTURE_APP, clock=clock or Clock(MONDAY), max_stream_retries=MAX_STREAM_RETRIES,
                       stream_failure_queue_url=made.queues["stream-failures"],
                       sweep_ttl_tables=[made.tables["main"]], sqs_retry_delay_seconds=0)


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def lambda_client(endpoint: str) -> Any:
    return boto3.client("lambda", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1}))
