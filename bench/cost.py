"""The monthly bill (issue 6): this design beside the baseline design, from the calls the month
replay counted and the unit prices in bench/prices.yaml (its assumptions named there too).

The baseline is seed 002's 'before' shape: Aurora always on at its minimum behind RDS Proxy, a
NAT gateway in each of 2 AZs, every function in the VPC and every read through the database
(no DynamoDB). Both designs make the same requests, invocations, uploads, mails and LLM calls.
Storage is billed apart in both (the goals say "plus storage") and left out."""
import ast
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from devstack import REPO

PRICES = Path(__file__).with_name("prices.yaml")
MONTH_HOURS = 720
MONTH_SECONDS = MONTH_HOURS * 3600
OPERATOR_METRICS = 4          # awake hours, resumes, active households, LLM spend
DYNAMODB_READS = ("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems")
DYNAMODB_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
FREE_CONTROL_PLANE = ("Describe", "List")   # DescribeTable and friends: no request charge
S3_READS = ("GetObject", "HeadObject", "HeadBucket")


@dataclass
class Usage:
    """What a month asked of AWS and the LLM. `calls` keys: "service.Operation", "invocation.<service>",
    "invocation_ms.<service>", "apigateway.request", "postgres.statement"."""
    calls: Counter[str] = field(default_factory=Counter)
    awake_hours: float = 0.0
    users: int = 0
    llm_micro_usd: float = 0.0    # priced per job by pawport/llm_usage.py, as the operator metrics are
    extractions: int = 0
    operator_reports: float = 0.0


def load_prices(path: Path = PRICES) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def replayed(run: dict[str, Any]) -> Usage:
    """The replayed month's own usage: every call the meter charged to an action, all actions."""
    calls: Counter[str] = Counter()
    for counts in run["by_kind"].values():
        calls.update({k: v for k, v in counts.items() if k != "events"})
    llm = run.get("llm", {})
    return Usage(calls, run["wakes"]["awake_hours"], run.get("users", 0), llm.get("micro_usd", 0),
                 llm.get("extractions", 0), run["by_kind"].get("operator_report", {}).get("events", 0))


def idle(run: dict[str, Any], schedule: dict[str, int]) -> Usage:
    """A month with no households: the scheduled work alone (`schedule`: runs per kind in a month),
    each run costing what it cost on average in `run`; each operator report wakes Aurora once."""
    calls: Counter[str] = Counter()
    for kind, runs in schedule.items():
        measured = run["by_kind"][kind]
        calls.update({k: v / measured["events"] * runs for k, v in measured.items() if k != "events"})
    reports = schedule.get("operator_report", 0)
    pause = run["wakes"]["pause_delay_seconds"]
    return Usage(calls, awake_hours=reports * (pause + 1) / 3600, operator_reports=reports)


def design_bill(usage: Usage, prices: dict[str, Any], polled_queues: int) -> dict[str, float]:
    """This design: Aurora billed for its awake hours only, reads from DynamoDB, no NAT, no proxy."""
    p, a, calls = prices, prices["assumptions"], usage.calls
    return _rounded({
        "aurora compute": usage.awake_hours * a["aurora_awake_acu"] * p["aurora"]["per_acu_hour"],
        "aurora i/o": calls["postgres.statement"] * p["aurora"]["per_million_io"] / 1e6,
        "dynamodb": dynamodb(calls, prices),
    } | shared_lines(usage, prices, polled_queues))


def baseline_bill(usage: Usage, prices: dict[str, Any], polled_queues: int) -> dict[str, float]:
    """The baseline: the same requests, with every read and write a database statement instead."""
    p, a, calls = prices, prices["assumptions"], usage.calls
    statements = calls["postgres.statement"] + _sum(calls, "dynamodb.")
    aws_calls = sum(v for k, v in calls.items() if k.split(".")[0] in ("s3", "sqs", "ses"))   # DynamoDB's are SQL here
    nat_gb = (aws_calls * a["nat_bytes_per_aws_call"] + usage.extractions * a["nat_bytes_per_extraction"]) / 1e9
    return _rounded({
        "aurora compute": MONTH_HOURS * a["baseline_aurora_acu"] * p["aurora"]["per_acu_hour"],
        "aurora i/o": statements * p["aurora"]["per_million_io"] / 1e6,
        "rds proxy": MONTH_HOURS * p["rds_proxy"]["minimum_acus"] * p["rds_proxy"]["per_acu_hour"],
        "nat gateways (2 AZ)": 2 * MONTH_HOURS * p["nat_gateway"]["per_hour"] + nat_gb * p["nat_gateway"]["per_gb_processed"],
    } | shared_lines(usage, prices, polled_queues))


