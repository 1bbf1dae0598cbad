"""A running copy of workers for tests/integration/test_upload_pipeline.py, and what its tests upload."""
import dataclasses
import importlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import boto3
import pytest

from devstack import REPO, resources
from devstack.ports import free_port
from devstack.runner import EventRunner, load_app
from devstack.runner_invoke import InvokeApi
from devstack.runner_lambda import Function, LambdaContext
from devstack.stack import REGION, Stack, service_env
from pawport.contracts import ExtractedDocument, ExtractedVaccination
from pawport.documents import UploadKey
from pawport.keys import document_count_sk, draft_sk, household_key
from pawport.store import Item, Store
from tests.support.environments import set_exactly

WORKERS = REPO / "services" / "workers"
EXTRACT = "pawport-egress-local-extract"
FIELDS = ExtractedDocument(pet_name="Ollie", clinic="Riverside Vets", vaccinations=[
    ExtractedVaccination(vaccine=vaccine, administered_on="2026-01-05", expires_on="2029-01-05")
    for vaccine in ("Rabies", "DHPP")]).model_dump(mode="json")


def extracted(job_id: str, fields: dict = FIELDS) -> dict:
    return {"job_id": job_id, "status": "extracted", "fields": fields, "reason": None}


def spent(tokens: int = 800, model: str = "local-reader") -> dict:
    return {"model": model, "prompt_tokens": tokens, "completion_tokens": 60}


class FakeEgress:
    """egress's `extract` as workers reach it (Lambda's Invoke API): it records each job and answers
    with what `answer(job)` returns (an ExtractionAnswer's JSON), or raises what it raises."""

    def __init__(self) -> None:
        self.jobs: list[dict] = []
        self.answer: Callable[[dict], Any] = lambda job: {"result": extracted(job["job_id"]), "usage": spent()}

    def __call__(self, event: dict, context: Any) -> Any:
        self.jobs.append(event)
        return self.answer(event)

    def calls_for(self, job_id: str) -> int:
        return sum(job["job_id"] == job_id for job in self.jobs)


@dataclasses.dataclass
class Workers:
    made: resources.Resources
    runner: EventRunner
    app: ModuleType
    s3: Any
    sqs: Any
    egress: FakeEgress

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

    @property
    def store(self) -> Store:
        """The app's own store: its table, and its clock."""
        return self.app.store


@contextmanager
def running_workers(stack: Stack, clock: Callable[[], float] | None = None) -> Iterator[Workers]:
    """workers on a fresh copy of infra/resources.yaml in the stack's moto (a stage of its own), so
    event runners that other tests leave running on the stack's own queues cannot take its messages;
    their Lambda endpoint serves a fake egress. Given a clock (epoch seconds), the runner sweeps the
    table's expired items as DynamoDB's TTL process does, at that clock's time (schedules then run
    only when fired)."""
    made = resources.create_all(stack.moto_url, REGION, "w" + uuid.uuid4().hex[:8])
    egress = FakeEgress()
    invocations = InvokeApi([Function("extract", EXTRACT, f"arn:aws:lambda:{REGION}:0:function:{EXTRACT}", egress)],
                            free_port()).start()
    env = service_env(dataclasses.replace(stack, resources=made), "workers") | {
        "AWS_ENDPOINT_URL_LAMBDA": invocations.url}
    with pytest.MonkeyPatch.context() as patch:
        set_exactly(patch, env)  # no control's database settings, which workers must refuse
        importlib.import_module("chalicelib.workers.settings").settings.cache_clear()  # read this env
        on_clock = {"clock": clock, "sweep_ttl_tables": [made.tables["main"]], "schedules_on_clock": False} \
            if clock else {}
        runner = EventRunner(WORKERS, sqs_retry_delay_seconds=0,
                             rule_dead_letter_queue_urls={"upload_events": made.queues["upload-events-dlq"]}, **on_clock)
        # A second import of the app: another Lambda container, for delivering an event by hand.
        try:
            yield Workers(made, runner, load_app(WORKERS), boto3.client("s3"), boto3.client("sqs"), egress)
        finally:
            invocations.stop()


def control_writing_to(control: Any, workers: Workers) -> Any:
    """control as the tests wire it, but projecting into these workers' table: the mail and the
    due-date index control writes are what these workers read."""
    from chalicelib.control.outbox_markers import OutboxMarkers
    from chalicelib.control.projection_store import Projections
    return dataclasses.replace(control.wired, store=workers.store, projections=Projections(workers.store),
                               markers=OutboxMarkers(workers.store))


def upload(workers: Workers, data: bytes, file_name: str, household: str | None = None,
           pet: str | None = None) -> UploadKey:
    """Put an object as the presigned POST would; its declared Content-Type plays no part."""
    key = UploadKey(household or str(uuid.uuid4()), pet or str(uuid.uuid4()), str(uuid.uuid4()), file_name)
    workers.s3.put_object(Bucket=workers.uploads, Key=str(key), Body=data, ContentType="application/pdf")
    return key


def draft_of(workers: Workers, key: UploadKey) -> Item | None:
    return workers.store.get(household_key(key.household_id), draft_sk(key.upload_id))


def count_of(workers: Workers, key: UploadKey) -> int | float | None:
    counter = workers.store.get(household_key(key.household_id), document_count_sk(key.pet_id))
    return counter.count if counter else None


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("certificate.txt", "Rabies 2026-01-05")
    return out.getvalue()



def receive_all(workers: Workers, queue: str) -> list[dict]:
    """Every message of a queue of infra/resources.yaml, or of a queue URL."""
    url = workers.made.queues.get(queue, queue)
    messages: list[dict] = []
    while batch := workers.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                               MessageAttributeNames=["All"]).get("Messages", []):
        messages += batch
    return messages


def upload_event(workers: Workers, key: UploadKey) -> dict:
    """The EventBridge event S3 sent for the upload, taken off the rule's target before the runner sees it."""
    events = [json.loads(m["Body"]) for m in receive_all(workers, workers.runner.rule_queue_url("upload_events"))]
    return next(e for e in events if e["detail"]["object"]["key"] == str(key))


def invoke(workers: Workers, name: str, event: dict) -> Any:
    handler: Callable = getattr(workers.app, name)
    context = LambdaContext(Function(name, f"pawport-workers-local-{name}", f"arn:aws:lambda:{REGION}:0:{name}",
                                     handler))
    return handler(json.loads(json.dumps(event)), context)
