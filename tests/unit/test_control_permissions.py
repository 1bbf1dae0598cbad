"""Every control action's permission, role and plan rule on a fake unit of work: no database.
The same actions against PostgreSQL are tests/integration/test_roles.py and test_members.py."""
import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.control import audit_log, households, members, pets, records, reminders
from chalicelib.control import commands as c
from chalicelib.control import requests as r
from chalicelib.control.models import Household, Member, Pet, Role, VaccinationRecord
from pawport.auth import Caller
from pawport.errors import BadInput, Conflict, Forbidden, NotFound
from tests.unit.control_fakes import NOW, FakeUnitOfWork, Tables

OWNER, EDITOR, VIEWER, STRANGER = "owner", "editor", "viewer", "stranger"
OWNERS, EDITORS, EVERYONE = {OWNER}, {OWNER, EDITOR}, {OWNER, EDITOR, VIEWER}


def person(name: str) -> Caller:
    return Caller(user_id=f"{name}-{uuid.uuid4().hex[:8]}", email=f"{name}@example.com", email_verified=True)


class World:
    """A household with an owner, an editor and a viewer, one pet with one record; and a stranger."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.people = {role: person(role) for role in (OWNER, EDITOR, VIEWER, STRANGER)}
        self.household = Household(id=uuid.uuid4(), name="The Fakes", time_zone="Europe/London", created_at=NOW)
        self.pet = Pet(id=uuid.uuid4(), household_id=self.household.id, name="Ollie", species="dog", created_at=NOW)
        self.record = VaccinationRecord(id=uuid.uuid4(), household_id=self.household.id, pet_id=self.pet.id,
                                        vaccine="Rabies", created_at=NOW, updated_at=NOW)
        members_ = [Member(household_id=self.household.id, user_id=p.user_id, email=p.email, role=Role(role),
                           joined_at=NOW) for role, p in self.people.items() if role != STRANGER]
        self.tables.add(self.household, self.pet, self.record, *members_)
        self.id, self.pet_id, self.record_id = str(self.household.id), str(self.pet.id), str(self.record.id)

    def draft(self) -> str:
        """A draft workers read one vaccination from; its upload id."""
        upload_id = str(uuid.uuid4())
        self.tables.drafts[(self.id, upload_id)] = {
            "upload_id": upload_id, "pet_id": self.pet_id, "status": "ready", "file_name": "dhpp.pdf",
            "document_key": f"uploads/{self.id}/{self.pet_id}/{upload_id}/dhpp.pdf",
            "fields": {"pet_name": "Ollie", "vaccinations": [
                {"vaccine": "DHPP", "administered_on": "2026-01-05", "expires_on": "2027-01-05"}]}}
        return upload_id

    def run(self, role_or_caller: str | Caller, handler, command, now=NOW, **extra):
        caller = self.people[role_or_caller] if isinstance(role_or_caller, str) else role_or_caller
        uow = FakeUnitOfWork(self.tables, caller, now)
        return handler(command, uow, **extra), uow


ACTIONS = {
    "add_pet": (EDITORS, households.add_pet, lambda w: c.AddPet(w.id, r.NewPet(name="Rex", species="dog"))),
    "approve_record": (EDITORS, records.approve_record,
                       lambda w: c.ApproveRecord(w.pet_id, r.NewRecord(vaccine="DHPP"))),
    "approve_draft": (EDITORS, records.approve_draft, lambda w: c.ApproveDraft(w.pet_id, w.draft(), r.DraftApproval())),
    "update_record": (EDITORS, records.update_record,
                      lambda w: c.UpdateRecord(w.pet_id, w.record_id, r.RecordChanges(clinic="Elm"))),
    "replace_record": (EDITORS, records.replace_record,
                       lambda w: c.ReplaceRecord(w.pet_id, w.record_id, r.RecordReplacement(
                           vaccine="Rabies", administered_on=None, expires_on=None, clinic="Elm"))),
    "read_record_history": (OWNERS, records.read_record_history, lambda w: c.ReadRecordHistory(w.pet_id, w.record_id)),
    "rename_household": (OWNERS, households.rename_household,
                         lambda w: c.RenameHousehold(w.id, r.HouseholdName(name="The Renamed"))),
    "update_pet": (EDITORS, pets.update_pet, lambda w: c.UpdatePet(w.pet_id, r.PetChanges(name="Olly"))),
    "remove_pet": (EDITORS, pets.remove_pet, lambda w: c.RemovePet(w.pet_id)),
    "delete_record": (EDITORS, records.delete_record, lambda w: c.DeleteRecord(w.pet_id, w.record_id)),
    "invite": (OWNERS, members.invite,
               lambda w: c.InviteMember(w.id, r.NewInvitation(email="new@example.com", role="viewer"))),
    "change_role": (OWNERS, members.change_role,
                    lambda w: c.ChangeRole(w.id, w.people[EDITOR].user_id, r.RoleChange(role="viewer"))),
    "remove": (OWNERS, members.remove, lambda w: c.RemoveMember(w.id, w.people[VIEWER].user_id)),
    "leave": (EVERYONE, members.leave, lambda w: c.LeaveHousehold(w.id)),
    "read_audit_log": (OWNERS, audit_log.read_audit_log, lambda w: c.ReadAuditLog(w.id, r.Page())),
    "choose_reminder_windows": (EVERYONE, reminders.choose_reminder_windows,
                                lambda w: c.ChooseReminderWindows(w.id, r.ReminderWindows(windows=[7]))),
    "change_time_zone": (OWNERS, reminders.change_time_zone,
                         lambda w: c.ChangeTimeZone(w.id, r.TimeZoneChange(time_zone="Europe/Paris"))),
}


READS = {"read_audit_log", "read_record_history"}   # audited, but they change no projection


@pytest.mark.parametrize("role", [OWNER, EDITOR, VIEWER, STRANGER])
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_for_each_role(action: str, role: str) -> None:
    world = World()
    allowed, handler, command = ACTIONS[action]
    refused = NotFound if role == STRANGER else Forbidden if role not in allowed else \
        Conflict if (action, role) == ("leave", OWNER) else None   # the only owner cannot leave

    if refused:
        with pytest.raises(refused):
            world.run(role, handler, command(world))
        assert world.tables.audit == []
    else:
        _, uow = world.run(role, handler, command(world))
        [entry] = world.tables.audit
        assert (entry.actor_user_id, entry.request_id, entry.at) == (world.people[role].user_id, uow.ctx.request_id,
                                                                     NOW)
        assert [h for h, _ in uow.published] == ([world.household.id] if action not in READS else [])


@pytest.mark.parametrize("action", ACTIONS)
def test_ids_that_name_nothing_are_not_found(action: str) -> None:
    """Another household's ids, or no id at all (not a UUID, a NUL in a user id), answer 404."""
    world, other = World(), World()
    _, handler, command = ACTIONS[action]
    for wrong in (replace(command(world), **{f: getattr(command(other), f)}) for f in ("household_id", "pet_id")
                  if hasattr(command(world), f)):
        with pytest.raises(NotFound):
            world.run(OWNER, handler, wrong)
    garbled = {f: "not-an-id\x00" for f in ("household_id", "pet_id", "record_id", "user_id")
               if hasattr(command(world), f)}
    with pytest.raises(NotFound):
        world.run(OWNER, handler, replace(command(world), **garbled))


