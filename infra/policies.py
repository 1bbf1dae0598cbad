"""Least-privilege IAM policies of the four Chalice apps: one per function and stage.

`autogen_policy: false` gives each function its own role holding ONLY its policy file, so what
Lambda itself does with the role (logs, VPC ENIs, SQS polling, stream reads, dead letters) is
written out too, in statements whose Sid starts with "Lambda"; every other statement is an action
the function's code calls (tests/infra/test_grants_from_code.py reads the code and checks both ways).
A function missing from FUNCTIONS falls back to policy-<stage>.json: its logs only.

Every ARN names an account and a region. The committed files name the placeholder account
(000000000000, which owns nothing: a deploy of them fails closed); the deploy step renders them
for the stack's account, region, cluster and sender (infra/chalice_env.py), not to be committed.
`python -m infra.chalice_env --placeholders` rewrites the committed files.
"""
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVICES = ("api", "control", "egress", "workers")
STAGES = ("dev", "prod")
CONTROL_DB_USER = "pawport_control"   # devstack.stack.DB_USER; granted rds_iam by the bootstrap
MIGRATION_DB_USER = "pawport_migrations"   # owns the schema: control's settings' db_migration_user
METRICS_NAMESPACE = "Pawport"   # workers' metrics_namespace: the only namespace workers may publish to
PLACEHOLDER_ACCOUNT = "000000000000"
PLACEHOLDER_REGION = "us-east-1"
API_HANDLER = "api_handler"   # Chalice's one function for every route of an app

Statement = dict[str, object]


@dataclass(frozen=True)
class Target:
    """What a stage's policies point at: the account, the region and what the base stack assigns."""
    stage: str
    account: str = PLACEHOLDER_ACCOUNT
    region: str = PLACEHOLDER_REGION
    db_cluster: str = "from-stack-DbClusterResourceId"
    mail_sender: str = "from-stack-MailSender@example.invalid"
    distribution: str = "from-stack-DistributionId"   # the passports' CloudFront distribution

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def name(stage: str, logical: str) -> str:
    return f"pawport-{stage}-{logical}"


def function_name(service: str, stage: str, function: str) -> str:
    """As the packaged template names it (infra/packaging.py), the API handler too."""
    return f"pawport-{service}-{stage}-{function}"


def control_aggregates_function(stage: str) -> str:
    """control's aggregates-only function (`operator_aggregates` in its app.py), as Chalice names it."""
    return function_name("control", stage, "operator_aggregates")


def egress_extract_function(stage: str) -> str:
    """egress's `extract` function, which workers invoke with each job (workers' extraction_function)."""
    return function_name("egress", stage, "extract")


def egress_ask_function(stage: str) -> str:
    """egress's `ask` function, which workers invoke with each ask (workers' ask_function)."""
    return function_name("egress", stage, "ask")


def llm_key_parameter(stage: str) -> str:
    """The SecureString holding the LLM key (egress's llm_key_parameter; devstack/resources.py locally)."""
    return f"/pawport/{stage}/llm-key"


def workers_review_draft_function(stage: str) -> str:
    """workers' `review_draft`, which the api invokes with a draft's discards and dismissal."""
    return function_name("workers", stage, "review_draft")


def policy_file(stage: str, function: str | None = None) -> str:
    return f"policy-{stage}.json" if function is None else f"policy-{stage}-{function}.json"


def policy_path(service: str, stage: str, function: str | None = None) -> Path:
    return REPO / "services" / service / ".chalice" / policy_file(stage, function)


# ---- what Lambda does with the role ----

def _logs(t: Target, service: str, function: str) -> Statement:
    # Lambda writes the logs, not the function's network: allowed even for control. The group is the
    # template's (with its retention), made before the function: Lambda need not create it.
    group = t.arn("logs", f"log-group:/aws/lambda/{function_name(service, t.stage, function)}")
    return {"Sid": "LambdaWritesLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{group}:*"}


def _enis() -> Statement:
    return {"Sid": "LambdaManagesVpcEnis", "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                       "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            "Resource": "*"}   # these EC2 actions take no resource scoping that Lambda can use


def _polls(t: Target, queue: str) -> Statement:
    # Lambda's event source mapping polls with the function's role.
    return {"Sid": "LambdaPollsQueue", "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": t.arn("sqs", name(t.stage, queue))}


