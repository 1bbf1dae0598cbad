"""Operator metrics end to end: control actions fill the wake ledger, control's event runner serves
the Invoke API, workers' publish function invokes control's `operator_aggregates` with a real
boto3 Lambda client and writes CloudWatch metrics to moto, and the metrics read back from moto
are what the wake report computes over the same month."""
import itertools
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from sqlalchemy import select

from chalicelib.workers.operator_metrics import publish_operator_metrics
from devstack import REPO
from devstack.runner import EventRunner
from devstack.runner_invoke import InvokeApi
from devstack.stack import REGION, Stack, service_env
from pawport import llm_usage
from pawport.auth import Caller
from tests.support.clocks import Clock
from tests.support.people import caller

SIX_MB = 6 * 1024 * 1024


# every other month from a random start: never the same twice in a run, and the month after each one
# (where fill_the_ledger puts a household that must not count) is no other test's
MONTHS = itertools.count(uuid.uuid4().int % 240)


@pytest.fixture
def month() -> datetime:
    """A past month of its own (other tests write the ledger now or after 2031): reported whole."""
    n = next(MONTHS) * 2 % 480
    return datetime(1980 + n // 12, n % 12 + 1, 1, tzinfo=UTC)


@pytest.fixture
def control_functions(control, stack: Stack) -> Iterator[InvokeApi]:
    """control's event runner, serving Lambda's Invoke API for control's functions."""
    api = InvokeApi(EventRunner(REPO / "services" / "control").functions, port=0).start()
    try:
        yield api
    finally:
        api.stop()


def act(wired, caller: Caller, at: datetime, clock: Clock[datetime], command) -> dict:
    clock.now = at
    return wired.handle(command, wired.context(caller, f"req-{uuid.uuid4()}")).model_dump()


def fill_the_ledger(control, month: datetime) -> None:
    """Two households busy in the month (two stretches awake), a third only in the next month."""
    from chalicelib.control.wiring import wire
    clock = Clock(month)
    wired = wire(control.wired.settings, clock=clock)
    c, r = control.commands, control.requests
    for day, name in ((3, "First"), (17, "Second")):
        owner = caller("owner")
        at = month + timedelta(days=day - 1, hours=9)
        created = act(wired, owner, at, clock, c.CreateHousehold(r.NewHousehold(name=name, time_zone="UTC")))
        act(wired, owner, at + timedelta(minutes=2), clock,
            c.AddPet(created["household_id"], r.NewPet(name="Ollie", species="dog")))
    later = caller("owner")
    act(wired, later, (month + timedelta(days=32)).replace(day=2), clock,
        c.CreateHousehold(r.NewHousehold(name="Next month", time_zone="UTC")))


def expected_report(control, month: datetime):
    from chalicelib.control import wake_ledger
    from chalicelib.control.settings import ControlSettings
    from chalicelib.control.wake_report import awake
    end = (month + timedelta(days=32)).replace(day=1)
    with control.database.transaction("test") as session:
        opened = wake_ledger.opened_between(session, month, end)
    return awake(opened, timedelta(seconds=ControlSettings().db_pause_delay_seconds), end)


def statistic(cloudwatch: Any, name: str, at: datetime) -> list[float]:
    points = cloudwatch.get_metric_statistics(
        Namespace="Pawport", MetricName=name, Dimensions=[{"Name": "Stage", "Value": "local"}],
        StartTime=at - timedelta(hours=1), EndTime=at + timedelta(hours=1), Period=3600,
        Statistics=["Maximum"])["Datapoints"]
    return [p["Maximum"] for p in points]


def test_published_metrics_are_the_wake_reports_figures(control, stack: Stack, control_functions: InvokeApi,
                                                        month: datetime) -> None:
    fill_the_ledger(control, month)
    expected = expected_report(control, month)
    assert (expected.sessions, expected.resumes) == (8, 2)   # each action and its relay; days 3 and 17

    from chalicelib.workers import work_items
    work_items.set_llm_use(control.table, month.strftime("%Y-%m"), llm_usage.totals(   # as workers count settled jobs
        [{"model": "gpt-4.1-mini-2025-04-14", "prompt_tokens": 1000, "completion_tokens": 500}]))
    workers = service_env(stack, "workers")
    cloudwatch = boto3.client("cloudwatch", region_name=REGION, endpoint_url=stack.moto_url)
    invoker = boto3.client("lambda", region_name=REGION, endpoint_url=control_functions.url)
    at = month + timedelta(days=20, hours=6)   # the weekly run, in that month
    published = publish_operator_metrics(invoker, cloudwatch, workers["PAWPORT_OPERATOR_AGGREGATES_FUNCTION"],
                                         "Pawport", workers["PAWPORT_STAGE"], at)

    assert [d["MetricName"] for d in published] == ["AuroraAwakeHours", "AuroraResumes", "ActiveHouseholds",
                                                    "LlmSpendUsd"]
    assert statistic(cloudwatch, "AuroraAwakeHours", at) == [pytest.approx(expected.awake_hours, rel=1e-9)]
    assert statistic(cloudwatch, "AuroraResumes", at) == [2.0]
    assert statistic(cloudwatch, "ActiveHouseholds", at) == [2.0]
    assert statistic(cloudwatch, "LlmSpendUsd", at) == [pytest.approx((1000 * 0.40 + 500 * 1.60) / 1e6)]


def test_the_aggregates_are_a_few_counts_far_under_lambdas_six_megabytes(control, stack: Stack,
                                                                         control_functions: InvokeApi,
                                                                         month: datetime) -> None:
    from chalicelib.control.models import Wake
    fill_the_ledger(control, month)
    invoker = boto3.client("lambda", region_name=REGION, endpoint_url=control_functions.url)
    answer = invoker.invoke(FunctionName="pawport-control-local-operator_aggregates",
                            Payload=json.dumps({"month": month.strftime("%Y-%m")}).encode())
    payload = answer["Payload"].read()

    assert answer.get("FunctionError") is None, payload
    assert len(payload) < 1024 < SIX_MB
    aggregates = json.loads(payload)
    assert set(aggregates) == {"period", "awake_hours", "resumes", "sessions", "active_households",
                               "llm_prompt_tokens", "llm_completion_tokens", "llm_spend_usd"}
    assert aggregates["period"]["start"] == month.isoformat()
    assert (aggregates["active_households"], aggregates["llm_spend_usd"]) == (2, 0.0)   # no extraction that month
    with control.database.transaction("test") as session:   # a named action: a row of the wake ledger
        last = session.scalars(select(Wake).where(Wake.action == "operator_aggregates").order_by(Wake.id.desc())).first()
    assert (last.outcome, last.household_id, last.request_id is not None) == ("commit", None, True)
