"""Lambda's DynamoDB stream event source mapping, and the TTL deletions moto never makes."""
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.app import DynamoDBEventConfig

from devstack.runner_lambda import Function, Outcome, failed_items, invoke, log, log_delivery

TTL_PRINCIPAL = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
# AWS's TTL process ignores expiry times more than five years in the past.
TTL_MAX_AGE_SECONDS = 5 * 365 * 24 * 3600
# Only a Number TTL counts, as in AWS. The type test comes first because moto answers 500 when
# `<` compares a String attribute with a Number (AWS just finds no match).
EXPIRED = "attribute_type(#ttl, :number) AND #ttl < :now"


def _expired_values(now: int) -> dict:
    return {":number": {"S": "N"}, ":now": {"N": str(now)}}


def _canonical(keys: dict) -> str:
    return json.dumps(keys, sort_keys=True)


class TtlDeletions:
    """Keys the sweep deleted, so that their REMOVE records carry the TTL principal as in AWS."""

    def __init__(self, watched_tables: Iterable[str]) -> None:
        self._watched = set(watched_tables)  # only tables whose stream this runner reads, or keys pile up
        self._pending: dict[str, list[str]] = defaultdict(list)
        # (table, sequence number) of REMOVE records already matched: a retried or second mapping sees them again.
        self._matched: set[tuple[str, str]] = set()

    def add(self, table: str, keys: dict) -> None:
        if table in self._watched:
            self._pending[table].append(_canonical(keys))

    def is_ttl(self, table: str, record: dict) -> bool:
        sequence = (table, record["dynamodb"]["SequenceNumber"])
        if sequence in self._matched:
            return True
        key = _canonical(record["dynamodb"].get("Keys", {}))
        if record["eventName"] != "REMOVE" or key not in self._pending[table]:
            return False
        self._pending[table].remove(key)
        self._matched.add(sequence)
        return True


class TtlSweeper:
    """Deletes expired items of TTL-enabled tables, as DynamoDB's TTL process does (eventually) in AWS."""

    def __init__(self, session: Any, tables: Iterable[str], clock: Callable[[], float],
                 deletions: TtlDeletions) -> None:
        self._dynamodb = session.client("dynamodb")
        self._tables = list(tables)
        self._clock = clock
        self._deletions = deletions

    def sweep(self) -> None:
        now = int(self._clock())
        for table in self._tables:
            attribute = self._ttl_attribute(table)
            deleted = self._sweep_table(table, attribute, now) if attribute else 0
            if deleted:
                log.info("source=ttl:%s deleted=%d expired items", table, deleted)

    def _ttl_attribute(self, table: str) -> str | None:
        description = self._dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        return description.get("AttributeName") if description["TimeToLiveStatus"] == "ENABLED" else None

    def _sweep_table(self, table: str, attribute: str, now: int) -> int:
        key_names = [k["AttributeName"] for k in self._dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]
        names = {"#ttl": attribute} | {f"#k{i}": name for i, name in enumerate(key_names)}
        pages = self._dynamodb.get_paginator("scan").paginate(
            TableName=table, FilterExpression=f"{EXPIRED} AND #ttl >= :oldest",
            ProjectionExpression=", ".join(n for n in names if n != "#ttl"), ExpressionAttributeNames=names,
            ExpressionAttributeValues=_expired_values(now) | {":oldest": {"N": str(now - TTL_MAX_AGE_SECONDS)}})
        return sum(self._delete(table, item, attribute, now) for page in pages for item in page["Items"])

    def _delete(self, table: str, keys: dict, attribute: str, now: int) -> bool:
        try:
            # The condition skips an item whose TTL was extended since the scan.
            self._dynamodb.delete_item(TableName=table, Key=keys, ConditionExpression=EXPIRED,
                                       ExpressionAttributeNames={"#ttl": attribute},
                                       ExpressionAttributeValues=_expired_values(now))
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        self._deletions.add(table, keys)
        return True


@dataclass
class _Shard:
    iterator: str | None   # None once a closed shard is read to its end
    attempts: int = 0      # failed invocations of the batch at the iterator


