"""api's settings: the projection table and the uploads bucket. No database, no LLM: the data and the way out are kept apart."""
from functools import lru_cache

from pydantic import Field

from pawport.settings import DATABASE_VARIABLES, LLM_VARIABLES, IdentitySettings, ServiceSettings


class ApiSettings(ServiceSettings, IdentitySettings):
    forbidden_variables = DATABASE_VARIABLES + LLM_VARIABLES
    table_name: str
    uploads_bucket: str
    passport_origin: str   # where passports are served (the CDN): the owners' list gives their URLs
    # workers' `review_draft`: a draft's discards and dismissal (the api itself only reads the table)
    draft_review_function: str
    # Unset in AWS; locally the event runners serve the Invoke API (moto runs no function).
    lambda_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL_LAMBDA")


@lru_cache(maxsize=1)
def settings() -> ApiSettings:
    return ApiSettings()
