"""Settings bases. Each service declares one settings class from these and reads it once at start.

The data and the way out are kept apart here too: a service refuses to start when it is handed a secret of the other side.
"""
import os
from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATABASE_VARIABLES = ("PAWPORT_DB_",)
LLM_VARIABLES = ("OPENAI_", "PAWPORT_LLM_")


PAWPORT_VARIABLES = SettingsConfigDict(env_prefix="PAWPORT_", extra="ignore", frozen=True)


class ServiceSettings(BaseSettings):
    """What every service needs to reach AWS. AWS_ENDPOINT_URL is unset in AWS; moto locally."""
    model_config = PAWPORT_VARIABLES

    stage: str
    aws_region: str = Field(validation_alias="AWS_REGION")
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")

    # Environment-variable prefixes this service must never be given.
    forbidden_variables: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _refuse_foreign_secrets(self) -> "ServiceSettings":
        handed = sorted(k for k in os.environ if k.startswith(self.forbidden_variables))
        if self.forbidden_variables and handed:
            raise ValueError(f"{type(self).__name__} must not be given {', '.join(handed)}")
        return self


class IdentitySettings(BaseSettings):
    """The Cognito pool whose tokens a service accepts; keys come from settings, never fetched."""
    model_config = PAWPORT_VARIABLES
    cognito_issuer: str
    cognito_client_id: str
    cognito_jwks: str  # the pool's JWKS document (JSON): no network call on any path
