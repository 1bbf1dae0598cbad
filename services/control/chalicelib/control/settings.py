"""Control's settings: Aurora and the projection table. No LLM key, ever: control never talks to the model provider."""
from functools import lru_cache
from typing import Literal

from pydantic import SecretStr

from pawport.settings import LLM_VARIABLES, IdentitySettings, ServiceSettings


class ControlSettings(ServiceSettings, IdentitySettings):
    forbidden_variables = LLM_VARIABLES
    table_name: str
    db_host: str
    db_port: int = 5432
    db_name: str
    db_user: str
    # "iam" in AWS: a token signed locally per connection (Secrets Manager is out of reach without
    # NAT); "password" for the local PostgreSQL.
    db_auth: Literal["iam", "password"] = "iam"
    db_password: SecretStr | None = None
    db_connect_timeout_seconds: int = 5
    db_statement_timeout_ms: int = 5000
    db_resume_budget_seconds: float = 20.0   # API Gateway gives up at 29 s
    db_retry_after_seconds: int = 5
    # The cluster's SecondsUntilAutoPause (base stack parameter; AWS's default): the wake report's model.
    db_pause_delay_seconds: int = 300
    # POST /warmup connects once with this timeout instead of waiting out a resume (libpq's floor is 2 s).
    db_warmup_timeout_seconds: int = 2


@lru_cache(maxsize=1)
def settings() -> ControlSettings:
    return ControlSettings()

