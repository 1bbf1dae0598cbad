"""devstack/moto_server.py answers exactly as moto itself does, only faster and smaller: the same
table, the same queries and transactions (committed and cancelled), against both servers, compared
response for response, stream records included."""
import os
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest

from devstack.ports import free_port, wait_for_port

QUERIES = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "HOUSEHOLD#3"}}},
    {"KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
     "ExpressionAttributeValues": {":p": {"S": "HOUSEHOLD#3"}, ":s": {"S": "PET#"}}},
    {"KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b", "ScanIndexForward": False,
     "ExpressionAttributeValues": {":p": {"S": "HOUSEHOLD#7"}, ":a": {"S": "PET#02"}, ":b": {"S": "PET#07"}}},
    {"KeyConditionExpression": "pk = :p", "FilterExpression": "n > :n", "Select": "COUNT",
     "ExpressionAttributeValues": {":p": {"S": "HOUSEHOLD#1"}, ":n": {"N": "4"}}},
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "HOUSEHOLD#404"}}},
]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    ports = {"moto": free_port(), "devstack": free_port()}
    procs = [subprocess.Popen([sys.executable, "-m", f"{module}", "-H", "127.0.0.1", "-p", str(ports[name])],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for name, module in (("moto", "moto.server"), ("devstack", "devstack.moto_server"))]
    try:
        for port in ports.values():
            wait_for_port(port)
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def table(endpoint: str) -> object:
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    dynamodb.create_table(TableName="pets", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}],
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    for h in range(10):
        for p in reversed(range(10)):   # written out of order: the query must sort
            dynamodb.put_item(TableName="pets", Item={"pk": {"S": f"HOUSEHOLD#{h}"}, "sk": {"S": f"PET#{p:02}"},
                                                   "n": {"N": str(p)}})
        dynamodb.put_item(TableName="pets", Item={"pk": {"S": f"HOUSEHOLD#{h}"}, "sk": {"S": "HOUSEHOLD"}})
    return dynamodb


def transactions(dynamodb: object) -> list[str]:
    """One committed transaction, then one cancelled after its first two writes: what each answered."""
    count = {"Update": {"TableName": "pets", "Key": {"pk": {"S": "HOUSEHOLD#1"}, "sk": {"S": "PET#01"}},
                        "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}
    new = {"Put": {"TableName": "pets", "Item": {"pk": {"S": "HOUSEHOLD#42"}, "sk": {"S": "HOUSEHOLD"}}}}
    refused = {"Put": {"TableName": "pets", "Item": {"pk": {"S": "HOUSEHOLD#2"}, "sk": {"S": "HOUSEHOLD"}},
                       "ConditionExpression": "attribute_not_exists(pk)"}}
    answers = [str(dynamodb.transact_write_items(TransactItems=[count])["ResponseMetadata"]["HTTPStatusCode"])]
    try:
        dynamodb.transact_write_items(TransactItems=[count, new, refused])
    except dynamodb.exceptions.TransactionCanceledException as error:
        answers.append(str(error.response["CancellationReasons"]))
    return answers


def stream_records(endpoint: str) -> list[dict]:
    streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    arn = streams.list_streams(TableName="pets")["Streams"][0]["StreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]
    return [{"event": r["eventName"], "keys": r["dynamodb"]["Keys"], "new": r["dynamodb"].get("NewImage"),
             "sequence": r["dynamodb"]["SequenceNumber"]} for r in records]


def pages(dynamodb: object, query: dict) -> list[dict]:
    """Every page, three items a page unless the query counts."""
    answers, start = [], {}
    while True:
        answer = dynamodb.query(TableName="pets", **query, **({} if "Select" in query else {"Limit": 3}), **start)
        answer.pop("ResponseMetadata")
        answers.append(answer)
        if "LastEvaluatedKey" not in answer:
            return answers
        start = {"ExclusiveStartKey": answer["LastEvaluatedKey"]}


def test_every_query_and_transaction_answers_as_moto_answers(servers: dict[str, str]) -> None:
    moto, devstack = table(servers["moto"]), table(servers["devstack"])
    for query in QUERIES:
        assert pages(devstack, query) == pages(moto, query), query
    assert len(pages(devstack, QUERIES[0])) == 4     # 11 items, 3 a page

    answers = transactions(devstack)
    assert answers == transactions(moto) and "ConditionalCheckFailed" in answers[1]
    scan = [devstack.scan(TableName="pets")["Items"], moto.scan(TableName="pets")["Items"]]
    assert scan[0] == scan[1] and {"pk": {"S": "HOUSEHOLD#42"}, "sk": {"S": "HOUSEHOLD"}} not in scan[0]
    records = stream_records(servers["devstack"])
    assert records == stream_records(servers["moto"])
    assert (records[-1]["event"], records[-1]["keys"]["sk"]) == ("MODIFY", {"S": "PET#01"})   # the committed one
    assert not any(r["keys"]["pk"] == {"S": "HOUSEHOLD#42"} for r in records)                # none of the cancelled


def test_a_table_key_query_never_lists_the_whole_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    from devstack import moto_server
    listed: list[str] = []
    original = moto_server._all_items
    monkeypatch.setattr(moto_server, "_all_items", lambda self: listed.append(self.name) or original(self))
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)   # in-process moto here, not a server another test pointed boto3 at
    with mock_aws():
        dynamodb = table(None)
        dynamodb.scan(TableName="pets")
        assert listed == ["pets"]                         # a Scan still lists the table, as moto does
        assert len(pages(dynamodb, QUERIES[0])) == 4
        assert listed == ["pets"]                         # the Query read its partition only


def test_a_transactions_rollback_copy_copies_only_the_partitions_it_touches(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    from devstack import moto_server
    copies: list[set[str]] = []
    original = moto_server.rollback_copy
    monkeypatch.setattr(moto_server, "rollback_copy",
                        lambda table, partitions: copies.append({p.value for p in partitions}) or original(table, partitions))
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)
    with mock_aws():
        answers = transactions(table(None))
    assert "ConditionalCheckFailed" in answers[1]
    assert copies == [{"HOUSEHOLD#1"}] + [{"HOUSEHOLD#1", "HOUSEHOLD#42", "HOUSEHOLD#2"}] * 3   # moto copies per item
