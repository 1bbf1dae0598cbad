"""The base stack's declared resources and public edges (buckets, CloudFront, Cognito), as rule
functions over the template: each returns the problems it finds (empty: the rule holds)."""
from collections.abc import Callable

from tests.infra.infra_rules import Template, of_type, props, target, text

# ---- declared resources and the rest of the base stack ----

def named(template: Template, kind: str, key: str, physical: str) -> tuple[str, dict] | None:
    for name, resource in of_type(template, kind).items():
        if text(props(resource).get(key)) == physical:
            return name, resource
    return None


SUB = "pawport-${Stage}-"   # the physical-name scheme of infra/resources.yaml, per stage


def declares_resources(template: Template, declaration: dict) -> list[str]:
    queues, problems = _declared_queues(template, declaration["queues"])
    problems += _declared_tables(template, declaration["tables"])
    problems += _declared_buckets(template, declaration["buckets"], queues)
    problems += _declared_topics(template, declaration["topics"], queues)
    problems += [f"dead-letter queue {q} missing" for q in declaration.get("dead_letter_queues", {})
                 if not named(template, "AWS::SQS::Queue", "QueueName", SUB + q)]
    if declaration["stream_failures_queue"] not in queues.values():
        problems.append("stream failures queue missing")
    return problems


def _declared_tables(template: Template, tables: dict) -> list[str]:
    problems = []
    for logical, spec in tables.items():
        found = named(template, "AWS::DynamoDB::Table", "TableName", SUB + logical)
        p = props(found[1]) if found else {}
        expected = {
            "declared": bool(found),
            "keys": {k["KeyType"]: k["AttributeName"] for k in p.get("KeySchema", [])}
            == {"HASH": spec["hash_key"], "RANGE": spec["range_key"]},
            "stream": p.get("StreamSpecification", {}).get("StreamViewType") == spec["stream"],
            "TTL": p.get("TimeToLiveSpecification") == {"AttributeName": spec["ttl_attribute"], "Enabled": True},
            "point-in-time recovery": p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"),
        }
        problems += [f"table {logical}: {what} differs" for what, ok in expected.items() if not ok]
    return problems


def _declared_queues(template: Template, queues: dict) -> tuple[dict[str, str], list[str]]:
    """Logical ids of the declared queues (-> declared name), and what differs."""
    found_names, problems = {}, []
    for logical, spec in queues.items():
        main = named(template, "AWS::SQS::Queue", "QueueName", SUB + logical)
        dlq = named(template, "AWS::SQS::Queue", "QueueName", SUB + logical + "-dlq")
        if not main or not dlq:
            problems.append(f"queue {logical} or its -dlq twin missing")
            continue
        found_names[main[0]] = logical
        redrive = props(main[1]).get("RedrivePolicy", {})
        if target(redrive.get("deadLetterTargetArn")) != dlq[0] or redrive.get("maxReceiveCount") != spec["max_receive_count"]:
            problems.append(f"queue {logical} does not redrive to its -dlq after {spec['max_receive_count']}")
        if props(main[1]).get("VisibilityTimeout") != spec["visibility_timeout"]:
            problems.append(f"queue {logical} visibility timeout")
    return found_names, problems


def _declared_buckets(template: Template, buckets: dict, queues: dict[str, str]) -> list[str]:
    problems = []
    for logical, spec in buckets.items():
        found = named(template, "AWS::S3::Bucket", "BucketName", SUB + logical)
        if not found:
            problems.append(f"bucket {logical} missing")
            continue
        p = props(found[1])
        if spec.get("versioned") and p.get("VersioningConfiguration", {}).get("Status") != "Enabled":
            problems.append(f"bucket {logical} not versioned")
        declared = {(n["queue"], n.get("prefix"), n.get("suffix")) for n in spec.get("notifications", [])}
        built = set()
        for q in p.get("NotificationConfiguration", {}).get("QueueConfigurations", []):
            rules = {r["Name"]: r["Value"] for r in q.get("Filter", {}).get("S3Key", {}).get("Rules", [])}
            built.add((queues.get(target(q["Queue"])), rules.get("prefix"), rules.get("suffix")))
        if built != declared:
            problems.append(f"bucket {logical} notifications {sorted(map(str, built))} != {sorted(map(str, declared))}")
        to_event_bridge = p.get("NotificationConfiguration", {}).get("EventBridgeConfiguration", {})
        if bool(spec.get("event_bridge")) != bool(to_event_bridge.get("EventBridgeEnabled")):
            problems.append(f"bucket {logical}: EventBridge notifications differ from resources.yaml")
    return problems


