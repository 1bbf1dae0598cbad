"""Uploading certificates and showing them: presigned URLs minted only for keys under the
caller's household, after the membership check."""
import uuid
from datetime import datetime

from chalicelib.api.dashboard import with_status
from chalicelib.api.household_view import HouseholdView
from chalicelib.api.models import DocumentLink, Drafts, DraftView, QuickShow, UploadForm, UploadRequest
from chalicelib.api.storage import UPLOAD_SECONDS, VIEW_SECONDS, Storage
from pawport.contracts import DOCUMENTS_PER_PET, DraftBody
from pawport.documents import MAX_BYTES, UploadKey, safe_file_name
from pawport.errors import Conflict, NotFound
from pawport.status import Status, household_today

SHOWABLE = (Status.CURRENT, Status.DUE, Status.NO_EXPIRY)
FIRST_SHOWN = ("rabies",)     # what a front desk asks for first


def start_upload(view: HouseholdView, pet_id: str, request: UploadRequest, storage: Storage) -> UploadForm:
    view.require_editor()
    if view.document_count(pet_id) >= DOCUMENTS_PER_PET:
        raise Conflict(f"the free plan keeps {DOCUMENTS_PER_PET} documents per pet")
    key = UploadKey(view.household["id"], pet_id, str(uuid.uuid4()), safe_file_name(request.file_name))
    form = storage.upload_form(key.household_id, str(key), request.content_type, MAX_BYTES)
    return UploadForm(upload_id=key.upload_id, key=str(key), url=form["url"], fields=form["fields"],
                      expires_in=UPLOAD_SECONDS, max_bytes=MAX_BYTES)


def drafts(view: HouseholdView, pet_id: str, storage: Storage) -> Drafts:
    household_id = view.household["id"]
    found = sorted((DraftBody.model_validate(d) for d in view.of_kind("draft", pet_id)),
                   key=lambda d: d.uploaded_at or "", reverse=True)
    return Drafts(drafts=[DraftView.of(d, storage.view_url(household_id, d.thumbnail_key) if d.thumbnail_key else None)
                          for d in found])


def quick_show(view: HouseholdView, pet_id: str, now: datetime, storage: Storage) -> QuickShow:
    """The one certificate to hold up at the door: valid, with a document, rabies first."""
    today = household_today(now, view.household["time_zone"])
    valid = [(r, shown) for r in view.of_kind("record", pet_id)
             if r.get("document_key") and (shown := with_status(r, today)).status in SHOWABLE]
    if not valid:
        raise NotFound(f"{view.pet(pet_id)['name']} has no valid certificate on file")
    best, shown = min(valid, key=lambda pair: (pair[1].vaccine.lower() not in FIRST_SHOWN, pair[1].vaccine.lower()))
    return QuickShow(record=shown, url=storage.view_url(view.household["id"], best["document_key"]), expires_in=VIEW_SECONDS)


def record_document(view: HouseholdView, pet_id: str, record_id: str, storage: Storage) -> DocumentLink:
    record = next((r for r in view.of_kind("record", pet_id) if r["id"] == record_id), None)
    if record is None or not record.get("document_key"):
        raise NotFound("no document for this record")
    return DocumentLink(url=storage.view_url(view.household["id"], record["document_key"]), expires_in=VIEW_SECONDS)
