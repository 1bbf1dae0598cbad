"""The committed Chalice policies (services/*/.chalice/policy-<stage>.json): what each role may do.
test_packaging.py shows these are exactly the roles' policies in the packaged templates."""
import copy
import json

import pytest

from infra import policies
from tests.infra import infra_rules as rules
from tests.infra.infra_iam import action_matches

STAGES = policies.STAGES


def with_statement(policy: dict, *statements: dict) -> dict:
    changed = copy.deepcopy(policy)
    changed["Statement"].extend(statements)
    return changed


def allow(action: str, resource: str = "*") -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def test_committed_policies_are_generated() -> None:
    """Edit infra/policies.py and run `python -m infra.chalice_env --placeholders`, not the JSON."""
    for service in policies.SERVICES:
        generated = {policies.policy_path(service, stage, f): document for stage in STAGES
                     for f, document in policies.policies(service, policies.Target(stage)).items()}
        committed = set(policies.policy_path(service, "dev").parent.glob("policy-*.json"))
        assert committed == set(generated), f"{service}: a policy file no function has, or one missing"
        for path, document in generated.items():
            assert json.loads(path.read_text()) == document, path.name


def test_a_function_not_named_falls_back_to_its_logs() -> None:
    for service in policies.SERVICES:
        fallback = policies.policy(service, "dev")
        assert {s["Sid"] for s in fallback["Statement"]} <= {"LambdaWritesLogs", "LambdaManagesVpcEnis"}


# ---- control: every permission reachable without NAT, and the test names why ----

@pytest.mark.parametrize("stage", STAGES)
def test_control_holds_only_what_it_can_reach(committed_policies: dict, base_stack: dict, stage: str) -> None:
    policy, endpoints = committed_policies["control", stage], rules.endpoint_actions(base_stack)
    named = {f"{g.action} on {', '.join(g.resources)}": rules.classify_control(g, stage, endpoints)
             for g in rules.grants_of(policy)}
    for grant, why in named.items():
        print(f"control/{stage}: {grant}\n    -> {why}")
    assert rules.control_reachable_only(policy, stage, endpoints) == []
    # no S3 (nothing in the VPC calls it) and no queue polling (no function of control reads a queue)
    assert set(named.values()) == {
        f"CloudWatch Logs, {rules.LAMBDA_SERVICE}", f"VPC network interfaces, {rules.LAMBDA_SERVICE}",
        f"the dead-letter queue of a pushed event (SNS), {rules.LAMBDA_SERVICE}",
        "DynamoDB through the gateway endpoint", "Aurora as its own database user (IAM auth token signed locally)"}


def database_users(functions: dict[str | None, dict]) -> dict[str | None, set[str]]:
    return {f: {r.rsplit("/", 1)[1] for g in rules.grants(p, "rds-db:connect") for r in g.resources}
            for f, p in functions.items()}


def schema_owner_problems(functions: dict[str | None, dict]) -> list[str]:
    """Only `migrate` connects as the schema's owner, and as nobody else; the others as the application."""
    problems = []
    for function, users in database_users(functions).items():
        allowed = {policies.MIGRATION_DB_USER} if function == "migrate" else {policies.CONTROL_DB_USER}
        problems += [f"control/{function} may connect as {u}" for u in sorted(users - allowed)]
    return problems


@pytest.mark.parametrize("stage", STAGES)
def test_only_migrate_connects_as_the_schema_owner(stage: str) -> None:
    functions = {f: json.loads(policies.policy_path("control", stage, f).read_text())
                 for f in policies.policies("control", policies.Target(stage))}
    assert schema_owner_problems(functions) == []
    assert database_users(functions)["migrate"] == {policies.MIGRATION_DB_USER}


@pytest.mark.parametrize("function", ["api_handler", "sweep_outbox", "migrate"])
def test_another_database_user_is_caught(function: str) -> None:
    functions = copy.deepcopy(policies.policies("control", policies.Target("dev")))
    user = policies.CONTROL_DB_USER if function == "migrate" else policies.MIGRATION_DB_USER
    functions[function]["Statement"].append(
        allow("rds-db:connect", f"arn:aws:rds-db:us-east-1:000000000000:dbuser:cluster-X/{user}"))
    assert schema_owner_problems(functions)


def control_writes_no_s3(policy: dict) -> list[str]:
    return [f"control may {g.action} on {list(g.resources)} ({g.sid})" for g in rules.grants(policy, "s3:*")]


