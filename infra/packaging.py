"""Package the four Chalice apps for CloudFormation and check what went into each.

`python -m infra.packaging --stage dev --out build` is what infra/package.sh (`make package`) runs;
the slow tests in tests/infra call `package_all` once per session.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from infra import policies
from infra.suppressions import suppress

REPO = policies.REPO
REGION = "us-east-1"
# Libraries each package must not contain: the boundary of data-placement.md in the artifacts.
FORBIDDEN = {
    "api": ("sqlalchemy", "psycopg", "openai"),
    "workers": ("sqlalchemy", "psycopg", "openai"),
    "egress": ("sqlalchemy", "psycopg"),
    "control": ("openai",),
}
SHARED_MARKER = "pawport/__init__.py"   # shared/pawport, shipped through the vendor/ symlink
BATCH_FAILURES = ["ReportBatchItemFailures"]
RESOURCES = REPO / "infra" / "resources.yaml"
# Lambda's asynchronous invocation (and the rule's delivery): 2 retries, then the dead-letter queue.
PUSHED_RETRIES = {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
# Function logs may hold a household's names and dates: a month is enough to debug a failure.
# API access logs hold no body and no personal field but the caller's IP: a quarter, to answer
# "who called what" after the fact.
FUNCTION_LOG_RETENTION_DAYS = 30
ACCESS_LOG_RETENTION_DAYS = 90
# What API Gateway writes per request. The JWT is verified in the handler, not by an API Gateway
# authorizer, so the stage knows no user: the caller is its source IP. No body, no query string.
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "time": "$context.requestTimeEpoch", "ip": "$context.identity.sourceIp",
    "method": "$context.httpMethod", "route": "$context.resourcePath", "status": "$context.status",
    "bytes": "$context.responseLength", "latencyMs": "$context.responseLatency"}, separators=(",", ":"))
# Requests per second (steady, burst) a stage serves before answering 429, across all callers: a
# household clicks a few requests a second at most, so the limits are far above real use and cap
# what a flood can cost (api: 20/s all month is ~52 M requests, ~$180 of API Gateway).
STAGE_THROTTLING = {"api": (20, 40), "control": (10, 20)}
# Lets control and workers import while Chalice packages them; never in a template (only config.json is).
PACKAGING_LINK_KEY = "packaging-only-not-a-reminder-link-key"


@dataclass(frozen=True)
class Package:
    service: str
    template: Path
    zip: Path

    def load(self) -> dict:
        return json.loads(self.template.read_text())


@dataclass(frozen=True)
class ZipReport:
    service: str
    size_bytes: int
    forbidden_found: tuple[str, ...]
    has_shared: bool

    def line(self) -> str:
        found = ", ".join(self.forbidden_found) or "none"
        return (f"{self.service:8} {self.size_bytes / 1e6:6.1f} MB  forbidden libraries: {found}"
                f"  shared pawport: {'yes' if self.has_shared else 'MISSING'}")


def _clean_env(service: str) -> dict[str, str]:
    # The app is imported while packaging: a stray PAWPORT_/OPENAI_ variable from the developer's
    # shell would be refused by the settings of a service that must not hold it.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAWPORT_", "OPENAI_", "AWS_ENDPOINT"))}
    region = env.get("AWS_DEFAULT_REGION", REGION)
    env |= {"AWS_DEFAULT_REGION": region, "AWS_REGION": region}
    if service == "egress":   # its settings need the key's parameter to import; only config.json values reach the template
        env["PAWPORT_LLM_KEY_PARAMETER"] = "packaging-only"
    if service in ("control", "workers"):   # the same for the link key: the committed stages hold none (a secret)
        env["PAWPORT_REMINDER_LINK_KEY"] = PACKAGING_LINK_KEY
    return env


def package(service: str, stage: str, out: Path) -> Package:
    target = (out / service).resolve()   # chalice resolves a relative path against --project-dir
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "--project-dir", str(REPO / "services" / service), "package",
                    "--stage", stage, "--pkg-format", "cloudformation", str(target)],
                   check=True, env=_clean_env(service))
    built = Package(service, target / "sam.json", target / "deployment.zip")
    template = built.load()
    amend(template, stage, f"pawport-{service}")
    add_logs(template, stage, service)
    suppress(template, service)
    built.template.write_text(json.dumps(template, indent=2))
    return built


def package_all(stage: str, out: Path) -> dict[str, Package]:
    return {service: package(service, stage, out) for service in policies.SERVICES}


def amend(template: dict, stage: str, app_name: str | None = None) -> int:
    """Chalice never asks Lambda for partial batch responses, so a handler's `batchItemFailures`
    would be ignored and a whole batch retried. Declare it on every SQS and stream mapping; give
    stream mappings bounded retries, bisection and the stream-failures queue as on-failure
    destination (resources.yaml). A rule pushing events (on_cw_event with a pattern) gets 2
    retries and its dead-letter queue of resources.yaml's event_rules, on the rule's target and on
    the function's asynchronous invocation; a function a topic pushes to (on_sns_message) gets the
    same on its asynchronous invocation, with its topic's dead-letter queue. With app_name, each function gets the name Chalice's
    own deploy gives it ("<app>-<stage>-<handler>"), which the policies and invokers name; the API
    handler is "<app>-<stage>-api_handler" (Chalice's config key for it), so that its log group
    falls under the same "<app>-<stage>-" prefix as the others'.
    Returns how many event sources were amended."""
    amended = 0
    failures = _queue_arn(stage, "stream-failures")
    declared = yaml.safe_load(RESOURCES.read_text())
    dead_letters = declared.get("event_rules", {})
    topics = {topic["handler"]: topic for topic in declared.get("topics", {}).values()}
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Lambda::EventSourceMapping":
            props["FunctionResponseTypes"] = BATCH_FAILURES
            amended += 1
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        handler = props.get("Handler", "").rpartition(".")[2]
        if app_name:   # app.app is the API handler
            props["FunctionName"] = f"{app_name}-{stage}-{'api_handler' if handler == 'app' else handler}"
        for event in (props.get("Events") or {}).values():
            if event.get("Type") == "CloudWatchEvent":
                if handler not in dead_letters:
                    raise LookupError(f"{handler}: a pushed rule without a dead-letter queue in {RESOURCES.name}")
                dead_letter = _queue_arn(stage, dead_letters[handler]["dead_letter_queue"])
                event["Properties"] |= {"RetryPolicy": PUSHED_RETRIES, "DeadLetterConfig": {"Arn": dead_letter}}
                props["EventInvokeConfig"] = dict(PUSHED_RETRIES)
                props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": dead_letter}
                amended += 1
            if event.get("Type") == "SNS":   # SNS invokes asynchronously: the same retries and dead-letter queue
                if handler not in topics:
                    raise LookupError(f"{handler}: a topic's function without a dead-letter queue in {RESOURCES.name}")
                props["EventInvokeConfig"] = dict(PUSHED_RETRIES)
                props["DeadLetterQueue"] = {"Type": "SQS",
                                            "TargetArn": _queue_arn(stage, topics[handler]["dead_letter_queue"])}
                amended += 1
            if event.get("Type") in ("SQS", "DynamoDB"):
                event["Properties"]["FunctionResponseTypes"] = BATCH_FAILURES
                amended += 1
            if event.get("Type") == "DynamoDB":
                event["Properties"] |= {"MaximumRetryAttempts": 5, "BisectBatchOnFunctionError": True,
                                        "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": failures}}}
    return amended


def add_logs(template: dict, stage: str, service: str) -> None:
    """Every function's log group declared with a retention (Lambda would create it with none) and
    created before the function; every API stage writing access logs and throttled."""
    resources = template.get("Resources", {})
    for name, resource in list(resources.items()):
        if resource.get("Type") == "AWS::Serverless::Function":
            group = f"{name}LogGroup"
            resources[group] = _log_group(f"/aws/lambda/{resource['Properties']['FunctionName']}",
                                          FUNCTION_LOG_RETENTION_DAYS)
            resource["DependsOn"] = sorted({*_listed(resource.get("DependsOn")), group})
        if resource.get("Type") == "AWS::Serverless::Api":
            if service not in STAGE_THROTTLING:
                raise LookupError(f"{service}: an API stage without throttling in infra/packaging.py")
            group = f"{name}AccessLogGroup"
            resources[group] = _log_group(f"/aws/apigateway/pawport-{service}-{stage}-access", ACCESS_LOG_RETENTION_DAYS)
            rate, burst = STAGE_THROTTLING[service]
            resource["Properties"] |= {
                "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": [group, "Arn"]}, "Format": ACCESS_LOG_FORMAT},
                "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": rate,
                                    "ThrottlingBurstLimit": burst, "DataTraceEnabled": False, "MetricsEnabled": False}]}


def _log_group(name: str, days: int) -> dict:
    return {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": name, "RetentionInDays": days}}


def _listed(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _queue_arn(stage: str, logical: str) -> dict:
    return {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:" + policies.name(stage, logical)}


def library_present(library: str, names: set[str]) -> bool:
    # a package directory, a binary sibling (psycopg_binary) or its dist-info
    pattern = re.compile(rf"^{library}\d*([_.-]|$)")
    return any(pattern.match(name.lower()) for name in names)


def inspect_zip(service: str, path: Path) -> ZipReport:
    with zipfile.ZipFile(path) as archive:
        entries = archive.namelist()
    top = {entry.split("/", 1)[0] for entry in entries}
    found = tuple(lib for lib in FORBIDDEN[service] if library_present(lib, top))
    return ZipReport(service, path.stat().st_size, found, SHARED_MARKER in entries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev", choices=policies.STAGES)
    parser.add_argument("--out", type=Path, default=REPO / "build")
    args = parser.parse_args()
    reports = [inspect_zip(svc, pkg.zip) for svc, pkg in package_all(args.stage, args.out).items()]
    print("\nDeployment packages:")
    for report in reports:
        print("  " + report.line())
    bad = [r for r in reports if r.forbidden_found or not r.has_shared]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
