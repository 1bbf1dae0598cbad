"""The openai adapter: one chat completion with a JSON-schema answer. The only module importing openai.

Any OpenAI-compatible endpoint works (OPENAI_BASE_URL); locally that is devstack/llm. The SDK
retries timeouts, connection errors, 429 and 5xx itself, up to `llm_max_retries` times.
"""
from dataclasses import dataclass

import openai

from chalicelib.egress.settings import EgressSettings


class ModelUnavailable(Exception):
    """No usable answer came back; `reason` is fixed text a person can read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Completion:
    content: str | None   # None when the model refused
    model: str
    prompt_tokens: int
    completion_tokens: int


class OpenAIModel:
    def __init__(self, config: EgressSettings) -> None:
        self.name = config.llm_model
        self._timeout = config.llm_timeout_seconds
        self._client = openai.OpenAI(api_key=config.openai_api_key.get_secret_value(),
                                     base_url=config.openai_base_url, timeout=config.llm_timeout_seconds,
                                     max_retries=config.llm_max_retries)

    def complete(self, messages: list[dict], response_format: dict) -> Completion:
        try:
            answer = self._client.chat.completions.create(  # type: ignore[call-overload]  # JSON-shaped dicts
                model=self.name, messages=messages, response_format=response_format)
        except openai.APITimeoutError as error:
            raise ModelUnavailable(f"The reader did not answer within {self._timeout:.0f} s. "
                                   "Please enter the details by hand.") from error
        except openai.APIConnectionError as error:
            raise ModelUnavailable("The reader could not be reached. Please enter the details by hand.") from error
        except openai.APIStatusError as error:  # the body is not quoted: it may echo the document
            raise ModelUnavailable(f"The reader answered with an error (HTTP {error.status_code}). "
                                   "Please enter the details by hand.") from error
        message = answer.choices[0].message if answer.choices else None
        usage = answer.usage
        return Completion(content=message.content if message and not message.refusal else None,
                          model=answer.model or self.name,
                          prompt_tokens=usage.prompt_tokens if usage else 0,
                          completion_tokens=usage.completion_tokens if usage else 0)