def shared_lines(usage: Usage, prices: dict[str, Any], polled_queues: int) -> dict[str, float]:
    """What both designs pay alike: functions, requests, objects, queues, mail, metrics, users, tokens."""
    p, a, calls = prices, prices["assumptions"], usage.calls
    invocations = sum(v for k, v in calls.items() if k.startswith("invocation."))
    gb_seconds = sum(v for k, v in calls.items() if k.startswith("invocation_ms.")) / 1000 * a["lambda_memory_mb"] / 1024
    polls = polled_queues * a["sqs_pollers_per_queue"] * MONTH_SECONDS / a["sqs_poll_wait_seconds"]
    metric_hours = usage.operator_reports * OPERATOR_METRICS   # each report sends each metric within one hour
    return {
        "lambda": invocations * p["lambda"]["per_million_requests"] / 1e6 + gb_seconds * p["lambda"]["per_gb_second"],
        "api gateway": calls["apigateway.request"] * p["api_gateway"]["per_million_requests"] / 1e6,
        "s3 requests": s3(calls, prices),
        "sqs (incl. Lambda's idle polling)": (_sum(calls, "sqs.") + polls) * p["sqs"]["per_million_requests"] / 1e6,
        "ses": _sum(calls, "ses.Send") * p["ses"]["per_thousand_emails"] / 1000,
        "cloudwatch": (p["cloudwatch"]["per_alarm_month"]
                       + metric_hours / MONTH_HOURS * p["cloudwatch"]["per_metric_month"]
                       + calls["cloudwatch.PutMetricData"] * p["cloudwatch"]["per_thousand_put_metric_data"] / 1000
                       + invocations * a["log_bytes_per_invocation"] / 1e9 * p["cloudwatch"]["per_gb_logs_ingested"]),
        "cognito": usage.users * p["cognito"]["per_monthly_active_user"],
        "llm": usage.llm_micro_usd / 1e6,
    }


def dynamodb(calls: Counter[str], prices: dict[str, Any]) -> float:
    """Request units from the counted calls; an operation not classified here stops the bill."""
    a, p = prices["assumptions"], prices["dynamodb"]
    reads = writes = 0.0
    for name, count in calls.items():
        service, _, operation = name.partition(".")
        if service != "dynamodb" or operation.startswith(FREE_CONTROL_PLANE):
            continue
        if operation in DYNAMODB_READS:
            reads += count * a["read_units_per_read"]
        elif operation in DYNAMODB_WRITES:
            writes += count * a["write_units_per_write"]
        elif operation == "TransactWriteItems":
            writes += count * 2 * a["items_per_transaction"]
        else:
            raise ValueError(f"no price for dynamodb.{operation}: classify it in bench/cost.py")
    return reads * p["per_million_read_units"] / 1e6 + writes * p["per_million_write_units"] / 1e6


def s3(calls: Counter[str], prices: dict[str, Any]) -> float:
    reads = sum(v for k, v in calls.items() if k.startswith("s3.") and k[3:].startswith(S3_READS))
    writes = _sum(calls, "s3.") - reads
    return writes * prices["s3"]["per_thousand_writes"] / 1000 + reads * prices["s3"]["per_thousand_reads"] / 1000


def polled_queues(services: Path = REPO / "services") -> int:
    """Queues Lambda long-polls: one per @app.on_sqs_message handler in the four apps."""
    count = 0
    for app in services.glob("*/app.py"):
        for node in ast.walk(ast.parse(app.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "on_sqs_message":
                count += 1
    return count


def total(bill: dict[str, float]) -> float:
    return round(sum(bill.values()), 2)


def _sum(calls: Counter[str], prefix: str) -> int:
    return sum(v for k, v in calls.items() if k.startswith(prefix))


def _rounded(bill: dict[str, float]) -> dict[str, float]:
    return {line: round(usd, 4) for line, usd in bill.items()}
