"""Aurora rows -> DynamoDB items. Pure functions: the outbox and the rebuild both use them,
so a rebuild from Aurora reproduces exactly what the relay wrote: the table is derived
data, Aurora the record."""
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chalicelib.control.models import (
    Household,
    LlmBudget,
    MailSuppression,
    Member,
    Passport,
    Pet,
    ReminderSettings,
    VaccinationRecord,
)
from pawport.contracts import PassportBody
from pawport.keys import (
    HOUSEHOLD_SK,
    MAIL_SK,
    PASSPORT_SK,
    PET_SK,
    SUPPRESSION_KEY,
    document_count_sk,
    document_hash_sk,
    draft_sk,
    household_key,
    mail_key,
    member_sk,
    membership_sk,
    passport_key,
    passport_sk,
    pet_key,
    pet_removal_sk,
    pet_sk,
    record_sk,
    reminder_key,
    reminder_settings_sk,
    reminder_sk,
    suppression_sk,
    user_key,
)
from pawport.llm_budget import budget_item
from pawport.reminders import entry_expires_at, index_windows, reminder_runs

Item = dict[str, Any]
Operation = dict[str, Any]
PET_REMOVAL_NOTICE = timedelta(days=1)   # workers act on it within seconds; it only has to outlive a retry
KEPT_AS = {"mail": "mailed", "ask": "asked"}   # what the outbox keeps of a published hand-over


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
                  {"id": str(pet.id), "name": pet.name, "species": pet.species, "species_name": pet.species_name,
                   "breed": pet.breed, "birth_date": _iso(pet.birth_date), "microchip": pet.microchip}),
            {"pk": pet_key(str(pet.id)), "sk": PET_SK, "kind": "pet-home", "version": pet.version,
             "body": {"household_id": str(pet.household_id)}}]


def pet_removed(pet: Pet, now: datetime) -> list[Operation]:
    """The pet's items and its document counter (a live counter of a pet no longer there), and a
    notice whose INSERT has workers delete the pet's remaining files and drafts: said outright, not
    inferred from an item's REMOVE, so a lost or rebuilt item never deletes a file. Its records go
    by record_removed."""
    household = household_key(str(pet.household_id))
    notice = {"pk": household, "sk": pet_removal_sk(str(pet.id)), "kind": "pet-removal", "version": pet.version,
              "body": {"pet_id": str(pet.id)}, "expires_at": int((now + PET_REMOVAL_NOTICE).timestamp())}
    return [delete(household, pet_sk(str(pet.id))), delete(pet_key(str(pet.id)), PET_SK),
            delete(household, document_count_sk(str(pet.id))), put(notice)]


def household_renamed(household: Household, members: list[Member]) -> list[Operation]:
    """The household item and each member's membership item, which carries the name."""
    return [put(household_item(household)), *(put(i) for m in members for i in member_items(m, household))]


def record_items(record: VaccinationRecord, time_zone: str, windows: Iterable[int]) -> list[Item]:
    """The record, the claim on its document's bytes that makes a re-upload a duplicate, and its
    entries in the due-date index (reminder days fall on the household's calendar, for the
    reminder windows its members keep: repositories.Reminders.index_windows)."""
    items = [record_item(record)]
    if record.content_hash:
        items.append(_item(record.household_id, document_hash_sk(record.content_hash), "document-hash",
                           record.version, {"record_id": str(record.id)}))
    return items + reminder_items(record, time_zone, windows)


def record_item(record: VaccinationRecord) -> Item:
    return _item(record.household_id, record_sk(str(record.id)), "record", record.version, {
        "id": str(record.id), "pet_id": str(record.pet_id), "vaccine": record.vaccine,
        "administered_on": _iso(record.administered_on), "expires_on": _iso(record.expires_on),
        "clinic": record.clinic, "document_key": record.document_key,
        "entered_at": record.created_at.isoformat()})   # where the rebuild finds its in-window reminders


def reminder_items(record: VaccinationRecord, time_zone: str, windows: Iterable[int]) -> list[Item]:
    """One item per daily run that sends the record's reminders, in that run's partition: the run
    reads only what is due that day, however many households there are. Names are not copied: the
    mail takes them from the household's partition, so renaming a pet leaves the index alone. Each
    goes by itself a week after its run (TTL)."""
    if record.expires_on is None:
        return []
    return [{"pk": reminder_key(run.isoformat()), "sk": reminder_sk(str(record.household_id), str(record.id)),
             "kind": "reminder", "version": record.version,
             "body": {"household_id": str(record.household_id), "record_id": str(record.id),
                      "pet_id": str(record.pet_id), "vaccine": record.vaccine, "expires_on": _iso(record.expires_on),
                      "windows": list(sends)},
             "expires_at": int(entry_expires_at(run).timestamp())}
            for run, sends in reminder_runs(record.expires_on, windows, time_zone, record.created_at).items()]


