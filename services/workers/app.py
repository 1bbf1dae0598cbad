"""workers: outside the VPC, driven by S3 (through SQS), SQS, DynamoDB-stream and schedule events."""
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from chalice import Chalice, Cron
from chalice.app import CloudWatchEvent, DynamoDBEvent, SQSEvent

from pawport import llm_usage, table
from pawport.reminders import RUN_HOUR_UTC
from chalicelib.workers import batches, mail, operator_metrics, reminders, results, uploads
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
dynamodb = _client("dynamodb")
upload_once = OncePerObject(lambda stored: uploads.handle_upload(stored, place), "upload", config.table_name,
                            dynamodb)


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


@app.schedule(Cron(0, 6, "?", "*", "MON", "*"))
def publish_operator_metrics(event: CloudWatchEvent) -> None:
    """Mondays 06:00 UTC: control's month-to-date aggregates to CloudWatch, which control cannot reach.
    The rule's time is the clock; the Lambda client is made here, so as not to slow the others' cold starts."""
    invoker = boto3.client("lambda", region_name=config.aws_region, endpoint_url=config.lambda_endpoint_url)
    operator_metrics.publish_operator_metrics(invoker, _client("cloudwatch"), config.operator_aggregates_function,
                                              config.metrics_namespace, config.stage, datetime.fromisoformat(event.time))


@app.schedule(Cron(0, RUN_HOUR_UTC, "*", "*", "?", "*"))
def remind_due_records(event: CloudWatchEvent) -> dict:
    """Daily: one message per household with reminders due, read from the due-date index (never Aurora).
    The rule's time is the clock, so a retried or late run still knows which day it serves."""
    sqs = _client("sqs")
    queue_url = sqs.get_queue_url(QueueName=config.reminders_queue)["QueueUrl"]
    return reminders.fan_out(dynamodb, sqs, config.table_name, queue_url, datetime.fromisoformat(event.time))


@app.schedule(Cron(0, 5, 2, "*", "?", "*"))
def reconcile_llm_use(event: CloudWatchEvent) -> dict:
    """The 2nd of each month: last month's LLM counters rebuilt from egress's usage objects (rule 4)."""
    last_month = datetime.fromisoformat(event.time).replace(day=1) - timedelta(days=1)
    return results.reconcile_llm_use(place, llm_usage.month_of(last_month))


@app.on_sqs_message(queue=config.reminders_queue)
def reminder_mail(event: SQSEvent) -> dict:
    """A household's reminders of the day: mailed to each member once, however often the message comes."""
    return batches.each_message(event.to_dict(), event.context, lambda message: reminders.deliver(
        message, dynamodb, config.table_name, postman, datetime.now(UTC)))
