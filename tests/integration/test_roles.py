"""Every control action, allowed and denied for each role, against real PostgreSQL: owners manage
members and read the audit log; editors change pets and records; viewers change nothing; people
outside the household see 404. Allowed actions leave an audit row; denied ones leave nothing."""
import ast
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from devstack import REPO
from pawport.errors import Conflict, Forbidden, NotFound
from pawport.keys import draft_sk, household_key
from pawport.store import Item, Put
from tests.integration.households_harness import NOW, Household, context, household, run
from tests.support.people import verified_caller as person

OWNER, EDITOR, VIEWER, STRANGER = "owner", "editor", "viewer", "stranger"
OWNERS, EDITORS, MEMBERS = {OWNER}, {OWNER, EDITOR}, {OWNER, EDITOR, VIEWER}

# action name (as its handler is declared, and the wake ledger names it) -> roles allowed, and the command
ACTIONS = {
    "add_pet": (EDITORS, lambda c, r, h: c.AddPet(h.id, r.NewPet(name="Rex", species="dog"))),
    "approve_record": (EDITORS, lambda c, r, h: c.ApproveRecord(h.pet_id, r.NewRecord(vaccine="DHPP"))),
    "approve_draft": (EDITORS, lambda c, r, h: c.ApproveDraft(h.pet_id, h.upload_id, r.DraftApproval())),
    "update_record": (EDITORS, lambda c, r, h: c.UpdateRecord(h.pet_id, h.record_id, r.RecordChanges(clinic="Elm Vets"))),
    "replace_record": (EDITORS, lambda c, r, h: c.ReplaceRecord(h.pet_id, h.record_id, r.RecordReplacement(
        vaccine="Rabies", administered_on=None, expires_on=None, clinic="Elm Street Vets"))),
    "read_record_history": (OWNERS, lambda c, r, h: c.ReadRecordHistory(h.pet_id, h.record_id)),
    "rename_household": (OWNERS, lambda c, r, h: c.RenameHousehold(h.id, r.HouseholdName(name="The Renamed"))),
    "change_time_zone": (OWNERS, lambda c, r, h: c.ChangeTimeZone(h.id, r.TimeZoneChange(time_zone="Europe/Paris"))),
    # each member chooses their own reminder windows (nobody chooses another's): every role may
    "choose_reminder_windows": (MEMBERS, lambda c, r, h: c.ChooseReminderWindows(h.id, r.ReminderWindows(windows=[7]))),
    "update_pet": (EDITORS, lambda c, r, h: c.UpdatePet(h.pet_id, r.PetChanges(breed="Beagle", microchip="985112345678901"))),
    "remove_pet": (EDITORS, lambda c, r, h: c.RemovePet(h.pet_id)),
    "delete_record": (EDITORS, lambda c, r, h: c.DeleteRecord(h.pet_id, h.record_id)),
    "invite": (OWNERS, lambda c, r, h: c.InviteMember(h.id, r.NewInvitation(email=person("new").email, role="viewer"))),
    "change_role": (OWNERS, lambda c, r, h: c.ChangeRole(h.id, h.people[EDITOR].user_id, r.RoleChange(role="viewer"))),
    "remove": (OWNERS, lambda c, r, h: c.RemoveMember(h.id, h.people[VIEWER].user_id)),
    "leave": (MEMBERS, lambda c, r, h: c.LeaveHousehold(h.id)),
    "read_audit_log": (OWNERS, lambda c, r, h: c.ReadAuditLog(h.id, r.Page())),
    "ask_question": (EDITORS, lambda c, r, h: c.AskQuestion(h.id, r.NewAsk(question="Is Rex cleared for boarding today?"))),
    "set_llm_budget": (OWNERS, lambda c, r, h: c.SetLlmBudget(h.id, r.BudgetChange(monthly_usd=2))),
    "create_passport": (EDITORS, lambda c, r, h: c.CreatePassport(h.id, r.NewPassport(pet_ids=[h.pet_id], duration="7d"))),
    "revoke_passport": (EDITORS, lambda c, r, h: c.RevokePassport(h.id, h.passport_id)),
}


@dataclass
class Shared(Household):
    passport_id: str = ""


def shared(control, h: Household) -> Shared:
    """The household with a passport its owner made: what revoking needs first."""
    made = run(control, h.people[OWNER], control.commands.CreatePassport(
        h.id, control.requests.NewPassport(pet_ids=[h.pet_id], duration="7d")))
    return Shared(**vars(h), passport_id=made["id"])


@dataclass
class Drafted(Household):
    upload_id: str = ""


def drafted(control, h: Household) -> Drafted:
    """The household with a certificate read for its pet, the draft as workers leave it: what
    approving a draft needs first."""
    upload_id = str(uuid.uuid4())
    read = {"vaccine": "DHPP", "administered_on": "2026-03-14", "expires_on": "2029-03-13"}
    control.table.write(Put(Item(
        household_key(h.id), draft_sk(upload_id), kind="draft", version=0, expires_at=NOW + timedelta(days=14),
        body={"upload_id": upload_id, "pet_id": h.pet_id, "status": "ready", "file_name": "dhpp.pdf",
              "document_key": f"uploads/{h.id}/{h.pet_id}/{upload_id}/dhpp.pdf", "content_hash": uuid.uuid4().hex * 2,
              "fields": {"pet_name": "Ollie", "vaccinations": [read]}})))
    return Drafted(**vars(h), upload_id=upload_id)


# What an action needs made first, by the owner, before the audit rows are counted.
PREPARED = {"revoke_passport": shared, "approve_draft": drafted}
# Not role-gated: any signed-in user creates a household; an invitation is accepted by its addressee
# (tests/integration/test_members.py).
UNGATED = {"create_household", "accept"}
# Handlers no signed-in caller reaches, so no role applies: a reminder mail's unsubscribe link acts
# for the member its signed token names (tests/e2e/test_reminder_settings.py), and SES's bounce and
# complaint notifications arrive from SNS (tests/integration/test_suppressions.py).
NO_CALLER = {"unsubscribe_reminders", "mail_feedback"}


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
    h: Household = PREPARED.get(action, lambda control, h: h)(control, household(control))
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
    made = control.wired.handle(control.commands.CreateHousehold(control.requests.NewHousehold(name="Mine",
                                                                                                  time_zone="UTC")),
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
    assert {name_of(handler) for handler in HANDLERS.values()} == performed | NO_CALLER
