"""workers: outside the VPC, driven by S3 (through EventBridge), SQS, DynamoDB-stream and schedule events."""
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from chalice import Chalice, Cron, Rate
from chalice.app import CloudWatchEvent, DynamoDBEvent, SQSEvent

from chalicelib.workers import (
    asks,
    batches,
    budget,
    draft_review,
    file_cleanup,
    mail,
    operator_metrics,
    passport_views,
    passports,
    pet_photos,
    reminders,
    results,
    uploads,
)
from chalicelib.workers.asks import Asker
from chalicelib.workers.extraction_jobs import Reader, lambda_client
from chalicelib.workers.idempotency import OncePerObject
from chalicelib.workers.objects import Objects
from chalicelib.workers.passport_page import Origins
from chalicelib.workers.reminder_mail import Links
from chalicelib.workers.settings import settings
from chalicelib.workers.workplace import Workplace
from pawport import llm_budget, llm_usage, s3_events
from pawport.pet_photos import PHOTOS_PREFIX
from pawport.reminders import RUN_HOUR_UTC
from pawport.store import Store

app = Chalice(app_name="pawport-workers")
config = settings()
# Lambda's runtime shows WARNING and above by default; the handlers say at INFO why they skip things.
logging.getLogger("chalicelib.workers").setLevel(logging.INFO)


def _client(name: str) -> Any:
    return boto3.client(name, region_name=config.aws_region, endpoint_url=config.aws_endpoint_url)


def now() -> datetime:
    return datetime.now(UTC)


store = Store.from_settings(config, clock=now)
objects = Objects(_client("s3"))
reader = Reader(lambda: lambda_client(config.aws_region, config.lambda_endpoint_url), config.extraction_function,
                objects)
place = Workplace(objects, config.uploads_bucket, config.jobs_bucket, store, clock=now, reader=reader)
asker = Asker(lambda: lambda_client(config.aws_region, config.lambda_endpoint_url), config.ask_function)
budgets = llm_budget.Budgets(store, now)
postman = mail.Postman(_client("ses"), config.mail_sender, config.mail_configuration_set)
links = Links(config.reminder_link_key.get_secret_value(), config.web_app_url, config.reminder_unsubscribe_url)
press = passports.Press(store, objects, config.passports_bucket, config.uploads_bucket,
                        Origins(cdn=config.passport_origin, api=config.api_origin),
                        passports.Distribution(lambda: _client("cloudfront"), config.distribution_id))
upload_once = OncePerObject(lambda stored: uploads.handle_upload(stored, place), "upload", store)
photo_once = OncePerObject(lambda stored: pet_photos.handle_photo(stored, place), "photo", store)


@app.lambda_function(name="health")
def health(event: dict, context: object) -> dict:
    """Event-driven only: no HTTP API to expose."""
    return {"service": "workers", "status": "ok"}


@app.lambda_function(name="review_draft")
def review_draft(event: dict, context: object) -> dict:
    """Invoked by the api (which only reads the table) once it has checked the caller may: a
    vaccination read from a draft discarded, or the whole draft dismissed with its files."""
    return draft_review.review(event, place)


@app.on_cw_event(s3_events.objects_created(config.uploads_bucket, "uploads/", PHOTOS_PREFIX), name="upload_events")
def upload_events(event: CloudWatchEvent) -> dict:
    """A certificate landed under uploads/: check it, preview it, count it, have egress read it. A
    pet's photo landed under photos/: check it and make it the pet's picture. Pushed by EventBridge
    (an asynchronous invocation: retried twice, then the dead-letter queue)."""
    stored = s3_events.created_object(event.to_dict())
    once = photo_once if stored.key.startswith(PHOTOS_PREFIX) else upload_once
    return once.for_invocation(event.context)(stored)


@app.on_dynamodb_record(stream_arn=config.table_stream_arn)
def table_changes(event: DynamoDBEvent) -> None:
    """control queued mail (an item pk="MAIL#<id>" appeared): send it through SES. A draft expired
    unapproved, or a record was deleted: its files go. A passport, or a pet or record it may show,
    changed: its page is published again, or taken down. control handed over an ask: egress answers
    it. An LLM reservation's hold expired unsettled: its estimate is released."""
    records = event.to_dict()["Records"]
    for ask in asks.handed_over(records):
        asks.answer(ask, asker, store, budgets)
    budget.release_expired(records, budgets)
    for pk in mail.queued(records):
        mail.deliver(store, pk, postman, now())
    file_cleanup.delete_leftovers(records, place)
    passports.refresh_all(press, passports.tokens_touched(press, records))


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
    return reminders.fan_out(store, sqs, queue_url, datetime.fromisoformat(event.time))


@app.schedule(Cron(0, 5, 2, "*", "?", "*"))
def reconcile_llm_use(event: CloudWatchEvent) -> dict:
    """The 2nd of each month: last month's LLM counters rebuilt from the jobs' usage objects, and each
    household's budget counters from its usage events (their reconciliation paths)."""
    last_month = llm_usage.month_of(datetime.fromisoformat(event.time).replace(day=1) - timedelta(days=1))
    return results.reconcile_llm_use(place, last_month) | {"households": len(budgets.rebuild(last_month))}


@app.schedule(Cron(0, 4, "?", "*", "SUN", "*"))
def reconcile_document_counts(event: CloudWatchEvent) -> dict:
    """Sundays 04:00 UTC, before the day's reminders and Monday's operator report: every pet's
    document counter rebuilt from what the uploads bucket holds (their reconciliation path), and
    every pet's photo item from the picture S3 holds (their rebuild path)."""
    return uploads.reconcile_document_counts(place) | pet_photos.reconcile_photos(place)


@app.schedule(Rate(1, unit=Rate.HOURS))
def sweep_expired_passports(event: CloudWatchEvent) -> int:
    """Hourly: passports past their expiry taken down, without waiting for DynamoDB's lazy TTL deletion."""
    return passports.sweep_expired(press, datetime.fromisoformat(event.time))


@app.schedule(Rate(1, unit=Rate.HOURS))
def count_passport_views(event: CloudWatchEvent) -> int:
    """Hourly: the CDN's new access-log files added to each passport's view counter."""
    return passport_views.count_views(store, objects, config.logs_bucket, config.passport_logs_prefix,
                                      datetime.fromisoformat(event.time))


@app.on_sqs_message(queue=config.reminders_queue)
def reminder_mail(event: SQSEvent) -> dict:
    """A household's reminders of the day: mailed to each member once, however often the message comes."""
    return batches.each_message(event.to_dict(), event.context, lambda message: reminders.deliver(
        message, store, postman, now(), links))
