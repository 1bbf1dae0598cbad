"""One ask, from workers' invocation to its answer: a question about a household's pets, answered
from the minimized context the job carries (pet names and species, record labels, dates, clinics;
records named by local refs), with a structured answer: its text, the refs it rests on, and
whether the records suffice.

egress keeps nothing and logs no prompt, context or answer text: only the request id, the model,
the token counts, the latency and the outcome (tests/e2e/test_asks.py reads every log line).
"""
import json
import logging
import time
from typing import Protocol

from pydantic import ValidationError

from chalicelib.egress.llm import Completion, ModelUnavailable
from pawport.contracts import AskAnswer, AskJob, AskResult, TokenUse

log = logging.getLogger("pawport.egress")

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["answer", "records", "sufficient"],
    "properties": {
        "answer": {"type": "string", "description": "The answer in one to three plain sentences."},
        "records": {"type": "array", "items": {"type": "string"},
                    "description": "The refs (r1, r2 ...) of the records the answer rests on."},
        "sufficient": {"type": "boolean", "description": "Whether the records given are enough to answer."},
    },
}
RESPONSE_FORMAT = {"type": "json_schema", "json_schema": {"name": "pet_question_answer", "strict": True, "schema": SCHEMA}}
INSTRUCTIONS = (
    "You answer a pet owner's question about their pets' vaccinations, using only the records given as "
    "JSON: each pet's name and species, and each record's ref, vaccine, date given, expiry date and clinic. "
    "A record is valid from its date given through its expiry date. `today` is the household's date; a date "
    "in the question without a year is the next one on or after today. Name the refs of the records your "
    "answer rests on. If the records cannot settle the question, say so and set sufficient to false; never "
    "guess and never give medical advice.")
FAILED = "the assistant could not answer just now; please ask again"
UNREADABLE = "the assistant's answer was not in the expected form; please ask again"
REFUSED = "the assistant declined to answer this question"


class Model(Protocol):
    name: str

    def complete(self, messages: list[dict], response_format: dict, max_tokens: int | None = None) -> Completion: ...


def messages(job: AskJob) -> list[dict]:
    """The whole conversation: the fixed instructions, the context, the question."""
    context = json.dumps(job.context.model_dump(mode="json"), separators=(",", ":"))
    return [{"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": f"Records: {context}\n\nQuestion: {job.question}"}]


class Asker:
    def __init__(self, model: Model, max_tokens: int) -> None:
        self._model, self._max_tokens = model, max_tokens

    def answer(self, payload: dict) -> dict:
        """The invocation: the job in, the answer out (as JSON)."""
        job = AskJob.model_validate(payload)
        started = time.perf_counter()
        answer = self._run(job)
        log.info("ask %s: %s (%s, %d+%d tokens, %d ms)", job.request_id, answer.status, answer.usage.model,
                 answer.usage.prompt_tokens, answer.usage.completion_tokens,
                 round((time.perf_counter() - started) * 1000))
        return answer.model_dump(mode="json")

    def _run(self, job: AskJob) -> AskAnswer:
        try:
            completion = self._model.complete(messages(job), RESPONSE_FORMAT, self._max_tokens)
        except ModelUnavailable as error:
            log.warning("ask %s: model call failed (%s)", job.request_id, type(error.__cause__).__name__)
            return AskAnswer(request_id=job.request_id, status="failed", reason=FAILED, usage=TokenUse())
        usage = TokenUse(model=completion.model, prompt_tokens=completion.prompt_tokens,
                         completion_tokens=completion.completion_tokens)
        if completion.content is None:
            return AskAnswer(request_id=job.request_id, status="refused", reason=REFUSED, usage=usage)
        try:
            result = AskResult.model_validate_json(completion.content)
        except ValidationError:   # never echo the error: it quotes the answer
            return AskAnswer(request_id=job.request_id, status="failed", reason=UNREADABLE, usage=usage)
        return AskAnswer(request_id=job.request_id, status="answered", result=result, usage=usage)
