"""A pet's photo: the presigned upload (editors, like a certificate), and the link the dashboard
shows. Workers judge the file and make the square picture (pawport/pet_photos.py)."""
import uuid

from chalicelib.api.household_view import HouseholdView
from chalicelib.api.models import PhotoRequest, UploadForm
from chalicelib.api.storage import PHOTOS, UPLOAD_SECONDS, Storage
from pawport.pet_photos import PHOTO_KIND, PHOTO_MAX_BYTES, REFUSED_KIND, PhotoKey


def start_photo_upload(view: HouseholdView, pet_id: str, request: PhotoRequest, storage: Storage) -> UploadForm:
    view.require_editor()
    key = PhotoKey(view.household["id"], pet_id, str(uuid.uuid4()))
    form = storage.upload_form(key.household_id, str(key), request.content_type, PHOTO_MAX_BYTES, PHOTOS)
    return UploadForm(upload_id=key.upload_id, key=str(key), url=form["url"], fields=form["fields"],
                      expires_in=UPLOAD_SECONDS, max_bytes=PHOTO_MAX_BYTES)


def photo_url(view: HouseholdView, pet_id: str, storage: Storage) -> str | None:
    """A 5-minute link to the pet's picture, if workers have made one."""
    photo = next(iter(view.of_kind(PHOTO_KIND, pet_id)), None)
    return storage.view_url(view.household["id"], photo["photo_key"]) if photo else None


def photo_refused(view: HouseholdView, pet_id: str) -> str | None:
    """Why the last photo uploaded was not used, while workers keep saying so."""
    refusal = next(iter(view.of_kind(REFUSED_KIND, pet_id)), None)
    return refusal["reason"] if refusal else None
