"""The monthly bill: three designs from the calls the month replay counted and the unit prices in
bench/prices.yaml (its assumptions named there too), each in two columns: list prices, and the
free tiers that last applied.

- this design: Aurora billed for its awake hours only, reads from DynamoDB projections;
- reads through Aurora: the same design with every read a database session on the auto-pausing
  cluster (no projections), awake for the hours bench/reads_through_aurora.py computes;
- always on: the usual shape, Aurora always on at its minimum behind RDS Proxy, a NAT gateway in
  each of 2 AZs, every function in the VPC and every read through the database.
All make the same requests, invocations, uploads, mails and LLM calls. Storage is billed apart in
all (the goals say "plus storage") and left out, but for the logs, whose storage the retention
decides. What the stack can turn on (the data-event trail, Cognito threat protection) is priced
apart by `options`, never in a design's total."""
import ast
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench import llm_tokens
from devstack import REPO

PRICES = Path(__file__).with_name("prices.yaml")
RESOURCES = REPO / "infra" / "resources.yaml"
MONTH_HOURS = 720
MONTH_SECONDS = MONTH_HOURS * 3600
OPERATOR_METRICS = 4          # awake hours, resumes, active households, LLM spend
DYNAMODB_READS = ("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems")
DYNAMODB_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
FREE_CONTROL_PLANE = ("Describe", "List")   # DescribeTable and friends: no request charge
S3_READS = ("GetObject", "HeadObject", "HeadBucket")
TRAILED = ("s3.", "dynamodb.")   # the data-event trail's S3 object and table item calls
DESIGNS = ("design", "reads_through_aurora", "always_on")
COLUMNS = ("free_tiers", "list_price")


@dataclass
class Usage:
    """What a month asked of AWS and the LLM. `calls` keys: "service.Operation", "invocation.<service>",
    "invocation_ms.<service>", "apigateway.request", "postgres.statement"."""
    calls: Counter[str] = field(default_factory=Counter)
    awake_hours: float = 0.0
    users: int = 0
    llm_micro_usd: float = 0.0    # the local reader's count, priced by pawport/llm_usage.py
    extractions: int = 0
    operator_reports: float = 0.0
    reads_awake_hours: float = 0.0   # Aurora's awake hours were every read a session on it


@dataclass(frozen=True)
class Reading:
    """How a bill is read: which column, how many pollers each idle SQS mapping runs, which queues
    Lambda polls, and the memory each service's functions are priced at (MB)."""
    free_tiers: bool = True
    pollers: int = 5
    polled: tuple[str, ...] = ()
    memory_mb: dict[str, int] = field(default_factory=dict)


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
    hours = reports * (run["wakes"]["pause_delay_seconds"] + 1) / 3600
    return Usage(calls, awake_hours=hours, operator_reports=reports, reads_awake_hours=hours)


def bill(design: str, usage: Usage, prices: dict[str, Any], reading: Reading) -> dict[str, float]:
    return {"design": design_bill, "reads_through_aurora": reads_through_aurora_bill,
            "always_on": baseline_bill}[design](usage, prices, reading)


def design_bill(usage: Usage, prices: dict[str, Any], reading: Reading) -> dict[str, float]:
    """This design: Aurora billed for its awake hours only, reads from DynamoDB, no NAT, no proxy."""
    p, a, calls = prices, prices["assumptions"], usage.calls
    return _rounded({
        "aurora compute": usage.awake_hours * a["aurora_awake_acu"] * p["aurora"]["per_acu_hour"],
        "aurora i/o": calls["postgres.statement"] * p["aurora"]["per_million_io"] / 1e6,
        "dynamodb": dynamodb(calls, prices),
    } | shared_lines(usage, prices, reading))


def reads_through_aurora_bill(usage: Usage, prices: dict[str, Any], reading: Reading) -> dict[str, float]:
    """This design with every DynamoDB call a database statement on the auto-pausing cluster instead."""
    p, a, calls = prices, prices["assumptions"], usage.calls
    return _rounded({
        "aurora compute": usage.reads_awake_hours * a["aurora_awake_acu"] * p["aurora"]["per_acu_hour"],
        "aurora i/o": (calls["postgres.statement"] + _sum(calls, "dynamodb.")) * p["aurora"]["per_million_io"] / 1e6,
    } | shared_lines(usage, prices, reading))


