"""Least-privilege IAM policies of the four Chalice apps, one file per stage.

`autogen_policy: false` gives every function of an app ONLY .chalice/policy-<stage>.json, so what
Lambda itself needs (logs, VPC ENIs, SQS polling, stream reads) is written out here too.
`python -m infra.policies` rewrites the committed files; tests/infra checks they match this module.
Account and region stay "*" (names carry the stage); the deploy step narrows control's Aurora
grant to the stack's cluster (infra/chalice_env.py).
"""
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVICES = ("api", "control", "egress", "workers")
STAGES = ("dev", "prod")
CONTROL_DB_USER = "pawport_control"   # devstack.stack.DB_USER; granted rds_iam by the bootstrap
METRICS_NAMESPACE = "Pawport"   # workers' metrics_namespace: the only namespace workers may publish to

Statement = dict[str, object]


def policy_path(service: str, stage: str) -> Path:
    return REPO / "services" / service / ".chalice" / f"policy-{stage}.json"


def name(stage: str, logical: str) -> str:
    return f"pawport-{stage}-{logical}"


def control_aggregates_function(stage: str) -> str:
    """control's aggregates-only function (`operator_aggregates` in its app.py), as Chalice names it."""
    return f"pawport-control-{stage}-operator_aggregates"


def egress_extract_function(stage: str) -> str:
    """egress's `extract` function, which workers invoke with each job (workers' extraction_function)."""
    return f"pawport-egress-{stage}-extract"


def _logs(service: str, stage: str) -> Statement:
    # Lambda writes the logs, not the function's network: allowed even for control.
    return {"Sid": "LambdaWritesLogs", "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:*:*:log-group:/aws/lambda/pawport-{service}-{stage}-*"}


def _sqs_poll(stage: str, queues: list[str]) -> Statement:
    # Lambda's event source mapping polls from outside the VPC with the function's role.
    return {"Sid": "LambdaPollsQueues", "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": [f"arn:aws:sqs:*:*:{name(stage, q)}" for q in queues]}


def _table(stage: str, sid: str) -> Statement:
    table = f"arn:aws:dynamodb:*:*:table/{name(stage, 'main')}"
    return {"Sid": sid, "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                       "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                       "dynamodb:ConditionCheckItem"],
            "Resource": [table, f"{table}/index/*"]}


def _objects(sid: str, actions: list[str], bucket: str, prefixes: list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Allow", "Action": actions,
            "Resource": [f"arn:aws:s3:::{bucket}/{p}*" for p in prefixes]}


def api(stage: str) -> list[Statement]:
    return [
        _logs("api", stage),
        _table(stage, "TableReadWrite"),
        # the browser uploads with a presigned POST and reads with presigned GETs signed by this role
        _objects("UploadsPresignedPost", ["s3:PutObject"], name(stage, "uploads"), ["uploads/"]),
        _objects("DocumentsPresignedGet", ["s3:GetObject"], name(stage, "uploads"), ["uploads/", "thumbnails/"]),
    ]


def control(stage: str, db_cluster: str = "*") -> list[Statement]:
    return [
        _logs("control", stage),
        {"Sid": "LambdaManagesVpcEnis", "Effect": "Allow",
         "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses"],
         "Resource": "*"},   # these EC2 actions take no resource scoping that Lambda can use
        _sqs_poll(stage, ["ses-feedback"]),
        _table(stage, "TableThroughGatewayEndpoint"),
        _objects("JobsThroughGatewayEndpoint", ["s3:PutObject"], name(stage, "jobs"), ["jobs/"]),
        _objects("PassportsThroughGatewayEndpoint", ["s3:PutObject", "s3:DeleteObject"],
                 name(stage, "passports"), ["passports/"]),
        {"Sid": "AuroraAsControlUser", "Effect": "Allow", "Action": "rds-db:connect",
         "Resource": f"arn:aws:rds-db:*:*:dbuser:{db_cluster}/{CONTROL_DB_USER}"},
    ]


