"""The boundary rules of issue 5 as functions over templates and policies.

Each returns the list of problems it finds (empty: the rule holds), so a test can run it on the
real template and on a deliberately broken copy and show it catches the mistake.
"""
import re

from infra_iam import Grant, grants, grants_of

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
# The one invoke permission in the project: workers' weekly operator metrics (outside the VPC)
# invoke control's aggregates-only function, because control cannot reach CloudWatch. Every other
# invoke permission, anywhere, fails these rules.
OPERATOR_METRICS_SERVICE = "workers"
CONTROL_AGGREGATES_FUNCTION = "pawport-control-{stage}-operator_aggregates"
SYNC_INVOKERS_OF_CONTROL = {"apigateway.amazonaws.com", "events.amazonaws.com"}


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
    for service in ("s3", "dynamodb"):
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
    prefix_lists = {"S3PrefixListId", "DynamoDbPrefixListId"}
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
                    "RDS-managed master password": p.get("ManageMasterUserPassword") is True
                    and "MasterUserPassword" not in p,
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


def _db_subnets(template: Template, cluster: dict) -> set[str]:
    group = template["Resources"].get(target(cluster.get("DBSubnetGroupName")) or "", {})
    return {target(s) for s in props(group).get("SubnetIds", [])}


# ---- IAM: control ----

def classify_control(grant: Grant, stage: str, endpoints: dict[str, set[str]]) -> str | None:
    """Why control may hold this grant, or None when it may not."""
    action, resources = grant.action.lower(), grant.resources
    if action in LOG_ACTIONS and all(r.startswith(f"arn:aws:logs:*:*:log-group:/aws/lambda/pawport-control-{stage}-")
                                     for r in resources):
        return f"CloudWatch Logs, {LAMBDA_SERVICE}"
    if action in ENI_ACTIONS:
        return f"VPC network interfaces, {LAMBDA_SERVICE}"
    if action in POLL_ACTIONS and all(r.startswith(f"arn:aws:sqs:*:*:pawport-{stage}-") for r in resources):
        return f"SQS polling by the event source mapping, {LAMBDA_SERVICE}"
    if action.startswith("dynamodb:") and action in endpoints.get("dynamodb", set()) and all(
            re.fullmatch(rf"arn:aws:dynamodb:\*:\*:table/pawport-{stage}-main(/index/\*)?", r) for r in resources):
        return "DynamoDB through the gateway endpoint"
    if action.startswith("s3:") and action in endpoints.get("s3", set()) and all(
            re.fullmatch(rf"arn:aws:s3:::pawport-{stage}-(uploads|jobs|passports)/[a-z-]+/\*", r) for r in resources):
        return "S3 through the gateway endpoint"
    if action == "rds-db:connect" and all(re.fullmatch(r"arn:aws:rds-db:[^:]+:[^:]+:dbuser:[^/]+/pawport_control", r)
                                          for r in resources):
        return "Aurora as its own database user (IAM auth token signed locally)"
    return None


def control_reachable_only(policy: dict, stage: str, endpoints: dict[str, set[str]]) -> list[str]:
    problems = [f"control may {g.action} ({g.sid}), unreachable without NAT"
                for action in UNREACHABLE_FROM_VPC for g in grants(policy, action)]
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


def egress_confined(policy: dict, stage: str) -> list[str]:
    problems = no_database_access(policy, "egress")
    problems += [f"egress may {g.action}" for g in grants(policy, "dynamodb:*")]
    allowed = {"s3:getobject": rf"arn:aws:s3:::pawport-{stage}-jobs/(jobs|results)/\*",
               "s3:putobject": rf"arn:aws:s3:::pawport-{stage}-jobs/(results|usage)/\*",
               "s3:listbucket": rf"arn:aws:s3:::pawport-{stage}-jobs"}   # keys only: 404 instead of 403
    for grant in grants(policy, "s3:*"):
        pattern = allowed.get(grant.action.lower())
        if pattern is None or not all(re.fullmatch(pattern, r) for r in grant.resources):
            problems.append(f"egress may {grant.action} on {list(grant.resources)}, beyond its job prefixes")
    for grant in grants_of(policy):
        action = grant.action.lower()
        if not (action.startswith("s3:") or action in LOG_ACTIONS or
                (action in POLL_ACTIONS and grant.resources == (f"arn:aws:sqs:*:*:pawport-{stage}-extraction-jobs",))):
            problems.append(f"egress may {grant.action} on {list(grant.resources)}")
    return problems


def invoke_permissions(policy: dict, service: str, stage: str) -> list[str]:
    """Every way this role may invoke a function, but workers' InvokeFunction on control's aggregates."""
    aggregates = f"arn:aws:lambda:*:*:function:{CONTROL_AGGREGATES_FUNCTION.format(stage=stage)}"
    problems = []
    for action in INVOKE_ACTIONS:
        for grant in grants(policy, action):
            if service == OPERATOR_METRICS_SERVICE and grant.action == "lambda:InvokeFunction" \
                    and grant.resources == (aggregates,):
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


def control_invokers(template: Template, stage: str) -> list[str]:
    """Who control's resource policies let invoke it: API Gateway and its schedules, nothing else.
    (Workers invoke the aggregates function through their own role, in the same account: no
    resource policy is needed for that, so none is allowed.)"""
    problems = [f"{name}: a function URL makes control invocable from anywhere"
                for name in of_type(template, "AWS::Lambda::Url")]
    for name, permission in of_type(template, "AWS::Lambda::Permission").items():
        p = props(permission)
        if p.get("Principal") not in SYNC_INVOKERS_OF_CONTROL:
            problems.append(f"{name}: {p.get('Principal')} may invoke control")
    return problems


def mappings_report_batch_failures(template: Template) -> list[str]:
    return [f"{name}: no ReportBatchItemFailures, a returned batchItemFailures list would be ignored"
            for name, mapping in of_type(template, "AWS::Lambda::EventSourceMapping").items()
            if props(mapping).get("FunctionResponseTypes") != ["ReportBatchItemFailures"]]


def role_policies(template: Template) -> dict[str, list[dict]]:
    return {name: [p["PolicyDocument"] for p in props(role).get("Policies", [])]
            for name, role in of_type(template, "AWS::IAM::Role").items()}
