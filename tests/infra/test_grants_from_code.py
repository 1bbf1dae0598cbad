"""Each function's role holds exactly what its code calls (read from the code: tests/infra/code_calls.py)
and what Lambda does with it for the function's kind of trigger; every ARN names the account and
region; the VPC's gateway endpoints allow only what control's code calls. Each rule also runs on a
broken copy (a planted grant, a planted call) where it must fail."""
import copy
import json
import re

import pytest

from infra import policies
from tests.infra import code_calls
from tests.infra import infra_rules as rules
from tests.infra.infra_iam import grants_of

SERVICES, STAGES = policies.SERVICES, policies.STAGES
LOGS = {"logs:createlogstream", "logs:putlogevents"}   # the template makes the group, with its retention
# What Lambda does with the role, by trigger (its Sids start with "Lambda" in infra/policies.py).
PLATFORM = {"on_sqs_message": {"sqs:receivemessage", "sqs:deletemessage", "sqs:getqueueattributes"},
            "on_dynamodb_record": {"dynamodb:describestream", "dynamodb:getrecords", "dynamodb:getsharditerator",
                                   "dynamodb:liststreams", "sqs:sendmessage"},   # the on-failure queue
            "on_cw_event": {"sqs:sendmessage"},   # a pushed event's dead-letter queue
            "on_sns_message": {"sqs:sendmessage"}}   # the same for a notification SNS pushed
PINNED = re.compile(r"arn:aws:[a-z0-9-]+:[a-z]{2}(-[a-z]+)+-\d:\d{12}:.+")


@pytest.fixture(scope="module")
def code() -> dict[str, dict[str, set[str]]]:
    return {service: code_calls.code_actions(service) for service in SERVICES}


@pytest.fixture(scope="module")
def roles() -> dict[tuple[str, str], dict[str, dict]]:
    """(service, stage) -> each function's committed policy."""
    return {(service, stage): {f: json.loads(policies.policy_path(service, stage, f).read_text())
                               for f in policies.FUNCTIONS[service](policies.Target(stage))}
            for service in SERVICES for stage in STAGES}


def actions(policy: dict, platform: bool) -> set[str]:
    return {g.action.lower() for g in grants_of(policy) if g.sid.startswith("Lambda") == platform}


def platform_actions(service: str, triggers: set[str]) -> set[str]:
    enis = rules.ENI_ACTIONS if service == "control" else set()
    return LOGS | enis | {a for t in triggers for a in PLATFORM.get(t, set())}


def grant_problems(service: str, functions: dict[str, dict], called: dict[str, set[str]],
                   triggers: dict[str, set[str]]) -> list[str]:
    problems = [f"{service}: {f} has no policy of its own" for f in sorted(set(called) - set(functions))]
    problems += [f"{service}: a policy for {f}, which the code does not define" for f in sorted(set(functions) - set(called))]
    for function in sorted(set(called) & set(functions)):
        policy, calls = functions[function], {a.lower() for a in called[function]}
        granted, lambda_side = actions(policy, platform=False), actions(policy, platform=True)
        problems += [f"{service}/{function}: grants {a}, which its code never calls" for a in sorted(granted - calls)]
        problems += [f"{service}/{function}: calls {a} with no grant" for a in sorted(calls - granted)]
        expected = platform_actions(service, triggers[function])
        problems += [f"{service}/{function}: Lambda-side {a} its trigger does not need"
                     for a in sorted(lambda_side - expected)]
        problems += [f"{service}/{function}: Lambda cannot {a} for it" for a in sorted(expected - lambda_side)]
    return problems


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("service", SERVICES)
def test_every_role_holds_what_its_code_calls(code: dict, roles: dict, service: str, stage: str) -> None:
    for function, called in sorted(code[service].items()):
        print(f"{service}/{function}: {sorted(called)}")
    assert grant_problems(service, roles[service, stage], code[service], code_calls.decorators(service)) == []


def test_health_functions_hold_only_their_logs(roles: dict) -> None:
    for service in ("egress", "workers"):
        assert actions(roles[service, "dev"]["health"], platform=False) == set()
        assert actions(roles[service, "dev"]["health"], platform=True) == LOGS


