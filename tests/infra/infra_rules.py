"""The boundary rules (no NAT; the data and the way out kept apart; each function holds only what
it needs) as functions over templates and policies.

Each returns the list of problems it finds (empty: the rule holds), so a test can run it on the
real template and on a deliberately broken copy and show it catches the mistake.
"""
import json
import re

from tests.infra.infra_iam import Grant, grants, grants_of

Template = dict
NO_ROUTE_OUT = ("0.0.0.0/0", "::/0")
ROUTE_TARGETS = ("GatewayId", "NatGatewayId", "InstanceId", "EgressOnlyInternetGatewayId", "TransitGatewayId",
                 "VpcPeeringConnectionId", "NetworkInterfaceId", "CarrierGatewayId", "LocalGatewayId",
                 "VpcEndpointId", "CoreNetworkArn")
PATHS_OUT = ("AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::EgressOnlyInternetGateway",
             "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::TransitGatewayAttachment",
             "AWS::EC2::VPCPeeringConnection", "AWS::EC2::VPNGateway", "AWS::EC2::Instance",
             "AWS::EC2::CarrierGateway")
# What control's role may do, and why each is reachable without NAT.
LAMBDA_SERVICE = "done by the Lambda service outside the function's network"
ENI_ACTIONS = {"ec2:createnetworkinterface", "ec2:describenetworkinterfaces", "ec2:describesubnets",
               "ec2:deletenetworkinterface", "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses"}
LOG_ACTIONS = {"logs:createloggroup", "logs:createlogstream", "logs:putlogevents"}
POLL_ACTIONS = {"sqs:receivemessage", "sqs:deletemessage", "sqs:getqueueattributes"}
# Services control cannot reach without NAT (named so the failure says which).
UNREACHABLE_FROM_VPC = ("ses:SendEmail", "ses:SendRawEmail", "sns:Publish", "lambda:InvokeFunction",
                        "secretsmanager:GetSecretValue", "kms:Decrypt", "cognito-idp:AdminGetUser",
                        "cognito-idp:ListUsers", "cloudwatch:PutMetricData", "ssm:GetParameter", "sqs:SendMessage")
DATABASE_ACCESS = ("rds-db:connect", "rds-data:*", "secretsmanager:GetSecretValue")
INVOKE_ACTIONS = ("lambda:InvokeFunction", "lambda:InvokeAsync", "lambda:InvokeFunctionUrl")
# The invoke permissions in the project, both workers': the weekly operator metrics (outside the
# VPC) invoke control's aggregates-only function, because control cannot reach CloudWatch; each
# checked upload is handed to egress's extract function. Every other invoke permission fails.
OPERATOR_METRICS_SERVICE = "workers"
CONTROL_AGGREGATES_FUNCTION = "pawport-control-{stage}-operator_aggregates"
EGRESS_EXTRACT_FUNCTION = "pawport-egress-{stage}-extract"
EGRESS_ASK_FUNCTION = "pawport-egress-{stage}-ask"   # each ask control handed over, from the table's stream
WORKERS_REVIEW_DRAFT_FUNCTION = "pawport-workers-{stage}-review_draft"   # the api's one invocation: a draft's review
LLM_KEY_PARAMETER = "/pawport/{stage}/llm-key"   # the one SecureString egress may read
# What egress, the LLM key's holder, must never touch: it is handed its work and its document.
DATA_SERVICES = ("s3:*", "dynamodb:*", "rds:*", "rds-db:*", "rds-data:*", "secretsmanager:*")
SYNC_INVOKERS_OF_CONTROL = {"apigateway.amazonaws.com", "events.amazonaws.com"}
# Every ARN a role holds names a region and an account (infra/policies.py pins them).
PINNED = "arn:aws:"
WHERE = r"[a-z]{2}(-[a-z]+)+-\d:\d{12}"


# ---- template helpers ----

def of_type(template: Template, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template.get("Resources", {}).items() if r.get("Type") == kind}


def props(resource: dict) -> dict:
    return resource.get("Properties") or {}


