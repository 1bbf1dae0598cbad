"""The base stack's declared resources and public edges (buckets, CloudFront, Cognito), as rule
functions over the template: each returns the problems it finds (empty: the rule holds)."""

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
    for logical, spec in topics.items():
        found = named(template, "AWS::SNS::Topic", "TopicName", SUB + logical)
        subscribed = {queues.get(target(props(s)["Endpoint"])) for s in of_type(template, "AWS::SNS::Subscription").values()
                      if found and target(props(s)["TopicArn"]) == found[0]}
        if not found or subscribed != set(spec["queues"]):
            problems.append(f"topic {logical} missing or feeding {subscribed}")
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


def cloudfront_oac_spa(template: Template) -> list[str]:
    problems = []
    for name, distribution in of_type(template, "AWS::CloudFront::Distribution").items():
        config = props(distribution)["DistributionConfig"]
        for origin in config["Origins"]:
            if "OriginAccessControlId" not in origin:
                problems.append(f"{name}: origin {origin['Id']} without Origin Access Control")
        errors = {(e["ErrorCode"], e.get("ResponsePagePath")) for e in config.get("CustomErrorResponses", [])}
        if not {(403, "/index.html"), (404, "/index.html")} <= errors:
            problems.append(f"{name}: 403/404 do not fall back to /index.html")
    return problems if of_type(template, "AWS::CloudFront::Distribution") else ["no CloudFront distribution"]


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
