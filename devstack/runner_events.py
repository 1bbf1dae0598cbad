"""An EventBridge rule with a Lambda target, and Lambda's asynchronous invocation of it.

In AWS the packaged app declares the rule (Chalice's `on_cw_event`) and EventBridge invokes the
function asynchronously: Lambda retries a failing event twice (about a minute, then two, apart)
and then sends it to the function's dead-letter queue, the event as the body and the error in the
message attributes. moto delivers rule targets to SQS but not to Lambda, so locally the rule's
target is a queue of its own that this source drains, invoking the handler with each event as
EventBridge sent it, and playing those retries (a short delay instead of minutes) and the DLQ.
"""
import hashlib
import json
from typing import Any

from chalice.app import CloudWatchEventConfig

from devstack.runner_lambda import Function, invoke, log_delivery

SQS_MAX_PER_RECEIVE = 10


class EventRuleSource:
    def __init__(self, config: CloudWatchEventConfig, function: Function, session: Any, *,
                 dead_letter_queue_url: str | None, retries: int, retry_delay_seconds: int) -> None:
        self.function = function
        self._sqs, events = session.client("sqs"), session.client("events")
        self._dlq, self._retries, self._retry_delay = dead_letter_queue_url, retries, retry_delay_seconds
        pattern = json.dumps(config.event_pattern, sort_keys=True)
        # One rule and target queue per function and pattern: two stacks' runners never share one.
        name = f"{function.function_name}-{hashlib.sha1(pattern.encode()).hexdigest()[:8]}"
        self._url = self.queue_url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.rule_arn = events.put_rule(Name=name, EventPattern=pattern, State="ENABLED")["RuleArn"]
        events.put_targets(Rule=name, Targets=[{"Id": "lambda", "Arn": arn}])
        self.label = f"rule:{name}"

    def poll(self) -> int:
        """Invoke the handler once per event due; returns the number of invocations."""
        messages = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=SQS_MAX_PER_RECEIVE,
                                             AttributeNames=["ApproximateReceiveCount"], WaitTimeSeconds=0,
                                             ).get("Messages", [])
        for message in messages:
            self._deliver(message)
        return len(messages)

    def event_of(self, message: dict) -> dict:
        """The event as the function gets it: the target queue holds it as EventBridge sent it."""
        return json.loads(message["Body"])

    def _deliver(self, message: dict) -> None:
        event = self.event_of(message)
        outcome = invoke(self.function, event)
        attempt = int(message["Attributes"]["ApproximateReceiveCount"])
        if not outcome.failed:
            self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
            return log_delivery(self.label, self.function, 1, "ok")
        if attempt <= self._retries:
            self._sqs.change_message_visibility(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"],
                                                VisibilityTimeout=self._retry_delay)
            return log_delivery(self.label, self.function, 1, f"error (attempt {attempt}, retried)", outcome.error)
        if self._dlq:
            self._sqs.send_message(QueueUrl=self._dlq, MessageBody=json.dumps(event), MessageAttributes={
                "RequestID": _string(event.get("id", "")),
                "ErrorCode": _string("200"),   # the invocation answered; the function raised
                "ErrorMessage": _string(f"{type(outcome.error).__name__}: {outcome.error}"[:1024])})
        self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        log_delivery(self.label, self.function, 1, f"error (attempt {attempt}, to the dead-letter queue)"
                     if self._dlq else f"error (attempt {attempt}, dropped: no dead-letter queue)", outcome.error)


def _string(value: str) -> dict:
    return {"DataType": "String", "StringValue": value}
