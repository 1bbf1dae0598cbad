"""Create the resources of infra/resources.yaml in moto, and say what was made."""
import json
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests
import yaml

from devstack import REPO

DECLARATION = REPO / "infra" / "resources.yaml"
# moto's SES refuses an unverified sender, as SES does; in AWS the operator verifies the domain.
MAIL_SENDER = "no-reply@pawport.local"
# The LLM key's SecureString, which only egress reads (infra/policies.py names it); in AWS the
# operator puts it (infra/DEPLOY.md). Locally it holds the embedded reader's dummy key.
LOCAL_LLM_KEY = "local-llm"


def llm_key_parameter(stage: str) -> str:
    return f"/pawport/{stage}/llm-key"


def physical_name(stage: str, logical: str) -> str:
    return f"pawport-{stage}-{logical}"


@dataclass
class Resources:
    """Physical names and ids, the way the base stack's outputs give them in AWS."""
    tables: dict[str, str] = field(default_factory=dict)
    streams: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)   # logical name -> queue URL (DLQs as "<name>-dlq")
    topics: dict[str, str] = field(default_factory=dict)
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    jwks: str = ""
    mail_sender: str = ""
    mail_configuration_set: str = ""
    llm_key_parameter: str = ""


def declaration() -> dict:
    return yaml.safe_load(DECLARATION.read_text())


def create_all(endpoint: str, region: str, stage: str) -> Resources:
    spec = declaration()
    session = boto3.session.Session(region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")
    client = lambda name: session.client(name, endpoint_url=endpoint)  # noqa: E731
    made = Resources()
    _queues(client("sqs"), spec["queues"], stage, made)
    _dead_letter_queues(client("sqs"), spec.get("dead_letter_queues", {}), stage, made)
    _tables(client("dynamodb"), spec["tables"], stage, made)
    _buckets(client("s3"), spec["buckets"], stage, made)
    _topics(client("sns"), spec["topics"], stage, made)
    _user_pool(client("cognito-idp"), spec["user_pool"], stage, made)
    _mail(client("ses"), stage, made)
    made.llm_key_parameter = put_llm_key(client("ssm"), stage, LOCAL_LLM_KEY)
    made.jwks = requests.get(f"{endpoint}/{made.user_pool_id}/.well-known/jwks.json", timeout=10).text
    return made


def queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _queues(sqs, queues: dict, stage: str, made: Resources) -> None:
    for logical, props in queues.items():
        dlq_url = sqs.create_queue(QueueName=physical_name(stage, f"{logical}-dlq"))["QueueUrl"]
        redrive = {"deadLetterTargetArn": queue_arn(sqs, dlq_url), "maxReceiveCount": str(props["max_receive_count"])}
        url = sqs.create_queue(QueueName=physical_name(stage, logical), Attributes={
            "RedrivePolicy": json.dumps(redrive),
            "VisibilityTimeout": str(props["visibility_timeout"]),
        })["QueueUrl"]
        made.queues[logical], made.queues[f"{logical}-dlq"] = url, dlq_url


def _dead_letter_queues(sqs, queues: dict, stage: str, made: Resources) -> None:
    for logical in queues:
        made.queues[logical] = sqs.create_queue(QueueName=physical_name(stage, logical))["QueueUrl"]


def _tables(dynamodb, tables: dict, stage: str, made: Resources) -> None:
    for logical, props in tables.items():
        name = physical_name(stage, logical)
        keys = [(props["hash_key"], "HASH"), (props["range_key"], "RANGE")]
        table = dynamodb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in keys],
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": props["stream"]},
        )["TableDescription"]
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": props["ttl_attribute"]})
        made.tables[logical], made.streams[logical] = name, table["LatestStreamArn"]


def _buckets(s3, buckets: dict, stage: str, made: Resources) -> None:
    for logical, props in buckets.items():
        name = physical_name(stage, logical)
        s3.create_bucket(Bucket=name)
        if props.get("versioned"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if props.get("event_bridge"):   # the rules are the apps' own: the event runners create them
            s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}})
        made.buckets[logical] = name


def _topics(sns, topics: dict, stage: str, made: Resources) -> None:
    # The topic's function is subscribed by its event runner (devstack/runner_sns.py), as packaging does in AWS.
    for logical in topics:
        made.topics[logical] = sns.create_topic(Name=physical_name(stage, logical))["TopicArn"]


def _user_pool(cognito, props: dict, stage: str, made: Resources) -> None:
    pool = cognito.create_user_pool(
        PoolName=physical_name(stage, props["name"]),
        AutoVerifiedAttributes=["email"], UsernameAttributes=["email"],
    )["UserPool"]
    app_client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName=physical_name(stage, props["client"]), GenerateSecret=False,
        ExplicitAuthFlows=props["local_auth_flows"], ReadAttributes=props["read_attributes"],
    )["UserPoolClient"]
    made.user_pool_id, made.user_pool_client_id = pool["Id"], app_client["ClientId"]


def _mail(ses, stage: str, made: Resources) -> None:
    # The configuration set the base stack declares (bounces to ses-feedback); moto only records it.
    made.mail_configuration_set = physical_name(stage, "mail")
    ses.create_configuration_set(ConfigurationSet={"Name": made.mail_configuration_set})
    ses.verify_email_identity(EmailAddress=MAIL_SENDER)
    made.mail_sender = MAIL_SENDER


def put_llm_key(ssm, stage: str, key: str) -> str:
    """The LLM key as a SecureString (moto's SSM): the parameter's name."""
    name = llm_key_parameter(stage)
    ssm.put_parameter(Name=name, Value=key, Type="SecureString", Overwrite=True)
    return name


def write(resources: Resources, path: Path) -> None:
    path.write_text(json.dumps(resources.__dict__, indent=2))


def read(path: Path) -> Resources:
    return Resources(**json.loads(path.read_text()))
