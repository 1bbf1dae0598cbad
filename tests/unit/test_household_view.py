"""The api's read logic over a household partition: authorization from the member item, status
at read time, what needs attention, and which certificate to show at the door."""
from datetime import UTC, datetime, timedelta

import pytest

from pawport.auth import Caller
from pawport.errors import Forbidden, NotFound
from pawport.store import Item, Store

NOW = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)   # already 3 December in Sydney
OWNER, VIEWER = Caller("u-owner", None), Caller("u-viewer", None)
PK = "HOUSEHOLD#h1"


def item(sk: str, kind: str, body: dict, expires_at: datetime | None = None) -> Item:
    return Item(PK, sk, kind=kind, version=1, body=body, expires_at=expires_at)


def record(record_id: str, pet_id: str, vaccine: str, expires_on: str | None, document: bool = True) -> Item:
    return item(f"RECORD#{record_id}", "record", {
        "id": record_id, "pet_id": pet_id, "vaccine": vaccine, "administered_on": None, "expires_on": expires_on,
        "clinic": None, "document_key": f"uploads/h1/{pet_id}/{record_id}/c.pdf" if document else None})


PARTITION = [
    item("HOUSEHOLD", "household", {"id": "h1", "name": "The Parkers", "time_zone": "Australia/Sydney"}),
    item("MEMBER#u-owner", "member", {"user_id": "u-owner", "role": "owner"}),
    item("MEMBER#u-viewer", "member", {"user_id": "u-viewer", "role": "viewer"}),
    item("PET#ollie", "pet", {"id": "ollie", "name": "Ollie", "species": "dog"}),
    item("PET#mochi", "pet", {"id": "mochi", "name": "Mochi", "species": "cat"}),
    record("r1", "ollie", "Rabies", "2026-12-02"),           # expired yesterday, Sydney time
    record("r2", "ollie", "DHPP", "2027-06-01"),
    record("r3", "ollie", "Bordetella", "2026-12-20"),       # due
    record("r4", "mochi", "FVRCP", "2028-01-01"),
    item("PHOTO#ollie", "pet-photo", {"pet_id": "ollie", "photo_key": "thumbnails/h1/ollie/photo.jpg",
                                      "uploaded_at": "2026-12-01T10:00:00+00:00"}),
    item("DRAFT#d1", "draft", {"upload_id": "d1", "pet_id": "ollie", "status": "ready"},
         expires_at=NOW + timedelta(days=3)),
    item("DRAFT#d0", "draft", {"upload_id": "d0", "pet_id": "ollie", "status": "ready"},
         expires_at=NOW - timedelta(days=1)),              # past its TTL: gone, whatever DynamoDB says
]


class SignedUrls:
    """Stands in for the S3 adapter: presigning is local computation, the key is what matters."""

    def view_url(self, household_id: str, key: str) -> str:
        return f"signed:{key}"


def read(partition: list[Item]) -> list[Item]:
    """The partition as the store's Query gives it at NOW (no client is made: the rule is the store's)."""
    store = Store("table", "us-east-1", None, clock=lambda: NOW)
    return [i for i in partition if store.is_live(i)]


def view(caller: Caller = OWNER):
    from chalicelib.api.household_view import HouseholdView
    return HouseholdView(read(PARTITION), caller, "no such household")


def test_the_dashboard_shows_status_in_the_households_time_zone() -> None:
    from chalicelib.api.dashboard import dashboard
    board = dashboard(view(), NOW, SignedUrls()).model_dump(mode="json")   # as the route answers it
    assert board["today"] == "2026-12-03"
    assert [(p["name"], p["status"], p["drafts"]) for p in board["pets"]] == [
        ("Mochi", "current", 0), ("Ollie", "expired", 1)]
    assert [p["photo_url"] for p in board["pets"]] == [None, "signed:thumbnails/h1/ollie/photo.jpg"]
    assert [(a["vaccine"], a["status"]) for a in board["attention"]] == [("Rabies", "expired"), ("Bordetella", "due")]


def test_a_non_member_sees_the_household_as_missing() -> None:
    with pytest.raises(NotFound, match="no such household"):
        view(Caller("u-stranger", None))


def test_quick_show_picks_rabies_first_but_never_an_expired_one() -> None:
    from chalicelib.api.certificates import quick_show
    shown = quick_show(view(), "ollie", NOW, SignedUrls()).model_dump(mode="json")
    assert shown["record"]["vaccine"] == "Bordetella"       # rabies expired yesterday
    assert shown["url"] == "signed:uploads/h1/ollie/r3/c.pdf"
    later = quick_show(view(), "mochi", NOW, SignedUrls()).model_dump(mode="json")
    assert later["record"]["vaccine"] == "FVRCP"


def test_quick_show_without_any_certificate_is_a_clear_404() -> None:
    from chalicelib.api.certificates import quick_show
    partition = [i for i in PARTITION if not (i.kind == "record" and i.body["pet_id"] == "mochi")]
    partition.append(record("r5", "mochi", "Rabies", "2029-01-01", document=False))   # no file: nothing to show
    from chalicelib.api.household_view import HouseholdView
    with pytest.raises(NotFound, match="Mochi has no certificate on file"):
        quick_show(HouseholdView(read(partition), OWNER, "x"), "mochi", NOW, SignedUrls())


def test_quick_show_holds_up_the_most_recently_expired_when_none_is_valid() -> None:
    from chalicelib.api.certificates import quick_show
    from chalicelib.api.household_view import HouseholdView
    partition = [i for i in PARTITION if not (i.kind == "record" and i.body["pet_id"] == "mochi")]
    partition += [record("r6", "mochi", "Rabies", "2024-03-01"), record("r7", "mochi", "FVRCP", "2025-08-01")]
    shown = quick_show(HouseholdView(read(partition), OWNER, "x"), "mochi", NOW, SignedUrls()).model_dump(mode="json")
    assert (shown["record"]["vaccine"], shown["record"]["status"]) == ("FVRCP", "expired")
    assert shown["url"] == "signed:uploads/h1/mochi/r7/c.pdf"


def test_viewers_may_look_but_not_upload() -> None:
    from chalicelib.api.certificates import UploadRequest, start_upload
    with pytest.raises(Forbidden):
        start_upload(view(VIEWER), "ollie", UploadRequest(file_name="a.pdf", content_type="application/pdf"),
                     SignedUrls())
