"""Render each service's dev/prod Chalice stage from the base stack's outputs.

Chalice reads literal values from .chalice/config.json, so before packaging for AWS run
    python -m infra.chalice_env --stage prod --stack pawport-prod
It reads the stack's outputs (describe-stacks), fetches the user pool's public JWKS once (the
functions never fetch it: control has no route to Cognito) and rewrites the stage: environment
variables (only those each service reads, as devstack.stack.service_env gives them locally),
control's subnet_ids/security_group_ids, each function's policy file, and the policies themselves
pinned to the stack's account, region, cluster and mail sender (infra/policies.py).

The committed stages hold placeholders (`--placeholders`): packaging works offline, and a deploy
of them fails closed (no such subnet; a JWKS key nobody holds the private half of). Rendered
values are account-specific: don't commit them (a test compares the committed files with the
placeholder render). The local stage is left alone: devstack sets the environment itself.
"""
import argparse
import json
import os
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from infra import policies

REPO = policies.REPO
IDENTITY = ("PAWPORT_COGNITO_ISSUER", "PAWPORT_COGNITO_CLIENT_ID", "PAWPORT_COGNITO_JWKS")
VARIABLES = {
    "api": ("PAWPORT_STAGE", *IDENTITY, "PAWPORT_TABLE_NAME", "PAWPORT_UPLOADS_BUCKET", "PAWPORT_DRAFT_REVIEW_FUNCTION",
            "PAWPORT_PASSPORT_ORIGIN"),
    "control": ("PAWPORT_STAGE", *IDENTITY, "PAWPORT_TABLE_NAME",
                "PAWPORT_DB_HOST", "PAWPORT_DB_PORT", "PAWPORT_DB_NAME", "PAWPORT_DB_USER", "PAWPORT_DB_AUTH",
                "PAWPORT_SES_FEEDBACK_TOPIC"),
    "egress": ("PAWPORT_STAGE", "PAWPORT_LLM_KEY_PARAMETER"),   # and the endpoint: no data resource's name
    "workers": ("PAWPORT_STAGE", "PAWPORT_TABLE_NAME", "PAWPORT_UPLOADS_BUCKET", "PAWPORT_JOBS_BUCKET",
                "PAWPORT_REMINDERS_QUEUE", "PAWPORT_TABLE_STREAM_ARN",
                "PAWPORT_MAIL_SENDER", "PAWPORT_MAIL_CONFIGURATION_SET", "PAWPORT_OPERATOR_AGGREGATES_FUNCTION",
                "PAWPORT_EXTRACTION_FUNCTION", "PAWPORT_ASK_FUNCTION", "PAWPORT_WEB_APP_URL", "PAWPORT_REMINDER_UNSUBSCRIBE_URL",
                "PAWPORT_PASSPORTS_BUCKET", "PAWPORT_LOGS_BUCKET", "PAWPORT_PASSPORT_ORIGIN", "PAWPORT_API_ORIGIN",
                "PAWPORT_DISTRIBUTION_ID"),
}
# egress's LLM endpoint comes from the operator's shell at render time (unset: OpenAI's); the key is
# in no environment at all: the operator puts it in its SSM SecureString (infra/DEPLOY.md), which
# egress reads at run time (services/egress/chalicelib/egress/settings.py).
LLM_VARIABLES = ("OPENAI_BASE_URL",)
# The key that signs reminder mail's unsubscribe links (workers) and checks them (control), never in
# a file of the repository: the operator keeps it in an SSM SecureString (infra/DEPLOY.md), read here
# at render time because control cannot reach SSM (no NAT); the shell's PAWPORT_REMINDER_LINK_KEY wins.
# The same value on every deploy, so links already mailed keep working.
LINK_KEY = "PAWPORT_REMINDER_LINK_KEY"
LINK_KEY_PARAMETER = "/pawport/{stage}/reminder-link-key"
# RSA public key generated for this file and its private half discarded: verifies no token.
PLACEHOLDER_JWKS = json.dumps({"keys": [{
    "kty": "RSA", "kid": "placeholder-no-private-key", "alg": "RS256", "use": "sig", "e": "AQAB",
    "n": "ymltZJr7hACJxU9JzdT21FNrPrK8AZ2KSBemvgb2CDr1Zz2S_2GVJ9c_-C7kMiUT6ECeLU0eEOvW6EsW3K1O0GgDc_5la29_txzK"
         "rllF8PBmfV48QH8ed3nrWSt2VVH7pC43GVs7HRYU-_snz7anaWoSNztPrO5Es1FJ9r-J-LKlRc2oCG1H50of596ZmXAu-g1KjVxIx"
         "zIacl6bSPDvdgGVqwZI4XhjDqnDUbfbICSL_opaqHiOmIo9Xrx8A1wytaaeGileUreWXS4P0gkDwQfZP9Qv4O9lDhEZ9hbQz0qX63S"
         "7MNmcXrXm9IHc3DjDaCxKFwcCRgiMUZCm-eQe8w"}]}, separators=(",", ":"))


