"""Members through control against real PostgreSQL and moto: invitations (only the addressee, with
a verified address, once, in time), the last owner, the membership projection kept by the outbox
(and rebuilt from Aurora exactly), and the paged audit log."""
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from households_harness import NOW, household, person, run
from pawport.errors import Conflict, Forbidden, NotFound
from pawport.table import MAIL_SK, TableItem, household_key, mail_key, member_sk, membership_sk, user_key


def item(pk: str, sk: str) -> dict | None:
    try:
        return TableItem.get(pk, sk).body.as_dict()
    except TableItem.DoesNotExist:
        return None


def invite(control, h, email: str, role: str = "viewer") -> tuple[str, str]:
    """Returns the invitation id and the token mailed for it (read from the queued mail item)."""
    invited = run(control, h.people["owner"], control.members.invite, h.id,
                  control.members.NewInvitation(email=email, role=role))
    return invited["invitation_id"], item(mail_key(invited["invitation_id"]), MAIL_SK)["token"]


def accept(control, caller, token: str, now=NOW) -> dict:
    return run(control, caller, control.members.accept, control.members.Acceptance(token=token), now=now)


def test_an_invitation_is_mailed_and_aurora_keeps_only_its_hash(control) -> None:
    h = household(control)
    invitation_id, token = invite(control, h, "Guest@Example.com", "editor")

    letter = item(mail_key(invitation_id), MAIL_SK)
    assert letter | {"token": "…"} == {"template": "invitation", "to": "guest@example.com", "household": "The Roles",
                                       "role": "editor", "inviter": h.people["owner"].email, "token": "…",
                                       "expires_at": (NOW + timedelta(days=7)).isoformat(), "status": "queued"}
    with control.database.transaction("test") as session:
        stored = session.get(control.members.Invitation, uuid.UUID(invitation_id))
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
    m = control.members
    for action, *args in ((m.leave, h.id), (m.remove, h.id, owner.user_id),
                          (m.change_role, h.id, owner.user_id, m.RoleChange(role="editor"))):
        with pytest.raises(Conflict, match="the last owner cannot"):
            run(control, owner, action, *args)

    run(control, owner, m.change_role, h.id, editor.user_id, m.RoleChange(role="owner"))
    run(control, owner, m.leave, h.id)        # another owner remains
    with pytest.raises(Conflict, match="the last owner cannot be demoted"):
        run(control, editor, m.change_role, h.id, editor.user_id, m.RoleChange(role="viewer"))


def test_a_member_of_another_household_is_not_found(control) -> None:
    h, other = household(control), household(control, "The Others")
    m = control.members
    for action, *args in ((m.change_role, h.id, other.people["editor"].user_id, m.RoleChange(role="viewer")),
                          (m.remove, h.id, other.people["editor"].user_id)):
        with pytest.raises(NotFound, match="no such member"):
            run(control, h.people["owner"], action, *args)


def test_the_membership_projection_follows_every_change_and_rebuilds_exactly(control) -> None:
    h = household(control)
    editor, viewer = h.people["editor"], h.people["viewer"]
    partition = household_key(h.id)
    assert item(partition, member_sk(editor.user_id))["role"] == "editor"
    assert item(user_key(editor.user_id), membership_sk(h.id)) == {"household_id": h.id, "name": "The Roles",
                                                                    "role": "editor"}

    run(control, h.people["owner"], control.members.change_role, h.id, editor.user_id,
        control.members.RoleChange(role="viewer"))
    run(control, h.people["owner"], control.members.remove, h.id, viewer.user_id)

    assert item(partition, member_sk(editor.user_id))["role"] == "viewer"
    assert item(user_key(editor.user_id), membership_sk(h.id))["role"] == "viewer"
    assert item(partition, member_sk(viewer.user_id)) is None
    assert item(user_key(viewer.user_id), membership_sk(h.id)) is None
    with control.database.transaction("test") as session:
        rebuilt = control.projection.household_items(session, uuid.UUID(h.id))
    stored = control.store.projected(h.id, {i["pk"] for i in rebuilt})
    key = lambda i: (i["pk"], i["sk"])  # noqa: E731
    assert sorted(stored, key=key) == sorted(rebuilt, key=key)


def test_owners_page_through_the_audit_log_and_reading_it_is_audited(control) -> None:
    h = household(control)
    owner, read = h.people["owner"], control.audit_log.read_audit_log
    first = run(control, owner, read, h.id, control.audit_log.Page(limit=3))
    second = run(control, owner, read, h.id, control.audit_log.Page(limit=3, before=first["next"]))
    rest = run(control, owner, read, h.id, control.audit_log.Page(before=second["next"]))

    entries = first["entries"] + second["entries"] + rest["entries"]
    assert [e["action"] for e in entries] == ["record.create", "pet.create", "member.join", "member.invite",
                                              "member.join", "member.invite", "household.create"]
    assert rest["next"] is None and len({e["id"] for e in entries}) == 7
    assert set(entries[0]) == {"id", "at", "actor", "action", "target", "request_id"}
    newest = run(control, owner, read, h.id, control.audit_log.Page(limit=2))["entries"]
    assert [e["action"] for e in newest] == ["audit.read"] * 2
    with pytest.raises(Forbidden):
        run(control, h.people["editor"], read, h.id, control.audit_log.Page())
