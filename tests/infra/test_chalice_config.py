"""The Chalice stages (services/*/.chalice/config.json): only control in the VPC, a policy file
per stage with autogen off, and only the environment each service reads."""
import copy
import json
from dataclasses import fields
from pathlib import Path

import pytest

from devstack.resources import Resources, declaration, physical_name
from devstack.stack import Ports, Stack, service_env
from infra import chalice_env, policies

SERVICES, STAGES = policies.SERVICES, policies.STAGES
# Set locally but not in the AWS stages: Lambda sets AWS_*; control signs an IAM token instead of a
# password; egress's LLM endpoint comes from the operator's shell and the reminder link key from SSM when rendering
# (never from git; the LLM key is in SSM); control verifies the local PostgreSQL against the local stack's CA, Aurora against
# the RDS bundle in its package.
LOCAL_ONLY = ("AWS_", "PAWPORT_DB_PASSWORD", "PAWPORT_DB_SSLROOTCERT", "OPENAI_", "PAWPORT_REMINDER_LINK_KEY")


def config_of(service: str) -> dict:
    return json.loads(chalice_env.config_path(service).read_text())


@pytest.fixture(scope="module")
def configs() -> dict[str, dict]:
    return {service: config_of(service) for service in SERVICES}


def vpc_problems(configs: dict[str, dict]) -> list[str]:
    problems = []
    for service, config in configs.items():
        for stage, values in config["stages"].items():
            has_vpc = {"subnet_ids", "security_group_ids"} & set(values)
            if service != "control" and has_vpc:
                problems.append(f"{service}/{stage} sets {sorted(has_vpc)}")
            if service == "control" and stage != "local" and len(has_vpc) != 2:
                problems.append(f"control/{stage} is not in the VPC")
    return problems


def policy_problems(configs: dict[str, dict]) -> list[str]:
    problems = []
    for service, config in configs.items():
        if config.get("autogen_policy") is not False:
            problems.append(f"{service}: autogen_policy is not false")
        for stage in STAGES:
            values = config["stages"][stage]
            if values.get("autogen_policy", False) is not False:
                problems.append(f"{service}/{stage} turns autogen_policy on")
            if values.get("iam_policy_file") != f"policy-{stage}.json":
                problems.append(f"{service}/{stage} has no own policy file")
    return problems


def local_environment_keys(service: str) -> set[str]:
    """What devstack hands each service locally, keys only (values are the local stack's)."""
    spec, name = declaration(), lambda logical: physical_name("local", logical)
    queues = [q for logical in spec["queues"] for q in (logical, f"{logical}-dlq")]
    fake = Resources(tables={t: name(t) for t in spec["tables"]}, streams=dict.fromkeys(spec["tables"], "arn"),
                     buckets={b: name(b) for b in spec["buckets"]}, topics=dict.fromkeys(spec["topics"], "arn"),
                     queues={q: f"http://127.0.0.1:1/000000000000/{name(q)}" for q in queues},
                     user_pool_id="pool", user_pool_client_id="client", jwks="{}", llm_key_parameter="/p")
    stack = Stack(Path("/nonexistent"), Ports(**{f.name: 1 for f in fields(Ports)}), "http://127.0.0.1:1", fake)
    return {k for k in service_env(stack, service) if not k.startswith(LOCAL_ONLY)}


def environment_problems(configs: dict[str, dict]) -> list[str]:
    problems = []
    for service, config in configs.items():
        for stage in STAGES:
            keys = set(config["stages"][stage].get("environment_variables", {}))
            if keys != local_environment_keys(service):
                problems.append(f"{service}/{stage}: {sorted(keys ^ local_environment_keys(service))} "
                                "differ from what devstack gives it locally")
            secrets = [k for k in keys if k.startswith(LOCAL_ONLY) or "SECRET" in k or "PASSWORD" in k]
            if secrets:
                problems.append(f"{service}/{stage} commits {secrets}")
    return problems


def test_only_control_in_the_vpc(configs: dict) -> None:
    assert vpc_problems(configs) == []


@pytest.mark.parametrize("mistake", ["egress in the VPC", "control outside it"])
def test_vpc_mistake_is_caught(configs: dict, mistake: str) -> None:
    changed = copy.deepcopy(configs)
    if mistake == "egress in the VPC":
        changed["egress"]["stages"]["prod"]["subnet_ids"] = ["subnet-placeholdera"]
    else:
        del changed["control"]["stages"]["dev"]["security_group_ids"]
    assert vpc_problems(changed)