def baseline_bill(usage: Usage, prices: dict[str, Any], reading: Reading) -> dict[str, float]:
    """The usual shape: the same requests, every read and write a statement on an always-on cluster."""
    p, a, calls = prices, prices["assumptions"], usage.calls
    statements = calls["postgres.statement"] + _sum(calls, "dynamodb.")
    aws_calls = sum(v for k, v in calls.items() if k.split(".")[0] in ("s3", "sqs", "ses"))   # DynamoDB's are SQL here
    nat_gb = (aws_calls * a["nat_bytes_per_aws_call"] + usage.extractions * a["nat_bytes_per_extraction"]) / 1e9
    return _rounded({
        "aurora compute": MONTH_HOURS * a["baseline_aurora_acu"] * p["aurora"]["per_acu_hour"],
        "aurora i/o": statements * p["aurora"]["per_million_io"] / 1e6,
        "rds proxy": MONTH_HOURS * p["rds_proxy"]["minimum_acus"] * p["rds_proxy"]["per_acu_hour"],
        "nat gateways (2 AZ)": 2 * MONTH_HOURS * p["nat_gateway"]["per_hour"] + nat_gb * p["nat_gateway"]["per_gb_processed"],
    } | shared_lines(usage, prices, reading, vpc_dns=False))


def shared_lines(usage: Usage, prices: dict[str, Any], reading: Reading, vpc_dns: bool = True) -> dict[str, float]:
    """What every design pays alike: functions, requests, objects, queues, mail, metrics, logs, users,
    tokens; and, with `vpc_dns`, the DNS firewall on control's VPC (the baseline has none)."""
    p, a, calls = prices, prices["assumptions"], usage.calls
    free = _free_tiers(prices, reading.free_tiers)
    invocations = sum(v for k, v in calls.items() if k.startswith("invocation."))
    gb_seconds = sum(v / 1000 * reading.memory_mb.get(k.partition(".")[2], a["lambda_memory_mb"]) / 1024
                     for k, v in calls.items() if k.startswith("invocation_ms."))
    metric_hours = usage.operator_reports * OPERATOR_METRICS   # each report sends each metric within one hour
    receives = reading.pollers * MONTH_SECONDS / a["sqs_poll_wait_seconds"]
    # The SQS allowance covers the counted requests first, then each queue's polling in turn.
    sqs = _after_allowance([_sum(calls, "sqs."), *[receives] * len(reading.polled)], free["sqs"].get("requests", 0))
    cw = free["cloudwatch"]
    lines = {
        "lambda": (_over(invocations, free["lambda"].get("requests", 0)) * p["lambda"]["per_million_requests"] / 1e6
                   + _over(gb_seconds, free["lambda"].get("gb_seconds", 0)) * p["lambda"]["per_gb_second"]),
        "api gateway": calls["apigateway.request"] * p["api_gateway"]["per_million_requests"] / 1e6,
        "s3 requests": s3(calls, prices),
        "cloudfront": cloudfront(calls, prices, free["cloudfront"]),
        "sqs requests": sqs[0] * p["sqs"]["per_million_requests"] / 1e6,
    } | {f"sqs polling: {queue} ({reading.pollers} pollers)": billable * p["sqs"]["per_million_requests"] / 1e6
         for queue, billable in zip(reading.polled, sqs[1:], strict=True)} | {
        "ses": _sum(calls, "ses.Send") * p["ses"]["per_thousand_emails"] / 1000,
        "cloudwatch alarm": _over(1, cw.get("alarms", 0)) * p["cloudwatch"]["per_alarm_month"],
        "cloudwatch metrics": (_over(metric_hours / MONTH_HOURS, cw.get("metrics", 0)) * p["cloudwatch"]["per_metric_month"]
                               + _over(calls["cloudwatch.PutMetricData"], cw.get("api_requests", 0))
                               * p["cloudwatch"]["per_thousand_put_metric_data"] / 1000),
    } | log_lines(usage, prices, reading, vpc_dns) | {
        "cognito": _over(usage.users, free["cognito"].get("monthly_active_users", 0)) * p["cognito"]["per_monthly_active_user"],
        f"llm ({p['llm_extraction']['model']}, estimated)":
            usage.extractions * llm_tokens.usd_per_extraction(p["llm_extraction"]),
    }
    return lines


