"""Real certificates over HTTP, through the event runners, egress and the local reader: a booster
visit printing three vaccines becomes three entries of one draft (PDF and photo), approved all at
once in one Aurora session; an iPhone's HEIC photo is read; the checks before approval flag another
pet's certificate and a rescan of one on file; a draft dismissed frees its place under the cap."""
from datetime import datetime

import boto3
import psycopg
import pytest
import requests

from devstack.stack import DB_NAME, REGION, Stack, aws_env
from pawport.keys import document_count_sk, household_key
from tests.e2e.test_certificates import settled_draft, upload
from tests.support import certificates
from tests.support.people import new_person

pytestmark = pytest.mark.slow
GIVEN = "14/03/2026"
BOOSTER = [("DHPP", "2029-03-13"), ("Leptospirosis", "2027-03-13"), ("Rabies", "2029-03-13")]


def booster(pet: str = "Biscuit") -> tuple[list[str], list[str], list[list[str]]]:
    """Elm Street's certificate of a booster visit: the pet, then one row per vaccine."""
    lines = ["Elm Street Veterinary Clinic", "Certificate of Vaccination", f"Pet name: {pet}", "Species: Dog"]
    header = ["Vaccine", "Date given", "Expires", "Batch"]
    rows = [[vaccine, GIVEN, datetime.fromisoformat(expires).strftime("%d/%m/%Y"), f"B{n}7731"]
            for n, (vaccine, expires) in enumerate(BOOSTER, start=1)]
    return lines, header, rows


def one_vaccine(pet: str = "Biscuit") -> list[str]:
    return ["Elm Street Veterinary Clinic", "Certificate of Vaccination", f"Pet name: {pet}", "Vaccine: Rabies",
            "Date administered: 14 March 2026", "Expires: 13 March 2029"]


@pytest.fixture
def home(services: Stack) -> dict:
    """A household of its own (the free plan: one a person) with Biscuit in it."""
    owner = new_person(services, "boosters").headers
    household = requests.post(f"{services.control_url}/households", headers=owner, timeout=30,
                              json={"name": "The Boosters", "time_zone": "Europe/London"}).json()
    pet = requests.post(f"{services.control_url}/households/{household['household_id']}/pets", headers=owner,
                        json={"name": "Biscuit", "species": "dog"}, timeout=30).json()
    return {"owner": owner, "pet_id": pet["pet_id"], "household_id": household["household_id"]}


def read(services: Stack, home: dict, name: str, content_type: str, data: bytes) -> dict:
    return settled_draft(services, home["owner"], home["pet_id"],
                         upload(services, home["owner"], home["pet_id"], name, content_type, data))


def entries(draft: dict) -> list[tuple[str, str, str]]:
    return [(e["vaccine"], e["administered_on"], e["expires_on"]) for e in draft["entries"]]


def approve_all(services: Stack, home: dict, upload_id: str) -> requests.Response:
    return requests.post(f"{services.control_url}/pets/{home['pet_id']}/drafts/{upload_id}/approve",
                         headers=home["owner"], json={}, timeout=30)


def approvals_woken(services: Stack, household_id: str) -> list[str]:
    """The wake ledger's sessions of approvals in the household."""
    url = f"postgresql://postgres@127.0.0.1:{services.ports.postgres}/{DB_NAME}"
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT action FROM wake WHERE household_id = %s AND action LIKE 'approve_%%' "
                                  "ORDER BY id", (household_id,))
        return [action for (action,) in rows]


def test_a_three_vaccine_pdf_is_three_entries_and_approving_all_wakes_aurora_once(services: Stack, home: dict) -> None:
    draft = read(services, home, "booster.pdf", "application/pdf", certificates.certificate_table_pdf(*booster()))
    assert draft["status"] == "ready", draft
    assert entries(draft) == [(vaccine, "2026-03-14", expires) for vaccine, expires in BOOSTER]
    assert [(e["entry_id"], e["status"], e["flags"]) for e in draft["entries"]] == [
        ("1", "ready", []), ("2", "ready", []), ("3", "ready", [])]
    assert draft["fields"]["pet_name"] == "Biscuit" and draft["flags"] == []

    approved = approve_all(services, home, draft["upload_id"])
    assert approved.status_code == 201, approved.text
    assert [r["vaccine"] for r in approved.json()["records"]] == [vaccine for vaccine, _ in BOOSTER]
    assert approvals_woken(services, home["household_id"]) == ["approve_draft", "approve_draft:relay"]

    board = requests.get(f"{services.api_url}/households/{home['household_id']}/dashboard", headers=home["owner"],
                         timeout=30).json()
    [biscuit] = board["pets"]
    assert sorted(r["vaccine"] for r in biscuit["records"]) == ["DHPP", "Leptospirosis", "Rabies"]
    assert biscuit["drafts"] == 0 and all(r["has_document"] for r in biscuit["records"])


