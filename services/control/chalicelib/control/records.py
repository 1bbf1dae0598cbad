"""Vaccination records: approved from a draft, entered by hand, edited and deleted. Each action
checks the caller's role in Aurora and commits the record, an audit row and an outbox entry."""
import uuid
from datetime import date
from typing import Callable

from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from pawport.documents import DraftStatus
from pawport.errors import BadInput, Conflict, NotFound
from pawport.status import household_today
from chalicelib.control import outbox
from chalicelib.control.households import EDITORS, Context, audit, require_pet
from chalicelib.control.models import Household, Pet, VaccinationRecord
from chalicelib.control.projection import draft_approved, put, record_changed, record_item, record_items, record_removed

# (household id, upload id) -> the draft's body from DynamoDB, or None
DraftFinder = Callable[[str, str], dict | None]
APPROVABLE = {DraftStatus.READY, DraftStatus.NEEDS_MANUAL_ENTRY}


class RecordFields(BaseModel):
    vaccine: str = Field(min_length=1, max_length=60)
    administered_on: date | None = None
    expires_on: date | None = None
    clinic: str | None = Field(default=None, max_length=120)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "RecordFields":
        if self.administered_on and self.expires_on and self.expires_on <= self.administered_on:
            raise ValueError("expires_on must be after administered_on")
        return self


class NewRecord(RecordFields):
    upload_id: str | None = None   # the draft this record approves; none for a record entered by hand


def approve_record(session: Session, ctx: Context, pet_id: str, new: NewRecord, find_draft: DraftFinder) -> dict:
    pet = require_pet(session, ctx.caller, pet_id, EDITORS)
    _refuse_future(session, ctx, pet, new)
    draft = _approvable_draft(find_draft, pet, new.upload_id) if new.upload_id else {}
    record = VaccinationRecord(id=uuid.uuid4(), household_id=pet.household_id, pet_id=pet.id,
                               **new.model_dump(exclude={"upload_id"}), document_key=draft.get("document_key"),
                               content_hash=draft.get("content_hash"), created_at=ctx.now, updated_at=ctx.now)
    session.add(record)
    session.flush()
    audit(session, ctx, pet.household_id, "record.approve" if draft else "record.create", f"record:{record.id}")
    operations = [put(item) for item in record_items(record, _time_zone(session, pet))]
    if new.upload_id:
        operations.append(draft_approved(pet.household_id, new.upload_id))
    outbox.record(session, pet.household_id, operations, ctx.now)
    return record_view(record)


def update_record(session: Session, ctx: Context, pet_id: str, record_id: str, fields: RecordFields) -> dict:
    pet = require_pet(session, ctx.caller, pet_id, EDITORS)
    _refuse_future(session, ctx, pet, fields)
    record = _record_of(session, pet, record_id)
    before = record_items(record, _time_zone(session, pet))
    for name, value in fields.model_dump().items():
        setattr(record, name, value)
    record.updated_at = ctx.now
    session.flush()
    audit(session, ctx, pet.household_id, "record.update", f"record:{record.id}")
    outbox.record(session, pet.household_id, record_changed(before, record_items(record, _time_zone(session, pet))),
                  ctx.now)
    return record_view(record)


def delete_record(session: Session, ctx: Context, pet_id: str, record_id: str) -> dict:
    pet = require_pet(session, ctx.caller, pet_id, EDITORS)
    record = _record_of(session, pet, record_id)
    session.delete(record)
    audit(session, ctx, pet.household_id, "record.delete", f"record:{record.id}")
    outbox.record(session, pet.household_id, record_removed(record, _time_zone(session, pet)), ctx.now)
    return {"deleted": str(record.id)}


def record_view(record: VaccinationRecord) -> dict:
    return record_item(record)["body"]


def _record_of(session: Session, pet: Pet, record_id: str) -> VaccinationRecord:
    try:
        record = session.get(VaccinationRecord, uuid.UUID(record_id), with_for_update=True)
    except ValueError:
        record = None
    if record is None or record.pet_id != pet.id:
        raise NotFound("no such record")
    return record


def _approvable_draft(find_draft: DraftFinder, pet: Pet, upload_id: str) -> dict:
    draft = find_draft(str(pet.household_id), upload_id)
    if draft is None or draft["pet_id"] != str(pet.id):
        raise NotFound("no such draft")
    if draft["status"] not in APPROVABLE:
        raise Conflict(f"this upload cannot be approved: it is {draft['status']}"
                       + (f" ({draft['reason']})" if draft.get("reason") else ""))
    return draft


def _time_zone(session: Session, pet: Pet) -> str:
    return session.get(Household, pet.household_id).time_zone   # from the session's identity map after the first


def _refuse_future(session: Session, ctx: Context, pet: Pet, fields: RecordFields) -> None:
    today = household_today(ctx.now, _time_zone(session, pet))
    if fields.administered_on and fields.administered_on > today:
        raise BadInput(f"administered_on {fields.administered_on} is in the future (today is {today})")
