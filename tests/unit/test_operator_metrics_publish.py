"""workers' weekly operator metrics with fake clients: what is invoked, and exactly what is published."""
import io
import json
from datetime import UTC, datetime

import pytest

from chalicelib.workers.operator_metrics import AggregatesFailed, publish_operator_metrics

NOW = datetime(2026, 3, 9, 6, 0, tzinfo=UTC)
FUNCTION = "pawport-control-dev-operator_aggregates"
AGGREGATES = {"period": {"start": "2026-03-01T00:00:00+00:00", "end": "2026-04-01T00:00:00+00:00",
                         "until": "2026-03-09T06:00:00+00:00"},
              "awake_hours": 1.25, "resumes": 7, "sessions": 40, "active_households": 3,
              "llm_prompt_tokens": 0, "llm_completion_tokens": 0, "llm_spend_usd": None}


class FakeLambda:
    def __init__(self, answer: dict, function_error: str | None = None) -> None:
        self.answer, self.function_error, self.calls = answer, function_error, []

    def invoke(self, **call: object) -> dict:
        self.calls.append(call)
        response = {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(self.answer).encode())}
        return response | ({"FunctionError": self.function_error} if self.function_error else {})


class FakeCloudWatch:
    def __init__(self) -> None:
        self.calls = []

    def put_metric_data(self, **call: object) -> None:
        self.calls.append(call)


def datum(name: str, value: float, unit: str) -> dict:
    return {"MetricName": name, "Dimensions": [{"Name": "Stage", "Value": "dev"}], "Timestamp": NOW,
            "Value": value, "Unit": unit}


def test_invokes_control_synchronously_for_the_month_and_publishes_each_figure() -> None:
    invoker, cloudwatch = FakeLambda(AGGREGATES), FakeCloudWatch()
    publish_operator_metrics(invoker, cloudwatch, FUNCTION, "Pawport", "dev", NOW)

    assert invoker.calls == [{"FunctionName": FUNCTION, "InvocationType": "RequestResponse",
                              "Payload": b'{"month": "2026-03"}'}]
    assert cloudwatch.calls == [{"Namespace": "Pawport", "MetricData": [
        datum("AuroraAwakeHours", 1.25, "None"), datum("AuroraResumes", 7.0, "Count"),
        datum("ActiveHouseholds", 3.0, "Count")]}]   # LLM spend is null: left out, not published as 0


def test_llm_spend_is_published_once_control_reports_it() -> None:
    cloudwatch = FakeCloudWatch()
    data = publish_operator_metrics(FakeLambda(AGGREGATES | {"llm_spend_usd": 0.42}), cloudwatch, FUNCTION,
                                    "Pawport", "dev", NOW)
    assert data[-1] == datum("LlmSpendUsd", 0.42, "None")


def test_the_month_is_nows_in_utc() -> None:
    invoker = FakeLambda(AGGREGATES)
    late_in_new_york = datetime.fromisoformat("2026-02-28T20:00:00-05:00")   # already March in UTC
    publish_operator_metrics(invoker, FakeCloudWatch(), FUNCTION, "Pawport", "dev", late_in_new_york)
    assert invoker.calls[0]["Payload"] == b'{"month": "2026-03"}'


def test_a_function_error_publishes_nothing_and_fails_so_the_schedule_retries() -> None:
    cloudwatch = FakeCloudWatch()
    failed = FakeLambda({"errorMessage": "the database is waking up", "errorType": "Unavailable"}, "Unhandled")
    with pytest.raises(AggregatesFailed, match="Unavailable: the database is waking up"):
        publish_operator_metrics(failed, cloudwatch, FUNCTION, "Pawport", "dev", NOW)
    assert cloudwatch.calls == []
