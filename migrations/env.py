"""Alembic environment: control's models are the schema, control's settings find the database.
Alembic connects as the migration role, which owns the schema; a migration that changes who may
write what names the application role as `context.config.attributes["application_role"]`."""
from alembic import context

from chalicelib.control.database import make_engine
from chalicelib.control.models import Base
from chalicelib.control.settings import ControlSettings

target_metadata = Base.metadata


def run_migrations_online() -> None:
    settings = ControlSettings()
    context.config.attributes["application_role"] = settings.db_user
    with make_engine(settings.as_migration_role()).connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
