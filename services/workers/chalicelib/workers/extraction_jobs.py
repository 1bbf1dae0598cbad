"""Handing a checked upload to egress: a synchronous invocation of its `extract` function.

The job carries a presigned GET of the upload (valid a few minutes, signed with workers' read
permission), its content type and the job id, so egress needs no S3 permission; the answer
(pawport.contracts.ExtractionAnswer) comes back in the invocation. A failed or throttled
invocation is retried: botocore retries throttling itself, and a failure raises so the event is
delivered again; the job item counts the failures, and the last one settles the draft instead.
"""
import json
import logging
from collections.abc import Callable
from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.workers.objects import Objects
from pawport.contracts import ExtractionJob
from pawport.keys import JOB_SK, job_key
from pawport.store import Attr, Store, Update

log = logging.getLogger(__name__)
URL_SECONDS = 300        # egress fetches the document first, within seconds of the invocation
FAILED_ATTEMPTS = 3      # the first delivery and the asynchronous invocation's 2 retries


# egress may run 110 s: the answer is waited for longer than that (a timed-out read would be retried
# by botocore, a second model call); throttling is retried with back-off.
INVOKE_CONFIG = Config(connect_timeout=5, read_timeout=130, retries={"mode": "standard", "max_attempts": 3})


def lambda_client(region: str, endpoint_url: str | None) -> Any:
    return boto3.client("lambda", region_name=region, endpoint_url=endpoint_url, config=INVOKE_CONFIG)


class ReaderFailed(Exception):
    """egress gave no answer (raised, timed out, throttled past botocore's retries, unreachable)."""


class Reader:
    def __init__(self, lambda_client: Callable[[], Any], function_name: str, objects: Objects) -> None:
        self._client_factory = lambda_client
        self._function_name = function_name
        self._objects = objects

    @cached_property
    def _lambda(self) -> Any:
        return self._client_factory()   # made on the first upload, not at every cold start

    def read(self, job_id: str, bucket: str, key: str, content_type: str) -> Any:
        """egress's answer for the job, as JSON (parsed by whoever settles the draft)."""
        job = ExtractionJob(job_id=job_id, document_url=self._objects.presigned_get(bucket, key, URL_SECONDS),
                            content_type=content_type)
        try:
            answer = self._lambda.invoke(FunctionName=self._function_name, InvocationType="RequestResponse",
                                         Payload=job.model_dump_json().encode())
        except (BotoCoreError, ClientError) as error:
            raise ReaderFailed(f"invoking {self._function_name} failed: {type(error).__name__}") from error
        body = answer["Payload"].read()
        if answer.get("FunctionError"):
            failure = json.loads(body or b"{}")
            raise ReaderFailed(f"{self._function_name} raised {failure.get('errorType')}")
        try:
            return json.loads(body)
        except ValueError:
            return None   # not JSON: an answer that cannot be understood


def count_failure(store: Store, job_id: str) -> int:
    """Count one failed invocation on the job's lookup item; how many have failed so far."""
    job = store.get(job_key(job_id), JOB_SK, consistent=True)
    failed = int(job.body.get("failed_invocations", 0)) + 1 if job else FAILED_ATTEMPTS
    if job:
        store.write(Update(job_key(job_id), JOB_SK, {"body.failed_invocations": failed},
                           condition=store.live() & Attr("body.upload_id").exists()))
    return failed
