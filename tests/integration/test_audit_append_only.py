"""The audit log is append-only for the application: as the role control's functions connect as,
adding and reading audit rows works and changing or removing them is refused by PostgreSQL itself;
the schema is the migration role's, and a table a later migration creates is writable by the
application without a grant of its own (default privileges)."""
import uuid

import psycopg
import pytest
from psycopg.errors import InsufficientPrivilege
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import ProgrammingError

from devstack.stack import DB_USER, Stack
from tests.integration.households_harness import household


def refused(control, statement) -> BaseException:
    with pytest.raises(ProgrammingError) as raised, control.database.transaction("test") as session:
        session.execute(statement)
    return raised.value.orig


def test_the_application_adds_and_reads_audit_rows(control) -> None:
    entry, h = control.models.AuditEntry, household(control)
    with control.database.transaction("test") as session:
        session.execute(insert(entry).values(household_id=uuid.UUID(h.id), actor_user_id="tester",
                                             action="probe", target="nothing", request_id="req-probe"))
    with control.database.transaction("test") as session:
        actions = session.scalars(select(entry.action).where(entry.household_id == uuid.UUID(h.id))).all()
    assert "probe" in actions and "household.create" in actions


@pytest.mark.parametrize("change", ["update", "delete", "truncate"])
def test_the_application_cannot_rewrite_the_audit_log(control, change: str) -> None:
    entry, h = control.models.AuditEntry, household(control)
    mine = entry.household_id == uuid.UUID(h.id)
    statement = {"update": update(entry).where(mine).values(actor_user_id="someone else"),
                 "delete": delete(entry).where(mine),
                 "truncate": text("TRUNCATE audit_entry")}[change]

    assert isinstance(refused(control, statement), InsufficientPrivilege)

    with control.database.transaction("test") as session:
        actors = set(session.scalars(select(entry.actor_user_id).where(mine)))
    assert actors and "someone else" not in actors


def test_the_application_still_changes_its_other_rows(control) -> None:
    h = household(control)
    pet = control.models.Pet
    with control.database.transaction("test") as session:
        session.execute(update(pet).where(pet.id == uuid.UUID(h.pet_id)).values(name="Renamed"))
        assert session.scalar(select(pet.name).where(pet.id == uuid.UUID(h.pet_id))) == "Renamed"


@pytest.mark.parametrize("ddl", ["ALTER TABLE audit_entry DISABLE TRIGGER ALL",
                                 "ALTER TABLE audit_entry OWNER TO CURRENT_USER",
                                 "CREATE TABLE shadow (id int)"])
def test_the_application_cannot_change_the_schema(control, ddl: str) -> None:
    assert isinstance(refused(control, text(ddl)), InsufficientPrivilege)


def test_a_later_migrations_table_is_the_applications_to_use(control, stack: Stack) -> None:
    owner = control.wired.settings.db_migration_user
    admin = stack.database_admin_url.rsplit("/", 1)[0] + "/" + control.wired.settings.db_name
    with psycopg.connect(admin) as conn:   # one transaction, rolled back: nothing is left behind
        conn.execute(f'SET ROLE "{owner}"')
        conn.execute("CREATE TABLE later_feature (id bigserial PRIMARY KEY)")
        may = [conn.execute("SELECT has_table_privilege(%s, 'later_feature', %s)", (DB_USER, p)).fetchone()[0]
               for p in ("SELECT", "INSERT", "UPDATE", "DELETE")]
        sequence = conn.execute("SELECT has_sequence_privilege(%s, 'later_feature_id_seq', 'USAGE')",
                                (DB_USER,)).fetchone()[0]
        conn.rollback()
    assert all(may) and sequence
