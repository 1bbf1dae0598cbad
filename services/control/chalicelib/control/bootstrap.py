"""The database's one-time set-up, run by control's `migrate` function inside the VPC: the master
user creates control's login role (IAM authentication in AWS) and hands it the schema. The master
password arrives in that one invocation's event and is kept nowhere: no function's role can read it
(it lives in an SSM SecureString only the operator reads). Each statement can run again harmlessly."""
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from chalicelib.control.database import database_url
from chalicelib.control.settings import ControlSettings


def statements(settings: ControlSettings, master_user: str) -> list[str]:
    role, database = settings.db_user, settings.db_name
    create = (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
              f'THEN CREATE ROLE "{role}" LOGIN; END IF; END $$')
    return [create, *([f'GRANT rds_iam TO "{role}"'] if settings.db_auth == "iam" else []),
            f'GRANT "{role}" TO "{master_user}"', f'GRANT ALL ON DATABASE "{database}" TO "{role}"',
            f'ALTER SCHEMA public OWNER TO "{role}"']


def bootstrap(settings: ControlSettings, master_user: str, master_password: str) -> int:
    """Run the set-up as the master user; the number of statements run."""
    url = database_url(settings).set(username=master_user, password=master_password)
    connect_args = {"connect_timeout": 30} | ({"sslmode": "require"} if settings.db_auth == "iam" else {})
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    done = statements(settings, master_user)
    with engine.begin() as connection:
        for statement in done:
            connection.execute(text(statement))
    engine.dispose()
    return len(done)