@pytest.mark.parametrize("stage", STAGES)
def test_control_holds_no_s3_grant(committed_policies: dict, stage: str) -> None:
    assert control_writes_no_s3(committed_policies["control", stage]) == []


@pytest.mark.parametrize("grant", [("s3:PutObject", "arn:aws:s3:::pawport-dev-passports/passports/*"),
                                   ("s3:PutObject", "arn:aws:s3:::pawport-dev-jobs/jobs/*"),
                                   ("s3:DeleteObject", "arn:aws:s3:::pawport-dev-passports/passports/*"),
                                   ("s3:*", "*")])
def test_an_s3_write_of_control_is_caught(committed_policies: dict, base_stack: dict, grant: tuple) -> None:
    policy = with_statement(committed_policies["control", "dev"], allow(*grant))
    assert control_writes_no_s3(policy)
    assert rules.control_reachable_only(policy, "dev", rules.endpoint_actions(base_stack))


CONTROL_MISTAKES = {
    "SES": allow("ses:SendEmail"),
    "SNS publish": allow("sns:Publish", "arn:aws:sns:*:*:pawport-dev-ses-feedback"),
    "Lambda invoke": allow("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:000000000000:function:pawport-workers-dev-x"),
    "Secrets Manager": allow("secretsmanager:GetSecretValue"),
    "KMS decrypt": allow("kms:Decrypt"),
    "Cognito": allow("cognito-idp:AdminGetUser"),
    "CloudWatch metrics API": allow("cloudwatch:PutMetricData"),
    "everything": allow("*"),
    "another database user": allow("rds-db:connect", "arn:aws:rds-db:*:*:dbuser:*/postgres"),
    "a bucket the endpoint refuses": allow("s3:GetObject", "arn:aws:s3:::someone-elses-bucket/*"),
    "an action the endpoint refuses": allow("dynamodb:Scan", "arn:aws:dynamodb:us-east-1:000000000000:table/pawport-dev-main"),
    "the table in any account": allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/pawport-dev-main"),
    "passports through no endpoint": allow("s3:PutObject", "arn:aws:s3:::pawport-dev-passports/passports/*"),
    "NotAction": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    "a queue send of its own": allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:pawport-dev-ses-feedback-dlq"),
    "Lambda's dead letters to a work queue": {"Sid": "LambdaSendsDeadLetters", "Effect": "Allow",
                                              "Action": "sqs:SendMessage",
                                              "Resource": "arn:aws:sqs:us-east-1:000000000000:pawport-dev-reminders"},
}


@pytest.mark.parametrize("mistake", CONTROL_MISTAKES)
def test_control_mistake_is_caught(committed_policies: dict, base_stack: dict, mistake: str) -> None:
    policy = with_statement(committed_policies["control", "dev"], CONTROL_MISTAKES[mistake])
    assert rules.control_reachable_only(policy, "dev", rules.endpoint_actions(base_stack))


# ---- egress: handed its work, it holds its logs and no data permission ----

@pytest.mark.parametrize("stage", STAGES)
def test_egress_holds_no_action_on_s3_dynamodb_rds_or_secrets(committed_policies: dict, stage: str) -> None:
    assert rules.egress_holds_no_data(committed_policies["egress", stage]) == []
    assert rules.egress_confined(committed_policies["egress", stage], stage) == []


@pytest.mark.parametrize("action", ["s3:GetObject", "s3:ListBucket", "dynamodb:Query", "rds:DescribeDBClusters",
                                    "rds-db:connect", "secretsmanager:ListSecrets", "*"])
def test_egress_holding_any_data_action_is_caught(committed_policies: dict, action: str) -> None:
    assert rules.egress_holds_no_data(with_statement(committed_policies["egress", "dev"], allow(action)))


