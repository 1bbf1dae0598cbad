"""egress's settings: the LLM endpoint and where its key is kept. No table, no bucket, no database.

The endpoint keeps the openai SDK's own name, OPENAI_BASE_URL (unset: OpenAI's). The key is not
in the environment: it is an SSM Parameter Store SecureString (the AWS-managed key, free) named by
PAWPORT_LLM_KEY_PARAMETER, read through Powertools' parameters utility and cached a few minutes
(llm.py), and egress's role may read that one parameter only. Locally moto's SSM holds it
(devstack/resources.py): the embedded reader's dummy key, or the one `make dev` was given.
"""
from functools import lru_cache

from pydantic import Field

from pawport.settings import DATABASE_VARIABLES, ServiceSettings


class EgressSettings(ServiceSettings):
    forbidden_variables = DATABASE_VARIABLES + ("PAWPORT_TABLE_NAME",)

    llm_key_parameter: str
    llm_key_cache_seconds: int = 300   # a rotated key is picked up within this
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    llm_model: str = "gpt-4.1-mini"
    # Worst case one job takes the document fetch plus timeout x (retries + 1) and back-off:
    # 10 s + 3 x 30 s stays below the function's 110 s timeout, itself below workers' wait for it.
    document_fetch_timeout_seconds: float = 10.0
    llm_timeout_seconds: float = 30.0
    llm_max_retries: int = 2
    # Below this self-reported confidence a draft asks for manual entry instead of pre-filling.
    llm_min_confidence: float = Field(default=0.5, ge=0, le=1)
    ask_max_tokens: int = 400   # pawport.llm_budget.ASK_COMPLETION_TOKENS: what an ask's estimate allows


@lru_cache(maxsize=1)
def settings() -> EgressSettings:
    return EgressSettings()
