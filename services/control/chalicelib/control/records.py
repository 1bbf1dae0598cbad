"""Vaccination record handlers: approved from a draft, entered by hand, edited and deleted. Each
checks the caller's role in Aurora and commits the record, an audit row and an outbox entry."""
import uuid
from typing import Any

from chalicelib.control import draft_entries, rules
from chalicelib.control.commands import (
    ApproveDraft,
    ApproveRecord,
    DeleteRecord,
    ReadRecordHistory,
    ReplaceRecord,
    UpdateRecord,
)
from chalicelib.control.edits import changes
from chalicelib.control.households import pet_of
from chalicelib.control.models import AuditEntry, Pet, VaccinationRecord
from chalicelib.control.projection import put, record_changed, record_items, record_removed
from chalicelib.control.registry import handles
from chalicelib.control.requests import NewRecord, RecordFields
from chalicelib.control.responses import HistoryEntry, RecordDeleted, RecordHistory, RecordsApproved, RecordView
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.contracts import DraftBody
from pawport.errors import NotFound
from pawport.status import household_today

EDITABLE = ("vaccine", "administered_on", "expires_on", "clinic")
HISTORY_READ = "record.history.read"


@handles(ApproveRecord, "approve_record")
def approve_record(command: ApproveRecord, uow: UnitOfWork) -> RecordView:
    new = command.new
    pet = pet_of(uow, command.pet_id, rules.EDITORS)
    _not_in_future(uow, pet, new)
    draft = draft_entries.draft_of(uow.find_draft(str(pet.household_id), new.upload_id), str(pet.id)) \
        if new.upload_id else None
    entry = draft_entries.chosen_entry(draft, new.entry_id) if draft else None
    record = _new_record(uow, pet, RecordFields.model_validate(new.model_dump(exclude={"upload_id", "entry_id"})),
                         draft, first=draft is None or draft_entries.first_of_upload(draft))
    operations = [put(item) for item in record_items(record, *_index(uow, pet))]
    if draft:
        operations.append(draft_entries.after_approval(pet.household_id, draft, {entry: str(record.id)} if entry else {}))
    uow.publish(pet.household_id, operations)
    return record_view(record)


@handles(ApproveDraft, "approve_draft")
def approve_draft(command: ApproveDraft, uow: UnitOfWork) -> RecordsApproved:
    """Approve all: every vaccination of the draft still waiting becomes a record, in one commit
    (so one Aurora session, one outbox entry)."""
    pet = pet_of(uow, command.pet_id, rules.EDITORS)
    draft = draft_entries.draft_of(uow.find_draft(str(pet.household_id), command.upload_id), str(pet.id))
    chosen = draft_entries.to_approve(draft, command.approval)
    first = draft_entries.first_of_upload(draft)
    records: dict[str, VaccinationRecord] = {}
    for entry, fields in chosen.items():
        rules.not_in_future(fields.administered_on, household_today(uow.ctx.now, _time_zone(uow, pet)))
        records[entry] = _new_record(uow, pet, fields, draft, first=first and not records)
    operations = [put(item) for record in records.values() for item in record_items(record, *_index(uow, pet))]
    operations.append(draft_entries.after_approval(pet.household_id, draft,
                                                   {entry: str(record.id) for entry, record in records.items()}))
    uow.publish(pet.household_id, operations)
    return RecordsApproved(upload_id=draft.upload_id, records=[record_view(r) for r in records.values()])


def _new_record(uow: UnitOfWork, pet: Pet, fields: RecordFields, draft: DraftBody | None, first: bool) -> VaccinationRecord:
    """A record added with its audit row; from a draft it names the draft's document (and, for
    the first record of an upload, its content hash)."""
    record = VaccinationRecord(id=uuid.uuid4(), household_id=pet.household_id, pet_id=pet.id, **fields.model_dump(),
                               document_key=draft.document_key if draft else None,
                               content_hash=draft.content_hash if draft and first else None,
                               created_at=uow.ctx.now, updated_at=uow.ctx.now)
    uow.records.add(record)
    uow.audit(pet.household_id, "record.approve" if draft else "record.create", f"record:{record.id}",
              changes({}, {name: getattr(record, name) for name in EDITABLE}))
    return record