def _declared_topics(template: Template, topics: dict, queues: dict[str, str]) -> list[str]:
    problems = []
    for logical in topics:
        found = named(template, "AWS::SNS::Topic", "TopicName", SUB + logical)
        subscribed = {queues.get(target(props(s)["Endpoint"])) for s in of_type(template, "AWS::SNS::Subscription").values()
                      if found and target(props(s)["TopicArn"]) == found[0]}
        if not found or subscribed:   # a topic pushes to its function (packaged), never through a queue
            problems.append(f"topic {logical} missing or feeding queues {subscribed}")
    return problems


def cognito_srp_only(template: Template, declaration: dict) -> list[str]:
    problems = []
    pool = declaration["user_pool"]
    if not named(template, "AWS::Cognito::UserPool", "UserPoolName", f"pawport-${{Stage}}-{pool['name']}"):
        problems.append("user pool missing")
    client = named(template, "AWS::Cognito::UserPoolClient", "ClientName", f"pawport-${{Stage}}-{pool['client']}")
    if not client:
        return problems + ["web client missing"]
    p = props(client[1])
    flows = set(p.get("ExplicitAuthFlows", []))
    if flows != {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}:
        problems.append(f"web client flows {sorted(flows)}: SRP and refresh only outside the local stage")
    if p.get("GenerateSecret") is not False:
        problems.append("a public client has no secret")
    if set(p.get("ReadAttributes", [])) != set(pool["read_attributes"]):
        problems.append("web client read attributes differ from the local stack's")
    return problems


