"""What the VPC may look up and what is kept of what happens: the DNS firewall, the query log, every
function's and stage's log group with a retention, and the extraction path's concurrency cap. Rule
functions over templates, each returning the problems it finds (empty: the rule holds)."""
import re

from tests.infra.infra_rules import Template, control_subnets, endpoint_actions, functions, of_type, props, target, text

# The names control's code looks up, each answered by AWS's own name servers.
DYNAMODB_NAMES = {"dynamodb.${AWS::Region}.amazonaws.com"}
AURORA_NAMES = {"*.${AWS::Region}.rds.amazonaws.com"}   # the cluster endpoint and the instance it CNAMEs to
S3_NAMES = {"s3.${AWS::Region}.amazonaws.com", "*.s3.${AWS::Region}.amazonaws.com"}
EVERY_DOMAIN = ["*"]
ACCESS_LOG_FIELDS = ("$context.requestId", "$context.status", "$context.resourcePath", "$context.httpMethod")
CALLER_FIELDS = ("$context.identity.sourceIp", "$context.authorizer.claims.sub")
NO_BODIES = re.compile(r"body|\$input|requestOverride|responseOverride", re.IGNORECASE)
UPLOAD_EVENTS, EXTRACT = "upload_events", "extract"


def names_control_uses(template: Template) -> set[str]:
    """DynamoDB and Aurora; S3 only while the S3 endpoint's policy allows some action."""
    names = set(AURORA_NAMES if of_type(template, "AWS::RDS::DBCluster") else ())
    used = endpoint_actions(template)
    names |= DYNAMODB_NAMES if used.get("dynamodb") else set()
    return names | (S3_NAMES if used.get("s3") else set())


def dns_firewall(template: Template) -> list[str]:
    """A rule group on control's VPC that allows only the names control uses, then blocks every
    other name; and the VPC's queries logged to a log group with a retention."""
    vpc = target(props(template["Resources"][control_subnets(template)[0]]).get("VpcId"))
    associations = [a for a in of_type(template, "AWS::Route53Resolver::FirewallRuleGroupAssociation").values()
                    if target(props(a).get("VpcId")) == vpc]
    problems = [] if associations else [f"no DNS firewall rule group on {vpc}"]
    for association in associations:
        group = template["Resources"].get(target(props(association).get("FirewallRuleGroupId")) or "", {})
        problems += _rule_group(template, props(group).get("FirewallRules", []))
    return problems + _query_logging(template, vpc)


def _rule_group(template: Template, rules: list[dict]) -> list[str]:
    if not rules:
        return ["the DNS firewall rule group has no rules"]
    ordered = sorted(rules, key=lambda r: r.get("Priority", 0))
    last = ordered[-1]
    problems = []
    if last.get("Action") != "BLOCK" or _domains(template, last) != EVERY_DOMAIN:
        problems.append("the DNS firewall's last rule does not block every domain ('*')")
    allowed = names_control_uses(template)
    for rule in ordered[:-1]:
        extra = [d for d in _domains(template, rule) if d not in allowed]
        if rule.get("Action") == "ALLOW" and extra:
            problems.append(f"the DNS firewall allows names control does not use: {extra}")
    return problems


def _domains(template: Template, rule: dict) -> list[str]:
    listed = template["Resources"].get(target(rule.get("FirewallDomainListId")) or "", {})
    return [text(d) for d in props(listed).get("Domains", [])]


def _query_logging(template: Template, vpc: str | None) -> list[str]:
    configs = {target(props(a).get("ResolverQueryLogConfigId"))
               for a in of_type(template, "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation").values()
               if target(props(a).get("ResourceId")) == vpc}
    logged = [c for c in configs if _retained(template, props(template["Resources"].get(c or "", {})).get("DestinationArn"))]
    return [] if logged else [f"{vpc}'s DNS queries are not logged to a log group with a retention"]


def _retained(template: Template, arn: object) -> bool:
    group = template["Resources"].get(target(arn) or "", {})
    return group.get("Type") == "AWS::Logs::LogGroup" and bool(props(group).get("RetentionInDays"))


