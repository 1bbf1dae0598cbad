"""egress's settings: the LLM endpoint. No table, no bucket, no database.

The LLM endpoint and key keep the openai SDK's own names, OPENAI_BASE_URL and OPENAI_API_KEY.
Locally devstack points them at the embedded reader (devstack/llm) unless they are set in the
shell of `make dev`. In AWS they are in the egress functions' Lambda environment, rendered by the
deploy step (infra/chalice_env.py) from the operator's shell, never from a file in git.
"""
from functools import lru_cache

from pydantic import Field, SecretStr

from pawport.settings import DATABASE_VARIABLES, ServiceSettings


class EgressSettings(ServiceSettings):
    forbidden_variables = DATABASE_VARIABLES + ("PAWPORT_TABLE_NAME",)

    openai_api_key: SecretStr = Field(validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    llm_model: str = "gpt-4.1-mini"
    # Worst case one job takes the document fetch plus timeout x (retries + 1) and back-off:
    # 10 s + 3 x 30 s stays below the function's 110 s timeout, itself below workers' wait for it.
    document_fetch_timeout_seconds: float = 10.0
    llm_timeout_seconds: float = 30.0
    llm_max_retries: int = 2
    # Below this self-reported confidence a draft asks for manual entry instead of pre-filling.
    llm_min_confidence: float = Field(default=0.5, ge=0, le=1)


@lru_cache(maxsize=1)
def settings() -> EgressSettings:
    return EgressSettings()
