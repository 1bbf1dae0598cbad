"""The S3 adapter: egress's job prefixes of the jobs bucket, and nothing else.

Reads jobs/<job_id>/job.json and jobs/<job_id>/document; writes usage/<job_id>.json and
results/<job_id>.json. Finding out whether a result exists needs s3:GetObject on results/ (and
s3:ListBucket there, or S3 answers 403 instead of 404 for a missing key).
"""
import json

import boto3
from botocore.exceptions import ClientError
from pydantic import BaseModel

from pawport.extraction_jobs import result_key, usage_key
from chalicelib.egress.extraction import Job, Result, Usage


class JobStore:
    def __init__(self, bucket: str, region: str, endpoint_url: str | None) -> None:
        self._bucket = bucket
        self._s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint_url)

    def read_job(self, job_key: str) -> Job:
        job = Job.model_validate_json(self._get(job_key)["Body"].read())
        job.check_key(job_key)
        return job

    def read_document(self, key: str, max_bytes: int) -> tuple[bytes, int]:
        """The document and its size; the bytes stay unread (empty) when it is over max_bytes."""
        answer = self._get(key)
        size = int(answer["ContentLength"])
        if size > max_bytes:
            answer["Body"].close()
            return b"", size
        return answer["Body"].read(), size

    def has_result(self, job_id: str) -> bool:
        try:
            self._s3.head_object(Bucket=self._bucket, Key=result_key(job_id))
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def write_usage(self, usage: Usage) -> None:
        self._put(usage_key(usage.job_id), usage)

    def write_result(self, result: Result) -> None:
        self._put(result_key(result.job_id), result)

    def _get(self, key: str) -> dict:
        return self._s3.get_object(Bucket=self._bucket, Key=key)

    def _put(self, key: str, document: BaseModel) -> None:
        self._s3.put_object(Bucket=self._bucket, Key=key,
                            Body=json.dumps(document.model_dump(mode="json")).encode(),
                            ContentType="application/json")
