"""workers' settings: the table, the buckets and queues it serves. No database, no LLM (rule 3)."""
from functools import lru_cache

from pawport.settings import DATABASE_VARIABLES, LLM_VARIABLES, ServiceSettings


class WorkersSettings(ServiceSettings):
    forbidden_variables = DATABASE_VARIABLES + LLM_VARIABLES
    table_name: str
    uploads_bucket: str
    jobs_bucket: str


@lru_cache(maxsize=1)
def settings() -> WorkersSettings:
    return WorkersSettings()
