"""One extraction job, from workers' invocation to its answer (result and usage).

egress keeps nothing: workers invoke it synchronously and settle the draft from the answer, so a
repeated invocation is theirs to prevent. Whatever goes wrong with the document or the model ends
as "needs-manual-entry" with a reason; only a document that cannot be fetched (or a malformed
job) raises, so the invocation fails and workers retry it.
Logs carry ids, statuses, fixed reasons and token counts: never document text, never the URL.
"""
import logging
from collections.abc import Callable
from typing import Protocol

from chalicelib.egress import extraction
from chalicelib.egress.documents import fetch
from chalicelib.egress.llm import Completion, ModelUnavailable, OpenAIModel
from chalicelib.egress.settings import EgressSettings
from pawport.contracts import ExtractionAnswer, ExtractionJob, ExtractionResult, TokenUse
from pawport.documents import MAX_BYTES

log = logging.getLogger("pawport.egress")
Fetch = Callable[[str, int], tuple[bytes, int]]


class Model(Protocol):
    name: str

    def complete(self, messages: list[dict], response_format: dict) -> Completion: ...


class Extractor:
    def __init__(self, fetch_document: Fetch, model: Model, min_confidence: float) -> None:
        self._fetch = fetch_document
        self._model = model
        self._min_confidence = min_confidence

    @classmethod
    def from_settings(cls, config: EgressSettings) -> "Extractor":
        return cls(lambda url, limit: fetch(url, limit, config.document_fetch_timeout_seconds),
                   OpenAIModel(config), config.llm_min_confidence)

    def answer(self, payload: dict) -> dict:
        """The invocation: the job in, the answer out (as JSON)."""
        job = ExtractionJob.model_validate(payload)
        usage, result = self._run(job)
        log.info("extraction %s: %s (%s, %d+%d tokens)%s", job.job_id, result.status, usage.model,
                 usage.prompt_tokens, usage.completion_tokens, f": {result.reason}" if result.reason else "")
        return ExtractionAnswer(result=result, usage=usage).model_dump(mode="json")

    def _run(self, job: ExtractionJob) -> tuple[TokenUse, ExtractionResult]:
        nothing_used = TokenUse()   # no call, no model: usage names only what an endpoint reported
        document, size = self._fetch(job.document_url, MAX_BYTES)
        refusal = extraction.unreadable(job, size)
        if refusal:
            return nothing_used, ExtractionResult.manual(job.job_id, refusal)
        try:
            completion = self._model.complete(extraction.messages(job.content_type, document),
                                              extraction.RESPONSE_FORMAT)
        except ModelUnavailable as error:
            log.warning("extraction %s: model call failed (%s)", job.job_id, type(error.__cause__).__name__)
            return nothing_used, ExtractionResult.manual(job.job_id, error.reason)
        usage = TokenUse(model=completion.model, prompt_tokens=completion.prompt_tokens,
                         completion_tokens=completion.completion_tokens)
        return usage, extraction.decide(job.job_id, completion.content, self._min_confidence)
