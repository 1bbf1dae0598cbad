"""A household with an owner, an editor and a viewer, a pet and a record, made through control's
own actions (invitations accepted by verified addresses) in one committed transaction."""
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pawport.auth import Caller

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROLES = ("owner", "editor", "viewer")


def person(name: str) -> Caller:
    tag = uuid.uuid4().hex[:8]
    return Caller(user_id=f"{name}-{tag}", email=f"{name}-{tag}@example.com", email_verified=True)


@dataclass
class Household:
    id: str
    pet_id: str
    record_id: str
    people: dict[str, Caller]   # owner, editor, viewer, stranger


def context(control, caller: Caller, now: datetime = NOW):
    return control.households.Context(caller=caller, request_id=f"req-{uuid.uuid4()}", now=now)


def run(control, caller: Caller, action, *args, now: datetime = NOW):
    """One control action as a request runs it: a transaction, then the outbox relay."""
    return control.actions.perform(control.database, context(control, caller, now), action, *args)


def join(control, session, owner: Caller, household_id: str, newcomer: Caller, role: str) -> None:
    token = f"token-{uuid.uuid4()}"
    invitation = control.members.NewInvitation(email=newcomer.email, role=role)
    control.members.invite(session, context(control, owner), household_id, invitation, lambda: token)
    control.members.accept(session, context(control, newcomer), control.members.Acceptance(token=token))


def household(control, name: str = "The Roles") -> Household:
    people = {role: person(role) for role in (*ROLES, "stranger")}

    def build(session, ctx) -> Household:
        h = control.households
        household_id = h.create_household(session, ctx, h.NewHousehold(name=name))["household_id"]
        for role in ("editor", "viewer"):
            join(control, session, people["owner"], household_id, people[role], role)
        pet = h.add_pet(session, ctx, household_id, h.NewPet(name="Ollie", species="dog"))
        record = control.records.approve_record(session, ctx, pet["pet_id"], control.records.NewRecord(
            vaccine="Rabies", administered_on=date(2026, 3, 14)), control.store.find_draft)
        return Household(household_id, pet["pet_id"], record["id"], people)

    return run(control, people["owner"], build)
