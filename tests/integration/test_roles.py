"""Every control action, allowed and denied for each role, against real PostgreSQL: owners manage
members and read the audit log; editors change pets and records; viewers change nothing; people
outside the household see 404. Allowed actions leave an audit row; denied ones leave nothing."""
import ast
import uuid

import pytest
from sqlalchemy import select

from devstack import REPO
from pawport.errors import Conflict, Forbidden, NotFound
from tests.integration.households_harness import Household, context, household
from tests.support.people import verified_caller as person

OWNER, EDITOR, VIEWER, STRANGER = "owner", "editor", "viewer", "stranger"
OWNERS, EDITORS, MEMBERS = {OWNER}, {OWNER, EDITOR}, {OWNER, EDITOR, VIEWER}

# action name (as its handler is declared, and the wake ledger names it) -> roles allowed, and the command
ACTIONS = {
    "add_pet": (EDITORS, lambda c, r, h: c.AddPet(h.id, r.NewPet(name="Rex", species="dog"))),
    "approve_record": (EDITORS, lambda c, r, h: c.ApproveRecord(h.pet_id, r.NewRecord(vaccine="DHPP"))),
    "update_record": (EDITORS, lambda c, r, h: c.UpdateRecord(h.pet_id, h.record_id,
                                                              r.RecordFields(vaccine="Rabies", clinic="Elm Street Vets"))),
    "delete_record": (EDITORS, lambda c, r, h: c.DeleteRecord(h.pet_id, h.record_id)),
    "invite": (OWNERS, lambda c, r, h: c.InviteMember(h.id, r.NewInvitation(email=person("new").email, role="viewer"))),
    "change_role": (OWNERS, lambda c, r, h: c.ChangeRole(h.id, h.people[EDITOR].user_id, r.RoleChange(role="viewer"))),
    "remove": (OWNERS, lambda c, r, h: c.RemoveMember(h.id, h.people[VIEWER].user_id)),
    "leave": (MEMBERS, lambda c, r, h: c.LeaveHousehold(h.id)),
    "read_audit_log": (OWNERS, lambda c, r, h: c.ReadAuditLog(h.id, r.Page())),
}
# Not role-gated: any signed-in user creates a household; an invitation is accepted by its addressee
# (tests/integration/test_members.py).
UNGATED = {"create_household", "accept"}


def audit_rows(control, household_id: str) -> list:
    entry = control.models.AuditEntry
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
    command = ACTIONS[action][1](control.commands, control.requests, h)
    caller, before = h.people[role], audit_rows(control, h.id)
    ctx = context(control, caller)
    refused = expected_outcome(action, role)

    if refused:
        with pytest.raises(refused):
            control.wired.handle(command, ctx)
        assert audit_rows(control, h.id) == before
    else:
        control.wired.handle(command, ctx)
        [(_, actor, request_id, at, name, target)] = audit_rows(control, h.id)[len(before):]
        assert (actor, request_id, at) == (caller.user_id, ctx.request_id, ctx.now) and name and target


def test_anyone_signed_in_creates_a_household_and_owns_it(control) -> None:
    newcomer = person("founder")
    ctx = context(control, newcomer)
    made = control.wired.handle(control.commands.CreateHousehold(control.requests.NewHousehold(name="Mine")),
                                ctx).model_dump()
    assert made["role"] == "owner"
    [(_, actor, request_id, _, name, _)] = audit_rows(control, made["household_id"])
    assert (name, actor, request_id) == ("household.create", newcomer.user_id, ctx.request_id)


def test_every_action_control_routes_has_a_role_test(control) -> None:
    """Read from control's app.py: each `answer(<Command>(...))`, named as its handler is declared."""
    from chalicelib.control.registry import HANDLERS, name_of

    tree = ast.parse((REPO / "services" / "control" / "app.py").read_text())
    commands = {call.args[0].func.id for call in ast.walk(tree)
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "answer"}
    performed = {name_of(HANDLERS[getattr(control.commands, command)]) for command in commands}
    assert performed == set(ACTIONS) | UNGATED