def test_a_three_vaccine_photo_is_three_entries_with_the_right_labels_and_dates(services: Stack, home: dict) -> None:
    draft = read(services, home, "booster.jpg", "image/jpeg", certificates.certificate_table_photo(*booster()))
    assert entries(draft) == [(vaccine, "2026-03-14", expires) for vaccine, expires in BOOSTER], draft


def test_one_entry_is_discarded_and_the_rest_approved(services: Stack, home: dict) -> None:
    draft = read(services, home, "booster.pdf", "application/pdf", certificates.certificate_table_pdf(*booster()))
    discarded = requests.post(f"{services.api_url}/pets/{home['pet_id']}/drafts/{draft['upload_id']}/discard",
                              headers=home["owner"], json={"entries": ["2"]}, timeout=30)
    assert discarded.status_code == 200, discarded.text
    assert discarded.json() == {"upload_id": draft["upload_id"], "discarded": ["2"], "dismissed": False}
    approved = approve_all(services, home, draft["upload_id"])
    assert [r["vaccine"] for r in approved.json()["records"]] == ["DHPP", "Rabies"]


def test_a_heic_photo_is_read_and_previewed(services: Stack, home: dict) -> None:
    heic = certificates.as_heic(certificates.certificate_photo(*one_vaccine()))
    draft = read(services, home, "IMG_0042.HEIC", "image/heic", heic)
    assert entries(draft) == [("Rabies", "2026-03-14", "2029-03-13")], draft
    thumbnail = requests.get(draft["thumbnail_url"], timeout=30)
    assert thumbnail.status_code == 200 and thumbnail.content[:3] == b"\xff\xd8\xff"


def test_a_certificate_for_another_pet_is_flagged_with_the_name_found(services: Stack, home: dict) -> None:
    pdf = certificates.certificate_pdf(*one_vaccine("Ollie"))
    draft = read(services, home, "ollie.pdf", "application/pdf", pdf)
    assert draft["status"] == "needs-review" and draft["flags"] == ["the certificate names Ollie, not Biscuit"]
    assert [e["status"] for e in draft["entries"]] == ["needs-review"]


def test_a_rescanned_certificate_on_file_is_a_probable_duplicate(services: Stack, home: dict) -> None:
    original = read(services, home, "rabies.pdf", "application/pdf", certificates.certificate_pdf(*one_vaccine()))
    assert approve_all(services, home, original["upload_id"]).status_code == 201

    rescan = read(services, home, "rabies-scan.jpg", "image/jpeg", certificates.certificate_photo(*one_vaccine()))
    assert rescan["status"] not in ("duplicate", "ready")   # other bytes: not the byte-identical check
    [entry] = rescan["entries"]
    assert entry["status"] == "needs-review"
    assert "probably a duplicate: a Rabies record given on 2026-03-14 is already on file" in entry["flags"]


def test_a_dismissed_draft_goes_with_its_files_and_frees_its_place(services: Stack, home: dict,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in aws_env(services).items():
        monkeypatch.setenv(name, value)   # the test reads the table and the bucket as the services do
    draft = read(services, home, "unwanted.pdf", "application/pdf", certificates.certificate_pdf(*one_vaccine()))
    assert documents_counted(services, home) == 1

    stranger = requests.delete(f"{services.api_url}/pets/{home['pet_id']}/drafts/{draft['upload_id']}",
                               headers=new_person(services, "stranger").headers, timeout=30)
    assert stranger.status_code == 404 and documents_counted(services, home) == 1
    dismissed = requests.delete(f"{services.api_url}/pets/{home['pet_id']}/drafts/{draft['upload_id']}",
                                headers=home["owner"], timeout=30)
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json() == {"upload_id": draft["upload_id"], "dismissed": True, "file_removed": True}

    assert documents_counted(services, home) == 0
    listed = requests.get(f"{services.api_url}/pets/{home['pet_id']}/drafts", headers=home["owner"], timeout=30)
    assert listed.json()["drafts"] == []
    bucket = services.resources.buckets["uploads"]
    stored = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=bucket, Prefix="uploads/"
                                                                    f"{home['household_id']}/").get("Contents", [])
    assert stored == [] and requests.get(draft["thumbnail_url"], timeout=30).status_code == 404
    again = requests.delete(f"{services.api_url}/pets/{home['pet_id']}/drafts/{draft['upload_id']}",
                            headers=home["owner"], timeout=30)
    assert (again.status_code, again.json()["message"]) == (404, "no such draft")


def documents_counted(services: Stack, home: dict) -> int:
    """The pet's live document counter, the one the api checks before it signs an upload."""
    table = boto3.client("dynamodb", region_name=REGION)
    item = table.get_item(TableName=services.resources.tables["main"], Key={
        "pk": {"S": household_key(home["household_id"])}, "sk": {"S": document_count_sk(home["pet_id"])}})
    return int(item.get("Item", {}).get("count", {}).get("N", 0))
