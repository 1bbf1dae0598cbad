"""Alembic environment: control's models are the schema, control's settings find the database."""
from alembic import context

from chalicelib.control.database import make_engine
from chalicelib.control.models import Base
from chalicelib.control.settings import ControlSettings

target_metadata = Base.metadata


def run_migrations_online() -> None:
    with make_engine(ControlSettings()).connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
