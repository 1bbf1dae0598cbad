"""The packaged artifacts (`chalice package`, as `make package` builds them): what is in each zip,
what the synthesized templates give each function, and cfn-lint over every template."""
import copy
import json
import zipfile
from pathlib import Path

import pytest
from cfnlint.api import lint, lint_file

from infra import packaging, policies
from tests.infra import infra_rules as rules
from tests.infra import logging_rules
from tests.infra.infra_helpers import broken, translate

BASE_STACK = policies.REPO / "infra" / "base-stack.yaml"


def slow(test):   # the first of these pays for four `chalice package` runs
    return pytest.mark.slow(pytest.mark.timeout(1200)(test))


def errors(matches: list) -> list[str]:
    return [str(m) for m in matches if m.rule.id.startswith("E")]


# ---- fast: the amendment and the zip inspection on made-up inputs ----

SAM_EVENTS = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
    "Mail": {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.11", "Handler": "app.mail", "CodeUri": "./deployment.zip", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Events": {"MailSqs": {"Type": "SQS", "Properties": {"Queue": "arn:aws:sqs:us-east-1:1:pawport-dev-mail",
                                                             "BatchSize": 10}}}}},
    "Stream": {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.11", "Handler": "app.stream", "CodeUri": "./deployment.zip", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Events": {"Table": {"Type": "DynamoDB", "Properties": {
            "Stream": "arn:aws:dynamodb:us-east-1:1:table/pawport-dev-main/stream/x", "StartingPosition": "LATEST"}}}}},
}}


def test_amended_mappings_report_batch_item_failures() -> None:
    """What AWS makes of the amended template: each event source mapping asks for partial batch responses."""
    template = copy.deepcopy(SAM_EVENTS)
    assert packaging.amend(template, "dev") == 2
    mappings = rules.of_type(translate(template), "AWS::Lambda::EventSourceMapping")
    assert len(mappings) == 2 and rules.mappings_report_batch_failures(translate(template)) == []
    stream = next(rules.props(m) for m in mappings.values() if "dynamodb" in str(rules.props(m)["EventSourceArn"]))
    assert "pawport-dev-stream-failures" in json.dumps(stream["DestinationConfig"])


def test_unamended_mappings_are_caught() -> None:
    assert len(rules.mappings_report_batch_failures(translate(SAM_EVENTS))) == 2


API = {"Resources": {
    "RestAPI": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "api", "DefinitionBody": {}}},
    "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.app", "Runtime": "python3.11"}},
    "Nightly": {"Type": "AWS::Serverless::Function", "DependsOn": "RestAPI", "Properties": {"Handler": "app.nightly"}},
}}


def logged(service: str = "api") -> dict:
    template = copy.deepcopy(API)
    packaging.amend(template, "dev", f"pawport-{service}")
    packaging.add_logs(template, "dev", service)
    return template


def test_every_function_gets_a_log_group_with_a_retention_before_it() -> None:
    template = logged()
    assert logging_rules.function_logs_retained(template) == []
    groups = {rules.props(g)["LogGroupName"]: rules.props(g)["RetentionInDays"]
              for g in rules.of_type(template, "AWS::Logs::LogGroup").values()}
    assert groups["/aws/lambda/pawport-api-dev-api_handler"] == groups["/aws/lambda/pawport-api-dev-nightly"] == 30
    assert template["Resources"]["Nightly"]["DependsOn"] == ["NightlyLogGroup", "RestAPI"]   # its own kept


FUNCTION_LOG_MISTAKES = {
    "group missing": lambda t: t["Resources"].pop("NightlyLogGroup"),
    "kept forever": lambda t: rules.props(t["Resources"]["NightlyLogGroup"]).pop("RetentionInDays"),
    "created after the function": lambda t: t["Resources"]["Nightly"].pop("DependsOn"),
    "renamed function": lambda t: rules.props(t["Resources"]["Nightly"]).__setitem__("FunctionName", "other"),
}


@pytest.mark.parametrize("mistake", FUNCTION_LOG_MISTAKES)
def test_a_function_log_kept_forever_is_caught(mistake: str) -> None:
    assert logging_rules.function_logs_retained(broken(logged(), FUNCTION_LOG_MISTAKES[mistake]))


def test_api_stages_write_access_logs_without_bodies_and_are_throttled() -> None:
    template = logged()
    assert logging_rules.stages_logged_and_throttled(template) == []
    settings = rules.props(template["Resources"]["RestAPI"])["MethodSettings"][0]
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == packaging.STAGE_THROTTLING["api"]
    assert json.loads(packaging.ACCESS_LOG_FORMAT)["ip"] == "$context.identity.sourceIp"


