"""api's settings: the projection table and the uploads bucket. No database, no LLM (rule 3)."""
from functools import lru_cache

from pawport.settings import DATABASE_VARIABLES, LLM_VARIABLES, IdentitySettings, ServiceSettings


class ApiSettings(ServiceSettings, IdentitySettings):
    forbidden_variables = DATABASE_VARIABLES + LLM_VARIABLES
    table_name: str
    uploads_bucket: str


@lru_cache(maxsize=1)
def settings() -> ApiSettings:
    return ApiSettings()
