"""The committed Chalice policies (services/*/.chalice/policy-<stage>.json): what each role may do.
test_packaging.py shows these are exactly the roles' policies in the packaged templates."""
import copy

import infra_rules as rules
import pytest

from infra import policies

STAGES = policies.STAGES


def with_statement(policy: dict, *statements: dict) -> dict:
    changed = copy.deepcopy(policy)
    changed["Statement"].extend(statements)
    return changed


def allow(action: str, resource: str = "*") -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def test_committed_policies_are_generated(committed_policies: dict) -> None:
    """Edit infra/policies.py and run `python -m infra.chalice_env --placeholders`, not the JSON."""
    for (service, stage), policy in committed_policies.items():
        assert policy == policies.policy(service, stage), f"{service}/{stage}"


# ---- control: every permission reachable without NAT, and the test names why ----

@pytest.mark.parametrize("stage", STAGES)
def test_control_holds_only_what_it_can_reach(committed_policies: dict, base_stack: dict, stage: str) -> None:
    policy, endpoints = committed_policies["control", stage], rules.endpoint_actions(base_stack)
    named = {f"{g.action} on {', '.join(g.resources)}": rules.classify_control(g, stage, endpoints)
             for g in rules.grants_of(policy)}
    for grant, why in named.items():
        print(f"control/{stage}: {grant}\n    -> {why}")
    assert rules.control_reachable_only(policy, stage, endpoints) == []
    assert {why for why in named.values()} == {
        f"CloudWatch Logs, {rules.LAMBDA_SERVICE}", f"VPC network interfaces, {rules.LAMBDA_SERVICE}",
        f"SQS polling by the event source mapping, {rules.LAMBDA_SERVICE}",
        "DynamoDB through the gateway endpoint", "S3 through the gateway endpoint",
        "Aurora as its own database user (IAM auth token signed locally)"}


CONTROL_MISTAKES = {
    "SES": allow("ses:SendEmail"),
    "SNS publish": allow("sns:Publish", "arn:aws:sns:*:*:pawport-dev-ses-feedback"),
    "Lambda invoke": allow("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:pawport-workers-dev-x"),
    "Secrets Manager": allow("secretsmanager:GetSecretValue"),
    "KMS decrypt": allow("kms:Decrypt"),
    "Cognito": allow("cognito-idp:AdminGetUser"),
    "CloudWatch metrics API": allow("cloudwatch:PutMetricData"),
    "everything": allow("*"),
    "another database user": allow("rds-db:connect", "arn:aws:rds-db:*:*:dbuser:*/postgres"),
    "a bucket the endpoint refuses": allow("s3:GetObject", "arn:aws:s3:::someone-elses-bucket/*"),
    "an action the endpoint refuses": allow("dynamodb:Scan", "arn:aws:dynamodb:*:*:table/pawport-dev-main"),
    "NotAction": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
}


@pytest.mark.parametrize("mistake", CONTROL_MISTAKES)
def test_control_mistake_is_caught(committed_policies: dict, base_stack: dict, mistake: str) -> None:
    policy = with_statement(committed_policies["control", "dev"], CONTROL_MISTAKES[mistake])
    assert rules.control_reachable_only(policy, "dev", rules.endpoint_actions(base_stack))


# ---- egress: no data, S3 only under its job prefixes ----

@pytest.mark.parametrize("stage", STAGES)
def test_egress_confined_to_its_job_prefixes(committed_policies: dict, stage: str) -> None:
    assert rules.egress_confined(committed_policies["egress", stage], stage) == []


EGRESS_MISTAKES = {
    "wildcard rds": allow("rds-db:*"),
    "rds data api": allow("rds-data:ExecuteStatement", "arn:aws:rds:*:*:cluster:pawport-dev-db"),
    "a database secret": allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:rds!*"),
    "DynamoDB": allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/pawport-dev-main"),
    "uploads bucket": allow("s3:GetObject", "arn:aws:s3:::pawport-dev-uploads/uploads/*"),
    "whole jobs bucket": allow("s3:*", "arn:aws:s3:::pawport-dev-jobs/*"),
    "writing jobs": allow("s3:PutObject", "arn:aws:s3:::pawport-dev-jobs/jobs/*"),
    "listing uploads": allow("s3:ListBucket", "arn:aws:s3:::pawport-dev-uploads"),
    "Lambda invoke": allow("lambda:InvokeFunction"),
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


# ---- invoke permissions: nobody may invoke a function (S4 adds the one named exception) ----

@pytest.mark.parametrize("stage", STAGES)
def test_no_role_may_invoke_functions(committed_policies: dict, stage: str) -> None:
    for service in policies.SERVICES:
        assert rules.invoke_permissions(committed_policies[service, stage], service, stage) == []


def test_invoke_permission_is_caught_except_the_named_one(committed_policies: dict) -> None:
    aggregates = "arn:aws:lambda:*:*:function:" + rules.CONTROL_AGGREGATES_FUNCTION.format(stage="dev")
    workers = with_statement(committed_policies["workers", "dev"], allow("lambda:InvokeFunction", aggregates))
    assert rules.invoke_permissions(workers, "workers", "dev")
    wider = with_statement({"Statement": []}, allow("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:pawport-control-dev-*"))
    assert rules.invoke_permissions(wider, rules.OPERATOR_METRICS_SERVICE, "dev")
    # the one exception S4 will add: operator-metrics invoking control's aggregates-only function
    named = with_statement({"Statement": []}, allow("lambda:InvokeFunction", aggregates))
    assert rules.invoke_permissions(named, rules.OPERATOR_METRICS_SERVICE, "dev") == []