def target(value: object) -> str | None:
    """The logical name a Ref or GetAtt points at."""
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        return att[0] if isinstance(att, list) else str(att).split(".")[0]
    return None


def text(value: object) -> str:
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return str(value)


def control_subnets(template: Template) -> list[str]:
    """The subnets whose ids the base stack hands to control's stages (output PrivateSubnetIds)."""
    joined = template["Outputs"]["PrivateSubnetIds"]["Value"]["Fn::Join"][1]
    return [target(v) for v in joined]


def route_tables_of(template: Template, subnets: list[str]) -> set[str]:
    return {target(props(a)["RouteTableId"]) for a in of_type(template, "AWS::EC2::SubnetRouteTableAssociation").values()
            if target(props(a)["SubnetId"]) in subnets}


# ---- network ----

def no_path_out(template: Template) -> list[str]:
    problems = [f"{name}: {r['Type']} is a path out of the VPC" for name, r in template["Resources"].items()
                if r.get("Type") in PATHS_OUT]
    control_tables = route_tables_of(template, control_subnets(template))
    for name, route in of_type(template, "AWS::EC2::Route").items():
        p = props(route)
        destination = p.get("DestinationCidrBlock") or p.get("DestinationIpv6CidrBlock")
        if destination in NO_ROUTE_OUT:
            problems.append(f"{name}: route to {destination}")
        if target(p.get("RouteTableId")) in control_tables:
            via = [k for k in ROUTE_TARGETS if k in p]
            problems.append(f"{name}: extra route on control's route table via {via}")
    for subnet in control_subnets(template):
        if props(template["Resources"][subnet]).get("MapPublicIpOnLaunch") is not False:
            problems.append(f"{subnet}: may hand out public IPs")
    return problems


def endpoints_restricted(template: Template) -> list[str]:
    problems = []
    tables = route_tables_of(template, control_subnets(template))
    endpoints = {text(props(e)["ServiceName"]).rsplit(".", 1)[-1]: e
                 for e in of_type(template, "AWS::EC2::VPCEndpoint").values()}
    if "s3" in endpoints:
        problems.append("an S3 endpoint: no code in the VPC calls S3, so it needs no route there")
    for service in ("dynamodb",):
        endpoint = endpoints.get(service)
        if endpoint is None or props(endpoint).get("VpcEndpointType") != "Gateway":
            problems.append(f"no {service} gateway endpoint")
            continue
        if {target(t) for t in props(endpoint).get("RouteTableIds", [])} != tables:
            problems.append(f"{service} endpoint is not on control's route tables")
        policy = props(endpoint).get("PolicyDocument")
        if not policy:
            problems.append(f"{service} endpoint has no policy (allows every bucket/table)")
            continue
        for grant in grants_of(policy):
            for resource in grant.resources:
                if "pawport-${Stage}-" not in text(resource):
                    problems.append(f"{service} endpoint allows {grant.action} on {text(resource)}")
    return problems


def endpoint_actions(template: Template) -> dict[str, set[str]]:
    allowed: dict[str, set[str]] = {}
    for endpoint in of_type(template, "AWS::EC2::VPCEndpoint").values():
        service = text(props(endpoint)["ServiceName"]).rsplit(".", 1)[-1]
        allowed[service] = {g.action.lower() for g in grants_of(props(endpoint).get("PolicyDocument") or {})}
    return allowed


# ---- security groups and Aurora ----

def _rules(template: Template, group: str, direction: str) -> list[dict]:
    inline = list(props(template["Resources"][group]).get(f"SecurityGroup{direction}", []))
    kind = f"AWS::EC2::SecurityGroup{direction}"
    return inline + [props(r) for r in of_type(template, kind).values() if target(props(r).get("GroupId")) == group]


