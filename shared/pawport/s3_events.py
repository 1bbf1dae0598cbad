"""S3 object events as EventBridge pushes them: bucket -> default bus -> a rule per consumer ->
its Lambda function (an asynchronous invocation, retried, then a dead-letter queue)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str
    size: int
    etag: str


def objects_created(bucket: str, *prefixes: str) -> dict:
    """The event pattern of a rule for objects created under any of the prefixes in bucket."""
    return {"source": ["aws.s3"], "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": p} for p in prefixes]}}}


def created_object(event: dict) -> StoredObject:
    """The object an EventBridge "Object Created" event announces. Its key is the key itself, not
    URL-encoded as in bucket notifications; the ETag is "etag" in AWS's samples, "eTag" in moto's."""
    detail = event["detail"]
    found = detail["object"]
    return StoredObject(bucket=detail["bucket"]["name"], key=found["key"], size=int(found.get("size", 0)),
                        etag=found.get("etag") or found.get("eTag", ""))
