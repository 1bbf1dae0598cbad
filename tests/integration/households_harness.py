"""A household with an owner, an editor and a viewer, a pet and a record, made through control's
own commands (invitations accepted by verified addresses, with the token from the mail queued)."""
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pawport.auth import Caller
from pawport.keys import MAIL_SK, mail_key
from tests.support.people import mailed_code, verified_caller

# The wall clock, to the second: items control writes (mail lives a day) must be live for the event
# runners that share the test stack, whose TTL sweep runs on the wall clock.
NOW = datetime.now(UTC).replace(microsecond=0)
ROLES = ("owner", "editor", "viewer")


@dataclass
class Household:
    id: str
    pet_id: str
    record_id: str
    people: dict[str, Caller]   # owner, editor, viewer, stranger


def context(control, caller: Caller, now: datetime = NOW):
    return control.Context(caller=caller, request_id=f"req-{uuid.uuid4()}", now=now)


def run(control, caller: Caller, command, now: datetime = NOW) -> dict:
    """One control command as a request runs it: a unit of work, then the outbox relay."""
    return control.run(caller, command, now=now)


def mailed_token(control, invitation_id: str, now: datetime = NOW) -> str:
    """The invitation's code from the mail item control queued; once workers have sent it (their
    runners share the test stack) the item keeps no code, and the code is in the mail itself."""
    letter = control.table_at(now).get(mail_key(invitation_id), MAIL_SK).body
    return letter["token"] if "token" in letter else mailed_code(control.stack, letter["to"])


def join(control, owner: Caller, household_id: str, newcomer: Caller, role: str) -> None:
    c, r = control.commands, control.requests
    invited = run(control, owner, c.InviteMember(household_id, r.NewInvitation(email=newcomer.email, role=role)))
    token = mailed_token(control, invited["invitation_id"])
    run(control, newcomer, c.AcceptInvitation(r.Acceptance(token=token)))


def household(control, name: str = "The Roles") -> Household:
    people = {role: verified_caller(role) for role in (*ROLES, "stranger")}
    c, r, owner = control.commands, control.requests, people["owner"]
    household_id = run(control, owner, c.CreateHousehold(r.NewHousehold(name=name, time_zone="Europe/London")))[
        "household_id"]
    for role in ("editor", "viewer"):
        join(control, owner, household_id, people[role], role)
    pet = run(control, owner, c.AddPet(household_id, r.NewPet(name="Ollie", species="dog")))
    record = run(control, owner, c.ApproveRecord(pet["pet_id"], r.NewRecord(vaccine="Rabies",
                                                                            administered_on=date(2026, 3, 14))))
    return Household(household_id, pet["pet_id"], record["id"], people)