def test_api_reads_the_table_only(code: dict, roles: dict) -> None:
    table = {a for a in actions(roles["api", "prod"][policies.API_HANDLER], False) if a.startswith("dynamodb:")}
    assert table == {"dynamodb:getitem", "dynamodb:query"}


def planted_grant(roles: dict, service: str, function: str, action: str, resource: str = "*") -> dict:
    changed = copy.deepcopy(roles[service, "dev"])
    changed[function]["Statement"].append({"Sid": "Planted", "Effect": "Allow", "Action": action, "Resource": resource})
    return changed


GRANT_MISTAKES = {
    "api writes the table": ("api", "api_handler", "dynamodb:PutItem"),
    "api deletes uploads": ("api", "api_handler", "s3:DeleteObject"),
    "workers' health reads uploads": ("workers", "health", "s3:GetObject"),
    "reminder mail invokes egress": ("workers", "reminder_mail", "lambda:InvokeFunction"),
    "control's migrate writes the table": ("control", "migrate", "dynamodb:PutItem"),
    "control writes passports": ("control", "api_handler", "s3:PutObject"),
    "a wildcard": ("workers", "table_changes", "ses:*"),
    "Lambda-side polling with no queue trigger": ("workers", "health", "sqs:ReceiveMessage"),
}


@pytest.mark.parametrize("mistake", GRANT_MISTAKES)
def test_a_grant_the_code_does_not_use_is_caught(code: dict, roles: dict, mistake: str) -> None:
    service, function, action = GRANT_MISTAKES[mistake]
    sid = "LambdaPlanted" if mistake.startswith("Lambda") else "Planted"
    changed = planted_grant(roles, service, function, action)
    changed[function]["Statement"][-1]["Sid"] = sid
    assert grant_problems(service, changed, code[service], code_calls.decorators(service))


def test_a_missing_grant_is_caught(code: dict, roles: dict) -> None:
    changed = copy.deepcopy(roles["workers", "dev"])
    changed["table_changes"]["Statement"] = [s for s in changed["table_changes"]["Statement"] if s["Sid"] != "SendsMail"]
    assert grant_problems("workers", changed, code["workers"], code_calls.decorators("workers"))


def source(service: str, module: str) -> str:
    return code_calls.module_files(service)[module].read_text()


CALL_MISTAKES = {
    # a delete by the api's S3 adapter
    "api deletes an object": ("api", "chalicelib.api.storage", "        return self._s3.generate_presigned_url(",
                              "        self._s3.delete_object(Bucket=self.bucket, Key=key)\n"
                              "        return self._s3.generate_presigned_url("),
    # workers' health function sending a message
    "workers' health sends to SQS": ("workers", "app", '    return {"service": "workers", "status": "ok"}',
                                     '    _client("sqs").send_message(QueueUrl="q", MessageBody="x")\n'
                                     '    return {"service": "workers", "status": "ok"}'),
    # a store write of a kind there was none of (mail's items, batch-written)
    "mail batch-writes items": ("workers", "chalicelib.workers.mail",
                                "def deliver(store: Store, pk: str, postman: Postman, now: datetime) -> bool:\n",
                                "def deliver(store: Store, pk: str, postman: Postman, now: datetime) -> bool:\n"
                                "    store.put_all([])\n"),
}


@pytest.mark.parametrize("mistake", CALL_MISTAKES)
def test_a_call_with_no_grant_is_caught(roles: dict, mistake: str) -> None:
    service, module, anchor, planted = CALL_MISTAKES[mistake]
    text = source(service, module)
    assert anchor in text, f"{module} changed: move the planted call"
    called = code_calls.code_actions(service, {module: text.replace(anchor, planted, 1)})
    assert grant_problems(service, roles[service, "dev"], called, code_calls.decorators(service))


# ---- every ARN names the account and the region ----