def dns_queries(usage: Usage, prices: dict[str, Any]) -> float:
    """What control's VPC asks its resolver in a month (control is the only code in it)."""
    return usage.calls["invocation.control"] * prices["assumptions"]["dns_queries_per_control_invocation"]


def log_lines(usage: Usage, prices: dict[str, Any], reading: Reading, vpc_dns: bool) -> dict[str, float]:
    """Logs ingested (function logs, stage access logs, Aurora's exported log, and with `vpc_dns` the
    DNS query log), then stored for their retention; the 5 GB free tier covers them in that order.
    With `vpc_dns`, the DNS firewall's queries and domain names too."""
    a, cw = prices["assumptions"], prices["cloudwatch"]
    invocations = sum(v for k, v in usage.calls.items() if k.startswith("invocation."))
    queries = dns_queries(usage, prices) if vpc_dns else 0.0
    ingested = {   # GB a month, with the days each is kept
        "cloudwatch logs": (invocations * a["log_bytes_per_invocation"] / 1e9, a["function_log_retention_days"]),
        "api access logs": (usage.calls["apigateway.request"] * a["access_log_bytes_per_request"] / 1e9,
                            a["access_log_retention_days"]),
        "aurora log": (usage.awake_hours * a["aurora_log_bytes_per_awake_hour"] / 1e9, a["stack_log_retention_days"]),
    } | ({"dns query log": (queries * a["dns_query_log_bytes"] / 1e9, a["stack_log_retention_days"])} if vpc_dns else {})
    stored = sum(gb * days / 30 for gb, days in ingested.values())
    free = _free_tiers(prices, reading.free_tiers)["cloudwatch"].get("gb_logs", 0)
    *billable, stored_billable = _after_allowance([gb for gb, _ in ingested.values()] + [stored], free)
    lines = {name: gb * cw["per_gb_logs_ingested"] for name, gb in zip(ingested, billable, strict=True)}
    lines["log storage (at retention)"] = stored_billable * cw["per_gb_logs_stored_month"]
    if vpc_dns:
        r53 = prices["route53_resolver"]
        lines["dns firewall"] = (queries * r53["dns_firewall_per_million_queries"] / 1e6
                                 + a["dns_firewall_domains"] * r53["dns_firewall_per_domain_month"])
    return lines


def options(usage: Usage, prices: dict[str, Any], reading: Reading) -> dict[str, float]:
    """What the stack's parameters can add to this design's bill, off by default and never in a total:
    the data-event trail (every S3 object and table item call), and Cognito threat protection (the
    Plus plan for every monthly active user, instead of the Lite line)."""
    events = sum(v for k, v in usage.calls.items()
                 if k.startswith(TRAILED) and not k.partition(".")[2].startswith(FREE_CONTROL_PLANE))
    free = _free_tiers(prices, reading.free_tiers)["cognito"].get("monthly_active_users", 0)
    lite = _over(usage.users, free) * prices["cognito"]["per_monthly_active_user"]
    return _rounded({
        "data-event trail (DataEventsTrail)": events * prices["cloudtrail"]["per_hundred_thousand_data_events"] / 1e5,
        "threat protection (ThreatProtection, Cognito Plus)":
            usage.users * prices["cognito"]["plus_per_monthly_active_user"] - lite,
    })


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


def cloudfront(calls: Counter[str], prices: dict[str, Any], free: dict[str, float]) -> float:
    """What the passports' CDN serves (counted by the replay as "cloudfront.request" and ".bytes"), and
    the invalidations workers send (one path each); its origin's S3 GETs are in the S3 line."""
    p = prices["cloudfront"]
    return (_over(calls["cloudfront.request"], free.get("requests", 0)) * p["per_ten_thousand_https_requests"] / 1e4
            + _over(calls["cloudfront.bytes"] / 1e9, free.get("gb_out", 0)) * p["per_gb_out"]
            + _over(calls["cloudfront.CreateInvalidation"], free.get("invalidation_paths", 0)) * p["per_invalidation_path"])


