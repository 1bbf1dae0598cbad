"""One extraction job, from its S3 notification to its usage and result objects.

Events arrive at least once: a job that already has a result is left alone. Whatever goes wrong
with the document or the model ends as "needs-manual-entry" with a reason; only a broken job
(or S3 itself) raises, so that message alone is retried and then dead-lettered.
Logs carry ids, statuses, fixed reasons and token counts: never document text.
"""
import logging
from typing import Protocol

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.egress import extraction
from chalicelib.egress.extraction import Job, Result, Usage
from chalicelib.egress.jobs import JobStore
from chalicelib.egress.llm import Completion, ModelUnavailable, OpenAIModel
from chalicelib.egress.settings import EgressSettings
from pawport.s3_events import created_objects

log = logging.getLogger("pawport.egress")


class Model(Protocol):
    name: str

    def complete(self, messages: list[dict], response_format: dict) -> Completion: ...


class Extractor:
    def __init__(self, store: JobStore, model: Model, min_confidence: float) -> None:
        self._store = store
        self._model = model
        self._min_confidence = min_confidence

    @classmethod
    def from_settings(cls, config: EgressSettings) -> "Extractor":
        store = JobStore(config.jobs_bucket, config.aws_region, config.aws_endpoint_url)
        return cls(store, OpenAIModel(config), config.llm_min_confidence)

    def handle_record(self, record: SQSRecord) -> None:
        """One SQS message: every job.json it announces (none for S3's own test event)."""
        for stored in created_objects(record.body):
            self.extract(stored.key)

    def extract(self, job_key: str) -> Result | None:
        job = self._store.read_job(job_key)
        if self._store.has_result(job.job_id):
            log.info("extraction %s: already has a result, delivery ignored", job.job_id)
            return None
        usage, result = self._run(job)
        self._store.write_usage(usage)  # first: whoever reacts to the result finds the usage
        self._store.write_result(result)
        log.info("extraction %s: %s (%s, %d+%d tokens)%s", job.job_id, result.status, usage.model,
                 usage.prompt_tokens, usage.completion_tokens, f": {result.reason}" if result.reason else "")
        return result

    def _run(self, job: Job) -> tuple[Usage, Result]:
        nothing_used = Usage(job_id=job.job_id, model=self._model.name)
        document, size = self._store.read_document(job.document_key, extraction.MAX_BYTES)
        refusal = extraction.unreadable(job, size)
        if refusal:
            return nothing_used, Result.manual(job.job_id, refusal)
        try:
            completion = self._model.complete(extraction.messages(job.content_type, document),
                                              extraction.RESPONSE_FORMAT)
        except ModelUnavailable as error:
            log.warning("extraction %s: model call failed (%s)", job.job_id, type(error.__cause__).__name__)
            return nothing_used, Result.manual(job.job_id, error.reason)
        usage = Usage(job_id=job.job_id, model=completion.model, prompt_tokens=completion.prompt_tokens,
                      completion_tokens=completion.completion_tokens)
        return usage, extraction.decide(job.job_id, completion.content, self._min_confidence)
