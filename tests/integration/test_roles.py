"""Every control action, allowed and denied for each role, against real PostgreSQL: owners manage
members and read the audit log; editors change pets and records; viewers change nothing; people
outside the household see 404. Allowed actions leave an audit row; denied ones leave nothing."""
import ast
import uuid

import pytest
from sqlalchemy import select

from devstack import REPO
from households_harness import Household, context, household, person
from pawport.errors import Conflict, Forbidden, NotFound

OWNER, EDITOR, VIEWER, STRANGER = "owner", "editor", "viewer", "stranger"
OWNERS, EDITORS, MEMBERS = {OWNER}, {OWNER, EDITOR}, {OWNER, EDITOR, VIEWER}

# action name (as control's app.py names the function) -> roles allowed, and the call
ACTIONS = {
    "add_pet": (EDITORS, lambda c, h: (c.households.add_pet, h.id, c.households.NewPet(name="Rex", species="dog"))),
    "approve_record": (EDITORS, lambda c, h: (c.records.approve_record, h.pet_id, c.records.NewRecord(vaccine="DHPP"),
                                              c.store.find_draft)),
    "update_record": (EDITORS, lambda c, h: (c.records.update_record, h.pet_id, h.record_id,
                                             c.records.RecordFields(vaccine="Rabies", clinic="Elm Street Vets"))),
    "delete_record": (EDITORS, lambda c, h: (c.records.delete_record, h.pet_id, h.record_id)),
    "invite": (OWNERS, lambda c, h: (c.members.invite, h.id,
                                     c.members.NewInvitation(email=person("new").email, role="viewer"))),
    "change_role": (OWNERS, lambda c, h: (c.members.change_role, h.id, h.people[EDITOR].user_id,
                                          c.members.RoleChange(role="viewer"))),
    "remove": (OWNERS, lambda c, h: (c.members.remove, h.id, h.people[VIEWER].user_id)),
    "leave": (MEMBERS, lambda c, h: (c.members.leave, h.id)),
    "read_audit_log": (OWNERS, lambda c, h: (c.audit_log.read_audit_log, h.id, c.audit_log.Page())),
}
# Not role-gated: any signed-in user creates a household; an invitation is accepted by its addressee
# (tests/integration/test_members.py).
UNGATED = {"create_household", "accept"}


def audit_rows(control, household_id: str) -> list:
    entry = control.households.AuditEntry
    with control.database.transaction("test") as session:
        return [(row.id, row.actor_user_id, row.request_id, row.at, row.action, row.target) for row in
                session.scalars(select(entry).where(entry.household_id == uuid.UUID(household_id)).order_by(entry.id))]


def expected_outcome(action: str, role: str) -> type[Exception] | None:
    allowed, _ = ACTIONS[action]
    if role == STRANGER:
        return NotFound
    if role not in allowed:
        return Forbidden
    if action == "leave" and role == OWNER:
        return Conflict   # the only owner cannot leave (test_members.py: with two owners one can)
    return None


@pytest.mark.parametrize("role", [OWNER, EDITOR, VIEWER, STRANGER])
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_for_each_role(control, action: str, role: str) -> None:
    h: Household = household(control)
    call, *args = ACTIONS[action][1](control, h)
    caller, before = h.people[role], audit_rows(control, h.id)
    ctx = context(control, caller)
    refused = expected_outcome(action, role)

    if refused:
        with pytest.raises(refused):
            control.actions.perform(control.database, ctx, call, *args)
        assert audit_rows(control, h.id) == before
    else:
        control.actions.perform(control.database, ctx, call, *args)
        [(_, actor, request_id, at, name, target)] = audit_rows(control, h.id)[len(before):]
        assert (actor, request_id, at) == (caller.user_id, ctx.request_id, ctx.now) and name and target


def test_anyone_signed_in_creates_a_household_and_owns_it(control) -> None:
    newcomer = person("founder")
    ctx = context(control, newcomer)
    made = control.actions.perform(control.database, ctx, control.households.create_household,
                                   control.households.NewHousehold(name="Mine"))
    assert made["role"] == "owner"
    [(_, actor, request_id, _, name, _)] = audit_rows(control, made["household_id"])
    assert (name, actor, request_id) == ("household.create", newcomer.user_id, ctx.request_id)


def test_every_action_control_routes_has_a_role_test() -> None:
    """Read from control's app.py: each `perform(database, ctx, <module>.<action>, ...)`."""
    tree = ast.parse((REPO / "services" / "control" / "app.py").read_text())
    performed = {call.args[2].attr for call in ast.walk(tree)
                 if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "perform"}
    assert performed == set(ACTIONS) | UNGATED