def aurora_admits_only_control(template: Template) -> list[str]:
    problems = []
    ingress = _rules(template, "AuroraSecurityGroup", "Ingress")
    if not ingress:
        problems.append("Aurora admits nobody (control cannot connect)")
    for rule in ingress:
        source = target(rule.get("SourceSecurityGroupId"))
        if source != "ControlSecurityGroup" or any(k in rule for k in ("CidrIp", "CidrIpv6", "SourcePrefixListId")):
            problems.append(f"Aurora admits {rule}")
        elif (rule.get("FromPort"), rule.get("ToPort"), str(rule.get("IpProtocol"))) != (5432, 5432, "tcp"):
            problems.append(f"Aurora admits control beyond tcp/5432: {rule}")
    for rule in _rules(template, "AuroraSecurityGroup", "Egress"):
        if rule.get("CidrIp") != "127.0.0.1/32":
            problems.append(f"Aurora may send to {rule}")
    return problems


def control_egress_only_aurora_and_endpoints(template: Template) -> list[str]:
    group = props(template["Resources"]["ControlSecurityGroup"])
    if "SecurityGroupEgress" not in group:
        return ["control's group keeps the default allow-all egress"]
    problems = []
    prefix_lists = {"DynamoDbPrefixListId"}
    for rule in _rules(template, "ControlSecurityGroup", "Egress"):
        if target(rule.get("DestinationSecurityGroupId")) == "AuroraSecurityGroup" and rule.get("FromPort") == 5432 \
                and rule.get("ToPort") == 5432:
            continue
        if target(rule.get("DestinationPrefixListId")) in prefix_lists and rule.get("FromPort") == 443 \
                and rule.get("ToPort") == 443:
            continue
        problems.append(f"control may send to {rule}")
    return problems


def aurora_cluster(template: Template) -> list[str]:
    problems = []
    for name, cluster in of_type(template, "AWS::RDS::DBCluster").items():
        p = props(cluster)
        scaling = p.get("ServerlessV2ScalingConfiguration", {})
        expected = {"MinCapacity 0": scaling.get("MinCapacity") == 0,
                    "auto-pause": "SecondsUntilAutoPause" in scaling,
                    "IAM database auth": p.get("EnableIAMDatabaseAuthentication") is True,
                    "master password from an SSM SecureString": "ManageMasterUserPassword" not in p
                    and _ssm_secure(p.get("MasterUserPassword")),
                    "deletion protection": p.get("DeletionProtection") is True,
                    "storage encryption": p.get("StorageEncrypted") is True,
                    "retain policies": cluster.get("DeletionPolicy") == "Retain"
                    and cluster.get("UpdateReplacePolicy") == "Retain",
                    "only control's private subnets": _db_subnets(template, p) == set(control_subnets(template))}
        problems += [f"{name}: no {what}" for what, ok in expected.items() if not ok]
    for name, instance in of_type(template, "AWS::RDS::DBInstance").items():
        if props(instance).get("PubliclyAccessible") is not False:
            problems.append(f"{name}: not explicitly PubliclyAccessible: false")
    return problems


SECRET_TYPES = ("AWS::SecretsManager::Secret", "AWS::SecretsManager::RotationSchedule",
                "AWS::SecretsManager::SecretTargetAttachment")


def no_managed_secret(template: Template) -> list[str]:
    """No Secrets Manager secret (it costs a month's fee, and its rotation connects to a paused
    Aurora): no secret resource, no RDS-managed master secret, no secretsmanager reference."""
    problems = [f"{name}: {resource['Type']}" for name, resource in template["Resources"].items()
                if resource.get("Type") in SECRET_TYPES]
    problems += [f"{name}: ManageMasterUserPassword" for name, resource in template["Resources"].items()
                 if resource.get("Type", "").startswith("AWS::RDS::") and props(resource).get("ManageMasterUserPassword")]
    if "resolve:secretsmanager:" in json.dumps(template):
        problems.append("a {{resolve:secretsmanager:...}} dynamic reference")
    return problems


def _ssm_secure(value: object) -> bool:
    text = value.get("Fn::Sub") if isinstance(value, dict) else value
    return isinstance(text, str) and text.startswith("{{resolve:ssm-secure:")