def _dead_letters(t: Target, queue: str) -> Statement:
    # Lambda sends what it gave up on (an event or a stream batch's record) with the function's role.
    return {"Sid": "LambdaSendsDeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage",
            "Resource": t.arn("sqs", name(t.stage, queue))}


def _reads_stream(t: Target) -> Statement:
    return {"Sid": "LambdaReadsTableStream", "Effect": "Allow",
            "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                       "dynamodb:ListStreams"],
            "Resource": t.arn("dynamodb", f"table/{name(t.stage, 'main')}/stream/*")}


# ---- what the code calls ----

def _table(t: Target, sid: str, actions: list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Allow", "Action": [f"dynamodb:{a}" for a in actions],
            "Resource": t.arn("dynamodb", f"table/{name(t.stage, 'main')}")}


def _in_account(t: Target) -> dict:
    # S3 ARNs carry no account: the bucket must be this account's, whatever its name.
    return {"StringEquals": {"s3:ResourceAccount": t.account}}


def _objects(t: Target, sid: str, actions: list[str], bucket: str, prefixes: list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Allow", "Action": actions,
            "Resource": [f"arn:aws:s3:::{name(t.stage, bucket)}/{p}*" for p in prefixes], "Condition": _in_account(t)}


def _listing(t: Target, sid: str, bucket: str, prefixes: list[str]) -> Statement:
    # Without s3:ListBucket a HEAD or GET of a missing key answers 403, not 404: "does it exist
    # yet?" checks (idempotent retries) need it. It shows keys under these prefixes, never contents.
    return {"Sid": sid, "Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{name(t.stage, bucket)}",
            "Condition": _in_account(t) | {"StringLike": {"s3:prefix": [f"{p}*" for p in prefixes]}}}


def _invalidates(t: Target) -> Statement:
    # the passports' distribution, which the base stack makes; CloudFront is global: its ARNs name no region
    return {"Sid": "InvalidatesPassports", "Effect": "Allow", "Action": "cloudfront:CreateInvalidation",
            "Resource": f"arn:aws:cloudfront::{t.account}:distribution/{t.distribution}"}


def _passports(t: Target, publishes: bool) -> list[Statement]:
    """A passport's artifact under p/ written (when publishing) and taken down, and the CDN told."""
    actions = ["s3:PutObject", "s3:DeleteObject"] if publishes else ["s3:DeleteObject"]
    return [_objects(t, "PublishesPassports" if publishes else "TakesPassportsDown", actions, "passports", ["p/"]),
            _listing(t, "ListsPassports", "passports", ["p/"]), _invalidates(t)]


def _invokes(t: Target, sid: str, function: str) -> Statement:
    return {"Sid": sid, "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": t.arn("lambda", f"function:{function}")}


def _mails(t: Target) -> Statement:
    # from the stage's sender only, through its configuration set (bounces to ses-feedback); raw MIME
    # for mail with headers or attachments (reminders' List-Unsubscribe and .ics)
    return {"Sid": "SendsMail", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
            "Resource": [t.arn("ses", "identity/*"), t.arn("ses", f"configuration-set/{name(t.stage, 'mail')}")],
            "Condition": {"StringEquals": {"ses:FromAddress": t.mail_sender}}}


def _aurora(t: Target, user: str = CONTROL_DB_USER) -> Statement:
    sid = "AuroraAsControlUser" if user == CONTROL_DB_USER else "AuroraAsSchemaOwner"
    return {"Sid": sid, "Effect": "Allow", "Action": "rds-db:connect",
            "Resource": t.arn("rds-db", f"dbuser:{t.db_cluster}/{user}")}


Functions = dict[str, list[Statement]]


def api(t: Target) -> Functions:
    return {API_HANDLER: [
        _logs(t, "api", API_HANDLER),
        _table(t, "ReadsTable", ["GetItem", "Query"]),
        # the browser uploads with a presigned POST and reads with presigned GETs signed by this role
        _objects(t, "UploadsPresignedPost", ["s3:PutObject"], "uploads", ["uploads/", "photos/"]),
        _objects(t, "DocumentsPresignedGet", ["s3:GetObject"], "uploads", ["uploads/", "thumbnails/"]),
        # a draft's discards and dismissal are workers' to write: the api only reads the table
        _invokes(t, "InvokesDraftReview", workers_review_draft_function(t.stage)),
    ]}


