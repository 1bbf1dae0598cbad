"""The local runner plays pushed events as Lambda's asynchronous invocation does: S3 object events
through EventBridge rules and SNS notifications, each retried twice and then dead-lettered."""
import json

import boto3

from devstack.resources import Resources
from devstack.runner import EventRunner
from tests.devstack.runner_harness import FIXTURE_APP, MONDAY, Ledger, sample
from tests.support.clocks import Clock

# EventBridge rules: S3 object events pushed, played as Lambda's asynchronous invocation ---------

def drain(runner: EventRunner) -> int:
    """Poll until nothing is due; how many invocations that made."""
    total = 0
    while delivered := runner.poll_once():
        total += delivered
    return total


def pushing_runner(made: Resources) -> EventRunner:
    boto3.client("s3").put_bucket_notification_configuration(
        Bucket=made.buckets["passports"], NotificationConfiguration={"EventBridgeConfiguration": {}})
    return EventRunner(FIXTURE_APP, clock=Clock(MONDAY), sqs_retry_delay_seconds=0,
                       rule_dead_letter_queue_urls={"pushed": made.queues["upload-events-dlq"]})


def test_an_s3_object_event_reaches_its_rules_handler_in_the_eventbridge_shape(made: Resources, ledger: Ledger) -> None:
    runner = pushing_runner(made)
    boto3.client("s3").put_object(Bucket=made.buckets["passports"], Key="pushed/a b+c.pdf", Body=b"x")
    boto3.client("s3").put_object(Bucket=made.buckets["passports"], Key="elsewhere/d.pdf", Body=b"x")
    drain(runner)
    [seen] = ledger.values("seen/pushed/")
    assert ledger.keys("attempts/pushed/") == ["attempts/pushed/pushed/a b+c.pdf"]   # the other key: not matched
    assert set(sample("eventBridgeEvent.json")) - {"replay-name"} <= set(seen)
    assert (seen["source"], seen["detail-type"], seen["resources"]) == (
        "aws.s3", "Object Created", [f"arn:aws:s3:::{made.buckets['passports']}"])
    assert seen["detail"]["object"]["key"] == "pushed/a b+c.pdf"   # as stored: not URL-encoded
    assert seen["detail"]["object"]["size"] == 1 and seen["detail"]["object"]["eTag"]


def test_a_handler_that_always_fails_sends_the_event_to_the_dead_letter_queue_after_two_retries(
        made: Resources, ledger: Ledger) -> None:
    runner = pushing_runner(made)
    boto3.client("s3").put_object(Bucket=made.buckets["passports"], Key="pushed/fail/x.pdf", Body=b"x")
    drain(runner)
    assert ledger.read("attempts/pushed/pushed/fail/x.pdf") == 3
    events = ledger.values("seen/pushed/pushed/fail/")
    assert len(events) == 3 and all(e == events[0] for e in events)   # the same event each time
    [dead] = boto3.client("sqs").receive_message(QueueUrl=made.queues["upload-events-dlq"], MaxNumberOfMessages=10,
                                                 MessageAttributeNames=["All"])["Messages"]
    assert json.loads(dead["Body"]) == events[0]
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "RuntimeError: cannot take pushed/fail/x.pdf"
    assert not drain(runner)   # nothing left to deliver


# SNS topics: notifications pushed, played as Lambda's asynchronous invocation -----------------

def test_an_sns_notification_reaches_its_handler_in_the_lambda_shape(made: Resources, ledger: Ledger) -> None:
    runner = EventRunner(FIXTURE_APP, clock=Clock(MONDAY), sqs_retry_delay_seconds=0)
    published = boto3.client("sns").publish(TopicArn=made.topics["ses-feedback"], Message='{"notificationType": "Bounce"}',
                                            Subject="bounced",
                                            MessageAttributes={"kind": {"DataType": "String", "StringValue": "ses"}})
    drain(runner)
    [seen] = ledger.values("seen/noticed/")
    [record] = seen["Records"]
    expected = sample("snsEvent.json")["Records"][0]
    assert set(record) == set(expected) and set(record["Sns"]) == set(expected["Sns"])
    assert (record["EventSource"], record["Sns"]["MessageId"], record["Sns"]["TopicArn"]) == (
        "aws:sns", published["MessageId"], made.topics["ses-feedback"])
    assert (record["Sns"]["Message"], record["Sns"]["Subject"]) == ('{"notificationType": "Bounce"}', "bounced")
    assert record["Sns"]["MessageAttributes"]["kind"] == {"Type": "String", "Value": "ses"}


def test_a_failing_sns_notification_is_retried_twice_then_dead_lettered(made: Resources, ledger: Ledger) -> None:
    runner = EventRunner(FIXTURE_APP, clock=Clock(MONDAY), sqs_retry_delay_seconds=0,
                         rule_dead_letter_queue_urls={"noticed": made.queues["ses-feedback-dlq"]})
    published = boto3.client("sns").publish(TopicArn=made.topics["ses-feedback"], Message="{}", Subject="fail")
    drain(runner)
    assert ledger.read(f"attempts/noticed/{published['MessageId']}") == 3
    events = ledger.values(f"seen/noticed/{published['MessageId']}/")
    assert len(events) == 3 and all(e == events[0] for e in events)   # the same event each time
    [dead] = boto3.client("sqs").receive_message(QueueUrl=made.queues["ses-feedback-dlq"], MaxNumberOfMessages=10,
                                                 MessageAttributeNames=["All"])["Messages"]
    assert json.loads(dead["Body"]) == events[0]
    assert not drain(runner)
