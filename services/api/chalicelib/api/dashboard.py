"""The household dashboard: pets with their status and what needs attention, from one Query."""
from datetime import date, datetime

from chalicelib.api.household_view import HouseholdView
from chalicelib.api.models import Attention, Dashboard, PetView, RecordView
from chalicelib.api.pet_photos import photo_refused, photo_url
from chalicelib.api.storage import Storage
from pawport.status import Status, household_today, most_urgent, record_status

NEEDS_ATTENTION = (Status.EXPIRED, Status.DUE)


def with_status(record: dict, today: date) -> RecordView:
    expires_on = date.fromisoformat(record["expires_on"]) if record.get("expires_on") else None
    return RecordView.of(record, record_status(expires_on, today))


def dashboard(view: HouseholdView, now: datetime, storage: Storage) -> Dashboard:
    today = household_today(now, view.household["time_zone"])
    pets = []
    for pet in sorted(view.of_kind("pet"), key=lambda p: p["name"]):
        records = sorted((with_status(r, today) for r in view.of_kind("record", pet["id"])), key=lambda r: r.vaccine)
        pets.append(PetView.model_validate(pet | {"status": most_urgent(r.status for r in records), "records": records,
                                                  "drafts": len(view.of_kind("draft", pet["id"])),
                                                  "photo_url": photo_url(view, pet["id"], storage),
                                                  "photo_refused": photo_refused(view, pet["id"])}))
    attention = sorted((Attention(pet_id=p.id, pet_name=p.name, record_id=r.id, vaccine=r.vaccine,
                                  expires_on=r.expires_on, status=r.status)
                        for p in pets for r in p.records if r.status in NEEDS_ATTENTION),
                       key=lambda a: a.expires_on or date.max)
    return Dashboard.model_validate({"household": view.household, "role": view.role, "today": today, "pets": pets,
                                     "attention": attention})
