"""Control's `migrate` function brings an empty database to the head revision, as the one-off
invocation inside the VPC does in AWS: the set-up as the master user (here the superuser) makes
the two roles, then Alembic, as the migration role, makes tables the application can use but
whose audit log it cannot rewrite."""
import psycopg
import pytest
from psycopg import sql

from devstack.stack import DB_USER, Stack

APPEND_ONLY = "audit_entry"


@pytest.fixture
def empty_database(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> str:
    name = "pawport_migrate_check"
    with psycopg.connect(stack.database_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    monkeypatch.setenv("PAWPORT_DB_NAME", name)
    return stack.database_admin_url.rsplit("/", 1)[0] + "/" + name


def test_migrate_brings_an_empty_database_to_head(control, empty_database: str) -> None:
    from chalicelib.control.database_setup import set_up
    from chalicelib.control.migrate import upgrade_to_head
    from chalicelib.control.settings import ControlSettings
    settings = ControlSettings()
    assert set_up(settings, "postgres", "") > 0
    head = upgrade_to_head()
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head
        owners = dict(conn.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"))
        may = {(table, privilege): conn.execute("SELECT has_table_privilege(%s, %s, %s)",
                                                (DB_USER, table, privilege)).fetchone()[0]
               for table in owners for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}
        schema_owner = conn.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'").fetchone()[0]
    assert {"household", "member", "pet", "vaccination_record", "audit_entry", "outbox_entry"} <= set(owners)
    assert set(owners.values()) == {settings.db_migration_user} == {schema_owner}
    for table in set(owners) - {APPEND_ONLY, "alembic_version"}:
        assert all(may[table, p] for p in ("SELECT", "INSERT", "UPDATE", "DELETE")), table
    assert may[APPEND_ONLY, "SELECT"] and may[APPEND_ONLY, "INSERT"]
    assert not any(may[APPEND_ONLY, p] for p in ("UPDATE", "DELETE", "TRUNCATE"))


def test_the_set_up_runs_again_harmlessly(control, empty_database: str) -> None:
    from chalicelib.control.database_setup import set_up
    from chalicelib.control.migrate import upgrade_to_head
    from chalicelib.control.settings import ControlSettings
    set_up(ControlSettings(), "postgres", "")
    upgrade_to_head()
    set_up(ControlSettings(), "postgres", "")   # a second invocation carrying the master password
    with psycopg.connect(empty_database) as conn:
        assert not conn.execute("SELECT has_table_privilege(%s, 'audit_entry', 'UPDATE')", (DB_USER,)).fetchone()[0]
        assert conn.execute("SELECT has_table_privilege(%s, 'pet', 'UPDATE')", (DB_USER,)).fetchone()[0]
