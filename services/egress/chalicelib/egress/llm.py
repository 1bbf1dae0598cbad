"""The openai adapter: one chat completion with a JSON-schema answer. The only module importing openai.

Any OpenAI-compatible endpoint works (OPENAI_BASE_URL); locally that is devstack/llm. The SDK
retries timeouts, connection errors, 429 and 5xx itself, up to `llm_max_retries` times. The key
comes from SSM Parameter Store (a SecureString) through Powertools' parameters utility, cached for
`llm_key_cache_seconds`; a client is made again only when the key changed.
"""
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

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
        self._config = config

    @cached_property
    def _parameters(self) -> Any:
        """Powertools' SSM provider, made on the first call (boto3 is not a cold-start cost)."""
        import boto3
        from aws_lambda_powertools.utilities.parameters import SSMProvider
        return SSMProvider(boto3_client=boto3.client("ssm", region_name=self._config.aws_region,
                                                     endpoint_url=self._config.aws_endpoint_url))

    def _client(self) -> openai.OpenAI:
        key = self._parameters.get(self._config.llm_key_parameter, decrypt=True,
                                   max_age=self._config.llm_key_cache_seconds)
        return _client_for(str(key), self._config.openai_base_url, self._timeout, self._config.llm_max_retries)

    def complete(self, messages: list[dict], response_format: dict, max_tokens: int | None = None) -> Completion:
        limit = {"max_completion_tokens": max_tokens} if max_tokens else {}
        try:
            answer = self._client().chat.completions.create(  # type: ignore[call-overload]  # JSON-shaped dicts
                model=self.name, messages=messages, response_format=response_format, **limit)
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


@lru_cache(maxsize=1)
def _client_for(key: str, base_url: str | None, timeout: float, max_retries: int) -> openai.OpenAI:
    return openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=max_retries)
