"""A draft as the api shows it: each vaccination read with its status, and the checks before
approval in words; a flagged draft is never shown as ready."""
from datetime import date

from chalicelib.api.drafts import draft_view
from pawport.contracts import DraftBody

TODAY = date(2026, 12, 2)
BISCUIT = {"id": "p1", "name": "Biscuit", "species": "dog"}
ON_FILE = [{"id": "r1", "pet_id": "p1", "vaccine": "Rabies", "administered_on": "2026-03-14",
            "expires_on": "2029-03-13"}]


def draft(pet_name: str = "Biscuit", resolved: dict | None = None, *read: tuple) -> DraftBody:
    listed = read or (("DHPP", "2026-03-14", "2029-03-13"), ("Leptospirosis", "2026-03-14", "2027-03-13"))
    return DraftBody.model_validate({
        "upload_id": "u1", "pet_id": "p1", "status": "ready", "file_name": "booster.pdf",
        "document_key": "uploads/h1/p1/u1/booster.pdf", "resolved": resolved or {},
        "fields": {"pet_name": pet_name, "clinic": "Elm Street", "vaccinations": [
            {"vaccine": v, "administered_on": given, "expires_on": expires} for v, given, expires in listed]}})


def shown(body: DraftBody, records: list[dict] = ON_FILE):
    return draft_view(body, BISCUIT, records, TODAY, thumbnail_url=None)


def test_a_clean_certificate_is_ready_entry_by_entry() -> None:
    view = shown(draft())
    assert (view.status, view.flags) == ("ready", [])
    assert [(e.entry_id, e.vaccine, e.status, e.flags) for e in view.entries] == [
        ("1", "DHPP", "ready", []), ("2", "Leptospirosis", "ready", [])]
    assert view.fields.clinic == "Elm Street" and not hasattr(view.fields, "vaccinations")


def test_another_pets_certificate_is_flagged_with_the_name_found() -> None:
    view = shown(draft("Ollie"))
    assert view.status == "needs-review" and view.flags == ["the certificate names Ollie, not Biscuit"]
    assert {e.status for e in view.entries} == {"needs-review"}


def test_a_vaccination_already_on_file_is_a_probable_duplicate() -> None:
    view = shown(draft("Biscuit", None, ("Rabies", "2026-03-14", "2029-03-13")))
    [rabies] = view.entries
    assert rabies.status == "needs-review" and view.status == "needs-review"
    assert rabies.flags == ["probably a duplicate: a Rabies record given on 2026-03-14 is already on file"]


def test_a_date_in_the_future_is_flagged_never_ready() -> None:
    [late] = shown(draft("Biscuit", None, ("DHPP", "2026-12-24", "2027-12-23"))).entries
    assert (late.status, late.flags) == ("needs-review", ["the date given, 2026-12-24, is in the future"])


def test_approved_and_discarded_entries_say_so() -> None:
    view = shown(draft("Biscuit", {"1": "approved:r7", "2": "discarded"}))
    assert [(e.status, e.record_id) for e in view.entries] == [("approved", "r7"), ("discarded", None)]
