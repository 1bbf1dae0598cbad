"""The base stack (infra/base-stack.yaml): no path out of the VPC, Aurora reachable only from
control, and the resources of infra/resources.yaml. Each rule also runs on a broken copy."""

import pytest

from tests.infra import infra_rules as rules
from tests.infra import logging_rules, stack_rules
from tests.infra.infra_helpers import broken, props


def add(name: str, resource: dict):
    return lambda t: t["Resources"].__setitem__(name, resource)


NAT = {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "PrivateSubnetA"}}}
DEFAULT_ROUTE = {"Type": "AWS::EC2::Route", "Properties": {
    "RouteTableId": {"Ref": "PrivateRouteTable"}, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}}
IPV6_ROUTE = {"Type": "AWS::EC2::Route", "Properties": {
    "RouteTableId": {"Ref": "PrivateRouteTable"}, "DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"}}
PEERING_ROUTE = {"Type": "AWS::EC2::Route", "Properties": {
    "RouteTableId": {"Ref": "PrivateRouteTable"}, "DestinationCidrBlock": "10.9.0.0/16", "VpcPeeringConnectionId": "pcx-1"}}
OPEN_AURORA = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
    "GroupId": {"Fn::GetAtt": ["AuroraSecurityGroup", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 5432,
    "ToPort": 5432, "CidrIp": "0.0.0.0/0"}}


NETWORK_MISTAKES = {
    "a NAT gateway": add("Nat", NAT),
    "an internet gateway": add("Igw", {"Type": "AWS::EC2::InternetGateway"}),
    "a NAT instance": add("NatInstance", {"Type": "AWS::EC2::Instance", "Properties": {"SourceDestCheck": False}}),
    "a 0.0.0.0/0 route": add("DefaultRoute", DEFAULT_ROUTE),
    "a ::/0 route": add("Ipv6Route", IPV6_ROUTE),
    "a peering route on control's table": add("Peering", PEERING_ROUTE),
    "public IPs in control's subnet": lambda t: props(t, "PrivateSubnetA").__setitem__("MapPublicIpOnLaunch", True),
}


def test_control_subnets_have_no_path_out(base_stack: dict) -> None:
    assert rules.control_subnets(base_stack) == ["PrivateSubnetA", "PrivateSubnetB"]
    assert rules.no_path_out(base_stack) == []


@pytest.mark.parametrize("mistake", NETWORK_MISTAKES)
def test_path_out_is_caught(base_stack: dict, mistake: str) -> None:
    assert rules.no_path_out(broken(base_stack, NETWORK_MISTAKES[mistake]))


def test_gateway_endpoints_restricted_to_project(base_stack: dict) -> None:
    assert rules.endpoints_restricted(base_stack) == []


@pytest.mark.parametrize("mistake", ["wildcard resource", "no policy", "detached"])
def test_unrestricted_endpoint_is_caught(base_stack: dict, mistake: str) -> None:
    def mutate(t: dict) -> None:
        endpoint = props(t, "DynamoDbEndpoint")
        if mistake == "wildcard resource":
            endpoint["PolicyDocument"]["Statement"][0]["Resource"] = "*"
        elif mistake == "no policy":
            del endpoint["PolicyDocument"]
        else:
            endpoint["RouteTableIds"] = []
    assert rules.endpoints_restricted(broken(base_stack, mutate))


def test_aurora_admits_only_control(base_stack: dict) -> None:
    assert rules.aurora_admits_only_control(base_stack) == []


@pytest.mark.parametrize("mistake", ["open to 0.0.0.0/0", "inline cidr", "egress anywhere"])
def test_open_aurora_is_caught(base_stack: dict, mistake: str) -> None:
    def mutate(t: dict) -> None:
        if mistake == "open to 0.0.0.0/0":
            t["Resources"]["OpenAurora"] = OPEN_AURORA
        elif mistake == "inline cidr":
            props(t, "AuroraSecurityGroup")["SecurityGroupIngress"] = [
                {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "10.40.0.0/16"}]
        else:
            props(t, "AuroraSecurityGroup")["SecurityGroupEgress"] = [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]
    assert rules.aurora_admits_only_control(broken(base_stack, mutate))