@dataclass(frozen=True)
class StackValues:
    stage: str
    region: str
    outputs: dict[str, str]
    jwks: str
    llm: dict[str, str] = field(default_factory=dict)   # egress only, from the operator's shell
    link_key: dict[str, str] = field(default_factory=dict)   # control and workers, from the operator's shell
    account: str = policies.PLACEHOLDER_ACCOUNT

    def target(self) -> policies.Target:
        return policies.Target(self.stage, self.account, self.region, self.outputs["DbClusterResourceId"],
                               self.outputs["MailSender"], self.outputs["DistributionId"])


def placeholders(stage: str) -> StackValues:
    """Physical names are known from the stage; ids the stack assigns are marked as such."""
    named = {"MainTableName": "main", "UploadsBucketName": "uploads", "JobsBucketName": "jobs",
             "MailConfigurationSetName": "mail", "PassportsBucketName": "passports", "LogsBucketName": "logs"}
    outputs = {key: policies.name(stage, logical) for key, logical in named.items()} | {
        key: f"from-stack-{key}" for key in ("DbEndpoint", "UserPoolId", "UserPoolClientId", "DbClusterResourceId",
                                             "DistributionId")
    } | {"DbPort": "5432", "DbName": "pawport", "ControlDbUser": policies.CONTROL_DB_USER,
         # well-formed ids that exist in no account, so cfn-lint passes and a deploy fails
         "PrivateSubnetIds": "subnet-placeholdera,subnet-placeholderb",
         "ControlSecurityGroupId": "sg-00000000000000000",
         "MainTableStreamArn": f"arn:aws:dynamodb:us-east-1:000000000000:table/{policies.name(stage, 'main')}"
                               "/stream/from-stack",
         "MailSender": "from-stack-MailSender@example.invalid",
         "WebAppUrl": "https://from-stack-WebAppUrl.example.invalid"}
    return StackValues(stage, policies.PLACEHOLDER_REGION, outputs, PLACEHOLDER_JWKS)


def from_stack(stage: str, stack: str, region: str) -> StackValues:
    import boto3  # only the deploy step talks to AWS

    described = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0]["Outputs"]}
    account = described["Stacks"][0]["StackId"].split(":")[4]   # arn:aws:cloudformation:<region>:<account>:stack/...
    url = f"https://cognito-idp.{region}.amazonaws.com/{outputs['UserPoolId']}/.well-known/jwks.json"
    with urllib.request.urlopen(url, timeout=10) as response:   # a fixed https URL
        jwks = json.dumps(json.load(response), separators=(",", ":"))
    llm = {name: os.environ[name] for name in LLM_VARIABLES if name in os.environ}
    return StackValues(stage, region, outputs, jwks, llm, {LINK_KEY: link_key(stage, region)}, account)


def link_key(stage: str, region: str) -> str:
    import boto3

    if LINK_KEY in os.environ:
        return os.environ[LINK_KEY]
    ssm = boto3.client("ssm", region_name=region)
    try:
        return ssm.get_parameter(Name=LINK_KEY_PARAMETER.format(stage=stage), WithDecryption=True)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        raise SystemExit(f"put the reminder link key in {LINK_KEY_PARAMETER.format(stage=stage)} (infra/DEPLOY.md): "
                         "control's and workers' stages need it") from None


