"""Lambda's SQS event source mapping: receive a batch, invoke, delete what succeeded.

Partial batch responses are honoured: the base stack declares FunctionResponseTypes:
[ReportBatchItemFailures] on every SQS mapping, which Chalice itself never sets.
"""
import base64
from typing import Any

from chalice.app import SQSEventConfig

from devstack.runner_lambda import Function, failed_items, invoke, log_delivery

SQS_MAX_PER_RECEIVE = 10


class SqsSource:
    def __init__(self, config: SQSEventConfig, function: Function, session: Any, retry_delay_seconds: int) -> None:
        self._sqs = session.client("sqs")
        self.function = function
        self._batch_size = config.batch_size
        self._retry_delay = retry_delay_seconds
        self._region = session.region_name
        self._url = self._queue_url(config)
        self._arn = self._sqs.get_queue_attributes(
            QueueUrl=self._url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.label = f"sqs:{self._arn.split(':')[-1]}"

    def _queue_url(self, config: SQSEventConfig) -> str:
        name, owner = config.queue, {}
        if config.queue_arn:
            *_, account, name = config.queue_arn.split(":")
            owner = {"QueueOwnerAWSAccountId": account}
        try:
            return self._sqs.get_queue_url(QueueName=name, **owner)["QueueUrl"]
        except self._sqs.exceptions.QueueDoesNotExist:
            raise LookupError(f"{config.name}: its queue {config.queue_arn or config.queue} does not exist") from None

    def poll(self) -> int:
        """Deliver at most one batch; returns the number of invocations (0 or 1)."""
        messages = self._receive()
        if not messages:
            return 0
        outcome = invoke(self.function, {"Records": [self._record(m) for m in messages]})
        retry = set(failed_items(outcome, [m["MessageId"] for m in messages]))
        self._delete([m for m in messages if m["MessageId"] not in retry])
        self._retry_later([m for m in messages if m["MessageId"] in retry])
        label = "error" if outcome.failed else f"partial({len(retry)} to retry)" if retry else "ok"
        log_delivery(self.label, self.function, len(messages), label, outcome.error)
        return 1

    def _receive(self) -> list[dict]:
        messages: list[dict] = []
        while len(messages) < self._batch_size:
            received = self._sqs.receive_message(
                QueueUrl=self._url, MaxNumberOfMessages=min(SQS_MAX_PER_RECEIVE, self._batch_size - len(messages)),
                AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=0,
            ).get("Messages", [])
            if not received:
                break
            messages += received
        return messages

    def _record(self, message: dict) -> dict:
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {name: _lambda_attribute(value)
                                  for name, value in message.get("MessageAttributes", {}).items()},
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record | {"md5OfBody": message["MD5OfBody"], "eventSource": "aws:sqs",
                         "eventSourceARN": self._arn, "awsRegion": self._region}

    def _delete(self, messages: list[dict]) -> None:
        for chunk in _chunks(messages):
            self._sqs.delete_message_batch(QueueUrl=self._url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)])

    def _retry_later(self, messages: list[dict]) -> None:
        # In AWS a failed message stays invisible for the queue's whole visibility timeout;
        # a short delay keeps local retries (and tests) fast. Redrive to the DLQ happens on receive.
        for chunk in _chunks(messages):
            self._sqs.change_message_visibility_batch(QueueUrl=self._url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self._retry_delay}
                for i, m in enumerate(chunk)])


def _lambda_attribute(value: dict) -> dict:
    """A message attribute in the lower-camel form Lambda delivers (binary values base64-encoded)."""
    attribute: dict[str, Any] = {}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute | {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}


def _chunks(messages: list[dict]) -> list[list[dict]]:
    return [messages[i:i + SQS_MAX_PER_RECEIVE] for i in range(0, len(messages), SQS_MAX_PER_RECEIVE)]