def buckets_private(template: Template) -> list[str]:
    problems = []
    block = {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    for name, bucket in of_type(template, "AWS::S3::Bucket").items():
        p = props(bucket)
        if p.get("PublicAccessBlockConfiguration") != block:
            problems.append(f"{name}: public access not fully blocked")
        if not p.get("BucketEncryption"):
            problems.append(f"{name}: no default encryption")
        if not p.get("LifecycleConfiguration", {}).get("Rules"):
            problems.append(f"{name}: no lifecycle rules")
    uploads = named(template, "AWS::S3::Bucket", "BucketName", "pawport-${Stage}-uploads")
    rules = props(uploads[1])["LifecycleConfiguration"]["Rules"] if uploads else []
    # Draft uploads go with their draft, through the table's stream (tests/integration/test_file_cleanup.py).
    expiring = {r.get("Prefix") for r in rules if "ExpirationInDays" in r}
    if "quarantine/" not in expiring:
        problems.append("rejected uploads do not expire")
    return problems


def branches(items: list) -> list[dict]:
    """A list's entries under any condition: both sides of an Fn::If, without AWS::NoValue."""
    entries = [side for item in items for side in (item["Fn::If"][1:] if "Fn::If" in item else [item])]
    return [e for e in entries if e != {"Ref": "AWS::NoValue"}]


def cloudfront_oac(template: Template) -> list[str]:
    """The bucket is read through Origin Access Control; the APIs (custom origins) over HTTPS only."""
    problems = []
    for name, distribution in of_type(template, "AWS::CloudFront::Distribution").items():
        config = props(distribution)["DistributionConfig"]
        for origin in branches(config["Origins"]):
            custom = origin.get("CustomOriginConfig")
            if custom is None and "OriginAccessControlId" not in origin:
                problems.append(f"{name}: origin {origin['Id']} without Origin Access Control")
            elif custom is not None and custom.get("OriginProtocolPolicy") != "https-only":
                problems.append(f"{name}: origin {origin['Id']} reached without HTTPS")
    return problems if of_type(template, "AWS::CloudFront::Distribution") else ["no CloudFront distribution"]


# What the default behaviour's viewer-request function must make of each path: the app's routes are
# its index.html; a passport's directory is its own page; any other /p/ path and every file as asked.
WEB_PATHS = {"/": "/index.html", "/pets/p1": "/index.html", "/households/h1/audit": "/index.html",
             "/assets/index-3f2a.js": "/assets/index-3f2a.js", "/config.json": "/config.json",
             "/p/tok1/": "/p/tok1/index.html", "/p/tok1/passport.json": "/p/tok1/passport.json",
             "/p/tok1": "/p/tok1", "/p/tok1/missing": "/p/tok1/missing"}
# What its viewer-response function must answer for (path, status from the origin).
WEB_STATUSES = {("/p/tok1/index.html", 403): 404, ("/p/tok1/index.html", 200): 200,
                ("/assets/gone.js", 403): 403, ("/index.html", 200): 200}


def cloudfront_paths(template: Template, run: Callable[[str, list[dict]], list[dict]]) -> list[str]:
    """The single-page app's fallback leaves /p/* alone, so a taken-down passport is not found: no
    custom error response (they are distribution-wide: /p/* and any API behaviour's 403/404 would
    answer the app with 200); the rewrite and the 403 -> 404 for /p/ are the default behaviour's
    CloudFront Functions, each run by `run(code, events)` on WEB_PATHS and WEB_STATUSES."""
    problems = []
    codes = {name: props(f).get("FunctionCode", "") for name, f in of_type(template, "AWS::CloudFront::Function").items()}
    for name, distribution in of_type(template, "AWS::CloudFront::Distribution").items():
        config = props(distribution)["DistributionConfig"]
        problems += [f"{name}: custom error response {e.get('ErrorCode')} -> {e.get('ResponseCode')} "
                     f"{e.get('ResponsePagePath')} answers every path, /p/* too"
                     for e in config.get("CustomErrorResponses", [])
                     if e.get("ResponsePagePath") or str(e.get("ResponseCode", "")).startswith("2")]
        by_event = {a.get("EventType"): codes.get(target(a.get("FunctionARN")) or "", "")
                    for a in config["DefaultCacheBehavior"].get("FunctionAssociations", [])}
        rewritten = _outcomes(run, by_event.get("viewer-request"), [{"request": {"uri": uri}} for uri in WEB_PATHS])
        problems += [f"{name}: {uri} is served as {(got or {}).get('uri')}, not {want}"
                     for (uri, want), got in zip(WEB_PATHS.items(), rewritten, strict=True) if (got or {}).get("uri") != want]
        answered = _outcomes(run, by_event.get("viewer-response"),
                             [{"request": {"uri": uri}, "response": {"statusCode": status}} for uri, status in WEB_STATUSES])
        problems += [f"{name}: {uri} answering {status} reaches the viewer as {(got or {}).get('statusCode')}, not {want}"
                     for ((uri, status), want), got in zip(WEB_STATUSES.items(), answered, strict=True)
                     if (got or {}).get("statusCode") != want]
    return problems


def _outcomes(run: Callable[[str, list[dict]], list[dict]], code: str | None, events: list[dict]) -> list[dict | None]:
    return list(run(code, events)) if code else [None] * len(events)


CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"   # Authorization and the query string, not Host
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
# Each API on the app's origin: the parameter naming its domain, and the path its API Gateway must
# be asked for each path the app calls (both Chalice stages are named "api").
API_ROUTES = {
    "/api/*": ("ApiOriginDomain", {"/api/me/households": "/api/me/households",
                                   "/api/pets/p1/quick-show": "/api/pets/p1/quick-show"}),
    "/control/*": ("ControlOriginDomain", {"/control/households": "/api/households",
                                           "/control/reminders/unsubscribe": "/api/reminders/unsubscribe"}),
}


def api_routes(template: Template, parameters: dict[str, str],
               run: Callable[[str, list[dict]], list[dict]]) -> list[str]:
    """On the template deployed with both APIs' domains (`parameters`): /api/* and /control/* reach
    their API Gateway stage over HTTPS, never cached, every method allowed, every header but Host
    forwarded, without the app's rewrite (its functions are the default behaviour's)."""
    problems = []
    codes = {name: props(f).get("FunctionCode", "") for name, f in of_type(template, "AWS::CloudFront::Function").items()}
    for name, distribution in of_type(template, "AWS::CloudFront::Distribution").items():
        config = props(distribution)["DistributionConfig"]
        origins = {o["Id"]: o for o in config["Origins"]}
        behaviours = {b.get("PathPattern"): b for b in config.get("CacheBehaviors", [])}
        app_functions = {target(a.get("FunctionARN")) for a in config["DefaultCacheBehavior"].get("FunctionAssociations", [])}
        for pattern, (parameter, paths) in API_ROUTES.items():
            if pattern not in behaviours:
                problems.append(f"{name}: no {pattern} behaviour")
                continue
            behaviour = behaviours[pattern]
            origin = origins.get(behaviour.get("TargetOriginId"), {})
            problems += [f"{name} {pattern}: {p}" for p in _api_behaviour(behaviour, app_functions)]
            if origin.get("DomainName") != parameters[parameter]:
                problems.append(f"{name} {pattern}: reaches {origin.get('DomainName')}, not {parameter}")
            reached = _origin_paths(run, codes, behaviour, origin, paths)
            problems += [f"{name} {pattern}: {uri} reaches the API as {got}, not {want}"
                         for (uri, want), got in zip(paths.items(), reached, strict=True) if got != want]
    return problems


def _api_behaviour(behaviour: dict, app_functions: set[str | None]) -> list[str]:
    attached = {target(a.get("FunctionARN")) for a in behaviour.get("FunctionAssociations", [])}
    expected = {
        "cached (not the CachingDisabled policy)": behaviour.get("CachePolicyId") == CACHING_DISABLED,
        "not the AllViewerExceptHostHeader policy (Authorization and the query string, never Host)":
            behaviour.get("OriginRequestPolicyId") == ALL_VIEWER_EXCEPT_HOST,
        "not every method allowed": set(behaviour.get("AllowedMethods", [])) == ALL_METHODS,
        "not HTTPS only": behaviour.get("ViewerProtocolPolicy") == "https-only",
        "the app's rewrite attached": not attached & app_functions,
    }
    return [what for what, ok in expected.items() if not ok]


def _origin_paths(run: Callable[[str, list[dict]], list[dict]], codes: dict[str, str], behaviour: dict, origin: dict,
                  paths: dict[str, str]) -> list[str | None]:
    """The path the origin is asked for: the viewer-request function's uri under the OriginPath."""
    request = [a for a in behaviour.get("FunctionAssociations", []) if a.get("EventType") == "viewer-request"]
    code = codes.get(target(request[0].get("FunctionARN")) or "", "") if request else None
    events = [{"request": {"uri": uri}} for uri in paths]
    rewritten = list(run(code, events)) if code else [e["request"] for e in events]
    return [origin.get("OriginPath", "") + got["uri"] if got and "uri" in got else None for got in rewritten]


def cloudfront_origins_complete(template: Template) -> list[str]:
    """On a deployed template, every behaviour reaches a declared origin that has a domain: on the
    first deploy, before the APIs' stacks exist, their behaviours and origins are left out together."""
    problems = []
    for name, distribution in of_type(template, "AWS::CloudFront::Distribution").items():
        config = props(distribution)["DistributionConfig"]
        origins = {o["Id"]: o for o in config["Origins"]}
        problems += [f"{name}: origin {o} has no domain" for o, origin in origins.items() if not origin.get("DomainName")]
        problems += [f"{name}: {b.get('PathPattern', 'default')} reaches no declared origin"
                     for b in [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
                     if b.get("TargetOriginId") not in origins]
    return problems


MAX_REFRESH_DAYS = 7


def cognito_hardened(template: Template) -> list[str]:
    """Optional TOTP MFA, an email changes only once verified, refresh tokens of days, threat
    protection behind a parameter that is off by default."""
    problems = []
    for name, pool in of_type(template, "AWS::Cognito::UserPool").items():
        p = props(pool)
        if p.get("MfaConfiguration") not in ("OPTIONAL", "ON") or "SOFTWARE_TOKEN_MFA" not in p.get("EnabledMfas", []):
            problems.append(f"{name}: no TOTP MFA offered")
        if "email" not in (p.get("UserAttributeUpdateSettings") or {}).get("AttributesRequireVerificationBeforeUpdate", []):
            problems.append(f"{name}: an email changes before it is verified")
        mode = (p.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode")
        condition = mode.get("Fn::If", [None])[0] if isinstance(mode, dict) else None
        parameter = _condition_parameter(template, condition)
        if parameter is None or template["Parameters"][parameter].get("Default") != "false":
            problems.append(f"{name}: threat protection is not a parameter, off by default")
    for name, client in of_type(template, "AWS::Cognito::UserPoolClient").items():
        p = props(client)
        unit = (p.get("TokenValidityUnits") or {}).get("RefreshToken", "days")
        days = p.get("RefreshTokenValidity", 30) / {"days": 1, "hours": 24, "minutes": 1440, "seconds": 86400}[unit]
        if days > MAX_REFRESH_DAYS:
            problems.append(f"{name}: refresh tokens last {days:g} days")
    return problems


def _condition_parameter(template: Template, condition: str | None) -> str | None:
    """The parameter a condition of the form !Equals [!Ref P, "true"] tests."""
    equals = template.get("Conditions", {}).get(condition or "", {}).get("Fn::Equals", [])
    refs = [target(v) for v in equals if target(v)]
    return refs[0] if refs and refs[0] in template.get("Parameters", {}) else None


def data_trail_optional(template: Template) -> list[str]:
    """A trail of S3 object and DynamoDB item events, behind a parameter that is off by default."""
    trails = of_type(template, "AWS::CloudTrail::Trail")
    if not trails:
        return ["no data-event trail"]
    problems = []
    for name, trail in trails.items():
        parameter = _condition_parameter(template, trail.get("Condition"))
        if parameter is None or template["Parameters"][parameter].get("Default") != "false":
            problems.append(f"{name}: not a parameter that is off by default")
        kinds = {v for s in props(trail).get("AdvancedEventSelectors", []) for f in s.get("FieldSelectors", [])
                 if f.get("Field") == "resources.type" for v in f.get("Equals", [])}
        if not {"AWS::S3::Object", "AWS::DynamoDB::Table"} <= kinds:
            problems.append(f"{name}: records data events of {sorted(kinds)}, not both S3 objects and the table")
        if props(trail).get("EnableLogFileValidation") is not True:
            problems.append(f"{name}: log files can be altered unnoticed (no log file validation)")
    return problems
