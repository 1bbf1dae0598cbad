"""Vaccination record handlers: approved from a draft, entered by hand, edited and deleted. Each
checks the caller's role in Aurora and commits the record, an audit row and an outbox entry."""
import uuid

from chalicelib.control import rules
from chalicelib.control.commands import ApproveRecord, DeleteRecord, UpdateRecord
from chalicelib.control.households import pet_of
from chalicelib.control.models import Pet, VaccinationRecord
from chalicelib.control.projection import draft_approved, put, record_changed, record_items, record_removed
from chalicelib.control.registry import handles
from chalicelib.control.requests import RecordFields
from chalicelib.control.responses import RecordDeleted, RecordView
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.errors import NotFound
from pawport.status import household_today


@handles(ApproveRecord, "approve_record")
def approve_record(command: ApproveRecord, uow: UnitOfWork) -> RecordView:
    ctx, new = uow.ctx, command.new
    pet = pet_of(uow, command.pet_id, rules.EDITORS)
    _not_in_future(uow, pet, new)
    draft = rules.approvable(uow.find_draft(str(pet.household_id), new.upload_id), str(pet.id)) \
        if new.upload_id else {}
    record = VaccinationRecord(id=uuid.uuid4(), household_id=pet.household_id, pet_id=pet.id,
                               **new.model_dump(exclude={"upload_id"}), document_key=draft.get("document_key"),
                               content_hash=draft.get("content_hash"), created_at=ctx.now, updated_at=ctx.now)
    uow.records.add(record)
    uow.audit(pet.household_id, "record.approve" if draft else "record.create", f"record:{record.id}")
    operations = [put(item) for item in record_items(record, _time_zone(uow, pet))]
    if new.upload_id:
        operations.append(draft_approved(pet.household_id, new.upload_id))
    uow.publish(pet.household_id, operations)
    return record_view(record)


@handles(UpdateRecord, "update_record")
def update_record(command: UpdateRecord, uow: UnitOfWork) -> RecordView:
    pet = pet_of(uow, command.pet_id, rules.EDITORS)
    _not_in_future(uow, pet, command.fields)
    record = _record_of(uow, pet, command.record_id)
    before = record_items(record, _time_zone(uow, pet))
    for name, value in command.fields.model_dump().items():
        setattr(record, name, value)
    record.updated_at = uow.ctx.now
    uow.records.save()
    uow.audit(pet.household_id, "record.update", f"record:{record.id}")
    uow.publish(pet.household_id, record_changed(before, record_items(record, _time_zone(uow, pet))))
    return record_view(record)


@handles(DeleteRecord, "delete_record")
def delete_record(command: DeleteRecord, uow: UnitOfWork) -> RecordDeleted:
    pet = pet_of(uow, command.pet_id, rules.EDITORS)
    record = _record_of(uow, pet, command.record_id)
    uow.records.remove(record)
    uow.audit(pet.household_id, "record.delete", f"record:{record.id}")
    uow.publish(pet.household_id, record_removed(record, _time_zone(uow, pet)))
    return RecordDeleted(deleted=str(record.id))


def record_view(record: VaccinationRecord) -> RecordView:
    return RecordView(id=str(record.id), pet_id=str(record.pet_id), vaccine=record.vaccine,
                      administered_on=record.administered_on, expires_on=record.expires_on, clinic=record.clinic,
                      document_key=record.document_key)


def _record_of(uow: UnitOfWork, pet: Pet, record_id: str) -> VaccinationRecord:
    record = uow.records.for_update(record_id)
    if record is None or record.pet_id != pet.id:
        raise NotFound("no such record")
    return record


def _time_zone(uow: UnitOfWork, pet: Pet) -> str:
    return uow.households.get(pet.household_id).time_zone   # from the session's identity map after the first


def _not_in_future(uow: UnitOfWork, pet: Pet, fields: RecordFields) -> None:
    rules.not_in_future(fields.administered_on, household_today(uow.ctx.now, _time_zone(uow, pet)))