def test_anyone_signed_in_creates_a_household_and_owns_it() -> None:
    world, founder = World(), person("founder")
    made, _ = world.run(founder, households.create_household,
                        c.CreateHousehold(r.NewHousehold(name="Mine", time_zone="Europe/Paris")))
    assert made.role == "owner"
    assert world.tables.members[(uuid.UUID(made.household_id), founder.user_id)].role == Role.OWNER


def test_the_free_plan_holds_three_pets() -> None:
    world = World()
    for name in ("Mochi", "Bean"):
        world.run(EDITOR, households.add_pet, c.AddPet(world.id, r.NewPet(name=name, species="cat")))
    with pytest.raises(Conflict, match="allows three pets per household"):
        world.run(EDITOR, households.add_pet, c.AddPet(world.id, r.NewPet(name="Rex", species="dog")))


@pytest.mark.parametrize("command", [
    lambda w: c.LeaveHousehold(w.id),
    lambda w: c.RemoveMember(w.id, w.people[OWNER].user_id),
    lambda w: c.ChangeRole(w.id, w.people[OWNER].user_id, r.RoleChange(role="editor")),
])
def test_the_last_owner_cannot_leave_be_removed_or_be_demoted(command) -> None:
    world = World()
    handler = {c.LeaveHousehold: members.leave, c.RemoveMember: members.remove, c.ChangeRole: members.change_role}
    with pytest.raises(Conflict, match="the last owner cannot"):
        world.run(OWNER, handler[type(command(world))], command(world))
    world.run(OWNER, members.change_role, c.ChangeRole(world.id, world.people[EDITOR].user_id,
                                                       r.RoleChange(role="owner")))
    world.run(OWNER, handler[type(command(world))], command(world))   # another owner remains