STAGE_MISTAKES = {
    "no access log": lambda t: rules.props(t["Resources"]["RestAPI"]).pop("AccessLogSetting"),
    "access log kept forever": lambda t: rules.props(t["Resources"]["RestAPIAccessLogGroup"]).pop("RetentionInDays"),
    "request bodies logged": lambda t: rules.props(t["Resources"]["RestAPI"])["AccessLogSetting"].__setitem__(
        "Format", packaging.ACCESS_LOG_FORMAT[:-1] + ',"body":"$input.body"}'),
    "no caller": lambda t: rules.props(t["Resources"]["RestAPI"])["AccessLogSetting"].__setitem__(
        "Format", packaging.ACCESS_LOG_FORMAT.replace("$context.identity.sourceIp", "-")),
    "not throttled": lambda t: rules.props(t["Resources"]["RestAPI"]).pop("MethodSettings"),
    "data trace on": lambda t: rules.props(t["Resources"]["RestAPI"])["MethodSettings"][0].__setitem__(
        "DataTraceEnabled", True),
}


@pytest.mark.parametrize("mistake", STAGE_MISTAKES)
def test_an_unlogged_or_unthrottled_stage_is_caught(mistake: str) -> None:
    assert logging_rules.stages_logged_and_throttled(broken(logged(), STAGE_MISTAKES[mistake]))


def test_a_stage_of_a_service_without_throttling_stops_packaging() -> None:
    with pytest.raises(LookupError, match="throttling"):
        logged("egress")


def chalice_reserved(service: str, function: str) -> int | None:
    config = json.loads((policies.REPO / "services" / service / ".chalice" / "config.json").read_text())
    return config.get("lambda_functions", {}).get(function, {}).get("reserved_concurrency")


def test_the_extraction_path_has_a_maximum_concurrency() -> None:
    reserved = {"upload_events": chalice_reserved("workers", "upload_events"), "extract": chalice_reserved("egress", "extract")}
    assert logging_rules.extraction_capped(reserved) == []


@pytest.mark.parametrize("reserved", [{"upload_events": 5, "extract": None}, {"upload_events": None, "extract": 5},
                                      {"upload_events": 5, "extract": 2}])
def test_an_uncapped_or_starved_extraction_path_is_caught(reserved: dict) -> None:
    assert logging_rules.extraction_capped(reserved)


def test_forbidden_library_and_missing_shared_package_are_caught(tmp_path: Path) -> None:
    made = tmp_path / "deployment.zip"
    with zipfile.ZipFile(made, "w") as archive:
        archive.writestr("openai/__init__.py", "")
        archive.writestr("psycopg_binary-3.3.9.dist-info/METADATA", "")
        archive.writestr("app.py", "")
    report = packaging.inspect_zip("api", made)
    assert report.forbidden_found == ("psycopg", "openai") and not report.has_shared
    assert not packaging.library_present("openai", {"openapi_spec_validator", "pawport"})


def test_cfn_lint_base_stack_has_no_errors() -> None:
    assert errors(lint_file(BASE_STACK)) == []


def test_cfn_lint_catches_a_broken_template() -> None:
    text = BASE_STACK.read_text().replace("BillingMode: PAY_PER_REQUEST", "BillingMode: PAY_AS_YOU_LIKE")
    assert errors(lint(text))


# ---- slow: one real `chalice package` per service ----

@slow
@pytest.mark.parametrize("service", policies.SERVICES)
def test_zip_holds_shared_package_and_no_forbidden_library(packaged: dict, service: str) -> None:
    report = packaging.inspect_zip(service, packaged[service].zip)
    print(report.line())
    assert report.has_shared, f"{service}'s zip lacks {packaging.SHARED_MARKER}"
    assert report.forbidden_found == ()


@slow
@pytest.mark.parametrize("service", policies.SERVICES)
def test_packaged_vpc_config_only_on_control(packaged: dict, service: str) -> None:
    template = packaged[service].load()
    assert rules.functions(template)
    assert rules.vpc_only_for_control(template, service) == []


@slow
def test_packaged_vpc_mistakes_are_caught(packaged: dict) -> None:
    control, egress = packaged["control"].load(), packaged["egress"].load()
    strip = lambda t: [rules.props(f).pop("VpcConfig") for f in rules.functions(t).values()]  # noqa: E731
    assert rules.vpc_only_for_control(broken(control, strip), "control")
    vpc = {"SubnetIds": ["subnet-placeholdera"], "SecurityGroupIds": ["sg-00000000000000000"]}
    add = lambda t: [rules.props(f).__setitem__("VpcConfig", vpc) for f in rules.functions(t).values()]  # noqa: E731
    assert rules.vpc_only_for_control(broken(egress, add), "egress")


