"""audit log append-only for the application role

Revision ID: 9ca2bf4a7886
Revises: f76fc723b5f9
Create Date: 2026-12-01 23:20:00.000000

Written by hand (no model changes: `alembic check` still finds nothing to generate). The schema
is the migration role's; the application role gets row access to every table (the tables made
before default privileges existed, on a cluster set up when the application owned them), then
the audit log becomes add-and-read only for it. A later migration that recreates audit_entry
must repeat the REVOKE.
"""
from typing import Sequence, Union

from alembic import context, op


revision: str = '9ca2bf4a7886'
down_revision: Union[str, Sequence[str], None] = 'f76fc723b5f9'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _application_role() -> str:
    return '"' + context.config.attributes["application_role"].replace('"', '""') + '"'


def upgrade() -> None:
    role = _application_role()
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}')
    op.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}')
    op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry FROM {role}')
    op.execute(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}')


def downgrade() -> None:
    role = _application_role()
    op.execute(f'GRANT UPDATE, DELETE ON audit_entry TO {role}')