def test_only_the_addressee_with_a_verified_address_accepts_once_and_in_time() -> None:
    world, guest = World(), person("guest")
    world.run(OWNER, members.invite, c.InviteMember(world.id, r.NewInvitation(email="GUEST@example.com", role="editor")),
              make_token=lambda: "a-token-of-twenty-chars")
    accept = c.AcceptInvitation(r.Acceptance(token="a-token-of-twenty-chars"))

    with pytest.raises(NotFound, match="no such invitation"):
        world.run(guest, members.accept, c.AcceptInvitation(r.Acceptance(token="not-the-token-at-all")))
    with pytest.raises(Forbidden, match="verified"):
        world.run(replace(guest, email_verified=False), members.accept, accept)
    with pytest.raises(Forbidden, match="another email address"):
        world.run(person("someone-else"), members.accept, accept)
    with pytest.raises(Conflict, match="expired"):
        world.run(guest, members.accept, accept, now=NOW + timedelta(days=8))
    joined, _ = world.run(guest, members.accept, accept)
    assert (joined.role, joined.household_id) == ("editor", world.id)
    with pytest.raises(Conflict, match="already been used"):
        world.run(guest, members.accept, accept)
    with pytest.raises(Conflict, match="already a member"):
        world.run(OWNER, members.invite, c.InviteMember(world.id, r.NewInvitation(email=guest.email, role="viewer")))


def test_a_draft_is_approved_only_for_its_own_pet_and_when_it_was_read() -> None:
    world = World()
    upload = str(uuid.uuid4())
    approve = c.ApproveRecord(world.pet_id, r.NewRecord(vaccine="Rabies", upload_id=upload))
    with pytest.raises(NotFound, match="no such draft"):
        world.run(EDITOR, records.approve_record, approve)
    world.tables.drafts[(world.id, upload)] = {"pet_id": str(uuid.uuid4()), "status": "ready"}
    with pytest.raises(NotFound, match="no such draft"):
        world.run(EDITOR, records.approve_record, approve)
    world.tables.drafts[(world.id, upload)] = {"pet_id": world.pet_id, "status": "rejected", "reason": "a ZIP"}
    with pytest.raises(Conflict, match="a ZIP"):
        world.run(EDITOR, records.approve_record, approve)
    world.tables.drafts[(world.id, upload)] = {"upload_id": upload, "pet_id": world.pet_id, "status": "ready",
                                               "file_name": "rabies.pdf", "document_key": "k"}
    record, uow = world.run(EDITOR, records.approve_record, approve)
    assert record.document_key == "k" and world.tables.audit[-1].action == "record.approve"


def test_an_administered_date_after_the_households_today_is_refused() -> None:
    world = World()
    late = NOW.replace(hour=23, minute=30)   # already tomorrow nowhere near London: today there is the 23rd
    with pytest.raises(BadInput, match="in the future"):
        world.run(EDITOR, records.approve_record,
                  c.ApproveRecord(world.pet_id, r.NewRecord(vaccine="Rabies", administered_on=date(2026, 11, 24))),
                  now=late)
    world.run(EDITOR, records.approve_record,
              c.ApproveRecord(world.pet_id, r.NewRecord(vaccine="Rabies", administered_on=date(2026, 11, 23))), now=late)