def _db_subnets(template: Template, cluster: dict) -> set[str]:
    group = template["Resources"].get(target(cluster.get("DBSubnetGroupName")) or "", {})
    return {target(s) for s in props(group).get("SubnetIds", [])}


# ---- IAM: control ----

def classify_control(grant: Grant, stage: str, endpoints: dict[str, set[str]]) -> str | None:
    """Why control may hold this grant, or None when it may not."""
    action, resources = grant.action.lower(), grant.resources
    if action in LOG_ACTIONS and all(re.fullmatch(rf"{PINNED}logs:{WHERE}:log-group:/aws/lambda/pawport-control-{stage}"
                                                  r"(-[a-z_*]+)?(:\*)?", r) for r in resources):
        return f"CloudWatch Logs, {LAMBDA_SERVICE}"
    if action in ENI_ACTIONS:
        return f"VPC network interfaces, {LAMBDA_SERVICE}"
    if action in POLL_ACTIONS and all(re.fullmatch(rf"{PINNED}sqs:{WHERE}:pawport-{stage}-[a-z-]+", r) for r in resources):
        return f"SQS polling by the event source mapping, {LAMBDA_SERVICE}"
    if lambda_dead_letters(grant, stage):
        return f"the dead-letter queue of a pushed event (SNS), {LAMBDA_SERVICE}"
    if action.startswith("dynamodb:") and action in endpoints.get("dynamodb", set()) and all(
            re.fullmatch(rf"{PINNED}dynamodb:{WHERE}:table/pawport-{stage}-main", r) for r in resources):
        return "DynamoDB through the gateway endpoint"
    # no S3 grant at all: nothing in the VPC calls S3, and the VPC has no route to it
    if action == "rds-db:connect" and all(re.fullmatch(r"arn:aws:rds-db:[^:]+:[^:]+:dbuser:[^/]+/pawport_(control|migrations)", r)
                                          for r in resources):
        return "Aurora as its own database user (IAM auth token signed locally)"
    return None


def lambda_dead_letters(grant: Grant, stage: str) -> bool:
    """What Lambda's asynchronous invocation gave up on, sent by Lambda with the function's role (not
    through its VPC): only the Lambda-side statement, only to a dead-letter queue of the stage."""
    return grant.sid == "LambdaSendsDeadLetters" and grant.action.lower() == "sqs:sendmessage" and all(
        re.fullmatch(rf"{PINNED}sqs:{WHERE}:pawport-{stage}-[a-z-]+-dlq", r) for r in grant.resources)


def control_reachable_only(policy: dict, stage: str, endpoints: dict[str, set[str]]) -> list[str]:
    problems = [f"control may {g.action} ({g.sid}), unreachable without NAT"
                for action in UNREACHABLE_FROM_VPC for g in grants(policy, action) if not lambda_dead_letters(g, stage)]
    problems += [f"control's {g.sid}: {g.action} on {list(g.resources)} is not reachable from the VPC"
                 for g in grants_of(policy) if classify_control(g, stage, endpoints) is None]
    return problems


# ---- IAM: egress, api, workers, everyone ----

def no_database_access(policy: dict, service: str) -> list[str]:
    return [f"{service} may {g.action} on {list(g.resources)} ({g.sid})"
            for action in DATABASE_ACCESS for g in grants(policy, action)]


def no_secret_reads(policy: dict, who: str) -> list[str]:
    return [f"{who} may read secrets: {g.action} on {list(g.resources)}"
            for g in grants(policy, "secretsmanager:GetSecretValue")]


def egress_holds_no_data(policy: dict) -> list[str]:
    """Any action of egress's role on S3, DynamoDB, RDS or Secrets Manager (wildcards included)."""
    return [f"egress may {g.action} on {list(g.resources)} ({g.sid})"
            for service in DATA_SERVICES for g in grants(policy, service)]