def reminders_moved(records: Iterable[VaccinationRecord], before: tuple[str, Iterable[int]],
                    after: tuple[str, Iterable[int]]) -> list[Operation]:
    """The household's time zone or its reminder windows changed: each record's index entries move
    from where (time zone, windows) `before` filed them to where `after` does."""
    return [operation for record in records
            for operation in record_changed(reminder_items(record, *before), reminder_items(record, *after))]


def reminder_settings_item(settings: ReminderSettings) -> Item:
    return _item(settings.household_id, reminder_settings_sk(settings.user_id), "reminder-settings",
                 settings.version, {"user_id": settings.user_id, "windows": list(settings.windows)})


def record_changed(before: list[Item], after: list[Item]) -> list[Operation]:
    """An edit: what the record no longer projects (e.g. index entries of its old expiry) is
    deleted, so no stale reminder stays behind; the rest is put at the new version."""
    kept = {(item["pk"], item["sk"]) for item in after}
    return [delete(item["pk"], item["sk"]) for item in before if (item["pk"], item["sk"]) not in kept] + \
        [put(item) for item in after]


def passport_items(passport: Passport) -> list[Item]:
    """The passport in its household's list, and, until it is revoked, under its token with the
    passport's expiry as TTL: what workers publish from and a certificate link is checked against."""
    body = PassportBody(id=str(passport.id), token=passport.token, household_id=str(passport.household_id),
                        pet_ids=passport.selection["pet_ids"], record_ids=passport.selection["record_ids"],
                        created_at=passport.created_at.isoformat(), expires_at=_iso(passport.expires_at),
                        revoked_at=_iso(passport.revoked_at)).model_dump(mode="json")
    listed = _item(passport.household_id, passport_sk(str(passport.id)), "passport", passport.version, body)
    if passport.revoked_at is not None:
        return [listed]
    shared = {"pk": passport_key(passport.token), "sk": PASSPORT_SK, "kind": "passport-token",
              "version": passport.version, "body": body}
    expiry = {"expires_at": int(passport.expires_at.timestamp())} if passport.expires_at else {}
    return [listed, shared | expiry]


def passport_revoked(passport: Passport) -> list[Operation]:
    """Revoked: listed as such, and its token item gone (workers then take the artifact down)."""
    return [*map(put, passport_items(passport)), delete(passport_key(passport.token), PASSPORT_SK)]


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
    secret) is dropped, so Aurora never holds a usable invitation token; so is an ask's (its
    question and context), which is workers' work and not a record."""
    if operation["op"] not in KEPT_AS:
        return operation
    return {"op": KEPT_AS[operation["op"]], "pk": operation["item"]["pk"], "sk": operation["item"]["sk"]}


def ask(item: Item) -> Operation:
    """An ask for workers to hand to egress (a TTL item; its body leaves the outbox once published)."""
    return {"op": "ask", "item": item}


def record_removed(record: VaccinationRecord, time_zone: str, windows: Iterable[int]) -> list[Operation]:
    return [delete(item["pk"], item["sk"]) for item in record_items(record, time_zone, windows)]


def draft_approved(household_id: uuid.UUID, upload_id: str) -> Operation:
    return delete(household_key(str(household_id)), draft_sk(upload_id))


def draft_entries_resolved(household_id: uuid.UUID, upload_id: str, resolved: dict[str, str]) -> Operation:
    """Some vaccinations of a draft approved, others still waiting: the draft is kept and says so."""
    return {"op": "resolve", "pk": household_key(str(household_id)), "sk": draft_sk(upload_id), "resolved": resolved}


def suppression_item(suppression: MailSuppression) -> Item:
    """An address workers mail nothing to; every one in one partition, which a rebuild reads whole."""
    return {"pk": SUPPRESSION_KEY, "sk": suppression_sk(suppression.email), "kind": "suppression",
            "version": suppression.version,
            "body": {"email": suppression.email, "reason": suppression.reason,
                     "since": suppression.suppressed_at.isoformat()}}


def suppression_items(session: Session) -> list[Item]:
    return [suppression_item(s) for s in session.scalars(select(MailSuppression).order_by(MailSuppression.email))]


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
    settings = session.scalars(select(ReminderSettings).where(ReminderSettings.household_id == household_id)).all()
    windows = index_windows(s.windows for s in settings)
    passports = session.scalars(select(Passport).where(Passport.household_id == household_id))
    budgets = session.scalars(select(LlmBudget).where(LlmBudget.household_id == household_id))
    return [household_item(household), *(i for member in members for i in member_items(member, household)),
            *(i for pet in pets for i in pet_items(pet)),
            *(i for r in records for i in record_items(r, household.time_zone, windows)),
            *map(reminder_settings_item, settings),
            *(i for passport in passports for i in passport_items(passport)),
            *(budget_item(str(b.household_id), b.monthly_micro_usd, b.version) for b in budgets)]


def _item(household_id: uuid.UUID, sk: str, kind: str, version: int, body: dict[str, Any]) -> Item:
    return {"pk": household_key(str(household_id)), "sk": sk, "kind": kind, "version": version, "body": body}


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None
