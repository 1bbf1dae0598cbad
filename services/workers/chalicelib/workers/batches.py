"""SQS batches (the reminders of a day), the way Lambda hands them over.

Each message is handled on its own: one that fails is reported in `batchItemFailures` and
retried alone (the base stack sets ReportBatchItemFailures; the local runner honours it), and
after the queue's maxReceiveCount it goes to the dead-letter queue. The others are done.
"""
import logging
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

log = logging.getLogger(__name__)


def each_message(event: dict, context: Any, handle: Callable[[dict], Any]) -> dict[str, Any]:
    """Call handle with every message's JSON body; the partial batch response."""

    def record_handler(record: SQSRecord) -> None:
        try:
            handle(record.json_body)
        except Exception:
            log.exception("message %s failed; it will be retried", record.message_id)
            raise

    return dict(process_partial_response(event=event, record_handler=record_handler,
                                         processor=BatchProcessor(EventType.SQS), context=context))
