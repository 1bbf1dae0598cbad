"""A person's review of a draft, outside Aurora: a vaccination read from it discarded, or the whole
draft dismissed. The api checks the caller's role and that the draft is the pet's, then invokes
workers' `review_draft` (the api only reads the table; workers keep drafts, counters and files).

Dismissing removes the draft, its upload, thumbnail and reading copy, and frees its place under the
document cap, in one conditional transaction (draft and counter), so a repeated call changes
nothing twice. A draft some vaccinations of which were already approved keeps its file: the
records name it as their document. Answers are {"ok": ...} or {"error": name, "message": words}.
"""
import logging

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.workers import work_items
from chalicelib.workers.workplace import Workplace
from pawport.contracts import DISCARDED, DraftBody
from pawport.documents import HEIF_TYPES, DraftStatus, UploadKey, is_household_file
from pawport.keys import document_count_sk, draft_sk, household_key
from pawport.store import Add, Attr, Delete, Update, Write, Written

log = logging.getLogger(__name__)
BEING_READ = (DraftStatus.CHECKING, DraftStatus.EXTRACTING)


class Review(BaseModel):
    """What the api hands over: the draft, and the entries to discard (none: dismiss it all)."""
    model_config = ConfigDict(extra="forbid")
    household_id: str = Field(min_length=1)
    pet_id: str = Field(min_length=1)
    upload_id: str = Field(min_length=1)
    discard: list[str] | None = None


class Refusal(Exception):
    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.answer = {"error": error, "message": message}


def review(event: dict, place: Workplace) -> dict:
    try:
        asked = Review.model_validate(event)
        draft = _draft(place, asked)
        return {"ok": dismiss(place, asked, draft) if asked.discard is None else discard(place, asked, draft)}
    except ValidationError:
        return {"error": "BadInput", "message": "not a draft review"}
    except Refusal as refusal:
        return refusal.answer


def discard(place: Workplace, asked: Review, draft: DraftBody) -> dict:
    """Discard some vaccinations; the draft is dismissed once none is left waiting."""
    if not asked.discard:
        raise Refusal("BadInput", "name the vaccinations to discard (their entry ids)")
    for entry in asked.discard:
        if entry not in draft.entry_ids():
            raise Refusal("NotFound", f"no entry {entry} on this draft")
        if entry in draft.resolved:
            raise Refusal("Conflict", f"entry {entry} was already {draft.resolved[entry].split(':')[0]}")
    if not set(draft.open_entries()) - set(asked.discard):
        return dismiss(place, asked, draft) | {"discarded": asked.discard}
    pk, sk = household_key(asked.household_id), draft_sk(asked.upload_id)
    marks = {f"body.resolved.{entry}": DISCARDED for entry in asked.discard}
    unchanged = place.store.live() & Attr("body.status").eq(draft.status.value)
    for entry in asked.discard:
        unchanged &= Attr(f"body.resolved.{entry}").not_exists()
    if not isinstance(place.store.write(Update(pk, sk, marks, condition=unchanged)), Written):
        raise Refusal("Conflict", "the draft changed meanwhile; look at it again")
    return {"upload_id": asked.upload_id, "discarded": asked.discard, "dismissed": False}


def dismiss(place: Workplace, asked: Review, draft: DraftBody) -> dict:
    pk = household_key(asked.household_id)
    keeps_file = bool(draft.approved_records())
    writes: list[Write] = [Delete(pk, draft_sk(asked.upload_id),
                                  condition=place.store.live() & Attr("body.status").eq(draft.status.value))]
    if draft.status != DraftStatus.REJECTED and not keeps_file:   # a refused file was never counted
        writes.append(Add(pk, document_count_sk(asked.pet_id), -1))
    if not isinstance(place.store.write(*writes), Written):
        raise Refusal("Conflict", "the draft changed meanwhile; look at it again")
    if not keeps_file:
        _remove_files(place, asked, draft)
    log.info("draft %s dismissed%s", asked.upload_id, " (its file stays: records name it)" if keeps_file else "")
    return {"upload_id": asked.upload_id, "dismissed": True, "file_removed": not keeps_file}


def _draft(place: Workplace, asked: Review) -> DraftBody:
    found = work_items.get_draft(place.store, asked.household_id, asked.upload_id)
    if found is None or found.get("pet_id") != asked.pet_id:
        raise Refusal("NotFound", "no such draft")
    draft = DraftBody.model_validate(found)
    if draft.status in BEING_READ:
        raise Refusal("Conflict", "this upload is still being read; try again in a moment")
    return draft


def _remove_files(place: Workplace, asked: Review, draft: DraftBody) -> None:
    """The upload, its thumbnail and reading copy (a quarantined copy expires by the bucket's rule)."""
    files = [name for name in (draft.document_key, draft.thumbnail_key)
             if name and is_household_file(name, asked.household_id)]
    if draft.content_type in HEIF_TYPES:
        files.append(UploadKey(asked.household_id, asked.pet_id, asked.upload_id, draft.file_name).reading_copy)
    for name in files:
        place.objects.delete(place.uploads_bucket, name)
