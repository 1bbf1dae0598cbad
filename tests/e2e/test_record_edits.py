"""Editing a record over HTTP: PATCH changes only the fields sent (a clinic left out stays), PUT
replaces the whole record (every field must be sent, null clears one); the owners read the
record's history of edits from the audit log; quick show holds up an expired certificate, marked
expired, when no valid one is on file."""
from datetime import date, timedelta

import pytest
import requests

from devstack.stack import Stack
from tests.e2e.test_certificates import certificate_pdf, settled_draft, upload
from tests.support.people import Person, create_household, join, new_person

pytestmark = pytest.mark.slow


def control(stack: Stack, method: str, path: str, person: Person, json: dict | None = None) -> requests.Response:
    return requests.request(method, f"{stack.control_url}{path}", headers=person.headers, json=json, timeout=30)


@pytest.fixture
def owner(services: Stack) -> Person:
    return new_person(services, "editing")


@pytest.fixture
def pet(services: Stack, owner: Person) -> dict:
    household_id = create_household(services, owner, "The Edits")
    return control(services, "POST", f"/households/{household_id}/pets", owner, {"name": "Luna", "species": "cat"}).json()


def records_on_dashboard(stack: Stack, person: Person, pet: dict) -> list[dict]:
    board = requests.get(f"{stack.api_url}/households/{pet['household_id']}/dashboard", headers=person.headers,
                         timeout=30).json()
    return next(p for p in board["pets"] if p["id"] == pet["pet_id"])["records"]


def test_patch_keeps_the_fields_it_does_not_send(services: Stack, owner: Person, pet: dict) -> None:
    record = control(services, "POST", f"/pets/{pet['pet_id']}/records", owner, {
        "vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2027-03-13",
        "clinic": "Riverside Vets"}).json()
    patched = control(services, "PATCH", f"/pets/{pet['pet_id']}/records/{record['id']}", owner,
                      {"expires_on": "2029-03-13"})
    assert patched.status_code == 200, patched.text
    assert {k: patched.json()[k] for k in ("vaccine", "administered_on", "expires_on", "clinic")} == {
        "vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2029-03-13", "clinic": "Riverside Vets"}
    [shown] = records_on_dashboard(services, owner, pet)
    assert (shown["clinic"], shown["expires_on"]) == ("Riverside Vets", "2029-03-13")

    refused = control(services, "PATCH", f"/pets/{pet['pet_id']}/records/{record['id']}", owner,
                      {"expires_on": "2025-01-01"})
    assert refused.status_code == 400 and "must be after administered_on" in refused.json()["message"]


def test_put_replaces_the_whole_record_and_says_what_it_needs(services: Stack, owner: Person, pet: dict) -> None:
    record = control(services, "POST", f"/pets/{pet['pet_id']}/records", owner, {
        "vaccine": "FVRCP", "administered_on": "2026-02-01", "clinic": "Riverside Vets"}).json()
    path = f"/pets/{pet['pet_id']}/records/{record['id']}"
    partial = control(services, "PUT", path, owner, {"vaccine": "FVRCP", "expires_on": "2027-02-01"})
    assert partial.status_code == 400
    assert "administered_on: is required" in partial.json()["message"] and "clinic: is required" in \
        partial.json()["message"]
    replaced = control(services, "PUT", path, owner, {"vaccine": "FVRCP", "administered_on": None,
                                                      "expires_on": "2027-02-01", "clinic": None})
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["administered_on"], replaced.json()["clinic"]) == (None, None)
    [shown] = records_on_dashboard(services, owner, pet)
    assert (shown["clinic"], shown["administered_on"], shown["expires_on"]) == (None, None, "2027-02-01")


def test_owners_read_a_records_history_of_edits(services: Stack, owner: Person, pet: dict) -> None:
    record = control(services, "POST", f"/pets/{pet['pet_id']}/records", owner, {"vaccine": "Rabies"}).json()
    path = f"/pets/{pet['pet_id']}/records/{record['id']}"
    control(services, "PATCH", path, owner, {"clinic": "Elm Street Vets"})
    control(services, "PATCH", path, owner, {"clinic": "Oak Vets", "administered_on": "2026-01-05"})
    history = control(services, "GET", f"{path}/history", owner)
    assert history.status_code == 200, history.text
    assert [(e["action"], e["changed"]) for e in history.json()["entries"]] == [
        ("record.create", {"vaccine": {"from": None, "to": "Rabies"}}),
        ("record.update", {"clinic": {"from": None, "to": "Elm Street Vets"}}),
        ("record.update", {"clinic": {"from": "Elm Street Vets", "to": "Oak Vets"},
                           "administered_on": {"from": None, "to": "2026-01-05"}})]
    assert {e["actor"] for e in history.json()["entries"]} == {owner.user_id}

    editor = new_person(services, "history-editor")
    join(services, owner, pet["household_id"], editor, "editor")
    refused = control(services, "GET", f"{path}/history", editor)
    assert (refused.status_code, refused.json()["error"]) == (403, "Forbidden")


def test_quick_show_holds_up_an_expired_certificate_marked_expired(services: Stack, owner: Person, pet: dict) -> None:
    nothing = requests.get(f"{services.api_url}/pets/{pet['pet_id']}/quick-show", headers=owner.headers, timeout=30)
    assert nothing.status_code == 404 and "Luna has no certificate on file" in nothing.json()["message"]
    today = date.today()
    older, newer = [(today - timedelta(days=800 - d), today - timedelta(days=400 - d)) for d in (0, 100)]
    uploaded = {}
    for vaccine, (given, expired) in (("Rabies", older), ("FVRCP", newer)):
        document = certificate_pdf("Luna", vaccine, given, expired)
        upload_id = upload(services, owner.headers, pet["pet_id"], f"{vaccine}.pdf", "application/pdf", document)
        settled_draft(services, owner.headers, pet["pet_id"], upload_id)
        approved = control(services, "POST", f"/pets/{pet['pet_id']}/records", owner, {
            "upload_id": upload_id, "vaccine": vaccine, "administered_on": given.isoformat(),
            "expires_on": expired.isoformat()})
        assert approved.status_code == 201, approved.text
        uploaded[vaccine] = document

    shown = requests.get(f"{services.api_url}/pets/{pet['pet_id']}/quick-show", headers=owner.headers, timeout=30)
    assert shown.status_code == 200, shown.text
    record = shown.json()["record"]
    assert (record["vaccine"], record["status"], record["expires_on"]) == ("FVRCP", "expired", newer[1].isoformat())
    assert requests.get(shown.json()["url"], timeout=30).content == uploaded["FVRCP"]   # the most recent expired
