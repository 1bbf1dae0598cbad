"""Fixtures for the event runner's tests: the declared resources, with the fixture app's
environment pointing at them, and the ledger its handlers write."""
import boto3
import pytest

from devstack import resources
from devstack.resources import Resources
from tests.devstack.runner_harness import Ledger


@pytest.fixture
def made(made: Resources, monkeypatch: pytest.MonkeyPatch) -> Resources:
    """The shared `made`, and the fixture app's environment pointing at it."""
    monkeypatch.setenv("RUNNER_LEDGER_BUCKET", made.buckets["passports"])
    monkeypatch.setenv("RUNNER_FLAKY_QUEUE", made.queues["mail"].rsplit("/", 1)[1])   # the queue's name
    monkeypatch.setenv("RUNNER_PARTIAL_QUEUE_ARN", resources.queue_arn(boto3.client("sqs"), made.queues["reminders"]))
    monkeypatch.setenv("RUNNER_STREAM_ARN", made.streams["main"])
    monkeypatch.setenv("RUNNER_TOPIC", made.topics["ses-feedback"].rsplit(":", 1)[1])   # by name, as Chalice allows
    return made


@pytest.fixture
def ledger(made: Resources) -> Ledger:
    return Ledger(made.buckets["passports"])
