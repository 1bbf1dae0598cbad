"""A draft's entries at approval: one per vaccination read from the upload, each approved (or
discarded in the api) on its own or all at once. Pure functions over the draft's body as workers
wrote it; the handlers are in records.py."""
import uuid

from pydantic import ValidationError

from chalicelib.control import rules
from chalicelib.control.projection import Operation, draft_approved, draft_entries_resolved
from chalicelib.control.requests import DraftApproval, RecordFields
from pawport.contracts import APPROVED, DraftBody
from pawport.errors import BadInput, Conflict, NotFound


def draft_of(found: dict | None, pet_id: str) -> DraftBody:
    return DraftBody.model_validate(rules.approvable(found, pet_id))


def chosen_entry(draft: DraftBody, entry_id: str | None) -> str | None:
    """The entry a single approval takes: the one named, or the only one open; None for a draft
    nothing was read from (approved as a whole, with the details typed in)."""
    if entry_id:
        return open_entry(draft, entry_id)
    waiting = draft.open_entries()
    if not draft.entry_ids():
        return None
    if len(waiting) != 1:
        raise Conflict(f"this draft has {len(waiting)} vaccinations waiting: name one with entry_id, "
                       "or approve them all (POST /pets/{pet_id}/drafts/{upload_id}/approve)")
    return waiting[0]


def open_entry(draft: DraftBody, entry_id: str) -> str:
    if entry_id not in draft.entry_ids():
        raise NotFound(f"no entry {entry_id} on this draft")
    if entry_id in draft.resolved:
        raise Conflict(f"entry {entry_id} was already {draft.resolved[entry_id].split(':')[0]}")
    return entry_id


def as_read(draft: DraftBody, entry_id: str) -> dict:
    """What was read for the entry, as a record's fields (the clinic is the certificate's)."""
    read = draft.vaccination(entry_id)
    return {"vaccine": read.vaccine, "administered_on": read.administered_on, "expires_on": read.expires_on,
            "clinic": draft.fields.clinic if draft.fields else None}


def to_approve(draft: DraftBody, approval: DraftApproval) -> dict[str, RecordFields]:
    """Every open entry with its fields: as corrected in the request, else as read."""
    if not draft.entry_ids():
        raise Conflict("nothing was read from this upload: approve it with its details "
                       "(POST /pets/{pet_id}/records with its upload_id)")
    corrected = {open_entry(draft, c.entry_id): c.fields() for c in approval.entries}
    chosen = {}
    for entry in draft.open_entries():
        try:
            chosen[entry] = corrected.get(entry) or RecordFields.model_validate(as_read(draft, entry))
        except ValidationError as error:   # e.g. no vaccine read: the person must correct the entry
            reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in error.errors())
            raise BadInput(f"entry {entry} cannot be approved as read ({reasons}); send its fields in entries") \
                from None
    if not chosen:
        raise Conflict("every vaccination of this draft was already approved or discarded")
    return chosen


def first_of_upload(draft: DraftBody) -> bool:
    """Whether no record was approved from the upload yet: only the first holds its content hash,
    so the claim on its bytes has one record (and a rebuild projects it the same way)."""
    return not draft.approved_records()


def after_approval(household_id: uuid.UUID, draft: DraftBody, approved: dict[str, str]) -> Operation:
    """The draft retired once nothing is left open; else the approved entries marked on it."""
    left = [entry for entry in draft.open_entries() if entry not in approved]
    if not left:
        return draft_approved(household_id, draft.upload_id)
    return draft_entries_resolved(household_id, draft.upload_id,
                                  {entry: APPROVED + record for entry, record in approved.items()})
