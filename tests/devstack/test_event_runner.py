"""The local event runner delivers SQS, DynamoDB-stream and schedule events as Lambda does (its
Invoke API: test_runner_invoke.py).

The handlers of tests/fixtures/runner_app write what they see into moto's S3; the assertions
read that state. Each test gets its own copy of infra/resources.yaml in moto (its own stage).
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
    EventBridgeModel,
    SqsModel,
)
from croniter import croniter

from devstack import REPO, resources
from devstack.ports import free_port
from devstack.resources import Resources
from devstack.runner import EventRunner, UnsupportedEventSource
from devstack.runner_schedules import croniter_expression
from devstack.runner_streams import TTL_PRINCIPAL
from tests.devstack.runner_harness import (
    FIXTURE_APP,
    MAX_STREAM_RETRIES,
    MONDAY,
    REGION,
    Ledger,
    lambda_client,
    runner_for,
    sample,
)
from tests.support.clocks import Clock


def send(queue_url: str, body: str, **attributes: Any) -> str:
    return boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body, **attributes)["MessageId"]


def queue_depth(queue_url: str) -> int:
    counts = boto3.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return sum(int(n) for n in counts.values())


def receive_all(queue_url: str) -> list[dict]:
    return boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                               WaitTimeSeconds=0).get("Messages", [])


# 1. At-least-once SQS delivery ------------------------------------------------------------------

def test_a_handler_failing_twice_sees_the_message_three_times_and_ends_as_if_delivered_once(
        made: Resources, ledger: Ledger) -> None:
    message_id = send(made.queues["mail"], json.dumps({"fail_times": 2, "pet": "Rex"}))
    runner = runner_for(made)

    assert [runner.poll_once() for _ in range(4)] == [1, 1, 1, 0]

    receive_counts = sorted(int(d["Records"][0]["attributes"]["ApproximateReceiveCount"])
                            for d in ledger.values("deliveries/flaky/"))
    assert receive_counts == [1, 2, 3]
    assert ledger.read(f"attempts/flaky/{message_id}") == 3
    assert ledger.keys("done/flaky/") == [f"done/flaky/{message_id}"]
    assert ledger.read(f"done/flaky/{message_id}") == {"fail_times": 2, "pet": "Rex"}
    assert queue_depth(made.queues["mail"]) == 0 and queue_depth(made.queues["mail-dlq"]) == 0


def test_a_raising_handler_leaves_the_whole_batch_for_retry(made: Resources, ledger: Ledger) -> None:
    ids = [send(made.queues["mail"], json.dumps({"fail_times": n})) for n in (0, 1, 0)]
    runner = runner_for(made)

    assert runner.poll_once() == 1
    assert ledger.keys("done/flaky/") == [] and queue_depth(made.queues["mail"]) == 3
    assert runner.poll_once() == 1

    assert [ledger.read(f"attempts/flaky/{i}") for i in ids] == [2, 2, 2]  # all three were redelivered
    assert ledger.keys("done/flaky/") == sorted(f"done/flaky/{i}" for i in ids)
    assert queue_depth(made.queues["mail"]) == 0


def test_sqs_records_have_the_shape_lambda_delivers(made: Resources, ledger: Ledger) -> None:
    send(made.queues["mail"], json.dumps({"fail_times": 0}), MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "reminder"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    runner_for(made).poll_once()

    [delivery] = ledger.values("deliveries/flaky/")
    [record] = delivery["Records"]
    expected = sample("sqsEvent.json")["Records"][0]
    assert set(record) == set(expected) | {"md5OfMessageAttributes"}
    assert set(record["attributes"]) == set(expected["attributes"])
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "reminder", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
        "blob": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"}}
    assert record["eventSourceARN"].endswith(":" + made.queues["mail"].rsplit("/", 1)[1])
    assert (record["eventSource"], record["awsRegion"]) == ("aws:sqs", REGION)
    SqsModel.model_validate(delivery)


# 2. Partial batches and the dead-letter queue ---------------------------------------------------

def test_an_always_failing_message_reaches_the_dlq_and_the_rest_of_its_batch_is_processed(
        made: Resources, ledger: Ledger) -> None:
    good = [send(made.queues["reminders"], f"ok-{n}") for n in range(2)]
    poison = send(made.queues["reminders"], "poison")
    runner = runner_for(made)

    # Three deliveries (maxReceiveCount is 3); the fourth receive moves the message to the DLQ.
    assert [runner.poll_once() for _ in range(4)] == [1, 1, 1, 0]

    assert ledger.keys("done/partial/") == sorted(f"done/partial/{i}" for i in good)
    assert [ledger.read(f"attempts/partial/{i}") for i in good] == [1, 1]  # deleted after one delivery
    assert ledger.read(f"attempts/partial/{poison}") == 3
    assert [m["Body"] for m in receive_all(made.queues["reminders-dlq"])] == ["poison"]
    assert queue_depth(made.queues["reminders"]) == 0


# 3. DynamoDB streams ----------------------------------------------------------------------------

def put(made: Resources, pk: str, **attributes: dict) -> None:
    boto3.client("dynamodb").put_item(TableName=made.tables["main"],
                                      Item={"pk": {"S": pk}, "sk": {"S": "item"}, **attributes})


def delete(made: Resources, pk: str) -> None:
    boto3.client("dynamodb").delete_item(TableName=made.tables["main"], Key={"pk": {"S": pk}, "sk": {"S": "item"}})


def changes(records: list[dict]) -> list[tuple[str, str]]:
    return [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records]


def test_stream_records_arrive_in_order_with_the_source_arn_and_epoch_seconds(
        made: Resources, ledger: Ledger) -> None:
    runner = runner_for(made)
    put(made, "a")
    put(made, "b")
    put(made, "a", note={"S": "changed"})
    delete(made, "b")

    assert runner.poll_once() == 2  # one batch for each of the two stream handlers

    [records] = ledger.values("stream/recorder/")
    assert changes(records) == [("INSERT", "a"), ("INSERT", "b"), ("MODIFY", "a"), ("REMOVE", "b")]
    expected = sample("dynamoStreamEvent.json")["Records"][0]
    for record in records:
        assert set(record) == set(expected)
        assert record["eventSourceARN"] == made.streams["main"]
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        assert isinstance(created, float) and created == int(created) and abs(created - time.time()) < 60
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequence == sorted(sequence)
    DynamoDBStreamModel.model_validate({"Records": records})
    assert changes(ledger.values("stream/partial/")) == changes(records)


def test_a_failing_stream_batch_goes_to_the_failure_queue_after_its_retries_and_the_shard_moves_on(
        made: Resources, ledger: Ledger) -> None:
    runner = runner_for(made)
    for pk, attributes in (("good-1", {}), ("bad", {"poison": {"BOOL": True}}), ("good-2", {})):
        put(made, pk, **attributes)

    # Each poll: stream_recorder raises; stream_partial reports the poisoned record.
    assert [runner.poll_once() for _ in range(MAX_STREAM_RETRIES + 1)] == [2, 2, 2]
    assert runner.poll_once() == 0  # retries exhausted: both handlers moved past the batch

    failures = {f.request_context.function_arn.rsplit("-", 1)[1]: f for f in map(
        DynamoDBStreamLambdaOnFailureDestinationModel.model_validate_json,
        [m["Body"] for m in receive_all(made.queues["stream-failures"])])}
    assert set(failures) == {"stream_recorder", "stream_partial"}
    recorder, partial = failures["stream_recorder"], failures["stream_partial"]
    assert (recorder.request_context.condition, recorder.request_context.approximate_invoke_count) == (
        "RetryAttemptsExhausted", MAX_STREAM_RETRIES + 1)
    assert recorder.response_context.function_error == "Unhandled"
    assert (recorder.ddb_stream_batch_info.batch_size, recorder.ddb_stream_batch_info.stream_arn) == (
        3, made.streams["main"])
    # The partial handler's checkpoint moved past good-1: only "bad" and what follows failed.
    assert partial.ddb_stream_batch_info.batch_size == 2 and partial.response_context.function_error is None
    assert partial.ddb_stream_batch_info.end_sequence_number == recorder.ddb_stream_batch_info.end_sequence_number
    assert ledger.values("stream/recorder/") == []

    put(made, "good-3")
    assert runner.poll_once() == 2
    assert [changes(batch) for batch in ledger.values("stream/recorder/")] == [[("INSERT", "good-3")]]
    assert changes(ledger.values("stream/partial/")) == [
        ("INSERT", "good-1"), ("INSERT", "good-2"), ("INSERT", "good-3")]


# 4. TTL -----------------------------------------------------------------------------------------

def test_the_ttl_sweep_deletes_expired_items_only_and_marks_their_remove_records(
        made: Resources, ledger: Ledger) -> None:
    now = time.time()
    clock = Clock(now)
    runner = runner_for(made, clock)
    number = lambda seconds: {"N": str(int(seconds))}  # noqa: E731
    put(made, "expired", expires_at=number(now - 60))
    put(made, "fresh", expires_at=number(now + 3600))
    put(made, "no-ttl")
    put(made, "text-ttl", expires_at={"S": str(int(now - 60))})        # not a Number: ignored by AWS
    put(made, "ancient", expires_at=number(now - 6 * 365 * 86400))    # over five years past: ignored by AWS
    put(made, "deleted-by-user", expires_at=number(now + 3600))
    delete(made, "deleted-by-user")

    runner.poll_once()

    items = boto3.client("dynamodb").scan(TableName=made.tables["main"])["Items"]
    assert sorted(i["pk"]["S"] for i in items) == ["ancient", "fresh", "no-ttl", "text-ttl"]
    removes = {r["dynamodb"]["Keys"]["pk"]["S"]: r for batch in ledger.values("stream/recorder/")
               for r in batch if r["eventName"] == "REMOVE"}
    assert removes["expired"]["userIdentity"] == TTL_PRINCIPAL
    assert "userIdentity" not in removes["deleted-by-user"]
    DynamoDBStreamModel.model_validate({"Records": list(removes.values())})

    clock.now += 7200  # "fresh" has expired by now
    runner.poll_once()
    assert [i["pk"]["S"] for i in boto3.client("dynamodb").scan(TableName=made.tables["main"])["Items"]
            if i["pk"]["S"] == "fresh"] == []


# 5. Schedules -----------------------------------------------------------------------------------

def at(hhmmss: str) -> float:
    hours, minutes, seconds = map(int, hhmmss.split(":"))
    return MONDAY + hours * 3600 + minutes * 60 + seconds


def test_rate_and_cron_schedules_fire_on_the_injected_clock(made: Resources, ledger: Ledger) -> None:
    clock = Clock(at("07:58:00"))
    runner = runner_for(made, clock)
    expected = [("07:59:59", 0), ("08:00:00", 1), ("08:00:00", 0), ("08:02:59", 0), ("08:03:00", 1),
                ("08:07:59", 0), ("08:08:00", 1), ("08:30:00", 2), ("08:32:59", 0), ("08:33:00", 1)]
    fired = []
    for moment, _ in expected:
        clock.now = at(moment)
        fired.append((moment, runner.poll_once()))
    assert fired == expected

    def times(name: str) -> list[str]:
        return sorted(e["time"] for e in ledger.values(f"schedule/{name}/"))

    assert times("monday_eight") == ["2026-01-05T08:00:00Z"]
    # Missed occurrences are not made up: one event at 08:30, and the rate keeps its phase (07:58 + 5n).
    assert times("every_five_minutes") == ["2026-01-05T08:03:00Z", "2026-01-05T08:08:00Z", "2026-01-05T08:30:00Z",
                                           "2026-01-05T08:33:00Z"]
    assert times("weekday_morning") == ["2026-01-05T08:30:00Z"]


def test_scheduled_events_have_the_eventbridge_shape(made: Resources, ledger: Ledger) -> None:
    runner = runner_for(made, Clock(at("12:00:00")))
    assert not runner.fire("weekday_morning").failed

    [event] = ledger.values("schedule/weekday_morning/")
    assert set(event) == set(sample("eventBridgeEvent.json")) - {"replay-name"}  # only replayed events have it
    assert (event["detail-type"], event["source"], event["detail"], event["region"]) == (
        "Scheduled Event", "aws.events", {}, REGION)
    assert event["resources"] == [f"arn:aws:events:{REGION}:{event['account']}:rule/"
                                  "runner-fixture-local-weekday_morning-event"]
    EventBridgeModel.model_validate(event)
    with pytest.raises(KeyError):
        runner.fire("flaky")


def test_a_failing_scheduled_invocation_is_retried_twice_with_the_same_event(made: Resources, ledger: Ledger) -> None:
    clock = Clock(at("07:00:00"))
    runner = runner_for(made, clock)
    fired = []
    for moment in ("08:00:00", "08:00:59", "08:01:00", "08:02:59", "08:03:00", "08:04:59"):
        clock.now = at(moment)
        fired.append(runner.poll_once())

    # 08:00 also fires monday_eight and every_five_minutes; the retries come 1 and 2 minutes apart.
    assert fired == [3, 0, 1, 0, 1, 0]
    [key] = ledger.keys("attempts/failing_hourly/")
    assert ledger.read(key) == 3


@pytest.mark.parametrize("aws, converted", [
    ("cron(0 8 ? * 2 *)", "0 8 * * 1 0 *"),                  # Monday is 2 in AWS, 1 in croniter
    ("cron(30 9 ? * MON-FRI *)", "30 9 * * MON-FRI 0 *"),
    ("cron(0 12 ? * 2#1 2027)", "0 12 * * 1#1 0 2027"),      # the first Monday of each month in 2027
    ("cron(15 10 ? * 6L *)", "15 10 * * L5 0 *"),            # the last Friday of each month
    ("cron(0/15 * 1-7 * ? *)", "0/15 * 1-7 * * 0 *"),
])
def test_aws_cron_expressions_convert_to_croniter(aws: str, converted: str) -> None:
    assert croniter_expression(aws) == converted and croniter.is_valid(converted)


def test_cron_expressions_the_runner_cannot_run_are_refused() -> None:
    with pytest.raises(ValueError):
        croniter_expression("cron(0 8 15W * ? *)")
    with pytest.raises(ValueError):
        croniter_expression("cron(0 8 * * ?)")


# Loading and the command line -------------------------------------------------------------------

@pytest.mark.parametrize("decorator, error", [
    ("@app.on_s3_event(bucket='uploads')", UnsupportedEventSource),
    ("@app.on_sqs_message(queue='no-such-queue')", LookupError),
])
def test_a_handler_the_runner_cannot_run_is_refused_by_name(
        aws_env: str, tmp_path: Path, decorator: str, error: type[Exception]) -> None:
    (tmp_path / "app.py").write_text(
        f"from chalice import Chalice\napp = Chalice(app_name='refused')\n\n{decorator}\n"
        "def on_event(event):\n    pass\n")
    with pytest.raises(error, match="on_event"):
        EventRunner(tmp_path)


def test_the_command_line_runner_delivers_survives_a_failing_handler_and_stops_on_sigterm(
        made: Resources, ledger: Ledger, tmp_path: Path) -> None:
    resources_file = tmp_path / "resources.json"
    resources.write(made, resources_file)
    message_id = send(made.queues["mail"], json.dumps({"fail_times": 1}))
    invoke_port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.runner", str(FIXTURE_APP), "--resources", str(resources_file),
         "--sweep-ttl", "--interval", "0.1", "--invoke-port", str(invoke_port)],
        cwd=REPO, env=os.environ | {"PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not ledger.keys("done/flaky/") and time.monotonic() < deadline:
            time.sleep(0.1)
        echoed = lambda_client(f"http://127.0.0.1:{invoke_port}").invoke(FunctionName="echo", Payload=b"{}")
        assert json.load(echoed["Payload"])["function_name"] == "runner-fixture-local-echo"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    log = stderr.decode()
    assert ledger.keys("done/flaky/") == [f"done/flaky/{message_id}"]
    assert process.returncode == 0, log
    assert "handler=flaky count=1 outcome=error" in log and "RuntimeError: not yet" in log
    assert "handler=flaky count=1 outcome=ok" in log
