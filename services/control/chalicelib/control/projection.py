"""Aurora rows -> DynamoDB items. Pure functions: the outbox and the rebuild both use them,
so a rebuild from Aurora reproduces exactly what the relay wrote: the table is derived
data, Aurora the record."""
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chalicelib.control.models import Household, Member, Pet, VaccinationRecord
from pawport.keys import (
    HOUSEHOLD_SK,
    MAIL_SK,
    PET_SK,
    document_hash_sk,
    draft_sk,
    household_key,
    mail_key,
    member_sk,
    membership_sk,
    pet_key,
    pet_sk,
    record_sk,
    reminder_key,
    reminder_sk,
    user_key,
)
from pawport.reminders import reminder_days, run_day

Item = dict[str, Any]
Operation = dict[str, Any]


def household_item(household: Household) -> Item:
    return _item(household.id, HOUSEHOLD_SK, "household", household.version,
                 {"id": str(household.id), "name": household.name, "time_zone": household.time_zone})


def member_items(member: Member, household: Household) -> list[Item]:
    """The member in the household's partition (api's read check), and the household in the
    member's own partition (`GET /me/households`)."""
    return [_item(member.household_id, member_sk(member.user_id), "member", member.version,
                  {"user_id": member.user_id, "email": member.email, "role": member.role.value}),
            {"pk": user_key(member.user_id), "sk": membership_sk(str(household.id)), "kind": "membership",
             "version": member.version,
             "body": {"household_id": str(household.id), "name": household.name, "role": member.role.value}}]


def member_removed(member: Member) -> list[Operation]:
    return [delete(household_key(str(member.household_id)), member_sk(member.user_id)),
            delete(user_key(member.user_id), membership_sk(str(member.household_id)))]


def pet_items(pet: Pet) -> list[Item]:
    """The pet in its household's partition, and where api finds the household from a pet id."""
    return [_item(pet.household_id, pet_sk(str(pet.id)), "pet", pet.version,
                  {"id": str(pet.id), "name": pet.name, "species": pet.species}),
            {"pk": pet_key(str(pet.id)), "sk": PET_SK, "kind": "pet-home", "version": pet.version,
             "body": {"household_id": str(pet.household_id)}}]


def record_items(record: VaccinationRecord, time_zone: str) -> list[Item]:
    """The record, the claim on its document's bytes that makes a re-upload a duplicate, and its
    entries in the due-date index (reminder days fall on the household's calendar)."""
    items = [record_item(record)]
    if record.content_hash:
        items.append(_item(record.household_id, document_hash_sk(record.content_hash), "document-hash",
                           record.version, {"record_id": str(record.id)}))
    return items + reminder_items(record, time_zone)


def record_item(record: VaccinationRecord) -> Item:
    return _item(record.household_id, record_sk(str(record.id)), "record", record.version, {
        "id": str(record.id), "pet_id": str(record.pet_id), "vaccine": record.vaccine,
        "administered_on": _iso(record.administered_on), "expires_on": _iso(record.expires_on),
        "clinic": record.clinic, "document_key": record.document_key})


def reminder_items(record: VaccinationRecord, time_zone: str) -> list[Item]:
    """One item per reminder, in the partition of the daily run that sends it: the run reads only
    what is due that day, however many households there are. Names are not copied: the mail takes
    them from the household's partition, so renaming a pet leaves the index alone."""
    if record.expires_on is None:
        return []
    return [{"pk": reminder_key(run_day(day, time_zone).isoformat()),
             "sk": reminder_sk(str(record.household_id), str(record.id)), "kind": "reminder",
             "version": record.version,
             "body": {"household_id": str(record.household_id), "record_id": str(record.id),
                      "pet_id": str(record.pet_id), "vaccine": record.vaccine, "expires_on": _iso(record.expires_on),
                      "reminder": reminder.value, "reminder_on": day.isoformat()}}
            for reminder, day in reminder_days(record.expires_on).items()]


def record_changed(before: list[Item], after: list[Item]) -> list[Operation]:
    """An edit: what the record no longer projects (e.g. index entries of its old expiry) is
    deleted, so no stale reminder stays behind; the rest is put at the new version."""
    kept = {(item["pk"], item["sk"]) for item in after}
    return [delete(item["pk"], item["sk"]) for item in before if (item["pk"], item["sk"]) not in kept] + \
        [put(item) for item in after]


def put(item: Item) -> Operation:
    return {"op": "put", "item": item}


def delete(pk: str, sk: str) -> Operation:
    return {"op": "delete", "pk": pk, "sk": sk}


def mail(mail_id: uuid.UUID, body: dict[str, Any], expires_at: datetime) -> Operation:
    """A mail for workers to send (its body may hold a secret, e.g. an invitation token)."""
    item = {"pk": mail_key(str(mail_id)), "sk": MAIL_SK, "kind": "mail", "version": 1,
            "body": body | {"status": "queued"}, "expires_at": int(expires_at.timestamp())}
    return {"op": "mail", "item": item}


def as_kept(operation: Operation) -> Operation:
    """What the outbox keeps of an operation once it is published: a mail's body (and its
    secret) is dropped, so Aurora never holds a usable invitation token."""
    if operation["op"] != "mail":
        return operation
    return {"op": "mailed", "pk": operation["item"]["pk"], "sk": operation["item"]["sk"]}


def record_removed(record: VaccinationRecord, time_zone: str) -> list[Operation]:
    return [delete(item["pk"], item["sk"]) for item in record_items(record, time_zone)]


def draft_approved(household_id: uuid.UUID, upload_id: str) -> Operation:
    return delete(household_key(str(household_id)), draft_sk(upload_id))


def household_items(session: Session, household_id: uuid.UUID) -> list[Item]:
    """Every projection item of the household, computed from Aurora alone: its partition, its
    members' membership items and its records' entries in the due-date index (which sit in shared
    partitions; projection_store.projected reads back only the household's own there)."""
    household = session.get(Household, household_id)
    if household is None:
        return []
    members = session.scalars(select(Member).where(Member.household_id == household_id))
    pets = session.scalars(select(Pet).where(Pet.household_id == household_id))
    records = session.scalars(select(VaccinationRecord).where(VaccinationRecord.household_id == household_id))
    return [household_item(household), *(i for member in members for i in member_items(member, household)),
            *(i for pet in pets for i in pet_items(pet)),
            *(i for r in records for i in record_items(r, household.time_zone))]


def _item(household_id: uuid.UUID, sk: str, kind: str, version: int, body: dict[str, Any]) -> Item:
    return {"pk": household_key(str(household_id)), "sk": sk, "kind": kind, "version": version, "body": body}


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None