def environment(service: str, values: StackValues) -> dict[str, str]:
    o = values.outputs
    every = {
        "PAWPORT_STAGE": values.stage,
        "PAWPORT_COGNITO_ISSUER": f"https://cognito-idp.{values.region}.amazonaws.com/{o['UserPoolId']}",
        "PAWPORT_COGNITO_CLIENT_ID": o["UserPoolClientId"],
        "PAWPORT_COGNITO_JWKS": values.jwks,
        "PAWPORT_TABLE_NAME": o["MainTableName"],
        "PAWPORT_TABLE_STREAM_ARN": o["MainTableStreamArn"],
        "PAWPORT_MAIL_SENDER": o["MailSender"],
        "PAWPORT_MAIL_CONFIGURATION_SET": o["MailConfigurationSetName"],
        "PAWPORT_UPLOADS_BUCKET": o["UploadsBucketName"],
        "PAWPORT_JOBS_BUCKET": o["JobsBucketName"],
        "PAWPORT_DB_HOST": o["DbEndpoint"],   # no PAWPORT_DB_PASSWORD: control signs an IAM token
        "PAWPORT_DB_PORT": o["DbPort"],
        "PAWPORT_DB_NAME": o["DbName"],
        "PAWPORT_DB_USER": o["ControlDbUser"],
        "PAWPORT_DB_AUTH": "iam",
        "PAWPORT_OPERATOR_AGGREGATES_FUNCTION": policies.control_aggregates_function(values.stage),
        "PAWPORT_EXTRACTION_FUNCTION": policies.egress_extract_function(values.stage),
        "PAWPORT_ASK_FUNCTION": policies.egress_ask_function(values.stage),
        "PAWPORT_LLM_KEY_PARAMETER": policies.llm_key_parameter(values.stage),
        "PAWPORT_DRAFT_REVIEW_FUNCTION": policies.workers_review_draft_function(values.stage),
        "PAWPORT_REMINDERS_QUEUE": policies.name(values.stage, "reminders"),
        "PAWPORT_WEB_APP_URL": o["WebAppUrl"],
        # control's routes are behind the web app's origin (/control/*), as the app reaches them
        "PAWPORT_REMINDER_UNSUBSCRIBE_URL": f"{o['WebAppUrl']}/control/reminders/unsubscribe",
        "PAWPORT_SES_FEEDBACK_TOPIC": policies.name(values.stage, "ses-feedback"),
        # passports are served by the web app's distribution, the api behind it (/api/*)
        "PAWPORT_PASSPORTS_BUCKET": o["PassportsBucketName"],
        "PAWPORT_LOGS_BUCKET": o["LogsBucketName"],
        "PAWPORT_PASSPORT_ORIGIN": o["WebAppUrl"],
        "PAWPORT_API_ORIGIN": f"{o['WebAppUrl']}/api",
        "PAWPORT_DISTRIBUTION_ID": o["DistributionId"],
    }
    return {name: every[name] for name in VARIABLES[service]} | (values.llm if service == "egress" else {}) \
        | (values.link_key if service in ("control", "workers") else {})


def stage_config(service: str, values: StackValues) -> dict:
    functions = policies.FUNCTIONS[service](values.target())
    stage = {"api_gateway_stage": "api", "iam_policy_file": policies.policy_file(values.stage),
             "environment_variables": environment(service, values),
             "lambda_functions": {f: {"iam_policy_file": policies.policy_file(values.stage, f)} for f in functions}}
    if service == "egress":   # a model call may be slow; stays below workers' wait for the answer
        stage["lambda_timeout"] = 110
    if service == "control":   # the only app in the VPC
        stage["subnet_ids"] = values.outputs["PrivateSubnetIds"].split(",")
        stage["security_group_ids"] = [values.outputs["ControlSecurityGroupId"]]
    return stage


def config_path(service: str) -> Path:
    return REPO / "services" / service / ".chalice" / "config.json"


def render_config(service: str, config: dict, values: StackValues) -> dict:
    rendered = {key: value for key, value in config.items() if key != "iam_policy_file"}   # per stage now
    rendered["stages"] = config.get("stages", {}) | {values.stage: stage_config(service, values)}
    return rendered


def apply(values: StackValues) -> None:
    for service in policies.SERVICES:
        path = config_path(service)
        path.write_text(json.dumps(render_config(service, json.loads(path.read_text()), values), indent=2) + "\n")
    policies.write_all([values.target()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=policies.STAGES)
    parser.add_argument("--stack", help="base stack name, e.g. pawport-dev")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--placeholders", action="store_true", help="write the committed placeholder stages")
    args = parser.parse_args()
    if args.placeholders:
        for stage in policies.STAGES:
            apply(placeholders(stage))
    elif args.stage and args.stack:
        apply(from_stack(args.stage, args.stack, args.region))
    else:
        parser.error("give --stage and --stack, or --placeholders")


if __name__ == "__main__":
    main()
