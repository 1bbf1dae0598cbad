"""Weekly operator metrics: control's month-to-date aggregates, published to CloudWatch.

control counts (the wake ledger is in Aurora) but cannot reach CloudWatch from the VPC, and no
NAT is bought for it; workers run outside the VPC, so they invoke control's aggregates-only
function synchronously (Lambda caps the answer at 6 MB; it holds a few counts) and publish them.
The base stack alarms on AuroraAwakeHours."""
import json
from datetime import UTC, datetime
from typing import Any

# metric name -> the aggregate it reports, and its unit
METRICS = {
    "AuroraAwakeHours": ("awake_hours", "None"),   # CloudWatch has no hours unit
    "AuroraResumes": ("resumes", "Count"),
    "ActiveHouseholds": ("active_households", "Count"),
    "LlmSpendUsd": ("llm_spend_usd", "None"),
}


class AggregatesFailed(Exception):
    """control's function raised: the schedule's retries (async invocation) try again."""


def fetch_aggregates(lambda_client: Any, function_name: str, month: str) -> dict:
    answer = lambda_client.invoke(FunctionName=function_name, InvocationType="RequestResponse",
                                  Payload=json.dumps({"month": month}).encode())
    body = json.loads(answer["Payload"].read())
    if answer.get("FunctionError"):
        raise AggregatesFailed(f"{function_name}: {body.get('errorType')}: {body.get('errorMessage')}")
    return body


def metric_data(aggregates: dict, stage: str, at: datetime) -> list[dict]:
    """One datum per metric with a value; a null one is left out, never published as 0."""
    return [{"MetricName": name, "Dimensions": [{"Name": "Stage", "Value": stage}], "Timestamp": at,
             "Value": float(aggregates[key]), "Unit": unit}
            for name, (key, unit) in METRICS.items() if aggregates.get(key) is not None]


def publish_operator_metrics(lambda_client: Any, cloudwatch: Any, function_name: str, namespace: str, stage: str,
                             now: datetime) -> list[dict]:
    """The month of `now` (UTC), to date: what was published."""
    data = metric_data(fetch_aggregates(lambda_client, function_name, now.astimezone(UTC).strftime("%Y-%m")), stage, now)
    cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)
    return data
