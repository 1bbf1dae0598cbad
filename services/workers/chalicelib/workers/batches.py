"""SQS batches (S3 notifications, reminders), the way Lambda hands them over.

Each message is handled on its own: one that fails is reported in `batchItemFailures` and
retried alone (the base stack sets ReportBatchItemFailures; the local runner honours it), and
after the queue's maxReceiveCount it goes to the dead-letter queue. The others are done.
"""
import logging
from typing import Any, Callable

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pawport.s3_events import StoredObject, created_objects

log = logging.getLogger(__name__)


def each_object(event: dict, context: Any, handle: Callable[[StoredObject], Any]) -> dict:
    """Call handle for every object the batch's notifications announce; the partial batch response."""

    def record_handler(record: SQSRecord) -> None:
        try:
            created = created_objects(record.body)
            if not created:
                log.info("message %s announces no created object (e.g. s3:TestEvent): nothing to do",
                         record.message_id)
            for stored in created:
                handle(stored)
        except Exception:
            log.exception("message %s failed; it will be retried", record.message_id)
            raise

    return process_partial_response(event=event, record_handler=record_handler,
                                    processor=BatchProcessor(EventType.SQS), context=context)


def each_message(event: dict, context: Any, handle: Callable[[dict], Any]) -> dict:
    """Call handle with every message's JSON body; the partial batch response."""

    def record_handler(record: SQSRecord) -> None:
        try:
            handle(record.json_body)
        except Exception:
            log.exception("message %s failed; it will be retried", record.message_id)
            raise

    return process_partial_response(event=event, record_handler=record_handler,
                                    processor=BatchProcessor(EventType.SQS), context=context)