def _listing(sid: str, bucket: str, prefixes: list[str]) -> Statement:
    # Without s3:ListBucket a HEAD or GET of a missing key answers 403, not 404: "does it exist
    # yet?" checks (idempotent retries) need it. It shows keys, never contents, and only under
    # the prefixes the role also reads.
    return {"Sid": sid, "Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": [f"{p}*" for p in prefixes]}}}


def egress(stage: str) -> list[Statement]:
    # Handed each job by workers' invocation, the document by a presigned GET signed by workers:
    # the LLM's key holder can read, list or overwrite nothing.
    return [_logs("egress", stage)]


def workers(stage: str) -> list[Statement]:
    table = f"arn:aws:dynamodb:*:*:table/{name(stage, 'main')}"
    return [
        _logs("workers", stage),
        _sqs_poll(stage, ["mail", "reminders"]),
        {"Sid": "SendsToQueues", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
         # fan-out to mail and reminders (the daily run looks the reminders queue's URL up by name);
         # stream-failures is the stream mapping's on-failure destination, upload-events-dlq the
         # uploads function's dead-letter queue (Lambda sends to it with the function's role)
         "Resource": [f"arn:aws:sqs:*:*:{name(stage, q)}"
                      for q in ("mail", "reminders", "stream-failures", "upload-events-dlq")]},
        _table(stage, "TableReadWrite"),
        {"Sid": "LambdaReadsTableStream", "Effect": "Allow",
         "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams"],
         "Resource": f"{table}/stream/*"},
        # uploads/ checked on arrival, thumbnails/ made, refused files moved to quarantine/ (shared/pawport/documents.py)
        _objects("UploadsReadWrite", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], name(stage, "uploads"),
                 ["uploads/", "thumbnails/", "quarantine/"]),
        # the weekly document-count reconciliation lists uploads/, the checks HEAD keys under it
        _listing("ListsUploadsBucket", name(stage, "uploads"), ["uploads/"]),
        # each job's LLM use, kept for the monthly reconciliation of the counters
        _objects("KeepsLlmUsage", ["s3:GetObject", "s3:PutObject"], name(stage, "jobs"), ["usage/"]),
        _listing("ListsJobsBucket", name(stage, "jobs"), ["usage/"]),
        {"Sid": "SendsMail", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
         "Resource": ["arn:aws:ses:*:*:identity/*", f"arn:aws:ses:*:*:configuration-set/{name(stage, 'mail')}"]},
        # operator metrics: control cannot reach CloudWatch from the VPC, so workers ask it for the
        # month's counts and publish them
        {"Sid": "InvokesControlAggregates", "Effect": "Allow", "Action": "lambda:InvokeFunction",
         "Resource": f"arn:aws:lambda:*:*:function:{control_aggregates_function(stage)}"},
        # extraction: each checked upload is handed to egress in a synchronous invocation
        {"Sid": "InvokesEgressExtract", "Effect": "Allow", "Action": "lambda:InvokeFunction",
         "Resource": f"arn:aws:lambda:*:*:function:{egress_extract_function(stage)}"},
        {"Sid": "PublishesOperatorMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
         "Resource": "*",   # PutMetricData takes no resource; the namespace condition scopes it
         "Condition": {"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}}},
    ]


BUILDERS = {"api": api, "control": control, "egress": egress, "workers": workers}


def policy(service: str, stage: str) -> dict:
    return {"Version": "2012-10-17", "Statement": BUILDERS[service](stage)}


def render(document: dict) -> str:
    return json.dumps(document, indent=2) + "\n"


def write_all() -> list[Path]:
    written = []
    for service in SERVICES:
        for stage in STAGES:
            path = policy_path(service, stage)
            path.write_text(render(policy(service, stage)))
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path.relative_to(REPO), file=sys.stdout)
