"""A certificate's flow end to end: a real multipart POST to S3 (moto) with the presigned form, the
S3 → SQS event, the thumbnail, extraction by egress through the local LLM, the draft, approval in
control, and the dashboard and quick show — all through HTTP and the event runners."""
import time
from datetime import date, timedelta

import pytest
import requests

from devstack.stack import Stack
from tests.support import certificates
from tests.support.people import new_person

pytestmark = pytest.mark.slow
SETTLED = {"ready", "needs-review", "needs-manual-entry", "rejected", "duplicate"}
DRAFT_VIEW = {"upload_id", "pet_id", "file_name", "status", "reason", "fields", "entries", "flags", "duplicate_of",
              "uploaded_at", "thumbnail_url"}


def certificate_pdf(pet: str, vaccine: str, given: date, expires: date) -> bytes:
    """Elm Street's certificate, in the clinic's words."""
    return certificates.certificate_pdf(
        "Elm Street Veterinary Clinic", "Certificate of Vaccination", f"Pet name: {pet}", f"Vaccine: {vaccine}",
        f"Date administered: {given:%d %B %Y}", f"Expires: {expires:%d %B %Y}", "Clinic: Elm Street Veterinary Clinic")


@pytest.fixture(scope="module")
def owner(services: Stack) -> dict[str, str]:
    return new_person(services, "records").headers


@pytest.fixture(scope="module")
def pet(services: Stack, owner: dict[str, str]) -> dict:
    household = requests.post(f"{services.control_url}/households", headers=owner, timeout=30,
                              json={"name": "The Certificates", "time_zone": "Europe/London"}).json()
    return requests.post(f"{services.control_url}/households/{household['household_id']}/pets", headers=owner,
                         json={"name": "Ollie", "species": "dog"}, timeout=30).json()


def upload(stack: Stack, headers: dict, pet_id: str, name: str, content_type: str, data: bytes) -> str:
    form = requests.post(f"{stack.api_url}/pets/{pet_id}/records/uploads", headers=headers, timeout=30,
                         json={"file_name": name, "content_type": content_type})
    assert form.status_code == 201, form.text
    form = form.json()
    posted = requests.post(form["url"], data=form["fields"], files={"file": (name, data, content_type)}, timeout=30)
    assert posted.status_code in (200, 204), posted.text
    return form["upload_id"]