def unpinned(policy: dict) -> list[str]:
    problems = []
    for statement in policy["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            if resource.startswith("arn:aws:s3:::"):   # S3 ARNs carry no account: the condition names it
                if "s3:ResourceAccount" not in json.dumps(statement.get("Condition", {})):
                    problems.append(f"{statement['Sid']}: {resource} in any account")
            elif resource.startswith("arn:aws:cloudfront::"):   # CloudFront is global: no region, one distribution
                if not re.fullmatch(r"arn:aws:cloudfront::\d{12}:distribution/[\w-]+", resource):
                    problems.append(f"{statement['Sid']}: {resource} not pinned to an account and distribution")
            elif resource != "*" and not PINNED.fullmatch(resource):
                problems.append(f"{statement['Sid']}: {resource} not pinned to an account and region")
            elif resource == "*" and statement["Sid"] not in ("LambdaManagesVpcEnis", "PublishesOperatorMetrics"):
                problems.append(f"{statement['Sid']}: every resource")
    return problems


def test_every_arn_is_pinned(roles: dict) -> None:
    for (service, stage), functions in roles.items():
        for function, policy in functions.items():
            assert unpinned(policy) == [], f"{service}/{stage}/{function}"


@pytest.mark.parametrize("resource", ["arn:aws:dynamodb:*:*:table/pawport-dev-main",
                                      "arn:aws:sqs:us-east-1:*:pawport-dev-reminders", "arn:aws:s3:::pawport-dev-jobs/*", "*"])
def test_an_unpinned_arn_is_caught(roles: dict, resource: str) -> None:
    assert unpinned(planted_grant(roles, "workers", "health", "s3:GetObject", resource)["health"])


def test_the_deploy_renders_the_stacks_account_and_region() -> None:
    target = policies.Target("prod", "123456789012", "eu-west-1", "cluster-ABC", "no-reply@mail.example.com")
    rendered = json.dumps(policies.policies("control", target))
    assert "arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABC/pawport_control" in rendered
    assert policies.PLACEHOLDER_ACCOUNT not in rendered and "us-east-1" not in rendered


# ---- the gateway endpoints allow only what control's code calls ----

def endpoint_problems(template: dict, control_calls: dict[str, set[str]]) -> list[str]:
    called = {a.lower() for calls in control_calls.values() for a in calls}
    endpoints = rules.endpoint_actions(template)
    problems = [f"an endpoint for {service}, which no code in the VPC calls"
                for service in endpoints if not any(a.startswith(f"{service}:") for a in called)]
    for service, allowed in endpoints.items():
        used = {a for a in called if a.startswith(f"{service}:")}
        problems += [f"{service} endpoint allows {a}, which control never calls" for a in sorted(allowed - used)]
        problems += [f"{service} endpoint refuses {a}, which control calls" for a in sorted(used - allowed)]
    return problems


def test_endpoints_allow_only_what_control_calls(base_stack: dict, code: dict) -> None:
    assert endpoint_problems(base_stack, code["control"]) == []


def s3_endpoint(template: dict) -> None:
    template["Resources"]["S3Endpoint"] = {"Type": "AWS::EC2::VPCEndpoint", "Properties": {
        "VpcEndpointType": "Gateway", "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"},
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
                                          "Resource": "arn:aws:s3:::pawport-dev-passports/*"}]}}}


ENDPOINT_MISTAKES = {
    "an S3 endpoint": s3_endpoint,
    "a Scan": lambda t: t["Resources"]["DynamoDbEndpoint"]["Properties"]["PolicyDocument"]["Statement"][0][
        "Action"].append("dynamodb:Scan"),
    "no Query": lambda t: t["Resources"]["DynamoDbEndpoint"]["Properties"]["PolicyDocument"]["Statement"][0][
        "Action"].remove("dynamodb:Query"),
}


@pytest.mark.parametrize("mistake", ENDPOINT_MISTAKES)
def test_an_endpoint_allowing_more_is_caught(base_stack: dict, code: dict, mistake: str) -> None:
    changed = copy.deepcopy(base_stack)
    ENDPOINT_MISTAKES[mistake](changed)
    assert endpoint_problems(changed, code["control"])
