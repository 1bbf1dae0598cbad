"""Uploading certificates and showing them: presigned URLs minted only for keys under the
caller's household, after the membership check."""
import uuid
from datetime import date, datetime

from chalicelib.api.dashboard import with_status
from chalicelib.api.household_view import HouseholdView
from chalicelib.api.models import DocumentLink, QuickShow, RecordView, UploadForm, UploadRequest
from chalicelib.api.storage import UPLOAD_SECONDS, VIEW_SECONDS, Storage
from pawport.contracts import DOCUMENTS_LIMIT, DOCUMENTS_PER_PET
from pawport.documents import MAX_BYTES, UploadKey, safe_file_name
from pawport.errors import Conflict, NotFound
from pawport.status import Status, household_today

SHOWABLE = (Status.CURRENT, Status.DUE, Status.NO_EXPIRY)
FIRST_SHOWN = ("rabies",)     # what a front desk asks for first


def start_upload(view: HouseholdView, pet_id: str, request: UploadRequest, storage: Storage) -> UploadForm:
    view.require_editor()
    if view.document_count(pet_id) >= DOCUMENTS_PER_PET:
        raise Conflict(DOCUMENTS_LIMIT)
    key = UploadKey(view.household["id"], pet_id, str(uuid.uuid4()), safe_file_name(request.file_name))
    form = storage.upload_form(key.household_id, str(key), request.content_type, MAX_BYTES)
    return UploadForm(upload_id=key.upload_id, key=str(key), url=form["url"], fields=form["fields"],
                      expires_in=UPLOAD_SECONDS, max_bytes=MAX_BYTES)


def quick_show(view: HouseholdView, pet_id: str, now: datetime, storage: Storage) -> QuickShow:
    """The one certificate to hold up at the door: a valid one (rabies first); else the most recent
    expired one, marked expired, since staff would rather see it than nothing. 404 only when the pet
    has no document on file at all."""
    today = household_today(now, view.household["time_zone"])
    on_file = [(r, with_status(r, today)) for r in view.of_kind("record", pet_id) if r.get("document_key")]
    if not on_file:
        raise NotFound(f"{view.pet(pet_id)['name']} has no certificate on file")
    valid = [pair for pair in on_file if pair[1].status in SHOWABLE]
    best, shown = min(valid, key=_rabies_first) if valid else max(on_file, key=_expiry)
    return QuickShow(record=shown, url=storage.view_url(view.household["id"], best["document_key"]), expires_in=VIEW_SECONDS)


def _rabies_first(pair: tuple[dict, RecordView]) -> tuple[bool, str]:
    return pair[1].vaccine.lower() not in FIRST_SHOWN, pair[1].vaccine.lower()


def _expiry(pair: tuple[dict, RecordView]) -> date:
    return pair[1].expires_on or date.min   # an expired record always has its expiry


def record_document(view: HouseholdView, pet_id: str, record_id: str, storage: Storage) -> DocumentLink:
    record = next((r for r in view.of_kind("record", pet_id) if r["id"] == record_id), None)
    if record is None or not record.get("document_key"):
        raise NotFound("no document for this record")
    return DocumentLink(url=storage.view_url(view.household["id"], record["document_key"]), expires_in=VIEW_SECONDS)