@slow
@pytest.mark.parametrize("service", policies.SERVICES)
def test_every_packaged_role_has_exactly_the_committed_policy(packaged: dict, service: str) -> None:
    """So the policy rules in test_policies.py hold for what is deployed."""
    template = packaged[service].load()
    roles = rules.role_policies(template)
    assert roles
    for function in rules.functions(template).values():
        handler = rules.props(function)["Handler"].rpartition(".")[2]
        name = policies.API_HANDLER if handler == "app" else handler   # each function its own role and file
        committed = json.loads(policies.policy_path(service, "dev", name).read_text())
        assert roles[rules.target(rules.props(function)["Role"])] == [committed], name


@slow
def test_only_api_gateway_schedules_and_declared_topics_invoke_control(packaged: dict, declaration: dict) -> None:
    assert rules.control_invokers(translate(packaged["control"].load()), "dev", declaration["topics"]) == []


@slow
def test_another_invoker_of_control_is_caught(packaged: dict, declaration: dict) -> None:
    translated = translate(packaged["control"].load())
    handler = next(iter(rules.functions(translated)))
    permission = {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": handler},
        "Principal": "arn:aws:iam::123456789012:role/pawport-workers-dev"}}
    url = {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "NONE", "TargetFunctionArn": {"Ref": handler}}}
    topics = declaration["topics"]
    assert rules.control_invokers(broken(translated, lambda t: t["Resources"].__setitem__("Extra", permission)), "dev", topics)
    assert rules.control_invokers(broken(translated, lambda t: t["Resources"].__setitem__("Url", url)), "dev", topics)
    # the topic's push, but onto another of control's functions, or from a topic nobody declared
    feedback = next(p for p in rules.of_type(translated, "AWS::Lambda::Permission").values()
                    if rules.props(p)["Principal"] == "sns.amazonaws.com")
    migrate = next(n for n, f in rules.functions(translated).items() if rules.props(f)["Handler"] == "app.migrate")
    elsewhere = {"Type": "AWS::Lambda::Permission", "Properties": rules.props(feedback) | {"FunctionName": {"Ref": migrate}}}
    undeclared = {"Type": "AWS::Lambda::Permission", "Properties": rules.props(feedback) | {
        "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:pawport-dev-other"}}}
    for extra in (elsewhere, undeclared):
        assert rules.control_invokers(broken(translated, lambda t, e=extra: t["Resources"].__setitem__("Extra", e)),
                                      "dev", topics) == ["Extra: sns.amazonaws.com may invoke control"]


@slow
def test_packaged_mappings_report_batch_item_failures(packaged: dict) -> None:
    translated = {service: translate(p.load()) for service, p in packaged.items()}
    mappings = {f"{service}/{name}" for service, t in translated.items()
                for name in rules.of_type(t, "AWS::Lambda::EventSourceMapping")}
    print("event source mappings:", sorted(mappings))
    if not mappings:
        pytest.skip("no SQS or stream handler packaged yet (the amendment is shown on made-up mappings above)")
    for template in translated.values():
        assert rules.mappings_report_batch_failures(template) == []


@slow
@pytest.mark.parametrize("service", policies.SERVICES)
def test_cfn_lint_packaged_templates_have_no_errors(packaged: dict, service: str) -> None:
    assert errors(lint_file(packaged[service].template)) == []



@slow
@pytest.mark.parametrize("service", policies.SERVICES)
def test_packaged_functions_and_stages_keep_logs_for_a_while(packaged: dict, service: str) -> None:
    template = packaged[service].load()
    assert logging_rules.function_logs_retained(template) == []
    assert logging_rules.stages_logged_and_throttled(template) == []


@slow
def test_packaged_log_mistakes_are_caught(packaged: dict) -> None:
    template = packaged["api"].load()
    groups = list(rules.of_type(template, "AWS::Logs::LogGroup"))
    assert logging_rules.function_logs_retained(broken(template, lambda t: [t["Resources"].pop(g) for g in groups]))
    assert logging_rules.stages_logged_and_throttled(broken(template, lambda t: [t["Resources"].pop(g) for g in groups]))


@slow
def test_packaged_extraction_path_is_capped(packaged: dict) -> None:
    reserved = {"upload_events": logging_rules.packaged_reserved(packaged["workers"].load(), "upload_events"),
                "extract": logging_rules.packaged_reserved(packaged["egress"].load(), "extract")}
    assert logging_rules.extraction_capped(reserved) == []


@slow
def test_workers_zip_holds_its_image_libraries(packaged: dict) -> None:
    # chalice package only warns, and leaves a library out, when no wheel carries the Lambda platform's tag
    with zipfile.ZipFile(packaged["workers"].zip) as archive:
        top = {entry.split("/", 1)[0] for entry in archive.namelist()}
    assert {"PIL", "pillow_heif", "segno"} <= top, sorted(top)
