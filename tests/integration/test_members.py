"""Members through control against real PostgreSQL and moto: invitations (only the addressee, with
a verified address, once, in time), the last owner, the membership projection kept by the outbox
(and rebuilt from Aurora exactly), and the paged audit log."""
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from pawport.errors import Conflict, Forbidden, NotFound
from pawport.keys import MAIL_SK, household_key, mail_key, member_sk, membership_sk, user_key
from tests.integration.households_harness import NOW, household, run
from tests.support.people import verified_caller as person


def item(control, pk: str, sk: str) -> dict | None:
    """The item's body as the table holds it at the tests' time."""
    found = control.table_at(NOW).get(pk, sk)
    return None if found is None else found.body


def invite(control, h, email: str, role: str = "viewer") -> tuple[str, str]:
    """Returns the invitation id and the token mailed for it (read from the queued mail item)."""
    invited = run(control, h.people["owner"], control.commands.InviteMember(
        h.id, control.requests.NewInvitation(email=email, role=role)))
    return invited["invitation_id"], item(control, mail_key(invited["invitation_id"]), MAIL_SK)["token"]


def accept(control, caller, token: str, now=NOW) -> dict:
    return run(control, caller, control.commands.AcceptInvitation(control.requests.Acceptance(token=token)), now=now)


def test_an_invitation_is_mailed_and_aurora_keeps_only_its_hash(control) -> None:
    h = household(control)
    invitation_id, token = invite(control, h, "Guest@Example.com", "editor")

    letter = item(control, mail_key(invitation_id), MAIL_SK)
    assert letter | {"token": "…"} == {"template": "invitation", "to": "guest@example.com", "household": "The Roles",
                                       "role": "editor", "inviter": h.people["owner"].email, "token": "…",
                                       "expires_at": (NOW + timedelta(days=7)).isoformat(), "status": "queued"}
    with control.database.transaction("test") as session:
        stored = session.get(control.models.Invitation, uuid.UUID(invitation_id))
        kept = session.scalars(select(control.outbox.OutboxEntry.operations)
                               .where(control.outbox.OutboxEntry.household_id == uuid.UUID(h.id))
                               .order_by(control.outbox.OutboxEntry.id)).all()   # kept[-1]: the invitation's
    assert stored.token_hash == control.members.token_hash(token) and token not in str(kept)
    assert {"op": "mailed", "pk": mail_key(invitation_id), "sk": MAIL_SK} in kept[-1]["operations"]


def test_only_the_addressee_with_a_verified_address_accepts_once_and_in_time(control) -> None:
    h = household(control)
    guest = person("guest")
    _, token = invite(control, h, guest.email, "editor")

    with pytest.raises(NotFound, match="no such invitation"):
        accept(control, guest, "not-the-token-at-all")
    with pytest.raises(Forbidden, match="verified"):
        accept(control, replace(guest, email_verified=False), token)
    with pytest.raises(Forbidden, match="another email address"):
        accept(control, person("someone-else"), token)
    with pytest.raises(Conflict, match="expired"):
        accept(control, guest, token, now=NOW + timedelta(days=8))

    joined = accept(control, guest, token)
    assert (joined["role"], joined["household_id"]) == ("editor", h.id)
    with pytest.raises(Conflict, match="already been used"):
        accept(control, guest, token)
    with pytest.raises(Conflict, match="already a member"):
        invite(control, h, guest.email)


def test_the_last_owner_cannot_leave_be_removed_or_be_demoted(control) -> None:
    h = household(control)
    owner, editor = h.people["owner"], h.people["editor"]
    c, r = control.commands, control.requests
    for command in (c.LeaveHousehold(h.id), c.RemoveMember(h.id, owner.user_id),
                    c.ChangeRole(h.id, owner.user_id, r.RoleChange(role="editor"))):
        with pytest.raises(Conflict, match="the last owner cannot"):
            run(control, owner, command)

    run(control, owner, c.ChangeRole(h.id, editor.user_id, r.RoleChange(role="owner")))
    run(control, owner, c.LeaveHousehold(h.id))        # another owner remains
    with pytest.raises(Conflict, match="the last owner cannot be demoted"):
        run(control, editor, c.ChangeRole(h.id, editor.user_id, r.RoleChange(role="viewer")))


def test_a_member_of_another_household_is_not_found(control) -> None:
    h, other = household(control), household(control, "The Others")
    c, r = control.commands, control.requests
    for command in (c.ChangeRole(h.id, other.people["editor"].user_id, r.RoleChange(role="viewer")),
                    c.RemoveMember(h.id, other.people["editor"].user_id)):
        with pytest.raises(NotFound, match="no such member"):
            run(control, h.people["owner"], command)


def test_the_membership_projection_follows_every_change_and_rebuilds_exactly(control) -> None:
    h = household(control)
    editor, viewer = h.people["editor"], h.people["viewer"]
    partition = household_key(h.id)
    assert item(control, partition, member_sk(editor.user_id))["role"] == "editor"
    assert item(control, user_key(editor.user_id), membership_sk(h.id)) == {"household_id": h.id, "name": "The Roles",
                                                                    "role": "editor"}

    c, r = control.commands, control.requests
    run(control, h.people["owner"], c.ChangeRole(h.id, editor.user_id, r.RoleChange(role="viewer")))
    run(control, h.people["owner"], c.RemoveMember(h.id, viewer.user_id))

    assert item(control, partition, member_sk(editor.user_id))["role"] == "viewer"
    assert item(control, user_key(editor.user_id), membership_sk(h.id))["role"] == "viewer"
    assert item(control, partition, member_sk(viewer.user_id)) is None
    assert item(control, user_key(viewer.user_id), membership_sk(h.id)) is None
    with control.database.transaction("test") as session:
        rebuilt = control.projection.household_items(session, uuid.UUID(h.id))
    stored = control.store.projected(h.id, {i["pk"] for i in rebuilt})
    key = lambda i: (i["pk"], i["sk"])  # noqa: E731
    assert sorted(stored, key=key) == sorted(rebuilt, key=key)


def test_owners_page_through_the_audit_log_and_reading_it_is_audited(control) -> None:
    h = household(control)
    owner, page = h.people["owner"], control.requests.Page

    def read(caller, p):
        return run(control, caller, control.commands.ReadAuditLog(h.id, p))

    first = read(owner, page(limit=3))
    second = read(owner, page(limit=3, before=first["next"]))
    rest = read(owner, page(before=second["next"]))

    entries = first["entries"] + second["entries"] + rest["entries"]
    assert [e["action"] for e in entries] == ["record.create", "pet.create", "member.join", "member.invite",
                                              "member.join", "member.invite", "household.create"]
    assert rest["next"] is None and len({e["id"] for e in entries}) == 7
    assert set(entries[0]) == {"id", "at", "actor", "action", "target", "request_id"}
    newest = read(owner, page(limit=2))["entries"]
    assert [e["action"] for e in newest] == ["audit.read"] * 2
    with pytest.raises(Forbidden):
        read(h.people["editor"], page())