def control(t: Target) -> Functions:
    """In the VPC: the table through its gateway endpoint, Aurora; no S3, nothing else reachable."""
    def of(function: str, *code: Statement) -> list[Statement]:
        return [_logs(t, "control", function), _enis(), *code]
    return {
        # routes: the projections after each commit, drafts looked up, per-user limits counted, an
        # ask's LLM budget reserved
        API_HANDLER: of(API_HANDLER, _table(t, "WritesProjections", ["GetItem", "PutItem", "UpdateItem", "DeleteItem"]),
                        _aurora(t)),
        # Alembic as the schema's owner; the one-time set-up signs in as the master user with the
        # password the invocation carries, which needs no grant
        "migrate": of("migrate", _aurora(t, MIGRATION_DB_USER)),
        # weekly: the month's counts; and, Aurora being awake, the households' LLM usage events into its
        # rollups (their markers written back)
        "operator_aggregates": of("operator_aggregates", _table(t, "ReadsCounters", ["Query", "PutItem"]), _aurora(t)),
        "rebuild_projections": of("rebuild_projections",
                                  _table(t, "RewritesProjections", ["Query", "PutItem", "DeleteItem"]), _aurora(t)),
        # the relay's writes; UpdateItem marks a draft's approved vaccinations
        "sweep_outbox": of("sweep_outbox", _table(t, "WritesProjections", ["Query", "PutItem", "UpdateItem", "DeleteItem"]),
                           _aurora(t)),
        # pushed by SNS (SES's bounces and complaints): suppressions in Aurora, projected after each commit
        "ses_feedback": of("ses_feedback", _dead_letters(t, "ses-feedback-dlq"),
                           _table(t, "WritesProjections", ["GetItem", "PutItem", "UpdateItem", "DeleteItem"]), _aurora(t)),
    }


def egress(t: Target) -> Functions:
    # Handed each job by workers' invocation, the document by a presigned GET signed by workers, an
    # ask's minimized context inline: the LLM's key holder can read, list or overwrite nothing. The
    # key is read from its one SecureString (with the AWS-managed key, whose policy lets SSM decrypt).
    reads_key = {"Sid": "ReadsLlmKey", "Effect": "Allow", "Action": "ssm:GetParameter",
                 "Resource": t.arn("ssm", f"parameter{llm_key_parameter(t.stage)}")}
    return {"health": [_logs(t, "egress", "health")]} | {
        f: [_logs(t, "egress", f), reads_key] for f in ("extract", "ask")}


