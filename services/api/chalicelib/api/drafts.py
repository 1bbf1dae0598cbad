"""Drafts as a person reviews them: each vaccination read from an upload with the checks before
approval in words, and the review's changes that need no Aurora (a vaccination discarded, a draft
dismissed). The api only reads the table: those changes are workers' `review_draft`, invoked once
the caller's role and the draft's pet are checked here."""
import json
from datetime import date, datetime
from functools import cached_property
from typing import Any

from botocore.config import Config
from botocore.session import get_session

from chalicelib.api.household_view import HouseholdView
from chalicelib.api.models import DraftDismissal, DraftEntryView, Drafts, DraftView, EntriesDiscarded
from chalicelib.api.storage import Storage
from pawport import draft_checks
from pawport.contracts import APPROVED, DraftBody
from pawport.documents import DraftStatus
from pawport.errors import BadInput, Conflict, NotFound, PawportError
from pawport.status import household_today

ERRORS: dict[str, type[PawportError]] = {"NotFound": NotFound, "Conflict": Conflict, "BadInput": BadInput}


class Review:
    """workers' `review_draft`, invoked synchronously (botocore's client, made on first use)."""

    def __init__(self, function_name: str, region: str, endpoint_url: str | None) -> None:
        self._function_name, self._region, self._endpoint_url = function_name, region, endpoint_url

    @cached_property
    def _lambda(self) -> Any:
        return get_session().create_client("lambda", region_name=self._region, endpoint_url=self._endpoint_url,
                                           config=Config(connect_timeout=5, read_timeout=30,
                                                         retries={"mode": "standard", "max_attempts": 3}))

    def send(self, request: dict) -> dict:
        answer = self._lambda.invoke(FunctionName=self._function_name, InvocationType="RequestResponse",
                                     Payload=json.dumps(request).encode())
        found = json.loads(answer["Payload"].read() or b"{}")
        if answer.get("FunctionError") or not isinstance(found, dict):
            raise RuntimeError(f"{self._function_name} failed")   # a 500: nothing a person can correct
        if "error" in found:
            raise ERRORS.get(found["error"], Conflict)(found["message"])
        return found["ok"]


def drafts(view: HouseholdView, pet_id: str, now: datetime, storage: Storage) -> Drafts:
    household_id = view.household["id"]
    today = household_today(now, view.household["time_zone"])
    pet, records = view.pet(pet_id), view.of_kind("record", pet_id)
    found = sorted((DraftBody.model_validate(d) for d in view.of_kind("draft", pet_id)),
                   key=lambda d: d.uploaded_at or "", reverse=True)
    return Drafts(drafts=[draft_view(d, pet, records, today,
                                     storage.view_url(household_id, d.thumbnail_key) if d.thumbnail_key else None)
                          for d in found])


def draft_view(draft: DraftBody, pet: dict, records: list[dict], today: date, thumbnail_url: str | None) -> DraftView:
    """The draft with its checks: another pet named, and for each vaccination waiting its doubts,
    wrong-looking dates and a probable duplicate. A flagged draft is never shown as ready."""
    other = draft_checks.other_pet(draft.fields, pet)
    flags = [other] if other else []
    entries = [entry_view(draft, entry, records, today, flagged=bool(flags)) for entry in draft.entry_ids()]
    waiting = [e for e in entries if e.status in ("ready", "needs-review")]
    status = DraftStatus.NEEDS_REVIEW if draft.status == DraftStatus.READY and (
        flags or any(e.status == "needs-review" for e in waiting)) else draft.status
    return DraftView(upload_id=draft.upload_id, pet_id=draft.pet_id, file_name=draft.file_name, status=status,
                     reason=draft.reason, fields=draft.fields.model_dump(exclude={"vaccinations"}) if draft.fields else None,
                     entries=entries, flags=flags, duplicate_of=draft.duplicate_of, uploaded_at=draft.uploaded_at,
                     thumbnail_url=thumbnail_url)


def entry_view(draft: DraftBody, entry: str, records: list[dict], today: date, flagged: bool) -> DraftEntryView:
    read = draft.vaccination(entry)
    resolved = draft.resolved.get(entry)
    flags = list(read.doubts)
    flags += [p for p in draft_checks.date_problems(read, today) if p not in flags]
    duplicate = draft_checks.probable_duplicate(read, records) if resolved is None else None
    flags += [duplicate] if duplicate else []
    status = ("approved" if resolved.startswith(APPROVED) else "discarded") if resolved else \
        "needs-review" if flags or flagged else "ready"
    return DraftEntryView.model_validate(read.model_dump(exclude={"doubts"}) | {
        "entry_id": entry, "status": status, "flags": flags,
        "record_id": resolved.removeprefix(APPROVED) if resolved and resolved.startswith(APPROVED) else None})


def _reviewable(view: HouseholdView, pet_id: str, upload_id: str) -> dict:
    """The editor's own pet's draft (another household's looks exactly like a missing one)."""
    view.require_editor()
    if not any(d.get("upload_id") == upload_id for d in view.of_kind("draft", pet_id)):
        raise NotFound("no such draft")
    return {"household_id": view.household["id"], "pet_id": pet_id, "upload_id": upload_id}


def dismiss(view: HouseholdView, pet_id: str, upload_id: str, review: Review) -> DraftDismissal:
    return DraftDismissal.model_validate(review.send(_reviewable(view, pet_id, upload_id) | {"discard": None}))


def discard(view: HouseholdView, pet_id: str, upload_id: str, entries: list[str], review: Review) -> EntriesDiscarded:
    done = review.send(_reviewable(view, pet_id, upload_id) | {"discard": entries})
    return EntriesDiscarded(upload_id=upload_id, discarded=done["discarded"], dismissed=done["dismissed"])