def egress_confined(policy: dict, stage: str) -> list[str]:
    """egress holds its logs and its LLM key's one parameter, and nothing else."""
    problems = egress_holds_no_data(policy)
    own_logs = rf"{PINNED}logs:{WHERE}:log-group:/aws/lambda/pawport-egress-{stage}(-[a-z_*]+)?(:\*)?"
    own_key = rf"{PINNED}ssm:{WHERE}:parameter{re.escape(LLM_KEY_PARAMETER.format(stage=stage))}"
    problems += [f"egress may {g.action} on {list(g.resources)}" for g in grants_of(policy)
                 if not (g.action.lower() in LOG_ACTIONS and all(re.fullmatch(own_logs, r) for r in g.resources))
                 and not (g.action == "ssm:GetParameter" and all(re.fullmatch(own_key, r) for r in g.resources))]
    return problems


def invoke_permissions(policy: dict, service: str, stage: str) -> list[str]:
    """Every way this role may invoke a function, but workers' InvokeFunction on control's aggregates
    and on egress's extract and ask, and the api's on workers' draft review, each alone in its statement."""
    allowed = {rf"{PINNED}lambda:{WHERE}:function:{re.escape(name.format(stage=stage))}"
               for name in (CONTROL_AGGREGATES_FUNCTION, EGRESS_EXTRACT_FUNCTION, EGRESS_ASK_FUNCTION)}
    reviews = rf"{PINNED}lambda:{WHERE}:function:{re.escape(WORKERS_REVIEW_DRAFT_FUNCTION.format(stage=stage))}"
    problems = []
    for action in INVOKE_ACTIONS:
        for grant in grants(policy, action):
            if service == OPERATOR_METRICS_SERVICE and grant.action == "lambda:InvokeFunction" \
                    and len(grant.resources) == 1 and any(re.fullmatch(a, grant.resources[0]) for a in allowed):
                continue
            if service == "api" and grant.action == "lambda:InvokeFunction" and len(grant.resources) == 1 \
                    and re.fullmatch(reviews, grant.resources[0]):
                continue
            problems.append(f"{service} may {grant.action} on {list(grant.resources)}")
    return problems


def base_stack_roles_read_no_secret(template: Template) -> list[str]:
    return [problem for name, role in of_type(template, "AWS::IAM::Role").items()
            for policy in props(role).get("Policies", [])
            for problem in no_secret_reads(policy["PolicyDocument"], name)]


# ---- packaged (synthesized) templates ----

def functions(template: Template) -> dict[str, dict]:
    return of_type(template, "AWS::Serverless::Function") | of_type(template, "AWS::Lambda::Function")


def vpc_only_for_control(template: Template, service: str) -> list[str]:
    problems = []
    for name, function in functions(template).items():
        vpc = props(function).get("VpcConfig")
        if service == "control" and not (vpc and vpc.get("SubnetIds") and vpc.get("SecurityGroupIds")):
            problems.append(f"control's {name} has no VpcConfig")
        if service != "control" and vpc:
            problems.append(f"{service}'s {name} is in a VPC")
    return problems


def control_invokers(template: Template, stage: str, topics: dict | None = None) -> list[str]:
    """Who control's resource policies let invoke it: API Gateway and its schedules, and each topic
    resources.yaml declares for control, only on that topic's own handler (SES feedback arrives as
    an event pushed in: an invocation needs no route out). Nothing else.
    (Workers invoke the aggregates function through their own role, in the same account: no
    resource policy is needed for that, so none is allowed.)"""
    problems = [f"{name}: a function URL makes control invocable from anywhere"
                for name in of_type(template, "AWS::Lambda::Url")]
    for name, permission in of_type(template, "AWS::Lambda::Permission").items():
        p = props(permission)
        if p.get("Principal") in SYNC_INVOKERS_OF_CONTROL or _declared_topic_push(template, p, stage, topics or {}):
            continue
        problems.append(f"{name}: {p.get('Principal')} may invoke control")
    return problems


