"""An SNS topic pushing to a Lambda function (Chalice's `on_sns_message`), and Lambda's asynchronous
invocation of it.

In AWS the packaged app subscribes the function to the topic and SNS invokes it asynchronously,
one message per invocation: Lambda retries a failing one twice, then sends it to the function's
dead-letter queue. moto delivers SNS to SQS but not to Lambda, so locally a queue of the runner's
own is subscribed to the topic (the standard envelope, not raw delivery) and drained as a rule's
target queue is (devstack/runner_events.py): each envelope becomes the `Records` event Lambda
builds from it, whose field names differ a little (`SigningCertUrl`, `UnsubscribeUrl`).
"""
import hashlib
import json
from typing import Any

from chalice.app import SNSEventConfig

from devstack.runner_events import EventRuleSource
from devstack.runner_lambda import Function


class SnsSource(EventRuleSource):
    def __init__(self, config: SNSEventConfig, function: Function, session: Any, account: str, *,
                 dead_letter_queue_url: str | None, retries: int, retry_delay_seconds: int) -> None:
        self.function = function
        self._sqs, sns = session.client("sqs"), session.client("sns")
        self._dlq, self._retries, self._retry_delay = dead_letter_queue_url, retries, retry_delay_seconds
        # Chalice takes a topic's name or ARN; a name is a topic of the deploying account and region.
        self.topic_arn = config.topic if config.topic.startswith("arn:") else \
            f"arn:aws:sns:{session.region_name}:{account}:{config.topic}"
        name = f"{function.function_name}-sns-{hashlib.sha1(self.topic_arn.encode()).hexdigest()[:8]}"
        self._url = self.queue_url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.subscription_arn = sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
        self.label = f"sns:{self.topic_arn.rsplit(':', 1)[-1]}"

    def event_of(self, message: dict) -> dict:
        envelope = json.loads(message["Body"])
        return {"Records": [{
            "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": self.subscription_arn,
            "Sns": {"Type": envelope["Type"], "MessageId": envelope["MessageId"], "TopicArn": envelope["TopicArn"],
                    "Subject": envelope.get("Subject"), "Message": envelope["Message"],
                    "Timestamp": envelope["Timestamp"], "SignatureVersion": envelope.get("SignatureVersion", "1"),
                    "Signature": envelope.get("Signature", ""), "SigningCertUrl": envelope.get("SigningCertURL", ""),
                    "UnsubscribeUrl": envelope.get("UnsubscribeURL", ""),
                    "MessageAttributes": envelope.get("MessageAttributes", {})}}]}
