"""Presigned URLs only for the caller's household's files: the key is checked before signing, so a
projection that names another household's file (a bug, or a tampered item) signs nothing."""
import logging
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from pawport.auth import Caller
from pawport.errors import Forbidden
from pawport.store import Item

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
OWNER = Caller("u-owner", None)
OURS, THEIRS = "h-ours", "h-theirs"


@pytest.fixture
def storage(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    from chalicelib.api.storage import Storage
    return Storage("pawport-prod-uploads", "eu-west-1", None)


def household(document_key: str, thumbnail_key: str | None = None) -> object:
    """Our household's partition, whose record and draft name the keys given."""
    from chalicelib.api.household_view import HouseholdView
    pk = f"HOUSEHOLD#{OURS}"
    return HouseholdView([
        Item(pk, "HOUSEHOLD", "household", 1, {"id": OURS, "name": "Ours", "time_zone": "UTC"}),
        Item(pk, "MEMBER#u-owner", "member", 1, {"user_id": "u-owner", "role": "owner"}),
        Item(pk, "PET#p1", "pet", 1, {"id": "p1", "name": "Ollie", "species": "dog"}),
        Item(pk, "RECORD#r1", "record", 1, {"id": "r1", "pet_id": "p1", "vaccine": "Rabies", "administered_on": None,
                                            "expires_on": None, "clinic": None, "document_key": document_key}),
        Item(pk, "DRAFT#u2", "draft", 0, {"upload_id": "u2", "pet_id": "p1", "status": "ready", "file_name": "c.pdf",
                                          "document_key": f"uploads/{OURS}/p1/u2/c.pdf",
                                          "thumbnail_key": thumbnail_key})], OWNER, "no such pet")


def test_a_viewing_url_for_our_own_document_lasts_five_minutes(storage) -> None:
    from chalicelib.api.certificates import record_document
    link = record_document(household(f"uploads/{OURS}/p1/u1/c.pdf"), "p1", "r1", storage)
    signed = parse_qs(urlsplit(link.url).query)
    assert urlsplit(link.url).path.endswith(f"/uploads/{OURS}/p1/u1/c.pdf")
    assert (signed["X-Amz-Expires"], link.expires_in) == (["300"], 300)


@pytest.mark.parametrize("forged", [
    f"uploads/{THEIRS}/p9/u9/c.pdf", f"thumbnails/{THEIRS}/p9/u9.jpg", f"quarantine/{OURS}/p1/u1/c.pdf",
    f"jobs/{OURS}/p1/u1.json", f"uploads/{OURS}/../{THEIRS}/u9/c.pdf", f"uploads/{OURS}", f"uploads/{OURS}/p1/u1/c.pdf/x"])
def test_a_record_naming_another_households_file_signs_nothing(storage, forged: str,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    from chalicelib.api.certificates import quick_show, record_document
    signed: list[str] = []
    storage.__dict__["_s3"] = type("NeverSigns", (), {"generate_presigned_url": lambda *a, **k: signed.append(a)})()
    with caplog.at_level(logging.ERROR), pytest.raises(Forbidden, match="not one of your household's documents"):
        record_document(household(forged), "p1", "r1", storage)
    with pytest.raises(Forbidden):
        quick_show(household(forged), "p1", NOW, storage)
    assert signed == [] and forged in caplog.text and OURS in caplog.text


def test_a_draft_thumbnail_of_another_household_signs_nothing(storage) -> None:
    from chalicelib.api.drafts import drafts
    assert drafts(household(f"uploads/{OURS}/p1/u1/c.pdf", f"thumbnails/{OURS}/p1/u2.jpg"), "p1", NOW, storage).drafts
    with pytest.raises(Forbidden):
        drafts(household(f"uploads/{OURS}/p1/u1/c.pdf", f"thumbnails/{THEIRS}/p1/u2.jpg"), "p1", NOW, storage)


def test_an_upload_form_only_for_a_key_of_our_household(storage) -> None:
    assert storage.upload_form(OURS, f"uploads/{OURS}/p1/u1/c.pdf", "application/pdf", 10)["fields"]
    with pytest.raises(Forbidden):
        storage.upload_form(OURS, f"uploads/{THEIRS}/p1/u1/c.pdf", "application/pdf", 10)
    with pytest.raises(Forbidden):
        storage.upload_form(OURS, f"thumbnails/{OURS}/p1/u1.jpg", "image/jpeg", 10)   # uploads only go to uploads/


def test_a_pet_photo_form_only_for_a_photos_key_of_our_household(storage) -> None:
    from chalicelib.api.storage import PHOTOS
    assert storage.upload_form(OURS, f"photos/{OURS}/p1/u1", "image/jpeg", 10, PHOTOS)["fields"]
    for key in (f"photos/{THEIRS}/p1/u1", f"uploads/{OURS}/p1/u1/c.pdf", f"photos/{OURS}/p1/../u1"):
        with pytest.raises(Forbidden):
            storage.upload_form(OURS, key, "image/jpeg", 10, PHOTOS)
