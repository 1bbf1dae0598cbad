"""Presigned URLs over HTTP: api signs only its caller's household's files, whatever the projection
says, and a viewing link lasts five minutes (by its signature: S3 refuses it after X-Amz-Expires)."""
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from devstack.stack import REGION, Stack
from pawport.keys import household_key, record_sk
from pawport.store import Item, Put, Store
from tests.support.certificates import certificate_pdf
from tests.support.people import Person, create_household, new_person

pytestmark = pytest.mark.slow


def add_pet(stack: Stack, owner: Person, household_id: str) -> str:
    return requests.post(f"{stack.control_url}/households/{household_id}/pets", headers=owner.headers, timeout=30,
                         json={"name": "Ollie", "species": "dog"}).json()["pet_id"]


def planted_record(stack: Stack, household_id: str, pet_id: str, document_key: str) -> str:
    """A record item written straight into the household's projection, as a bug or an attacker with
    write access to the table could: api's answer may not depend on the item being honest."""
    record_id = str(uuid.uuid4())
    store = Store(stack.resources.tables["main"], REGION, stack.moto_url, clock=lambda: datetime.now(UTC))
    store.write(Put(Item(household_key(household_id), record_sk(record_id), "record", 1, {
        "id": record_id, "pet_id": pet_id, "vaccine": "Rabies", "administered_on": "2026-01-05",
        "expires_on": "2029-01-05", "clinic": None, "document_key": document_key})))
    return record_id


def test_a_url_for_another_households_file_is_refused_and_ours_lasts_five_minutes(
        services: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):   # moto's: this test writes as a tamperer would
        monkeypatch.setenv(name, "testing")
    ours, theirs = new_person(services, "signer"), new_person(services, "neighbour")
    our_household, their_household = (create_household(services, ours, "The Signers"),
                                      create_household(services, theirs, "The Neighbours"))
    our_pet, their_pet = add_pet(services, ours, our_household), add_pet(services, theirs, their_household)
    their_key = f"uploads/{their_household}/{their_pet}/{uuid.uuid4()}/secret.pdf"
    our_key = f"uploads/{our_household}/{our_pet}/{uuid.uuid4()}/rabies.pdf"
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=services.moto_url)
    ours_pdf = certificate_pdf("Rabies vaccine given 2026-01-05, valid until 2029-01-05")   # workers accept it
    for key, data in ((their_key, certificate_pdf("Their rabies certificate")), (our_key, ours_pdf)):
        s3.put_object(Bucket=services.resources.buckets["uploads"], Key=key, Body=data)

    forged = planted_record(services, our_household, our_pet, their_key)
    for path in (f"/pets/{our_pet}/records/{forged}/document", f"/pets/{our_pet}/quick-show"):
        refused = requests.get(f"{services.api_url}{path}", headers=ours.headers, timeout=30)
        assert (refused.status_code, refused.json()) == (403, {
            "error": "Forbidden", "message": "this file is not one of your household's documents"}), path

    honest = planted_record(services, our_household, our_pet, our_key)
    link = requests.get(f"{services.api_url}/pets/{our_pet}/records/{honest}/document", headers=ours.headers,
                        timeout=30)
    assert link.status_code == 200 and link.json()["expires_in"] == 300
    signed = parse_qs(urlsplit(link.json()["url"]).query)
    signed_at = datetime.strptime(signed["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert signed["X-Amz-Expires"] == ["300"] and abs(datetime.now(UTC) - signed_at) < timedelta(minutes=1)
    fetched = requests.get(link.json()["url"], timeout=30)
    assert fetched.content == ours_pdf, fetched.text
