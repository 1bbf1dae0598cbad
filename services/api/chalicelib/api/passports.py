"""Passports as the api serves them: the owners' list (from the household's partition, no
database), and the one route a passport's viewer can cause — a certificate link, checked against
the passport's token item (absent once revoked, past its TTL once expired) and answered with a
short-lived presigned GET of the document."""
from datetime import datetime

from chalicelib.api.household_view import HouseholdView
from chalicelib.api.models import DocumentLink, PassportSummary
from chalicelib.api.storage import VIEW_SECONDS, Storage
from pawport.contracts import PassportBody
from pawport.errors import NotFound
from pawport.keys import PASSPORT_SK, household_key, passport_key, passport_views_sk, record_sk
from pawport.passports import page_path
from pawport.store import Store


def certificate(store: Store, token: str, record_id: str, storage: Storage) -> DocumentLink:
    """Two reads: the token's item, then the record in its household's partition."""
    shared = store.get(passport_key(token), PASSPORT_SK)
    if shared is None:
        raise NotFound("no such passport")
    passport = PassportBody.model_validate(shared.body)
    record = store.get(household_key(passport.household_id), record_sk(record_id))
    if record is None or not passport.shares(record.body) or not record.body.get("document_key"):
        raise NotFound("no such certificate")
    return DocumentLink(url=storage.view_url(passport.household_id, record.body["document_key"]),
                        expires_in=VIEW_SECONDS)


def household_passports(view: HouseholdView, origin: str, now: datetime) -> list[PassportSummary]:
    """Newest first. Viewers see none: a passport's link is the household's to hand out."""
    view.require_editor()
    listed = sorted((PassportBody.model_validate(b) for b in view.of_kind("passport")),
                    key=lambda p: p.created_at, reverse=True)
    return [PassportSummary(id=p.id, url=origin.rstrip("/") + page_path(p.token), pet_ids=p.pet_ids,
                            record_ids=p.record_ids, created_at=p.created_at, expires_at=p.expires_at,
                            revoked_at=p.revoked_at, status=_status(p, now),
                            views=view.counter(passport_views_sk(p.id))) for p in listed]


def _status(passport: PassportBody, now: datetime) -> str:
    if passport.revoked_at:
        return "revoked"
    if passport.expires_at and datetime.fromisoformat(passport.expires_at) <= now:
        return "expired"
    return "active"
