"""S3 object notifications as they arrive through SQS (bucket notification -> queue -> handler)."""
import json
from dataclasses import dataclass
from urllib.parse import unquote_plus


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str
    size: int
    etag: str


def created_objects(sqs_body: str) -> list[StoredObject]:
    """The objects an S3 notification announces; none for S3's own `s3:TestEvent`.

    Keys arrive URL-encoded (`a/b c.txt` -> `a%2Fb+c.txt`), in AWS and moto alike."""
    message = json.loads(sqs_body)
    return [StoredObject(bucket=r["s3"]["bucket"]["name"], key=unquote_plus(r["s3"]["object"]["key"]),
                         size=int(r["s3"]["object"].get("size", 0)), etag=r["s3"]["object"].get("eTag", ""))
            for r in message.get("Records", []) if r.get("eventName", "").startswith("ObjectCreated")]
