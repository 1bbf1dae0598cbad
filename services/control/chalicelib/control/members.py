"""Member handlers: invitations by email, acceptance, role changes, removal and leaving.

Owners manage members; anyone may leave. Each checks roles in Aurora and commits its audit row
and outbox entry; the outbox keeps api's membership projection in step before the action
returns. A household always keeps an owner."""
import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta

from chalicelib.control import rate_limits, rules
from chalicelib.control.commands import AcceptInvitation, ChangeRole, InviteMember, LeaveHousehold, RemoveMember
from chalicelib.control.households import membership
from chalicelib.control.models import Household, Invitation, Member
from chalicelib.control.projection import mail, member_items, member_removed, put
from chalicelib.control.registry import handles
from chalicelib.control.responses import InvitationSent, Joined, MemberRemoved, MemberView
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.contracts import Role
from pawport.errors import NotFound

INVITATION_LIFETIME = timedelta(days=7)
# Workers send within seconds; the mail item (and the token in it) expires soon after.
MAIL_LIFETIME = timedelta(days=1)
TokenMaker = Callable[[], str]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@handles(InviteMember, "invite")
def invite(command: InviteMember, uow: UnitOfWork, make_token: TokenMaker = new_token) -> InvitationSent:
    ctx, new = uow.ctx, command.new
    inviter = membership(uow, command.household_id, rules.OWNERS)
    rate_limits.invitations_allowed(*uow.invitations.sent_by(inviter.user_id, ctx.now - rate_limits.INVITATIONS.window),
                                    ctx.now)
    household = uow.households.get(inviter.household_id)
    rules.not_yet_member(uow.members.with_email(household.id, new.email),
                         f"{new.email} is already a member of this household")
    token = make_token()
    invitation = Invitation(id=uuid.uuid4(), household_id=household.id, email=new.email, role=new.role,
                            token_hash=token_hash(token), inviter_user_id=inviter.user_id, created_at=ctx.now,
                            expires_at=ctx.now + INVITATION_LIFETIME)
    uow.invitations.add(invitation)
    uow.audit(household.id, "member.invite", f"invitation:{invitation.id}")
    letter = {"template": "invitation", "to": new.email, "household": household.name, "role": new.role.value,
              "inviter": inviter.email, "token": token, "expires_at": invitation.expires_at.isoformat()}
    uow.publish(household.id, [mail(invitation.id, letter, ctx.now + MAIL_LIFETIME)])
    return InvitationSent(invitation_id=str(invitation.id), household_id=str(household.id), email=new.email,
                          role=new.role.value, expires_at=invitation.expires_at.isoformat())


@handles(AcceptInvitation, "accept")
def accept(command: AcceptInvitation, uow: UnitOfWork) -> Joined:
    ctx = uow.ctx
    invitation = rules.may_accept(uow.invitations.by_token_hash(token_hash(command.acceptance.token)),
                                  ctx.caller, ctx.now)
    rules.not_yet_member(uow.members.of(invitation.household_id, ctx.caller.user_id, lock="none"),
                         "you are already a member of this household")
    household = uow.households.get(invitation.household_id)
    member = Member(household_id=household.id, user_id=ctx.caller.user_id, email=invitation.email,
                    role=invitation.role, joined_at=ctx.now)
    invitation.accepted_at, invitation.accepted_by = ctx.now, ctx.caller.user_id
    uow.members.add(member)
    uow.audit(household.id, "member.join", f"invitation:{invitation.id}")
    uow.publish(household.id, [put(i) for i in member_items(member, household)])
    return Joined(**member_view(member).model_dump(), household_id=str(household.id), name=household.name)


@handles(ChangeRole, "change_role")
def change_role(command: ChangeRole, uow: UnitOfWork) -> MemberView:
    uow.households.lock(command.household_id)
    household = uow.households.get(membership(uow, command.household_id, rules.OWNERS).household_id)
    member = _member_of(uow, household, command.user_id)
    if member.role == Role.OWNER and command.change.role != Role.OWNER:
        rules.keep_an_owner(uow.members.owners(household.id), "be demoted")
    member.role = command.change.role
    uow.members.save()
    uow.audit(household.id, f"member.role.{command.change.role.value}", f"member:{member.user_id}")
    uow.publish(household.id, [put(i) for i in member_items(member, household)])
    return member_view(member)


@handles(RemoveMember, "remove")
def remove(command: RemoveMember, uow: UnitOfWork) -> MemberRemoved:
    uow.households.lock(command.household_id)
    household = uow.households.get(membership(uow, command.household_id, rules.OWNERS).household_id)
    return _part(uow, _member_of(uow, household, command.user_id), "member.remove", "be removed")


@handles(LeaveHousehold, "leave")
def leave(command: LeaveHousehold, uow: UnitOfWork) -> MemberRemoved:
    uow.households.lock(command.household_id)
    return _part(uow, membership(uow, command.household_id, rules.MEMBERS), "member.leave", "leave")


def member_view(member: Member) -> MemberView:
    return MemberView(user_id=member.user_id, email=member.email, role=member.role.value)


def _part(uow: UnitOfWork, member: Member, action: str, what: str) -> MemberRemoved:
    if member.role == Role.OWNER:
        rules.keep_an_owner(uow.members.owners(member.household_id), what)
    uow.members.remove(member)
    uow.audit(member.household_id, action, f"member:{member.user_id}")
    uow.publish(member.household_id, member_removed(member))
    return MemberRemoved(removed=member.user_id, household_id=str(member.household_id))


def _member_of(uow: UnitOfWork, household: Household, user_id: str) -> Member:
    """Member changes of one household run one at a time (the household row is locked first, so
    two owners demoting each other cannot both see another owner left, and no deadlock)."""
    member = uow.members.of(household.id, user_id, lock="update")
    if member is None:
        raise NotFound("no such member")   # the same for a member of another household
    return member
