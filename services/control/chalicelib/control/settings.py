"""Control's settings: Aurora and the projection table. No LLM key, ever: control never talks to the model provider."""
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr

from pawport.reminder_links import SHORTEST_KEY
from pawport.settings import LLM_VARIABLES, IdentitySettings, ServiceSettings

# AWS's RDS certificate bundle, placed in control's package by the deploy step (infra/DEPLOY.md):
# Lambda cannot fetch it, and Aurora's certificate is checked against it on every connection.
RDS_CA_BUNDLE = Path(__file__).resolve().parent / "certs" / "rds-global-bundle.pem"


class ControlSettings(ServiceSettings, IdentitySettings):
    forbidden_variables = LLM_VARIABLES
    table_name: str
    db_host: str
    db_port: int = 5432
    db_name: str
    db_user: str   # the application role: reads and writes rows, adds audit rows, never owns the schema
    # The role that owns the schema; only the `migrate` function connects as it (locally logins are
    # trusted, so it has no password).
    db_migration_user: str = "pawport_migrations"
    # "iam" in AWS: a token signed locally per connection (Secrets Manager is out of reach without
    # NAT); "password" for the local PostgreSQL.
    db_auth: Literal["iam", "password"] = "iam"
    db_password: SecretStr | None = None
    # The server's certificate is checked against this CA and the host name on every connection.
    db_sslmode: Literal["verify-full", "verify-ca"] = "verify-full"
    db_sslrootcert: Path = RDS_CA_BUNDLE
    db_connect_timeout_seconds: int = 5
    db_statement_timeout_ms: int = 5000
    db_resume_budget_seconds: float = 20.0   # API Gateway gives up at 29 s
    db_retry_after_seconds: int = 5
    # The cluster's SecondsUntilAutoPause (base stack parameter; AWS's default): the wake report's model.
    db_pause_delay_seconds: int = 300
    # POST /warmup connects once with this timeout instead of waiting out a resume (libpq's floor is 2 s).
    db_warmup_timeout_seconds: int = 2
    # The topic SES publishes bounces and complaints to; SNS invokes `ses_feedback` with each.
    ses_feedback_topic: str
    # Verifies the unsubscribe links in reminder mail (workers sign them with the same key).
    reminder_link_key: Annotated[SecretStr, Field(min_length=SHORTEST_KEY)]

    def as_migration_role(self) -> "ControlSettings":
        """The same database, as the schema's owner (the `migrate` function and Alembic)."""
        return self.model_copy(update={"db_user": self.db_migration_user, "db_password": None})


@lru_cache(maxsize=1)
def settings() -> ControlSettings:
    return ControlSettings()

