"""workers' settings: the table, the buckets and queues it serves. No database, no LLM: data and way out apart."""
from functools import lru_cache
from typing import Annotated

from pydantic import Field, SecretStr

from pawport.reminder_links import SHORTEST_KEY
from pawport.settings import DATABASE_VARIABLES, LLM_VARIABLES, ServiceSettings


class WorkersSettings(ServiceSettings):
    forbidden_variables = DATABASE_VARIABLES + LLM_VARIABLES
    table_name: str
    uploads_bucket: str
    jobs_bucket: str
    # Physical queue name: Chalice wires on_sqs_message to a queue by name.
    reminders_queue: str       # one message per household with reminders due (the daily run's fan-out)
    table_stream_arn: str      # the main table's stream: mail control queued
    mail_sender: str           # an address of an identity verified in SES
    mail_configuration_set: str
    # control's aggregates-only function, which the weekly operator metrics invoke (operator_metrics.py).
    operator_aggregates_function: str
    # egress's `extract`, invoked synchronously with each checked upload (extraction_jobs.py).
    extraction_function: str
    # egress's `ask`, invoked synchronously with each ask control handed over (asks.py).
    ask_function: str
    # Passports: the bucket the CDN serves them from, where the page is served and its certificate
    # links go, the CDN's access logs, and the distribution to invalidate (unset locally: no CDN cache).
    passports_bucket: str
    passport_origin: str
    api_origin: str
    logs_bucket: str
    passport_logs_prefix: str = "passports/"
    distribution_id: str = ""   # empty locally: no CDN cache to invalidate
    # Reminder mail's links: the web app (a pet's page), control's public unsubscribe page, and the key
    # that signs unsubscribe tokens (control verifies them with the same key).
    web_app_url: str
    reminder_unsubscribe_url: str
    reminder_link_key: Annotated[SecretStr, Field(min_length=SHORTEST_KEY)]
    metrics_namespace: str = "Pawport"   # infra/policies.py scopes cloudwatch:PutMetricData to it
    # Unset in AWS; locally the event runners serve the Invoke API (moto runs no function).
    lambda_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL_LAMBDA")


@lru_cache(maxsize=1)
def settings() -> WorkersSettings:
    return WorkersSettings()
