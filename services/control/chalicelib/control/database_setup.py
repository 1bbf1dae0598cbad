"""The database's one-time set-up, run by control's `migrate` function inside the VPC (and by the
local stack, the same statements): the master user creates two login roles.

- The migration role owns the schema: only `migrate` connects as it, and every table Alembic
  creates is its own.
- The application role (control's other functions) reads and writes rows, on every table a
  migration creates from now on (default privileges); each migration that creates or changes the
  audit log takes back UPDATE, DELETE and TRUNCATE on it, so the application can add audit rows
  and read them, never rewrite them.

The master password arrives in that one invocation's event and is kept nowhere: no function's
role can read it (it lives in an SSM SecureString only the operator reads). Each statement can run
again harmlessly, and running them on a cluster set up when the application owned the schema hands
the schema to the migration role."""
from psycopg import sql
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from chalicelib.control.database import database_url, verified_tls
from chalicelib.control.settings import ControlSettings

ROW_WRITES = "SELECT, INSERT, UPDATE, DELETE"


def statements(settings: ControlSettings, master_user: str) -> list[str]:
    app, owner, master = _name(settings.db_user), _name(settings.db_migration_user), _name(master_user)
    database = _name(settings.db_name)
    roles = {settings.db_migration_user: None, settings.db_user: settings.db_password}
    created = [f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_text(role)}) "
               f"THEN CREATE ROLE {_name(role)} LOGIN; END IF; END $$" for role in roles]
    if settings.db_auth == "iam":
        authenticated = [f"GRANT rds_iam TO {_name(role)}" for role in roles]
    else:
        authenticated = [f"ALTER ROLE {_name(role)} PASSWORD {_secret(password)}"
                         for role, password in roles.items() if password]
    return [
        *created, *authenticated,
        f"GRANT {owner}, {app} TO {master}",   # the master may hand what one owns to the other
        f"REASSIGN OWNED BY {app} TO {owner}",
        f"ALTER SCHEMA public OWNER TO {owner}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE ALL ON DATABASE {database} FROM {app}",
        f"GRANT CONNECT ON DATABASE {database} TO {owner}, {app}",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT {ROW_WRITES} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]


def set_up(settings: ControlSettings, master_user: str, master_password: str) -> int:
    """Run the set-up as the master user; the number of statements run."""
    url = database_url(settings).set(username=master_user, password=master_password or None)
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 30} | verified_tls(settings))
    done = statements(settings, master_user)
    with engine.begin() as connection:
        for statement in done:
            connection.execute(text(statement))
    engine.dispose()
    return len(done)


def _name(identifier: str) -> str:
    return sql.Identifier(identifier).as_string(None)


def _text(value: str) -> str:
    return sql.Literal(value).as_string(None)


def _secret(password: SecretStr) -> str:
    return _text(password.get_secret_value())