def test_control_egress_only_to_aurora_and_endpoints(base_stack: dict) -> None:
    assert rules.control_egress_only_aurora_and_endpoints(base_stack) == []


@pytest.mark.parametrize("mistake", ["0.0.0.0/0 on 443", "default allow-all egress"])
def test_open_control_egress_is_caught(base_stack: dict, mistake: str) -> None:
    def mutate(t: dict) -> None:
        group = props(t, "ControlSecurityGroup")
        if mistake == "default allow-all egress":
            del group["SecurityGroupEgress"]
        else:
            group["SecurityGroupEgress"].append({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                                 "CidrIp": "0.0.0.0/0"})
    assert rules.control_egress_only_aurora_and_endpoints(broken(base_stack, mutate))


def test_aurora_private_scales_to_zero_iam_auth(base_stack: dict) -> None:
    assert rules.aurora_cluster(base_stack) == []


AURORA_MISTAKES = {
    "publicly accessible": lambda t: props(t, "DbInstance").__setitem__("PubliclyAccessible", True),
    "min capacity 0.5": lambda t: props(t, "DbCluster")["ServerlessV2ScalingConfiguration"].__setitem__("MinCapacity", 0.5),
    "no auto-pause": lambda t: props(t, "DbCluster")["ServerlessV2ScalingConfiguration"].pop("SecondsUntilAutoPause"),
    "password in the template": lambda t: props(t, "DbCluster").update(
        ManageMasterUserPassword=False, MasterUserPassword="hunter2hunter2"),
    "no IAM auth": lambda t: props(t, "DbCluster").__setitem__("EnableIAMDatabaseAuthentication", False),
    "deletable": lambda t: t["Resources"]["DbCluster"].__setitem__("DeletionPolicy", "Delete"),
}


@pytest.mark.parametrize("mistake", AURORA_MISTAKES)
def test_aurora_mistake_is_caught(base_stack: dict, mistake: str) -> None:
    assert rules.aurora_cluster(broken(base_stack, AURORA_MISTAKES[mistake]))


SECRET_MISTAKES = {
    "an RDS-managed master secret": lambda t: props(t, "DbCluster").update(ManageMasterUserPassword=True),
    "a Secrets Manager secret": add("DbSecret", {"Type": "AWS::SecretsManager::Secret", "Properties": {
        "GenerateSecretString": {"PasswordLength": 32}}}),
    "a rotation schedule": add("DbRotation", {"Type": "AWS::SecretsManager::RotationSchedule", "Properties": {
        "SecretId": "pawport", "RotationRules": {"ScheduleExpression": "rate(7 days)"}}}),
    "a secretsmanager reference": lambda t: props(t, "DbCluster").__setitem__(
        "MasterUserPassword", "{{resolve:secretsmanager:pawport-db:SecretString:password}}"),
}


def test_the_base_stack_holds_no_secrets_manager_secret(base_stack: dict) -> None:
    assert rules.no_managed_secret(base_stack) == []


@pytest.mark.parametrize("mistake", SECRET_MISTAKES)
def test_a_secrets_manager_secret_is_caught(base_stack: dict, mistake: str) -> None:
    assert rules.no_managed_secret(broken(base_stack, SECRET_MISTAKES[mistake]))


def test_declares_every_resource_of_resources_yaml(base_stack: dict, declaration: dict) -> None:
    assert stack_rules.declares_resources(base_stack, declaration) == []


