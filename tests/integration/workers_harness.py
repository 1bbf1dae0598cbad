"""A running copy of workers for tests/integration/test_upload_pipeline.py, and what its tests upload."""
import dataclasses
import importlib
import io
import json
import os
import uuid
import zipfile
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Callable, Iterator

import boto3
import pytest
from fpdf import FPDF
from PIL import Image

from devstack import REPO, resources
from devstack.runner import EventRunner, load_app
from devstack.runner_lambda import Function, LambdaContext
from devstack.stack import REGION, Stack, service_env
from pawport import table
from pawport.documents import UploadKey
from pawport.s3_events import created_objects
from pawport.table import TableItem, document_count_sk, draft_sk, household_key

WORKERS = REPO / "services" / "workers"


@dataclasses.dataclass
class Workers:
    made: resources.Resources
    runner: EventRunner
    app: ModuleType
    s3: Any
    sqs: Any

    @property
    def uploads(self) -> str:
        return self.made.buckets["uploads"]

    @property
    def jobs(self) -> str:
        return self.made.buckets["jobs"]

    def drain(self) -> None:
        """Poll until no queue has anything to deliver, as Lambda's pollers would."""
        for _ in range(40):
            if not self.runner.poll_once():
                return
        raise AssertionError("the runner kept finding work")

    def exists(self, bucket: str, key: str) -> bool:
        return "Contents" in self.s3.list_objects_v2(Bucket=bucket, Prefix=key)

    def read(self, bucket: str, key: str) -> bytes:
        return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()


@contextmanager
def running_workers(stack: Stack) -> Iterator[Workers]:
    """workers on a fresh copy of infra/resources.yaml in the stack's moto (a stage of its own), so
    event runners that other tests leave running on the stack's own queues cannot take its messages."""
    made = resources.create_all(stack.moto_url, REGION, "w" + uuid.uuid4().hex[:8])
    env = service_env(dataclasses.replace(stack, resources=made), "workers")
    bound = (TableItem.Meta.table_name, TableItem.Meta.region, getattr(TableItem.Meta, "host", None))
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith(("PAWPORT_", "OPENAI_"))]:
            patch.delenv(name)  # e.g. control's database settings, which workers must refuse
        for name, value in env.items():
            patch.setenv(name, value)
        patch.syspath_prepend(str(WORKERS))
        importlib.import_module("chalicelib.workers.settings").settings.cache_clear()  # read this env
        runner = EventRunner(WORKERS, sqs_retry_delay_seconds=0)
        # A second import of the app: another Lambda container, for delivering a message by hand.
        yield Workers(made, runner, load_app(WORKERS), boto3.client("s3"), boto3.client("sqs"))
    table.bind(*bound)  # other modules' fixtures bound the model to the stack's own table


def certificate_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    return bytes(pdf.output())


def photo(image_format: str, size: tuple[int, int] = (1600, 1200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, image_format)
    return out.getvalue()


def upload(workers: Workers, data: bytes, file_name: str, household: str | None = None,
           pet: str | None = None) -> UploadKey:
    """Put an object as the presigned POST would; its declared Content-Type plays no part."""
    key = UploadKey(household or str(uuid.uuid4()), pet or str(uuid.uuid4()), str(uuid.uuid4()), file_name)
    workers.s3.put_object(Bucket=workers.uploads, Key=str(key), Body=data, ContentType="application/pdf")
    return key


def draft_of(key: UploadKey) -> TableItem | None:
    try:
        return TableItem.get(household_key(key.household_id), draft_sk(key.upload_id))
    except TableItem.DoesNotExist:
        return None


def count_of(key: UploadKey) -> int | None:
    try:
        return TableItem.get(household_key(key.household_id), document_count_sk(key.pet_id)).count
    except TableItem.DoesNotExist:
        return None


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("certificate.txt", "Rabies 2026-01-05")
    return out.getvalue()



def receive_all(workers: Workers, queue: str) -> list[dict]:
    messages: list[dict] = []
    while batch := workers.sqs.receive_message(QueueUrl=workers.made.queues[queue], MaxNumberOfMessages=10,
                                               AttributeNames=["All"]).get("Messages", []):
        messages += batch
    return messages


def lambda_event(workers: Workers, queue: str, messages: list[dict]) -> dict:
    """The SQS event Lambda builds from received messages (the shape devstack/runner_sqs.py sends)."""
    arn = resources.queue_arn(workers.sqs, workers.made.queues[queue])
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                         "attributes": m["Attributes"], "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                         "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": REGION} for m in messages]}


def invoke(workers: Workers, name: str, event: dict) -> Any:
    handler: Callable = getattr(workers.app, name)
    context = LambdaContext(Function(name, f"pawport-workers-local-{name}", f"arn:aws:lambda:{REGION}:0:{name}",
                                     handler))
    return handler(json.loads(json.dumps(event)), context)


def job_notifications(workers: Workers, job_id: str) -> int:
    """How many times egress's queue was told about this job (each one would be an LLM call)."""
    created = [o for m in receive_all(workers, "extraction-jobs") for o in created_objects(m["Body"])]
    return sum(o.key == f"jobs/{job_id}/job.json" for o in created)


def extracting(workers: Workers, text: str) -> UploadKey:
    key = upload(workers, certificate_pdf(text), "certificate.pdf")
    workers.drain()
    assert draft_of(key).body["status"] == "extracting"
    return key


def answer(workers: Workers, job_id: str, result: dict, tokens: int = 800, model: str = "local-reader") -> None:
    """What egress writes: the usage object, then the result (whose notification reaches workers)."""
    usage = {"job_id": job_id, "model": model, "prompt_tokens": tokens, "completion_tokens": 60}
    workers.s3.put_object(Bucket=workers.jobs, Key=f"usage/{job_id}.json", Body=json.dumps(usage).encode())
    workers.s3.put_object(Bucket=workers.jobs, Key=f"results/{job_id}.json", Body=json.dumps(result).encode())
    workers.drain()
