"""The S3 adapter: the only module of workers that calls S3."""
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

MISSING = ("404", "NoSuchKey", "NotFound")


@dataclass(frozen=True)
class Head:
    size: int
    last_modified: datetime
    metadata: dict[str, str] = field(default_factory=dict)   # the object's x-amz-meta-* values


class Objects:
    def __init__(self, client: Any) -> None:
        self._s3 = client

    def head(self, bucket: str, key: str) -> Head | None:
        try:
            answer = self._s3.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return Head(size=answer["ContentLength"], last_modified=answer["LastModified"],
                    metadata=answer.get("Metadata", {}))

    def exists(self, bucket: str, key: str) -> bool:
        return self.head(bucket, key) is not None

    def read(self, bucket: str, key: str) -> bytes | None:
        try:
            return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as error:
            if _missing(error):
                return None
            raise

    def read_json(self, bucket: str, key: str) -> Any:
        """The object's JSON; None when it is missing. Invalid JSON raises ValueError."""
        data = self.read(bucket, key)
        return None if data is None else json.loads(data)

    def put(self, bucket: str, key: str, data: bytes, content_type: str, cache_control: str | None = None,
            metadata: dict[str, str] | None = None) -> None:
        extra = ({"CacheControl": cache_control} if cache_control else {}) | ({"Metadata": metadata} if metadata else {})
        self._s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type, **extra)

    def copy(self, source_bucket: str, source_key: str, bucket: str, key: str) -> None:
        """A server-side copy in one call: in AWS the POST policy keeps uploads far below its 5 GB."""
        self._s3.copy_object(CopySource={"Bucket": source_bucket, "Key": source_key}, Bucket=bucket, Key=key)

    def presigned_get(self, bucket: str, key: str, seconds: int) -> str:
        """A GET of one object for whoever holds the URL, signed with workers' own read permission."""
        return self._s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key},
                                               ExpiresIn=seconds)

    def delete(self, bucket: str, key: str) -> None:
        self._s3.delete_object(Bucket=bucket, Key=key)

    def keys(self, bucket: str, prefix: str) -> list[str]:
        return list(self.modified(bucket, prefix))

    def modified(self, bucket: str, prefix: str) -> dict[str, datetime]:
        """Every key under the prefix, with when it was last written."""
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return {o["Key"]: o["LastModified"] for page in pages for o in page.get("Contents", [])}


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in MISSING