EGRESS_MISTAKES = {
    "wildcard rds": allow("rds-db:*"),
    "rds data api": allow("rds-data:ExecuteStatement", "arn:aws:rds:*:*:cluster:pawport-dev-db"),
    "a database secret": allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:rds!*"),
    "DynamoDB": allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/pawport-dev-main"),
    "uploads bucket": allow("s3:GetObject", "arn:aws:s3:::pawport-dev-uploads/uploads/*"),
    "whole jobs bucket": allow("s3:*", "arn:aws:s3:::pawport-dev-jobs/*"),
    "writing jobs": allow("s3:PutObject", "arn:aws:s3:::pawport-dev-jobs/jobs/*"),
    "reading usage": allow("s3:GetObject", "arn:aws:s3:::pawport-dev-jobs/usage/*"),
    "polling a queue": allow("sqs:ReceiveMessage", "arn:aws:sqs:*:*:pawport-dev-extraction-jobs"),
    "another log group": allow("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/aws/lambda/pawport-workers-dev-*"),
    "listing uploads": allow("s3:ListBucket", "arn:aws:s3:::pawport-dev-uploads"),
    "Lambda invoke": allow("lambda:InvokeFunction"),
    "every parameter": allow("ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/pawport/dev/*"),
    "another parameter": allow("ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/pawport/prod/llm-key"),
}


@pytest.mark.parametrize("mistake", EGRESS_MISTAKES)
def test_egress_mistake_is_caught(committed_policies: dict, mistake: str) -> None:
    policy = with_statement(committed_policies["egress", "dev"], EGRESS_MISTAKES[mistake])
    assert rules.egress_confined(policy, "dev")


# ---- api and workers: no database; nobody reads the master secret ----

@pytest.mark.parametrize("service", ["api", "workers"])
@pytest.mark.parametrize("stage", STAGES)
def test_api_and_workers_have_no_database_access(committed_policies: dict, service: str, stage: str) -> None:
    assert rules.no_database_access(committed_policies[service, stage], service) == []


@pytest.mark.parametrize("mistake", ["rds-db:connect", "rds-data:BatchExecuteStatement", "secretsmanager:*"])
def test_database_access_is_caught(committed_policies: dict, mistake: str) -> None:
    assert rules.no_database_access(with_statement(committed_policies["workers", "dev"], allow(mistake)), "workers")


def test_no_function_reads_any_secret(committed_policies: dict) -> None:
    # The RDS-managed master secret is the only secret in the stack; no role may read a secret at all.
    for (service, stage), policy in committed_policies.items():
        assert rules.no_secret_reads(policy, f"{service}/{stage}") == []


def test_secret_read_is_caught(committed_policies: dict) -> None:
    policy = with_statement(committed_policies["api", "prod"], allow("secretsmanager:Get*"))
    assert rules.no_secret_reads(policy, "api")


# ---- invoke permissions: only workers, only control's aggregates-only function and egress's extract ----

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:"


def aggregates_arn(stage: str) -> str:
    return FUNCTION + rules.CONTROL_AGGREGATES_FUNCTION.format(stage=stage)


def extract_arn(stage: str) -> str:
    return FUNCTION + rules.EGRESS_EXTRACT_FUNCTION.format(stage=stage)


def ask_arn(stage: str) -> str:
    return FUNCTION + rules.EGRESS_ASK_FUNCTION.format(stage=stage)


def review_arn(stage: str) -> str:
    return FUNCTION + rules.WORKERS_REVIEW_DRAFT_FUNCTION.format(stage=stage)


@pytest.mark.parametrize("stage", STAGES)
def test_the_only_invoke_permissions_are_workers_invoking_controls_aggregates_and_egress(committed_policies: dict,
                                                                                        stage: str) -> None:
    for service in policies.SERVICES:
        assert rules.invoke_permissions(committed_policies[service, stage], service, stage) == []
    invokes = [g for service in policies.SERVICES for g in rules.grants(committed_policies[service, stage], "lambda:*")]
    assert sorted((g.action, g.resources) for g in invokes) == [("lambda:InvokeFunction", (aggregates_arn(stage),)),
                                                                ("lambda:InvokeFunction", (ask_arn(stage),)),
                                                                ("lambda:InvokeFunction", (extract_arn(stage),)),
                                                                ("lambda:InvokeFunction", (review_arn(stage),))]
    assert invokes == rules.grants(committed_policies["api", stage], "lambda:*") + \
        rules.grants(committed_policies["workers", stage], "lambda:*")   # no other service holds one


def without_invoke(policy: dict) -> dict:
    changed = copy.deepcopy(policy)
    changed["Statement"] = [s for s in changed["Statement"]
                            if s.get("Sid") not in ("InvokesControlAggregates", "InvokesEgressExtract", "InvokesEgressAsk",
                                                    "InvokesDraftReview")]
    return changed