def workers(t: Target) -> Functions:
    def of(function: str, *code: Statement) -> list[Statement]:
        return [_logs(t, "workers", function), *code]
    return {
        "health": of("health"),
        # invoked by the api: a draft's vaccinations discarded, or the draft dismissed with its files
        # (and its place under the document cap freed)
        "review_draft": of("review_draft", _table(t, "ReviewsDrafts", ["GetItem", "UpdateItem", "DeleteItem"]),
                           _objects(t, "RemovesDismissedFiles", ["s3:DeleteObject"], "uploads",
                                    ["uploads/", "thumbnails/", "readable/"])),
        # uploads/ checked on arrival, thumbnails/ made, refused files moved to quarantine/; once per
        # object through Powertools' records in the table; egress handed each job, its LLM budget
        # reserved first and settled after; a pet's photo
        # under photos/ checked, made its picture under thumbnails/, and deleted
        "upload_events": of("upload_events", _dead_letters(t, "upload-events-dlq"),
                            _table(t, "DraftsJobsAndIdempotency", ["GetItem", "PutItem", "UpdateItem", "DeleteItem"]),
                            _objects(t, "ChecksUploads", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "uploads",
                                     ["uploads/", "thumbnails/", "quarantine/", "readable/", "photos/"]),
                            _listing(t, "ListsUploads", "uploads", ["uploads/", "photos/"]),
                            _invokes(t, "InvokesEgressExtract", egress_extract_function(t.stage))),
        # from the table's stream: mail control queued is sent; an expired draft's or a deleted record's
        # files go, and the pet's document count is counted again; an ask is handed to egress and its
        # budget settled (deleting its hold), an expired hold released
        "table_changes": of("table_changes", _reads_stream(t), _dead_letters(t, "stream-failures"),
                            _table(t, "SettlesMailAndCounts", ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"]),
                            _mails(t), _invokes(t, "InvokesEgressAsk", egress_ask_function(t.stage)),
                            _objects(t, "DeletesGoneFiles", ["s3:DeleteObject"], "uploads",
                                     ["uploads/", "thumbnails/", "photos/"]),
                            _listing(t, "ListsPetUploads", "uploads", ["uploads/", "thumbnails/", "photos/"]),
                            # a passport published again (a shared record changed) or taken down (revoked, expired)
                            *_passports(t, publishes=True),
                            _objects(t, "CopiesPetPhotos", ["s3:GetObject"], "uploads", ["uploads/", "thumbnails/"])),
        # hourly: expired passports taken down (DynamoDB's TTL deletes their token items only lazily)
        "sweep_expired_passports": of("sweep_expired_passports",
                                      _table(t, "SweepsPassportExpiries", ["Query", "DeleteItem"]),
                                      *_passports(t, publishes=False)),
        # hourly: the CDN's new access-log files counted once each into the passports' view counters
        "count_passport_views": of("count_passport_views",
                                   _table(t, "CountsPassportViews", ["GetItem", "PutItem", "UpdateItem"]),
                                   _objects(t, "ReadsAccessLogs", ["s3:GetObject"], "logs", ["passports/"]),
                                   _listing(t, "ListsAccessLogs", "logs", ["passports/"])),
        # control cannot reach CloudWatch from the VPC: workers ask it for the month's counts and publish them
        "publish_operator_metrics": of("publish_operator_metrics",
                                       _invokes(t, "InvokesControlAggregates", control_aggregates_function(t.stage)),
                                       {"Sid": "PublishesOperatorMetrics", "Effect": "Allow",
                                        "Action": "cloudwatch:PutMetricData",
                                        "Resource": "*",   # PutMetricData takes no resource; the namespace scopes it
                                        "Condition": {"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}}}),
        "remind_due_records": of("remind_due_records", _table(t, "ReadsDueReminders", ["GetItem", "Query", "PutItem"]),
                                 {"Sid": "FansOutReminders", "Effect": "Allow",
                                  "Action": ["sqs:GetQueueUrl", "sqs:SendMessage"],
                                  "Resource": t.arn("sqs", name(t.stage, "reminders"))}),
        # each job's LLM use, kept for the monthly reconciliation of the counters; the households'
        # usage events for their budget counters
        "reconcile_llm_use": of("reconcile_llm_use", _table(t, "SetsLlmCounters", ["Query", "PutItem"]),
                                _objects(t, "ReadsLlmUsage", ["s3:GetObject"], "jobs", ["usage/"]),
                                _listing(t, "ListsLlmUsage", "jobs", ["usage/"])),
        # weekly: document counters from uploads/, pets' photo items from their pictures (HEAD: metadata)
        "reconcile_document_counts": of("reconcile_document_counts", _table(t, "SetsDocumentCounts", ["PutItem"]),
                                        _objects(t, "ReadsPetPhotos", ["s3:GetObject"], "uploads", ["thumbnails/"]),
                                        _listing(t, "ListsUploadsBucket", "uploads", ["uploads/", "thumbnails/"])),
        "reminder_mail": of("reminder_mail", _polls(t, "reminders"),
                            _table(t, "ClaimsReminders", ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"]),
                            _mails(t)),
    }


FUNCTIONS: dict[str, Callable[[Target], Functions]] = {"api": api, "control": control, "egress": egress,
                                                       "workers": workers}


def document(statements: list[Statement]) -> dict:
    return {"Version": "2012-10-17", "Statement": statements}


def policies(service: str, target: Target) -> dict[str | None, dict]:
    """Every policy file of the service's stage: None is the fallback, else the function's."""
    fallback = [_logs(t := target, service, "*")] + ([_enis()] if service == "control" else [])
    return {None: document(fallback)} | {f: document(s) for f, s in FUNCTIONS[service](t).items()}


def policy(service: str, stage: str, function: str | None = None) -> dict:
    return policies(service, Target(stage))[function]


def render(document: dict) -> str:
    return json.dumps(document, indent=2) + "\n"


def write_all(targets: list[Target]) -> list[Path]:
    written = []
    for target in targets:
        for service in SERVICES:
            for function, doc in policies(service, target).items():
                path = policy_path(service, target.stage, function)
                path.write_text(render(doc))
                written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all([Target(stage) for stage in STAGES]):
        print(path.relative_to(REPO))
