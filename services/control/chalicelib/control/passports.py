"""Passport handlers: an owner or editor shares chosen pets and records by a link that needs no
sign-in, for 24 hours, 7 days, 30 days or until revoked; and revokes it. Each commits the passport,
an audit row and an outbox entry; workers publish (or take down) the artifact from the projection."""
import uuid

from chalicelib.control import rules
from chalicelib.control.commands import CreatePassport, RevokePassport
from chalicelib.control.households import household_of, membership
from chalicelib.control.models import Passport
from chalicelib.control.projection import passport_items, passport_revoked, put
from chalicelib.control.registry import handles
from chalicelib.control.requests import NewPassport
from chalicelib.control.responses import PassportView
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.errors import NotFound
from pawport.passports import DURATIONS, new_token, page_path


@handles(CreatePassport, "create_passport")
def create_passport(command: CreatePassport, uow: UnitOfWork) -> PassportView:
    household = household_of(uow, command.household_id, rules.EDITORS)
    pet_ids, record_ids = _selection(uow, household.id, command.new)
    lasts = DURATIONS[command.new.duration]
    passport = Passport(id=uuid.uuid4(), household_id=household.id, token=new_token(),
                        selection={"pet_ids": pet_ids, "record_ids": record_ids},
                        created_by=uow.ctx.caller.user_id, created_at=uow.ctx.now,
                        expires_at=uow.ctx.now + lasts if lasts else None, revoked_at=None)
    uow.passports.add(passport)
    uow.audit(household.id, "passport.create", f"passport:{passport.id}")
    uow.publish(household.id, [put(item) for item in passport_items(passport)])
    return passport_view(passport)


@handles(RevokePassport, "revoke_passport")
def revoke_passport(command: RevokePassport, uow: UnitOfWork) -> PassportView:
    """Revoking twice answers the same: the passport stays revoked at its first time."""
    member = membership(uow, command.household_id, rules.EDITORS)
    passport = uow.passports.for_update(command.passport_id)
    if passport is None or passport.household_id != member.household_id:
        raise NotFound("no such passport")
    if passport.revoked_at is None:
        passport.revoked_at = uow.ctx.now
        uow.passports.save()
        uow.audit(passport.household_id, "passport.revoke", f"passport:{passport.id}")
        uow.publish(passport.household_id, passport_revoked(passport))
    return passport_view(passport)


def passport_view(passport: Passport) -> PassportView:
    return PassportView(id=str(passport.id), household_id=str(passport.household_id), path=page_path(passport.token),
                        pet_ids=passport.selection["pet_ids"], record_ids=passport.selection["record_ids"],
                        created_at=passport.created_at.isoformat(),
                        expires_at=passport.expires_at.isoformat() if passport.expires_at else None,
                        revoked_at=passport.revoked_at.isoformat() if passport.revoked_at else None)


def _selection(uow: UnitOfWork, household_id: uuid.UUID, new: NewPassport) -> tuple[list[str], list[str] | None]:
    """The chosen pets and records, each of this household (anything else is the same 404 as a missing one)."""
    pets = [uow.pets.get(pet_id) for pet_id in dict.fromkeys(new.pet_ids)]
    if any(pet is None or pet.household_id != household_id for pet in pets):
        raise NotFound("no such pet")
    pet_ids = [str(pet.id) for pet in pets if pet is not None]
    if new.record_ids is None:
        return pet_ids, None
    wanted = list(dict.fromkeys(new.record_ids))
    found = {str(r.id): r for r in uow.passports.records(wanted)}
    if any(found.get(i) is None or str(found[i].pet_id) not in pet_ids for i in wanted):
        raise NotFound("no such record")
    return pet_ids, wanted