def base_logs_retained(template: Template) -> list[str]:
    """Every log group has a retention; each log an Aurora cluster exports has its declared group."""
    problems = [f"{name}: log group {text(props(g).get('LogGroupName'))} keeps its logs forever"
                for name, g in of_type(template, "AWS::Logs::LogGroup").items() if not props(g).get("RetentionInDays")]
    declared = {text(props(g).get("LogGroupName")) for g in of_type(template, "AWS::Logs::LogGroup").values()}
    for name, cluster in of_type(template, "AWS::RDS::DBCluster").items():
        identifier = text(props(cluster).get("DBClusterIdentifier"))
        for export in props(cluster).get("EnableCloudwatchLogsExports", []):
            if f"/aws/rds/cluster/{identifier}/{export}" not in declared:
                problems.append(f"{name}: its exported {export} log has no declared log group (RDS makes one kept forever)")
        if not props(cluster).get("EnableCloudwatchLogsExports"):
            problems.append(f"{name}: exports no PostgreSQL log")
    return problems


def function_logs_retained(template: Template) -> list[str]:
    """A packaged template: every function's /aws/lambda/<name> group declared with a retention and
    created before the function (or Lambda makes one, kept forever)."""
    groups = {text(props(g).get("LogGroupName")): (name, g) for name, g in of_type(template, "AWS::Logs::LogGroup").items()}
    problems = []
    for name, function in functions(template).items():
        function_name = props(function).get("FunctionName")
        found = groups.get(f"/aws/lambda/{function_name}") if function_name else None
        if found is None:
            problems.append(f"{name}: no log group /aws/lambda/{function_name}")
            continue
        if not props(found[1]).get("RetentionInDays"):
            problems.append(f"{name}: its log group keeps logs forever")
        depends = function.get("DependsOn") or []
        if found[0] not in ([depends] if isinstance(depends, str) else depends):
            problems.append(f"{name}: not created after its log group (Lambda could create one without retention)")
    return problems


def stages_logged_and_throttled(template: Template) -> list[str]:
    """A packaged template: every API stage writes access logs (request id, caller, route, status;
    no bodies) to a group with a retention, is throttled, and traces no data."""
    problems = []
    for name, api in of_type(template, "AWS::Serverless::Api").items():
        setting = props(api).get("AccessLogSetting") or {}
        fmt = str(setting.get("Format", ""))
        if not _retained(template, setting.get("DestinationArn")):
            problems.append(f"{name}: no access log to a log group with a retention")
        missing = [f for f in ACCESS_LOG_FIELDS if f not in fmt] + ([] if any(c in fmt for c in CALLER_FIELDS) else ["caller"])
        if setting and missing:
            problems.append(f"{name}: access log lacks {missing}")
        if NO_BODIES.search(fmt):
            problems.append(f"{name}: access log format writes a body or an override")
        everything = [m for m in props(api).get("MethodSettings", [])
                      if m.get("ResourcePath") == "/*" and m.get("HttpMethod") == "*"]
        if not everything or not all(m.get("ThrottlingRateLimit") and m.get("ThrottlingBurstLimit") for m in everything):
            problems.append(f"{name}: the stage is not throttled on every method")
        if any(m.get("DataTraceEnabled") is not False for m in everything):
            problems.append(f"{name}: data tracing (full requests and responses in the logs) not explicitly off")
    return problems


def extraction_capped(reserved: dict[str, int | None]) -> list[str]:
    """`reserved`: the reserved concurrency of workers' upload_events and egress's extract. Each
    upload_events call waits on one extract, so extract must have at least as many."""
    upload_events, extract = reserved.get(UPLOAD_EVENTS), reserved.get(EXTRACT)
    if not upload_events or not extract:
        return [f"{fn} has no reserved concurrency" for fn in (UPLOAD_EVENTS, EXTRACT) if not reserved.get(fn)]
    if extract < upload_events:
        return [f"extract ({extract}) below upload_events ({upload_events}): the surplus calls would be throttled and fail"]
    return []


def packaged_reserved(template: Template, handler: str) -> int | None:
    for function in functions(template).values():
        if str(props(function).get("Handler", "")).endswith(f".{handler}"):
            return props(function).get("ReservedConcurrentExecutions")
    return None