@pytest.mark.parametrize("mistake", ["queue without -dlq", "no redrive", "renamed bucket", "lost notification"])
def test_declaration_drift_is_caught(base_stack: dict, declaration: dict, mistake: str) -> None:
    def mutate(t: dict) -> None:
        if mistake == "queue without -dlq":
            del t["Resources"]["MailDeadLetterQueue"]
        elif mistake == "no redrive":
            del props(t, "RemindersQueue")["RedrivePolicy"]
        elif mistake == "renamed bucket":
            props(t, "JobsBucket")["BucketName"] = {"Fn::Sub": "pawport-${Stage}-job"}
        else:
            del props(t, "UploadsBucket")["NotificationConfiguration"]["EventBridgeConfiguration"]
    assert stack_rules.declares_resources(broken(base_stack, mutate), declaration)


def test_cognito_srp_only(base_stack: dict, declaration: dict) -> None:
    assert stack_rules.cognito_srp_only(base_stack, declaration) == []


def test_password_flow_is_caught(base_stack: dict, declaration: dict) -> None:
    allow = lambda t: props(t, "UserPoolWebClient")["ExplicitAuthFlows"].append("ALLOW_USER_PASSWORD_AUTH")  # noqa: E731
    assert stack_rules.cognito_srp_only(broken(base_stack, allow), declaration)


def test_buckets_private_encrypted_expiring(base_stack: dict) -> None:
    assert stack_rules.buckets_private(base_stack) == []


def test_rejected_uploads_kept_forever_is_caught(base_stack: dict) -> None:
    keep = lambda t: props(t, "UploadsBucket")["LifecycleConfiguration"]["Rules"].pop(0)  # noqa: E731
    assert stack_rules.buckets_private(broken(base_stack, keep))


def test_public_bucket_is_caught(base_stack: dict) -> None:
    opened = lambda t: props(t, "PassportsBucket")["PublicAccessBlockConfiguration"].__setitem__(  # noqa: E731
        "BlockPublicPolicy", False)
    assert stack_rules.buckets_private(broken(base_stack, opened))


def test_no_base_stack_role_reads_secrets(base_stack: dict) -> None:
    assert rules.base_stack_roles_read_no_secret(base_stack) == []


def test_secret_reading_role_is_caught(base_stack: dict) -> None:
    grant = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
    role = {"Type": "AWS::IAM::Role", "Properties": {"Policies": [
        {"PolicyName": "reads-secrets", "PolicyDocument": {"Version": "2012-10-17", "Statement": [grant]}}]}}
    add_role = lambda t: t["Resources"].__setitem__("SecretReader", role)  # noqa: E731
    assert rules.base_stack_roles_read_no_secret(broken(base_stack, add_role))


# ---- DNS firewall, logs, trail, Cognito ----

def test_the_vpc_has_a_dns_firewall_allowing_only_what_control_uses(base_stack: dict) -> None:
    assert logging_rules.dns_firewall(base_stack) == []
    assert logging_rules.names_control_uses(base_stack) >= logging_rules.DYNAMODB_NAMES | logging_rules.AURORA_NAMES


def _rules_of(t: dict) -> list[dict]:
    return props(t, "VpcDnsFirewall")["FirewallRules"]


DNS_MISTAKES = {
    "no association": lambda t: t["Resources"].pop("VpcDnsFirewallAssociation"),
    "associated with another VPC": lambda t: props(t, "VpcDnsFirewallAssociation").__setitem__("VpcId", "vpc-other"),
    "no block rule": lambda t: _rules_of(t).pop(),
    "block rule alerts only": lambda t: _rules_of(t)[1].__setitem__("Action", "ALERT"),
    "block list not '*'": lambda t: props(t, "VpcDnsEveryDomain").__setitem__("Domains", ["example.com"]),
    "allows a name someone controls": lambda t: props(t, "VpcDnsAllowedDomains")["Domains"].append("*.example.com"),
    "allows everything": lambda t: props(t, "VpcDnsAllowedDomains")["Domains"].append("*"),
    "allows S3 while no endpoint reaches it": lambda t: (
        [e["Properties"].pop("PolicyDocument") for e in rules.of_type(t, "AWS::EC2::VPCEndpoint").values()
         if "s3" in rules.text(e["Properties"]["ServiceName"])],
        props(t, "VpcDnsAllowedDomains")["Domains"].append({"Fn::Sub": "*.s3.${AWS::Region}.amazonaws.com"})),
    "no query logging": lambda t: t["Resources"].pop("VpcDnsQueryLoggingAssociation"),
    "query log kept forever": lambda t: props(t, "VpcDnsQueryLogGroup").pop("RetentionInDays"),
}


