"""Members and roles: invitations by email, acceptance, role changes, removal and leaving.

Owners manage members; anyone may leave. Each action checks roles in Aurora and commits its
audit row and outbox entry; the outbox keeps api's membership projection in step before the
action returns. A household always keeps an owner."""
import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Callable

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pawport.errors import Conflict, Forbidden, NotFound
from chalicelib.control import outbox
from chalicelib.control.households import MEMBERS, OWNERS, Context, audit, require_member
from chalicelib.control.models import Household, Invitation, Member, Role
from chalicelib.control.projection import mail, member_items, member_removed, put

INVITATION_LIFETIME = timedelta(days=7)
# Workers send within seconds; the mail item (and the token in it) expires soon after.
MAIL_LIFETIME = timedelta(days=1)
TokenMaker = Callable[[], str]


class NewInvitation(BaseModel):
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Role


class RoleChange(BaseModel):
    role: Role


class Acceptance(BaseModel):
    token: str = Field(min_length=16, max_length=200)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: Session, ctx: Context, household_id: str, new: NewInvitation,
           make_token: TokenMaker = new_token) -> dict:
    inviter = require_member(session, ctx.caller, household_id, OWNERS)
    household = session.get(Household, inviter.household_id)
    email = new.email.lower()
    if session.scalar(select(Member.user_id).where(Member.household_id == household.id,
                                                   func.lower(Member.email) == email)):
        raise Conflict(f"{email} is already a member of this household")
    token = make_token()
    invitation = Invitation(id=uuid.uuid4(), household_id=household.id, email=email, role=new.role,
                            token_hash=token_hash(token), inviter_user_id=inviter.user_id, created_at=ctx.now,
                            expires_at=ctx.now + INVITATION_LIFETIME)
    session.add(invitation)
    session.flush()
    audit(session, ctx, household.id, "member.invite", f"invitation:{invitation.id}")
    letter = {"template": "invitation", "to": email, "household": household.name, "role": new.role.value,
              "inviter": inviter.email, "token": token, "expires_at": invitation.expires_at.isoformat()}
    outbox.record(session, household.id, [mail(invitation.id, letter, ctx.now + MAIL_LIFETIME)], ctx.now)
    return {"invitation_id": str(invitation.id), "household_id": str(household.id), "email": email,
            "role": new.role.value, "expires_at": invitation.expires_at.isoformat()}


def accept(session: Session, ctx: Context, acceptance: Acceptance) -> dict:
    """Only the addressee may accept: the Id token's email, verified by Cognito, must match."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(acceptance.token))
                                .with_for_update())
    if invitation is None:
        raise NotFound("no such invitation")
    if not ctx.caller.email_verified:
        raise Forbidden("sign in with an Id token whose email address is verified to accept an invitation")
    if (ctx.caller.email or "").lower() != invitation.email:
        raise Forbidden("this invitation was sent to another email address")
    if invitation.accepted_at is not None:
        raise Conflict("this invitation has already been used")
    if invitation.expires_at <= ctx.now:
        raise Conflict("this invitation has expired; ask an owner for a new one")
    if session.get(Member, (invitation.household_id, ctx.caller.user_id)) is not None:
        raise Conflict("you are already a member of this household")
    household = session.get(Household, invitation.household_id)
    member = Member(household_id=household.id, user_id=ctx.caller.user_id, email=invitation.email,
                    role=invitation.role, joined_at=ctx.now)
    invitation.accepted_at, invitation.accepted_by = ctx.now, ctx.caller.user_id
    session.add(member)
    session.flush()
    audit(session, ctx, household.id, "member.join", f"invitation:{invitation.id}")
    outbox.record(session, household.id, [put(i) for i in member_items(member, household)], ctx.now)
    return member_view(member) | {"household_id": str(household.id), "name": household.name}


def change_role(session: Session, ctx: Context, household_id: str, user_id: str, change: RoleChange) -> dict:
    _lock(session, household_id)
    household = session.get(Household, require_member(session, ctx.caller, household_id, OWNERS).household_id)
    member = _member_of(session, household, user_id)
    if member.role == Role.OWNER and change.role != Role.OWNER:
        _keep_an_owner(session, member, "be demoted")
    member.role = change.role
    session.flush()
    audit(session, ctx, household.id, f"member.role.{change.role.value}", f"member:{member.user_id}")
    outbox.record(session, household.id, [put(i) for i in member_items(member, household)], ctx.now)
    return member_view(member)


def remove(session: Session, ctx: Context, household_id: str, user_id: str) -> dict:
    _lock(session, household_id)
    household = session.get(Household, require_member(session, ctx.caller, household_id, OWNERS).household_id)
    return _part(session, ctx, _member_of(session, household, user_id), "member.remove", "be removed")


def leave(session: Session, ctx: Context, household_id: str) -> dict:
    _lock(session, household_id)
    return _part(session, ctx, require_member(session, ctx.caller, household_id, MEMBERS), "member.leave", "leave")


def member_view(member: Member) -> dict:
    return {"user_id": member.user_id, "email": member.email, "role": member.role.value}


def _part(session: Session, ctx: Context, member: Member, action: str, what: str) -> dict:
    if member.role == Role.OWNER:
        _keep_an_owner(session, member, what)
    session.delete(member)
    audit(session, ctx, member.household_id, action, f"member:{member.user_id}")
    outbox.record(session, member.household_id, member_removed(member), ctx.now)
    return {"removed": member.user_id, "household_id": str(member.household_id)}


def _lock(session: Session, household_id: str) -> None:
    """Member changes of one household run one at a time, so two owners demoting each other
    cannot both see another owner left. Taken before any member row is locked (no deadlock)."""
    try:
        session.get(Household, uuid.UUID(household_id), with_for_update=True)
    except ValueError:
        pass   # not an id: require_member answers 404


def _member_of(session: Session, household: Household, user_id: str) -> Member:
    member = session.get(Member, (household.id, user_id), with_for_update=True)
    if member is None:
        raise NotFound("no such member")   # the same for a member of another household
    return member


def _keep_an_owner(session: Session, member: Member, what: str) -> None:
    owners = session.scalar(select(func.count()).where(Member.household_id == member.household_id,
                                                       Member.role == Role.OWNER))
    if owners <= 1:
        raise Conflict(f"the last owner cannot {what}: make another member an owner first")