def marginal(kind: str, run: dict[str, Any], prices: dict[str, Any], reading: Reading) -> float:
    """What one action type's calls in a replayed month add to this design's bill."""
    calls = Counter({k: v for k, v in run["by_kind"].get(kind, {}).items() if k != "events"})
    with_it, without = design_bill(Usage(calls), prices, reading), design_bill(Usage(), prices, reading)
    return round(sum(with_it.values()) - sum(without.values()), 4)   # lines to 1/100 cent: a month's views cost cents


def s3(calls: Counter[str], prices: dict[str, Any]) -> float:
    reads = sum(v for k, v in calls.items() if k.startswith("s3.") and k[3:].startswith(S3_READS))
    writes = _sum(calls, "s3.") - reads
    return writes * prices["s3"]["per_thousand_writes"] / 1000 + reads * prices["s3"]["per_thousand_reads"] / 1000


def polled_queues(services: Path = REPO / "services", declared: Iterable[str] | None = None) -> tuple[str, ...]:
    """Queues Lambda long-polls: those the apps' @app.on_sqs_message handlers name (a literal, or a
    settings attribute `<name>_queue`), kept to the queues infra/resources.yaml declares when
    `declared` is given, so a queue taken out of the stack takes its polling line with it."""
    names = []
    for app in sorted(services.glob("*/app.py")):
        for node in ast.walk(ast.parse(app.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "on_sqs_message":
                queue = next((k.value for k in node.keywords if k.arg == "queue"), node.args[0] if node.args else None)
                names.append(_queue_name(queue))
    kept = set(declared) if declared is not None else None
    return tuple(n for n in names if kept is None or n in kept)


def declared_queues(resources: Path = RESOURCES) -> tuple[str, ...]:
    return tuple(yaml.safe_load(resources.read_text())["queues"])


def memory_sizes(services: Path = REPO / "services", default: int = 128) -> dict[str, int]:
    """Each service's largest function memory in its .chalice/config.json (MB): the size its
    invocations are priced at (the meter counts invocation time per service, not per function)."""
    sizes = {}
    for config_file in sorted(services.glob("*/.chalice/config.json")):
        config = json.loads(config_file.read_text())
        found = [config.get("lambda_memory_size")] + [f.get("lambda_memory_size")
                                                      for f in config.get("lambda_functions", {}).values()]
        sizes[config_file.parents[1].name] = max([s for s in found if s] or [default])
    return sizes


def total(lines: dict[str, float]) -> float:
    """To a tenth of a cent: an idle month of this design costs cents, and cents rounded hide it."""
    return round(sum(lines.values()), 3)


def _queue_name(node: ast.expr | None) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.Attribute):
        return node.attr.removesuffix("_queue").replace("_", "-")
    raise ValueError(f"an on_sqs_message queue bench/cost.py cannot name: {ast.dump(node) if node else None}")


def _free_tiers(prices: dict[str, Any], applied: bool) -> dict[str, dict[str, float]]:
    return {service: (section.get("free_tier") or {}) if applied else {}
            for service, section in prices.items() if isinstance(section, dict)}


def _over(quantity: float, allowance: float) -> float:
    return max(0.0, quantity - allowance)


def _after_allowance(quantities: list[float], allowance: float) -> list[float]:
    """What is left to pay of each quantity once the allowance has covered them in order."""
    left = []
    for quantity in quantities:
        covered = min(quantity, allowance)
        allowance -= covered
        left.append(quantity - covered)
    return left


def _sum(calls: Counter[str], prefix: str) -> int:
    return sum(v for k, v in calls.items() if k.startswith(prefix))


def _rounded(lines: dict[str, float]) -> dict[str, float]:
    return {line: round(usd, 4) for line, usd in lines.items()}