class StreamSource:
    """Reads every shard in order; a failing batch blocks its shard until its retries run out."""

    def __init__(self, config: DynamoDBEventConfig, function: Function, session: Any, *, max_retries: int,
                 failure_queue_url: str | None, deletions: TtlDeletions, clock: Callable[[], float]) -> None:
        self._streams = session.client("dynamodbstreams")
        self._sqs = session.client("sqs")
        self.function = function
        self._arn = config.stream_arn
        self._table = table_of(config.stream_arn)
        self._batch_size = config.batch_size
        self._max_retries = max_retries
        self._failure_queue_url = failure_queue_url
        self._deletions = deletions
        self._clock = clock
        self.label = f"dynamodb:{self._table}"
        # Lambda's LATEST is the moment the mapping is created, so iterators are taken now.
        self._shards: dict[str, _Shard] = {}
        self._discover_shards(config.starting_position)

    def _discover_shards(self, position: str) -> None:
        description = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        for shard in description["Shards"]:
            if shard["ShardId"] not in self._shards:
                self._shards[shard["ShardId"]] = _Shard(self._iterator(shard["ShardId"], position))

    def _iterator(self, shard_id: str, position: str, sequence: str | None = None) -> str:
        at = {"SequenceNumber": sequence} if sequence else {}
        return self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=shard_id,
                                                ShardIteratorType=position, **at)["ShardIterator"]

    def poll(self) -> int:
        """At most one batch per shard; returns the number of invocations."""
        self._discover_shards("TRIM_HORIZON")  # shards born after the mapping are read from their start
        return sum(self._poll_shard(shard_id, shard) for shard_id, shard in self._shards.items() if shard.iterator)

    def _poll_shard(self, shard_id: str, shard: _Shard) -> int:
        page = self._streams.get_records(ShardIterator=shard.iterator, Limit=self._batch_size)
        if not page["Records"]:
            shard.iterator = page.get("NextShardIterator")
            return 0
        records = [self._lambda_record(r) for r in page["Records"]]
        outcome = invoke(self.function, {"Records": records})
        retry = failed_items(outcome, [r["dynamodb"]["SequenceNumber"] for r in records])
        if retry:
            self._failed(shard_id, shard, records, retry, outcome, page.get("NextShardIterator"))
        else:
            shard.iterator, shard.attempts = page.get("NextShardIterator"), 0
            log_delivery(self.label, self.function, len(records), "ok")
        return 1

    def _failed(self, shard_id: str, shard: _Shard, records: list[dict], retry: list[str], outcome: Outcome,
                next_iterator: str | None) -> None:
        # Lambda checkpoints before the lowest failed sequence number and retries from it.
        remaining = records[[r["dynamodb"]["SequenceNumber"] for r in records].index(retry[0]):]
        shard.attempts += 1
        label = "error" if outcome.failed else f"partial({len(remaining)} to retry)"
        if shard.attempts <= self._max_retries:
            shard.iterator = self._iterator(shard_id, "AT_SEQUENCE_NUMBER", retry[0])
            log_delivery(self.label, self.function, len(records), f"{label}, retry {shard.attempts}", outcome.error)
            return
        log_delivery(self.label, self.function, len(records), f"{label}, retries exhausted", outcome.error)
        self._discard(shard_id, remaining, shard.attempts, outcome)
        shard.iterator, shard.attempts = next_iterator, 0

    def _lambda_record(self, record: dict) -> dict:
        """moto's record plus what Lambda adds: the stream ARN, epoch seconds, the TTL principal."""
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        lambda_record = record | {"eventSourceARN": self._arn,
                                  "dynamodb": record["dynamodb"] | {"ApproximateCreationDateTime": _epoch(created)}}
        if self._deletions.is_ttl(self._table, record):
            lambda_record["userIdentity"] = TTL_PRINCIPAL
        return lambda_record

    def _discard(self, shard_id: str, records: list[dict], attempts: int, outcome: Outcome) -> None:
        if self._failure_queue_url is None:
            log.warning("source=%s handler=%s discarded %d records (no failure queue)",
                        self.label, self.function.name, len(records))
            return
        self._sqs.send_message(QueueUrl=self._failure_queue_url, MessageBody=json.dumps(
            self._failure_record(shard_id, records, attempts, outcome)))

    def _failure_record(self, shard_id: str, records: list[dict], attempts: int, outcome: Outcome) -> dict:
        """What Lambda's on-failure destination receives: a description of the batch, not its records."""
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        response = {"statusCode": 200, "executedVersion": "$LATEST"}
        return {
            "requestContext": {"requestId": str(uuid.uuid4()), "functionArn": self.function.arn,
                               "condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
            "responseContext": response | ({"functionError": "Unhandled"} if outcome.failed else {}),
            "version": "1.0",
            "timestamp": _iso(self._clock()),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first["ApproximateCreationDateTime"]),
                "approximateArrivalOfLastRecord": _iso(last["ApproximateCreationDateTime"]),
                "batchSize": len(records),
                "streamArn": self._arn,
            },
        }


def table_of(stream_arn: str) -> str:
    """arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL -> NAME"""
    return stream_arn.split(":", 5)[5].split("/")[1]


def _epoch(created: datetime) -> float:
    # Lambda delivers whole epoch seconds as a number; boto3 parses the stream's value into a datetime.
    return float(int(created.timestamp()))


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch * 1000) % 1000:03d}Z"
