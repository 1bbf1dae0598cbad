"""Uploading certificates and showing them: presigned URLs minted only for keys under the
caller's household, after the membership check."""
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pawport.documents import CONTENT_TYPES, MAX_BYTES, UploadKey, safe_file_name
from pawport.errors import Conflict, NotFound
from pawport.status import Status, household_today
from chalicelib.api.dashboard import with_status
from chalicelib.api.household_view import HouseholdView
from chalicelib.api.storage import UPLOAD_SECONDS, VIEW_SECONDS, Storage

DOCUMENTS_PER_PET = 20        # the free plan's cap, checked against the live counter
SHOWABLE = (Status.CURRENT, Status.DUE, Status.NO_EXPIRY)
FIRST_SHOWN = ("rabies",)     # what a front desk asks for first


class UploadRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on the first upload, not in every cold start
    file_name: str = Field(min_length=1, max_length=200)
    content_type: str

    @field_validator("content_type")
    @classmethod
    def _accepted_type(cls, value: str) -> str:
        if value not in CONTENT_TYPES:
            raise ValueError(f"must be one of {', '.join(CONTENT_TYPES)} (a PDF or a photo)")
        return value


def start_upload(view: HouseholdView, pet_id: str, request: UploadRequest, storage: Storage) -> dict:
    view.require_editor()
    if view.document_count(pet_id) >= DOCUMENTS_PER_PET:
        raise Conflict(f"the free plan keeps {DOCUMENTS_PER_PET} documents per pet")
    key = UploadKey(view.household["id"], pet_id, str(uuid.uuid4()), safe_file_name(request.file_name))
    form = storage.upload_form(str(key), request.content_type, MAX_BYTES)
    return {"upload_id": key.upload_id, "key": str(key), "url": form["url"], "fields": form["fields"],
            "expires_in": UPLOAD_SECONDS, "max_bytes": MAX_BYTES}


def drafts(view: HouseholdView, pet_id: str, storage: Storage) -> list[dict]:
    found = sorted(view.of_kind("draft", pet_id), key=lambda d: d.get("uploaded_at", ""), reverse=True)
    return [d | {"thumbnail_url": storage.view_url(d["thumbnail_key"]) if d.get("thumbnail_key") else None}
            for d in found]


def quick_show(view: HouseholdView, pet_id: str, now: datetime, storage: Storage) -> dict:
    """The one certificate to hold up at the door: valid, with a document, rabies first."""
    today = household_today(now, view.household["time_zone"])
    valid = [r for r in (with_status(r, today) for r in view.of_kind("record", pet_id))
             if r.get("document_key") and Status(r["status"]) in SHOWABLE]
    if not valid:
        raise NotFound(f"{view.pet(pet_id)['name']} has no valid certificate on file")
    best = min(valid, key=lambda r: (r["vaccine"].lower() not in FIRST_SHOWN, r["vaccine"].lower()))
    return {"record": best, "url": storage.view_url(best["document_key"]), "expires_in": VIEW_SECONDS}


def record_document(view: HouseholdView, pet_id: str, record_id: str, storage: Storage) -> dict:
    record = next((r for r in view.of_kind("record", pet_id) if r["id"] == record_id), None)
    if record is None or not record.get("document_key"):
        raise NotFound("no document for this record")
    return {"url": storage.view_url(record["document_key"]), "expires_in": VIEW_SECONDS}
