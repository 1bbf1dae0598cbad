"""api's settings: the projection table and the uploads bucket. No database, no LLM: the data and the way out are kept apart."""
from functools import lru_cache

from pawport.settings import DATABASE_VARIABLES, LLM_VARIABLES, IdentitySettings, ServiceSettings


class ApiSettings(ServiceSettings, IdentitySettings):
    forbidden_variables = DATABASE_VARIABLES + LLM_VARIABLES
    table_name: str
    uploads_bucket: str


@lru_cache(maxsize=1)
def settings() -> ApiSettings:
    return ApiSettings()
