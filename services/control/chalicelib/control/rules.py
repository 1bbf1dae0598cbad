"""Who may do what, and what the plan allows: pure functions over what the unit of work's
repositories found, so every rule is testable without a database. Permission is always decided
on Aurora's rows, never on a cache; a non-member sees 404, as if the household did not exist."""
from datetime import date, datetime
from typing import TypeVar

from chalicelib.control.models import Invitation, Member
from pawport.auth import Caller
from pawport.contracts import (
    EDITOR_ROLES,
    FREE_PLAN_OWNED_HOUSEHOLDS,
    FREE_PLAN_PETS,
    OWNED_HOUSEHOLDS_LIMIT,
    PETS_LIMIT,
    Role,
)
from pawport.documents import DraftStatus
from pawport.errors import BadInput, Conflict, Forbidden, NotFound
from pawport.fields import fold

OWNERS = frozenset({Role.OWNER})
EDITORS = EDITOR_ROLES
MEMBERS = frozenset(Role)
APPROVABLE = {DraftStatus.READY, DraftStatus.NEEDS_MANUAL_ENTRY}
Row = TypeVar("Row")


def require_role(member: Member | None, allowed: frozenset[Role], missing: str = "no such household") -> Member:
    """The caller's membership, if its role is allowed."""
    if member is None:
        raise NotFound(missing)
    if member.role not in allowed:
        raise Forbidden(f"role {member.role.value} may not do this")
    return member


def require_found(row: Row | None, missing: str) -> Row:
    if row is None:
        raise NotFound(missing)
    return row


def within_pet_cap(pets: int) -> None:
    if pets >= FREE_PLAN_PETS:
        raise Conflict(PETS_LIMIT)


def keep_an_owner(owners: int, what: str) -> None:
    """A household always keeps an owner: the last one cannot step down, be removed or leave."""
    if owners <= 1:
        raise Conflict(f"the last owner cannot {what}: make another member an owner first")


def may_accept(invitation: Invitation | None, caller: Caller, now: datetime) -> Invitation:
    """Only the addressee may accept: the Id token's email, verified by Cognito, must match."""
    if invitation is None:
        raise NotFound("no such invitation")
    if not caller.email_verified:
        raise Forbidden("sign in with an Id token whose email address is verified to accept an invitation")
    if fold(caller.email or "") != invitation.email:
        raise Forbidden("this invitation was sent to another email address")
    if invitation.accepted_at is not None:
        raise Conflict("this invitation has already been used")
    if invitation.expires_at <= now:
        raise Conflict("this invitation has expired; ask an owner for a new one")
    return invitation


def not_yet_member(existing: Member | str | None, message: str) -> None:
    if existing is not None:
        raise Conflict(message)


def dates_in_order(administered_on: date | None, expires_on: date | None) -> None:
    """Checked on the record as an edit leaves it, since a PATCH may send one date alone."""
    if administered_on and expires_on and expires_on <= administered_on:
        raise BadInput(f"expires_on {expires_on} must be after administered_on {administered_on}")


def owns_no_household_yet(owned: int) -> None:
    if owned >= FREE_PLAN_OWNED_HOUSEHOLDS:
        raise Conflict(OWNED_HOUSEHOLDS_LIMIT)


def not_born_in_future(birth_date: date | None, today: date) -> None:
    if birth_date and birth_date > today:
        raise BadInput(f"birth_date {birth_date} is in the future (today is {today})")


def not_in_future(administered_on: date | None, today: date) -> None:
    if administered_on and administered_on > today:
        raise BadInput(f"administered_on {administered_on} is in the future (today is {today})")


def approvable(draft: dict | None, pet_id: str) -> dict:
    """A draft of this pet that workers finished reading (or gave up on, for entry by hand)."""
    if draft is None or draft["pet_id"] != pet_id:
        raise NotFound("no such draft")
    if draft["status"] not in APPROVABLE:
        raise Conflict(f"this upload cannot be approved: it is {draft['status']}"
                       + (f" ({draft['reason']})" if draft.get("reason") else ""))
    return draft