def settled_draft(stack: Stack, headers: dict, pet_id: str, upload_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drafts = requests.get(f"{stack.api_url}/pets/{pet_id}/drafts", headers=headers, timeout=30).json()["drafts"]
        draft = next((d for d in drafts if d["upload_id"] == upload_id), None)
        if draft and draft["status"] in SETTLED:
            return draft
        time.sleep(0.5)
    raise TimeoutError(f"draft {upload_id} did not settle: {draft}")


def test_from_upload_to_the_dashboard(services: Stack, owner: dict, pet: dict) -> None:
    today = date.today()
    given, expires = today - timedelta(days=300), today + timedelta(days=20)   # due within 30 days
    document = certificate_pdf("Ollie", "Rabies", given, expires)
    upload_id = upload(services, owner, pet["pet_id"], "ollie rabies.pdf", "application/pdf", document)

    draft = settled_draft(services, owner, pet["pet_id"], upload_id)
    assert draft["status"] == "ready", draft
    assert set(draft) == DRAFT_VIEW          # no S3 keys, content hash or LLM token counts
    [read] = draft["entries"]
    assert (read["vaccine"], read["status"]) == ("Rabies", "ready")
    assert (read["administered_on"], read["expires_on"]) == (given.isoformat(), expires.isoformat())
    thumbnail = requests.get(draft["thumbnail_url"], timeout=30)
    assert thumbnail.status_code == 200 and thumbnail.content[:3] == b"\xff\xd8\xff"

    approved = requests.post(f"{services.control_url}/pets/{pet['pet_id']}/records", headers=owner, timeout=30,
                             json={"upload_id": upload_id, "vaccine": read["vaccine"],
                                   "administered_on": read["administered_on"], "expires_on": read["expires_on"]})
    assert approved.status_code == 201, approved.text

    board = requests.get(f"{services.api_url}/households/{pet['household_id']}/dashboard", headers=owner,
                         timeout=30).json()
    [ollie] = board["pets"]
    assert (ollie["status"], ollie["drafts"]) == ("due", 0)
    assert [(r["vaccine"], r["status"]) for r in ollie["records"]] == [("Rabies", "due")]
    assert [a["vaccine"] for a in board["attention"]] == ["Rabies"]

    shown = requests.get(f"{services.api_url}/pets/{pet['pet_id']}/quick-show", headers=owner, timeout=30)
    assert shown.status_code == 200, shown.text
    assert requests.get(shown.json()["url"], timeout=30).content == document
    record = shown.json()["record"]
    assert (record["vaccine"], record["status"], record["has_document"]) == ("Rabies", "due", True)
    assert "document_key" not in record and "document_key" not in ollie["records"][0]
    link = requests.get(f"{services.api_url}/pets/{pet['pet_id']}/records/{record['id']}/document", headers=owner,
                        timeout=30)
    assert link.status_code == 200 and requests.get(link.json()["url"], timeout=30).content == document


def test_the_same_file_again_is_a_duplicate_before_any_extraction(services: Stack, owner: dict, pet: dict) -> None:
    document = certificate_pdf("Ollie", "DHPP", date(2026, 1, 5), date(2029, 1, 5))
    first = upload(services, owner, pet["pet_id"], "dhpp.pdf", "application/pdf", document)
    assert settled_draft(services, owner, pet["pet_id"], first)["status"] == "ready"

    again = upload(services, owner, pet["pet_id"], "dhpp-again.pdf", "application/pdf", document)
    duplicate = settled_draft(services, owner, pet["pet_id"], again)
    assert duplicate["status"] == "duplicate" and duplicate["fields"] is None and duplicate["entries"] == []
    assert duplicate["duplicate_of"]["id"] == first


def test_a_file_that_is_not_what_it_claims_is_refused_with_a_reason(services: Stack, owner: dict,
                                                                     pet: dict) -> None:
    upload_id = upload(services, owner, pet["pet_id"], "rabies.pdf", "application/pdf",
                       b"PK\x03\x04" + b"\x00" * 200)
    draft = settled_draft(services, owner, pet["pet_id"], upload_id)
    assert draft["status"] == "rejected" and "ZIP" in draft["reason"]
    refused = requests.post(f"{services.control_url}/pets/{pet['pet_id']}/records", headers=owner, timeout=30,
                            json={"upload_id": upload_id, "vaccine": "Rabies"})
    assert refused.status_code == 409 and "rejected" in refused.json()["message"]


def test_an_unaccepted_type_is_refused_before_any_upload(services: Stack, owner: dict, pet: dict) -> None:
    refused = requests.post(f"{services.api_url}/pets/{pet['pet_id']}/records/uploads", headers=owner, timeout=30,
                            json={"file_name": "notes.docx", "content_type": "application/msword"})
    assert refused.status_code == 400 and "PDF or a photo" in refused.json()["message"]


def test_quick_show_without_a_certificate_is_a_clear_404(services: Stack, owner: dict, pet: dict) -> None:
    other = requests.post(f"{services.control_url}/households/{pet['household_id']}/pets", headers=owner,
                          json={"name": "Mochi", "species": "cat"}, timeout=30).json()
    shown = requests.get(f"{services.api_url}/pets/{other['pet_id']}/quick-show", headers=owner, timeout=30)
    assert shown.status_code == 404 and "Mochi has no certificate on file" in shown.json()["message"]


@pytest.mark.parametrize(("path", "missing"), [
    ("/pets/not-a-pet/drafts", "no such pet"), ("/pets/{pet}%00/quick-show", "no such pet"),
    ("/pets/" + "9" * 1500 + "/drafts", "no such pet"), ("/pets/{pet}/records/x%01y/document", "no such record"),
    ("/households/%20/members", "no such household")])
def test_ids_that_cannot_name_anything_are_a_404_naming_what(services: Stack, owner: dict, pet: dict, path: str,
                                                             missing: str) -> None:
    answer = requests.get(services.api_url + path.format(pet=pet["pet_id"]), headers=owner, timeout=30)
    assert (answer.status_code, answer.json()) == (404, {"error": "NotFound", "message": missing})


def test_an_upload_request_with_control_characters_is_a_400_naming_the_field(services: Stack, owner: dict,
                                                                            pet: dict) -> None:
    refused = requests.post(f"{services.api_url}/pets/{pet['pet_id']}/records/uploads", headers=owner, timeout=30,
                            json={"file_name": "rabies\u0000.pdf", "content_type": "application/pdf"})
    assert refused.status_code == 400 and "file_name" in refused.json()["message"]
