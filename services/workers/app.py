"""workers: outside the VPC, driven by S3 (through SQS), SQS, DynamoDB-stream and schedule events."""
import logging
from datetime import UTC, datetime
from typing import Any

import boto3
from chalice import Chalice
from chalice.app import DynamoDBEvent, SQSEvent

from pawport import table
from chalicelib.workers import batches, mail, results, uploads
from chalicelib.workers.idempotency import OncePerObject
from chalicelib.workers.objects import Objects
from chalicelib.workers.settings import settings
from chalicelib.workers.workplace import Workplace

app = Chalice(app_name="pawport-workers")
config = settings()
table.bind(config.table_name, config.aws_region, config.aws_endpoint_url)
# Lambda's runtime shows WARNING and above by default; the handlers say at INFO why they skip things.
logging.getLogger("chalicelib.workers").setLevel(logging.INFO)


def _client(name: str) -> Any:
    return boto3.client(name, region_name=config.aws_region, endpoint_url=config.aws_endpoint_url)


place = Workplace(Objects(_client("s3")), config.uploads_bucket, config.jobs_bucket, clock=lambda: datetime.now(UTC))
postman = mail.Postman(_client("ses"), config.mail_sender, config.mail_configuration_set)
upload_once = OncePerObject(lambda stored: uploads.handle_upload(stored, place), "upload", config.table_name,
                            _client("dynamodb"))


@app.lambda_function(name="health")
def health(event: dict, context: object) -> dict:
    """Event-driven only: no HTTP API to expose."""
    return {"service": "workers", "status": "ok"}


@app.on_sqs_message(queue=config.upload_events_queue)
def upload_events(event: SQSEvent) -> dict:
    """A certificate landed under uploads/: check it, preview it, count it, hand it to egress."""
    return batches.each_object(event.to_dict(), event.context, upload_once.for_invocation(event.context))


@app.on_sqs_message(queue=config.job_events_queue)
def job_events(event: SQSEvent) -> dict:
    """Egress wrote results/<job id>.json: the draft gets its fields."""
    return batches.each_object(event.to_dict(), event.context, lambda stored: results.handle_result(stored, place))


@app.on_dynamodb_record(stream_arn=config.table_stream_arn)
def table_changes(event: DynamoDBEvent) -> None:
    """control queued mail (an item pk="MAIL#<id>" appeared): send it through SES."""
    for pk in mail.queued(event.to_dict()["Records"]):
        mail.deliver(pk, postman, datetime.now(UTC))
