"""Pets over HTTP: details set and changed field by field, shown on the dashboard; a household
renamed everywhere its name is shown; a pet removed with its records, its audit row and its files
(the record items' and the pet item's REMOVEs reach workers through the table's stream)."""
import time
from datetime import date

import boto3
import pytest
import requests

from devstack.stack import REGION, Stack
from tests.e2e.test_certificates import certificate_pdf, settled_draft, upload
from tests.support.people import Person, create_household, join, new_person

pytestmark = pytest.mark.slow


def control(stack: Stack, method: str, path: str, person: Person, json: dict | None = None) -> requests.Response:
    return requests.request(method, f"{stack.control_url}{path}", headers=person.headers, json=json, timeout=30)


def dashboard(stack: Stack, person: Person, household_id: str) -> dict:
    answer = requests.get(f"{stack.api_url}/households/{household_id}/dashboard", headers=person.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def files_of(stack: Stack, household_id: str, pet_id: str) -> list[str]:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=stack.moto_url, aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    bucket = stack.resources.buckets["uploads"]
    return [o["Key"] for prefix in ("uploads", "thumbnails")
            for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/{household_id}/{pet_id}/").get("Contents", [])]


@pytest.fixture
def owner(services: Stack) -> Person:
    return new_person(services, "pets")


def test_a_pets_details_are_set_changed_field_by_field_and_shown(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Details")
    added = control(services, "POST", f"/households/{household_id}/pets", owner, {
        "name": "Pip", "species": "other", "species_name": "rabbit", "birth_date": "2024-05-01",
        "microchip": "985 112 345 678 901"})
    assert added.status_code == 201, added.text
    pet_id = added.json()["pet_id"]

    changed = control(services, "PATCH", f"/pets/{pet_id}", owner, {"name": "Pippin", "breed": "Holland Lop"})
    assert changed.status_code == 200, changed.text
    [pet] = dashboard(services, owner, household_id)["pets"]
    assert {k: pet[k] for k in ("name", "species", "species_name", "breed", "birth_date", "microchip")} == {
        "name": "Pippin", "species": "other", "species_name": "rabbit", "breed": "Holland Lop",
        "birth_date": "2024-05-01", "microchip": "985112345678901"}

    refused = control(services, "PATCH", f"/pets/{pet_id}", owner, {"microchip": "12345"})
    assert refused.status_code == 400 and "microchip" in refused.json()["message"]
    cat = control(services, "PATCH", f"/pets/{pet_id}", owner, {"species": "cat", "microchip": None})
    assert (cat.json()["species"], cat.json()["species_name"], cat.json()["microchip"]) == ("cat", None, None)


def test_a_renamed_household_is_renamed_on_the_dashboard_and_in_my_households(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Old Name")
    renamed = control(services, "PATCH", f"/households/{household_id}", owner, {"name": "The New Name"})
    assert renamed.status_code == 200, renamed.text
    assert dashboard(services, owner, household_id)["household"]["name"] == "The New Name"
    mine = requests.get(f"{services.api_url}/me/households", headers=owner.headers, timeout=30).json()
    assert [h["name"] for h in mine["households"]] == ["The New Name"]


def test_removing_a_pet_removes_its_records_and_files(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Removals")
    pet_id = control(services, "POST", f"/households/{household_id}/pets", owner,
                     {"name": "Biscuit", "species": "dog"}).json()["pet_id"]
    kept = control(services, "POST", f"/households/{household_id}/pets", owner,
                   {"name": "Luna", "species": "cat"}).json()["pet_id"]
    document = certificate_pdf("Biscuit", "Rabies", date(2026, 1, 5), date(2029, 1, 4))
    upload_id = upload(services, owner.headers, pet_id, "rabies.pdf", "application/pdf", document)
    draft = settled_draft(services, owner.headers, pet_id, upload_id)
    approved = control(services, "POST", f"/pets/{pet_id}/records", owner, {
        "upload_id": upload_id, "vaccine": "Rabies", "administered_on": "2026-01-05", "expires_on": "2029-01-04"})
    assert approved.status_code == 201, approved.text
    pending = upload(services, owner.headers, pet_id, "dhpp.pdf", "application/pdf",
                     certificate_pdf("Biscuit", "DHPP", date(2026, 1, 5), date(2027, 1, 4)))
    settled_draft(services, owner.headers, pet_id, pending)
    assert draft["thumbnail_url"] and len(files_of(services, household_id, pet_id)) == 4   # 2 uploads, 2 thumbnails

    removed = control(services, "DELETE", f"/pets/{pet_id}", owner)
    assert removed.status_code == 200 and removed.json() == {"removed": pet_id, "records_removed": 1}

    assert [p["id"] for p in dashboard(services, owner, household_id)["pets"]] == [kept]
    gone = requests.get(f"{services.api_url}/pets/{pet_id}/quick-show", headers=owner.headers, timeout=30)
    assert gone.status_code == 404 and gone.json() == {"error": "NotFound", "message": "no such pet"}
    deadline = time.monotonic() + 60
    while files_of(services, household_id, pet_id) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert files_of(services, household_id, pet_id) == []
    audit = control(services, "GET", f"/households/{household_id}/audit", owner).json()["entries"]
    assert [e["target"] for e in audit if e["action"] == "pet.remove"] == [f"pet:{pet_id}"]
    assert control(services, "DELETE", f"/pets/{pet_id}", owner).status_code == 404


def test_a_viewer_cannot_change_or_remove_a_pet(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Watched")
    pet_id = control(services, "POST", f"/households/{household_id}/pets", owner,
                     {"name": "Rex", "species": "dog"}).json()["pet_id"]
    viewer = new_person(services, "pet-viewer")
    join(services, owner, household_id, viewer, "viewer")
    for method, body in (("PATCH", {"name": "Max"}), ("DELETE", None)):
        refused = control(services, method, f"/pets/{pet_id}", viewer, body)
        assert (refused.status_code, refused.json()) == (403, {"error": "Forbidden",
                                                               "message": "role viewer may not do this"})
    assert [p["name"] for p in dashboard(services, owner, household_id)["pets"]] == ["Rex"]
