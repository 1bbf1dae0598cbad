"""Control's `migrate` function brings an empty database to the head revision, as the one-off
invocation inside the VPC does in AWS."""
import psycopg
import pytest
from psycopg import sql

from devstack.stack import DB_USER, Stack


@pytest.fixture
def empty_database(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> str:
    name = "pawport_migrate_check"
    with psycopg.connect(stack.database_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(DB_USER)))
    monkeypatch.setenv("PAWPORT_DB_NAME", name)
    return stack.database_admin_url.rsplit("/", 1)[0] + "/" + name


def test_migrate_brings_an_empty_database_to_head(control, empty_database: str) -> None:
    from chalicelib.control.migrate import upgrade_to_head
    head = upgrade_to_head()
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"household", "member", "pet", "vaccination_record", "audit_entry", "outbox_entry"} <= tables