INVOKE_MISTAKES = {
    "workers, every control function": ("workers", allow("lambda:InvokeFunction", FUNCTION + "pawport-control-dev-*")),
    "workers, another function": ("workers", allow("lambda:InvokeFunction", FUNCTION + "pawport-control-dev-migrate")),
    "workers, every egress function": ("workers", allow("lambda:InvokeFunction", FUNCTION + "pawport-egress-dev-*")),
    "api, egress's extract": ("api", allow("lambda:InvokeFunction", extract_arn("dev"))),
    "api, every workers function": ("api", allow("lambda:InvokeFunction", FUNCTION + "pawport-workers-dev-*")),
    "workers, the other stage's": ("workers", allow("lambda:InvokeFunction", aggregates_arn("prod"))),
    "workers, in any account": ("workers", allow("lambda:InvokeFunction",
                                                "arn:aws:lambda:*:*:function:pawport-control-dev-operator_aggregates")),
    "workers, lambda:*": ("workers", allow("lambda:*", aggregates_arn("dev"))),
    "workers, asynchronously": ("workers", allow("lambda:InvokeAsync", aggregates_arn("dev"))),
    "workers, through a function URL": ("workers", allow("lambda:InvokeFunctionUrl", aggregates_arn("dev"))),
    "api, the aggregates": ("api", allow("lambda:InvokeFunction", aggregates_arn("dev"))),
    "egress, the aggregates": ("egress", allow("lambda:InvokeFunction", aggregates_arn("dev"))),
    "control, the aggregates": ("control", allow("lambda:InvokeFunction", aggregates_arn("dev"))),
    "workers, everything": ("workers", allow("*")),
}


@pytest.mark.parametrize("mistake", INVOKE_MISTAKES)
def test_another_invoke_permission_is_caught(committed_policies: dict, mistake: str) -> None:
    service, statement = INVOKE_MISTAKES[mistake]
    # workers' own grant removed first, so the broken copy fails for the planted statement alone
    policy = with_statement(without_invoke(committed_policies[service, "dev"]), statement)
    assert rules.invoke_permissions(policy, service, "dev")


# ---- listings: every s3:ListBucket is held to prefixes the service already reads ----

def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def unconfined_listings(policy: dict) -> list[str]:
    """Each bucket listing that may show keys outside the prefixes the service holds objects under."""
    statements = [s for s in as_list(policy["Statement"]) if s.get("Effect") == "Allow"]
    held = {resource for s in statements for resource in as_list(s.get("Resource", []))}
    problems = []
    for statement in statements:
        if not any(action_matches(a, "s3:ListBucket") for a in as_list(statement.get("Action", []))):
            continue
        prefixes = as_list(statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix", []))
        for bucket in as_list(statement.get("Resource", [])):
            unread = [p for p in prefixes if not p.endswith("/*") or f"{bucket}/{p}" not in held]
            if not prefixes or unread:
                problems.append(f"{statement.get('Sid')}: lists {bucket} under {prefixes or 'any prefix'}")
    return problems


@pytest.mark.parametrize("stage", STAGES)
def test_every_listing_is_held_to_prefixes_the_service_reads(committed_policies: dict, stage: str) -> None:
    for service in policies.SERVICES:
        assert unconfined_listings(committed_policies[service, stage]) == [], service
    uploads = f"arn:aws:s3:::{policies.name(stage, 'uploads')}"
    listed = {p for s in committed_policies["workers", stage]["Statement"] if s["Resource"] == uploads
              for p in s["Condition"]["StringLike"]["s3:prefix"]}
    # the weekly reconciliation lists uploads/ (document counts) and thumbnails/ (pets' pictures); a pet's
    # photo is looked for under photos/ while judged; quarantine/ and readable/ are never listed
    assert listed == {"uploads/*", "thumbnails/*", "photos/*"}


def listing(prefixes: list[str] | None) -> dict:
    statement = allow("s3:ListBucket", "arn:aws:s3:::pawport-dev-uploads")
    return statement | ({"Condition": {"StringLike": {"s3:prefix": prefixes}}} if prefixes is not None else {})


LISTING_MISTAKES = {
    "any prefix": listing(None),
    "the whole bucket": listing(["*"]),
    "a prefix it reads no object under": listing(["passports/*"]),
    "a prefix without its slash": listing(["uploads*"]),
}


@pytest.mark.parametrize("mistake", LISTING_MISTAKES)
def test_a_listing_beyond_what_the_service_reads_is_caught(committed_policies: dict, mistake: str) -> None:
    assert unconfined_listings(with_statement(committed_policies["workers", "dev"], LISTING_MISTAKES[mistake]))