def _declared_topic_push(template: Template, permission: dict, stage: str, topics: dict) -> bool:
    if permission.get("Principal") != "sns.amazonaws.com":
        return False
    handler = props(template["Resources"].get(target(permission.get("FunctionName")), {})).get("Handler", "")
    source = text(permission.get("SourceArn"))
    return any(topic.get("service") == "control" and handler == f"app.{topic['handler']}"
               and source.endswith(f":sns:${{AWS::Region}}:${{AWS::AccountId}}:pawport-{stage}-{logical}")
               for logical, topic in topics.items())


def mappings_report_batch_failures(template: Template) -> list[str]:
    return [f"{name}: no ReportBatchItemFailures, a returned batchItemFailures list would be ignored"
            for name, mapping in of_type(template, "AWS::Lambda::EventSourceMapping").items()
            if props(mapping).get("FunctionResponseTypes") != ["ReportBatchItemFailures"]]


def role_policies(template: Template) -> dict[str, list[dict]]:
    return {name: [p["PolicyDocument"] for p in props(role).get("Policies", [])]
            for name, role in of_type(template, "AWS::IAM::Role").items()}


def polled_queues_say_why(template: Template, queues: dict) -> list[str]:
    """Every SQS queue a Lambda event source mapping polls must carry `polled_because` in
    infra/resources.yaml: an idle mapping long-polls all month. (A translated template.)"""
    problems = []
    for name, mapping in of_type(template, "AWS::Lambda::EventSourceMapping").items():
        source = json.dumps(props(mapping).get("EventSourceArn"))
        if ":sqs:" not in source:
            continue
        logical = next((q for q in queues if re.search(rf"pawport-[a-z0-9]+-{re.escape(q)}\"", source)), None)
        if logical is None:
            problems.append(f"{name} polls a queue infra/resources.yaml does not declare: {source}")
        elif not str(queues[logical].get("polled_because") or "").strip():
            problems.append(f"{name} polls {logical} with no polled_because beside it in infra/resources.yaml")
    return problems


def pushed_rules_retry_then_dead_letter(template: Template) -> list[str]:
    """Every rule with an event pattern (a translated template): a Lambda target with 2 retries and a
    dead-letter queue, and its function's asynchronous invocation the same."""
    problems = []
    invoke_configs = {target(props(c).get("FunctionName")): props(c)
                      for c in of_type(template, "AWS::Lambda::EventInvokeConfig").values()}
    for name, rule in of_type(template, "AWS::Events::Rule").items():
        if "EventPattern" not in props(rule):
            continue
        for rule_target in props(rule).get("Targets", []):
            function = target(rule_target.get("Arn"))
            if (rule_target.get("RetryPolicy") or {}).get("MaximumRetryAttempts") != 2 \
                    or "Arn" not in (rule_target.get("DeadLetterConfig") or {}):
                problems.append(f"{name}: its target has no 2-retry policy and dead-letter queue")
            if (invoke_configs.get(function) or {}).get("MaximumRetryAttempts") != 2:
                problems.append(f"{name}: {function}'s asynchronous invocation is not retried twice")
            if "TargetArn" not in (props(functions(template).get(function, {})).get("DeadLetterConfig") or {}):
                problems.append(f"{name}: {function} has no dead-letter queue")
    return problems


def pushed_topics_retry_then_dead_letter(template: Template) -> list[str]:
    """Every function a topic pushes to (a translated template): SNS invokes it asynchronously, so its
    invocation is retried twice and what still fails ends in a dead-letter queue."""
    problems = []
    invoke_configs = {target(props(c).get("FunctionName")): props(c)
                      for c in of_type(template, "AWS::Lambda::EventInvokeConfig").values()}
    for name, subscription in of_type(template, "AWS::SNS::Subscription").items():
        if props(subscription).get("Protocol") != "lambda":
            continue
        function = target(props(subscription).get("Endpoint"))
        if (invoke_configs.get(function) or {}).get("MaximumRetryAttempts") != 2:
            problems.append(f"{name}: {function}'s asynchronous invocation is not retried twice")
        if "TargetArn" not in (props(functions(template).get(function, {})).get("DeadLetterConfig") or {}):
            problems.append(f"{name}: {function} has no dead-letter queue")
    return problems