@handles(ReplaceRecord, "replace_record")
def replace_record(command: ReplaceRecord, uow: UnitOfWork) -> RecordView:
    """PUT: every field as sent (each one is required, null clears it)."""
    return _edit(uow, command.pet_id, command.record_id, command.fields.model_dump(), "record.replace")


@handles(UpdateRecord, "update_record")
def update_record(command: UpdateRecord, uow: UnitOfWork) -> RecordView:
    """PATCH: only the fields sent; a field left out keeps its value."""
    return _edit(uow, command.pet_id, command.record_id, command.changes.model_dump(exclude_unset=True),
                 "record.update")


@handles(ReadRecordHistory, "read_record_history")
def read_record_history(command: ReadRecordHistory, uow: UnitOfWork) -> RecordHistory:
    """A record's audit entries, oldest first, with what each edit changed. The audit log is in
    Aurora only, so this is a control action; it is for owners, as the whole log is."""
    pet = pet_of(uow, command.pet_id, rules.OWNERS)
    record = _record_of(uow, pet, command.record_id, lock=False)
    entries = [e for e in uow.audit_log.of_target(pet.household_id, f"record:{record.id}") if e.action != HISTORY_READ]
    uow.audit(pet.household_id, HISTORY_READ, f"record:{record.id}")   # reading it is audited, not listed in it
    return RecordHistory(record_id=str(record.id), entries=[history_entry(e) for e in entries])


def _edit(uow: UnitOfWork, pet_id: str, record_id: str, values: dict[str, Any], action: str) -> RecordView:
    pet = pet_of(uow, pet_id, rules.EDITORS)
    record = _record_of(uow, pet, record_id)
    merged = {name: values.get(name, getattr(record, name)) for name in EDITABLE}
    rules.dates_in_order(merged["administered_on"], merged["expires_on"])
    rules.not_in_future(merged["administered_on"], household_today(uow.ctx.now, _time_zone(uow, pet)))
    details = changes({name: getattr(record, name) for name in EDITABLE}, merged)
    before = record_items(record, *_index(uow, pet))
    for name, value in merged.items():
        setattr(record, name, value)
    record.updated_at = uow.ctx.now
    uow.records.save()
    uow.audit(pet.household_id, action, f"record:{record.id}", details)
    uow.publish(pet.household_id, record_changed(before, record_items(record, *_index(uow, pet))))
    return record_view(record)


@handles(DeleteRecord, "delete_record")
def delete_record(command: DeleteRecord, uow: UnitOfWork) -> RecordDeleted:
    pet = pet_of(uow, command.pet_id, rules.EDITORS)
    record = _record_of(uow, pet, command.record_id)
    uow.records.remove(record)
    uow.audit(pet.household_id, "record.delete", f"record:{record.id}")
    uow.publish(pet.household_id, record_removed(record, *_index(uow, pet)))
    return RecordDeleted(deleted=str(record.id))


def record_view(record: VaccinationRecord) -> RecordView:
    return RecordView(id=str(record.id), pet_id=str(record.pet_id), vaccine=record.vaccine,
                      administered_on=record.administered_on, expires_on=record.expires_on, clinic=record.clinic,
                      document_key=record.document_key)


def history_entry(entry: AuditEntry) -> HistoryEntry:
    return HistoryEntry(at=entry.at.isoformat(), actor=entry.actor_user_id, action=entry.action,
                        changed=(entry.details or {}).get("changed", {}))


def _record_of(uow: UnitOfWork, pet: Pet, record_id: str, lock: bool = True) -> VaccinationRecord:
    record = uow.records.for_update(record_id) if lock else uow.records.get(record_id)
    if record is None or record.pet_id != pet.id:
        raise NotFound("no such record")
    return record


def _time_zone(uow: UnitOfWork, pet: Pet) -> str:
    return uow.households.get(pet.household_id).time_zone   # from the session's identity map after the first


def _index(uow: UnitOfWork, pet: Pet) -> tuple[str, tuple[int, ...]]:
    """Where the record's reminders are filed: the household's calendar and its members' windows."""
    return _time_zone(uow, pet), uow.reminders.index_windows(pet.household_id)


def _not_in_future(uow: UnitOfWork, pet: Pet, fields: NewRecord) -> None:
    rules.not_in_future(fields.administered_on, household_today(uow.ctx.now, _time_zone(uow, pet)))
