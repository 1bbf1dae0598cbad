"""egress's settings: its job prefixes and the LLM endpoint. No table, no database (rule 3)."""
from functools import lru_cache

from pawport.settings import DATABASE_VARIABLES, ServiceSettings


class EgressSettings(ServiceSettings):
    forbidden_variables = DATABASE_VARIABLES + ("PAWPORT_TABLE_NAME",)
    jobs_bucket: str


@lru_cache(maxsize=1)
def settings() -> EgressSettings:
    return EgressSettings()