@pytest.mark.parametrize("mistake", DNS_MISTAKES)
def test_a_dns_firewall_mistake_is_caught(base_stack: dict, mistake: str) -> None:
    assert logging_rules.dns_firewall(broken(base_stack, DNS_MISTAKES[mistake]))


def test_s3_names_are_allowed_only_while_the_s3_endpoint_allows_an_action(base_stack: dict) -> None:
    allowed = logging_rules.names_control_uses(base_stack)
    assert allowed.issuperset(logging_rules.S3_NAMES) == bool(rules.endpoint_actions(base_stack).get("s3"))


def test_every_base_stack_log_group_has_a_retention(base_stack: dict) -> None:
    assert logging_rules.base_logs_retained(base_stack) == []


LOG_MISTAKES = {
    "aurora's group kept forever": lambda t: props(t, "DbLogGroup").pop("RetentionInDays"),
    "aurora's group missing": lambda t: t["Resources"].pop("DbLogGroup"),
    "no export": lambda t: props(t, "DbCluster").pop("EnableCloudwatchLogsExports"),
}


@pytest.mark.parametrize("mistake", LOG_MISTAKES)
def test_a_log_kept_forever_is_caught(base_stack: dict, mistake: str) -> None:
    assert logging_rules.base_logs_retained(broken(base_stack, LOG_MISTAKES[mistake]))


def test_the_data_event_trail_is_optional_and_off_by_default(base_stack: dict) -> None:
    assert stack_rules.data_trail_optional(base_stack) == []


TRAIL_MISTAKES = {
    "always on": lambda t: t["Resources"]["DataEventsTrailResource"].pop("Condition"),
    "on by default": lambda t: t["Parameters"]["DataEventsTrail"].__setitem__("Default", "true"),
    "no table events": lambda t: props(t, "DataEventsTrailResource")["AdvancedEventSelectors"].pop(),
    "no trail": lambda t: t["Resources"].pop("DataEventsTrailResource"),
}


@pytest.mark.parametrize("mistake", TRAIL_MISTAKES)
def test_a_trail_mistake_is_caught(base_stack: dict, mistake: str) -> None:
    assert stack_rules.data_trail_optional(broken(base_stack, TRAIL_MISTAKES[mistake]))


def test_cognito_offers_mfa_verifies_email_changes_and_keeps_refresh_tokens_a_week(base_stack: dict) -> None:
    assert stack_rules.cognito_hardened(base_stack) == []


COGNITO_MISTAKES = {
    "MFA off": lambda t: props(t, "UserPool").__setitem__("MfaConfiguration", "OFF"),
    "SMS only": lambda t: props(t, "UserPool").__setitem__("EnabledMfas", ["SMS_MFA"]),
    "email changes unverified": lambda t: props(t, "UserPool").pop("UserAttributeUpdateSettings"),
    "30-day refresh tokens": lambda t: props(t, "UserPoolWebClient").pop("RefreshTokenValidity"),
    "refresh in hours, two weeks": lambda t: props(t, "UserPoolWebClient").update(
        RefreshTokenValidity=336, TokenValidityUnits={"RefreshToken": "hours"}),
    "threat protection on by default": lambda t: t["Parameters"]["ThreatProtection"].__setitem__("Default", "true"),
    "threat protection hard-wired": lambda t: props(t, "UserPool")["UserPoolAddOns"].__setitem__(
        "AdvancedSecurityMode", "ENFORCED"),
}


@pytest.mark.parametrize("mistake", COGNITO_MISTAKES)
def test_a_cognito_mistake_is_caught(base_stack: dict, mistake: str) -> None:
    assert stack_rules.cognito_hardened(broken(base_stack, COGNITO_MISTAKES[mistake]))