def test_own_policy_per_stage_autogen_off(configs: dict) -> None:
    assert policy_problems(configs) == []
    for service in SERVICES:
        for stage in STAGES:
            assert policies.policy_path(service, stage).exists()


def test_autogen_policy_is_caught(configs: dict) -> None:
    changed = copy.deepcopy(configs)
    changed["workers"]["stages"]["dev"]["autogen_policy"] = True
    assert policy_problems(changed)


def test_environment_only_what_each_service_reads(configs: dict) -> None:
    assert environment_problems(configs) == []


@pytest.mark.parametrize("mistake", ["database host for api", "LLM key committed for egress"])
def test_environment_mistake_is_caught(configs: dict, mistake: str) -> None:
    changed = copy.deepcopy(configs)
    if mistake == "database host for api":
        changed["api"]["stages"]["dev"]["environment_variables"]["PAWPORT_DB_HOST"] = "db"
    else:
        changed["egress"]["stages"]["prod"]["environment_variables"]["OPENAI_API_KEY"] = "sk-..."
    assert environment_problems(changed)


def test_local_stage_untouched(configs: dict) -> None:
    for config in configs.values():
        assert config["stages"]["local"] == {"api_gateway_stage": "api"}


def test_committed_stages_are_the_placeholder_render(configs: dict) -> None:
    """Rendered (account-specific) values must not be committed: deploy renders them in a clean tree."""
    for service, config in configs.items():
        for stage in STAGES:
            assert chalice_env.render_config(service, config, chalice_env.placeholders(stage)) == config


def test_render_from_stack_outputs() -> None:
    outputs = chalice_env.placeholders("prod").outputs | {
        "PrivateSubnetIds": "subnet-0a1,subnet-0b2", "ControlSecurityGroupId": "sg-0c3",
        "DbEndpoint": "pawport-prod-db.cluster-x.eu-west-1.rds.amazonaws.com", "UserPoolId": "eu-west-1_abc"}
    values = chalice_env.StackValues("prod", "eu-west-1", outputs, '{"keys": []}',
                                     {"OPENAI_BASE_URL": "https://llm.example/v1"})
    control = chalice_env.stage_config("control", values)
    assert control["subnet_ids"] == ["subnet-0a1", "subnet-0b2"] and control["security_group_ids"] == ["sg-0c3"]
    assert control["environment_variables"]["PAWPORT_COGNITO_ISSUER"] == \
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
    assert "OPENAI_BASE_URL" not in control["environment_variables"]
    egress = chalice_env.stage_config("egress", values)["environment_variables"]
    assert egress["OPENAI_BASE_URL"] == "https://llm.example/v1" and "OPENAI_API_KEY" not in egress   # the key is in SSM
    assert egress["PAWPORT_LLM_KEY_PARAMETER"] == "/pawport/prod/llm-key"


def test_every_output_the_stages_read_is_a_base_stack_output(base_stack: dict) -> None:
    """The placeholders stand for the base stack's outputs one for one (from_stack reads them by name)."""
    assert set(chalice_env.placeholders("dev").outputs) - set(base_stack["Outputs"]) == set()


def test_the_reminder_link_key_reaches_control_and_workers_only() -> None:
    key = {chalice_env.LINK_KEY: "k" * 32}
    values = chalice_env.StackValues("prod", "eu-west-1", chalice_env.placeholders("prod").outputs, '{"keys": []}',
                                     link_key=key)
    holders = {s for s in SERVICES if chalice_env.LINK_KEY in chalice_env.stage_config(s, values)["environment_variables"]}
    assert holders == {"control", "workers"}
    assert all(chalice_env.LINK_KEY not in chalice_env.stage_config(s, chalice_env.placeholders("prod"))["environment_variables"]
               for s in SERVICES)   # the committed stages hold none


def test_the_link_key_is_read_from_its_ssm_parameter_at_render_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto import mock_aws

    for name in (chalice_env.LINK_KEY, "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        with pytest.raises(SystemExit, match="/pawport/prod/reminder-link-key"):
            chalice_env.link_key("prod", "eu-west-1")
        boto3.client("ssm", region_name="eu-west-1").put_parameter(
            Name="/pawport/prod/reminder-link-key", Type="SecureString", Value="s" * 32)
        assert chalice_env.link_key("prod", "eu-west-1") == "s" * 32
        monkeypatch.setenv(chalice_env.LINK_KEY, "e" * 32)   # the operator's shell wins
        assert chalice_env.link_key("prod", "eu-west-1") == "e" * 32
