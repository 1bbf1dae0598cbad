"""workers' settings: the table, the buckets and queues it serves. No database, no LLM (rule 3)."""
from functools import lru_cache

from pawport.settings import DATABASE_VARIABLES, LLM_VARIABLES, ServiceSettings


class WorkersSettings(ServiceSettings):
    forbidden_variables = DATABASE_VARIABLES + LLM_VARIABLES
    table_name: str
    uploads_bucket: str
    jobs_bucket: str
    # Physical queue names: Chalice wires on_sqs_message to a queue by name.
    upload_events_queue: str   # S3 notifications for uploads/ in the uploads bucket
    job_events_queue: str      # S3 notifications for results/ in the jobs bucket (egress's answers)
    table_stream_arn: str      # the main table's stream: mail control queued
    mail_sender: str           # an address of an identity verified in SES
    mail_configuration_set: str


@lru_cache(maxsize=1)
def settings() -> WorkersSettings:
    return WorkersSettings()
