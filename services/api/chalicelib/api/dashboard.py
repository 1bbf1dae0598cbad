"""The household dashboard: pets with their status and what needs attention, from one Query."""
from datetime import date, datetime
from typing import Any

from pawport.status import Status, household_today, most_urgent, record_status
from chalicelib.api.household_view import HouseholdView

NEEDS_ATTENTION = (Status.EXPIRED, Status.DUE)


def with_status(record: dict, today: date) -> dict:
    expires_on = date.fromisoformat(record["expires_on"]) if record.get("expires_on") else None
    return record | {"status": record_status(expires_on, today).value}


def dashboard(view: HouseholdView, now: datetime) -> dict[str, Any]:
    today = household_today(now, view.household["time_zone"])
    pets = []
    for pet in sorted(view.of_kind("pet"), key=lambda p: p["name"]):
        records = sorted((with_status(r, today) for r in view.of_kind("record", pet["id"])),
                         key=lambda r: r["vaccine"])
        pets.append(pet | {"status": most_urgent(Status(r["status"]) for r in records).value, "records": records,
                           "drafts": len(view.of_kind("draft", pet["id"]))})
    attention = sorted(({"pet_id": p["id"], "pet_name": p["name"], "record_id": r["id"], "vaccine": r["vaccine"],
                         "expires_on": r["expires_on"], "status": r["status"]}
                        for p in pets for r in p["records"] if r["status"] in NEEDS_ATTENTION),
                       key=lambda a: a["expires_on"])
    return {"household": view.household, "role": view.role, "today": today.isoformat(), "pets": pets,
            "attention": attention}
