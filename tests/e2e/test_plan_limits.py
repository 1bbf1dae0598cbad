"""The free plan over HTTP, each refusal a 409 that says the limit in words: one household of
one's own (joining others by invitation is not limited), three pets per household, twenty
documents per pet. And `make user`, which makes the second person one joins with."""
import subprocess
import sys
import uuid

import boto3
import jwt
import pytest
import requests

from devstack import REPO
from devstack.stack import REGION, Stack
from pawport.contracts import DOCUMENTS_LIMIT, DOCUMENTS_PER_PET, OWNED_HOUSEHOLDS_LIMIT, PETS_LIMIT
from pawport.keys import document_count_sk, household_key
from tests.support.people import create_household, invite, join, mailed_code, new_person

pytestmark = pytest.mark.slow


def test_a_person_owns_one_household_and_joins_others(services: Stack) -> None:
    founder, neighbour = new_person(services, "founder"), new_person(services, "neighbour")
    mine = create_household(services, founder, "Mine")
    second = requests.post(f"{services.control_url}/households", headers=founder.headers, timeout=30,
                           json={"name": "A second one", "time_zone": "Europe/London"})
    assert (second.status_code, second.json()) == (409, {"error": "Conflict", "message": OWNED_HOUSEHOLDS_LIMIT})
    assert "one household of your own" in second.json()["message"]

    theirs = create_household(services, neighbour, "Theirs")
    join(services, neighbour, theirs, founder, "owner")   # joining is not limited, even as an owner
    households = requests.get(f"{services.api_url}/me/households", headers=founder.headers, timeout=30).json()
    assert sorted(h["household_id"] for h in households["households"]) == sorted([mine, theirs])


def test_a_household_holds_three_pets(services: Stack) -> None:
    owner = new_person(services, "three-pets")
    household_id = create_household(services, owner, "Three Pets")
    url = f"{services.control_url}/households/{household_id}/pets"
    for name in ("Ollie", "Mochi", "Bean"):
        assert requests.post(url, headers=owner.headers, json={"name": name, "species": "dog"},
                             timeout=30).status_code == 201
    fourth = requests.post(url, headers=owner.headers, json={"name": "Rex", "species": "dog"}, timeout=30)
    assert (fourth.status_code, fourth.json()) == (409, {"error": "Conflict", "message": PETS_LIMIT})
    assert "three pets per household" in PETS_LIMIT


def test_a_pet_holds_twenty_documents(services: Stack) -> None:
    owner = new_person(services, "twenty-documents")
    household_id = create_household(services, owner, "Many Documents")
    pet_id = requests.post(f"{services.control_url}/households/{household_id}/pets", headers=owner.headers,
                           json={"name": "Ollie", "species": "dog"}, timeout=30).json()["pet_id"]
    # the live counter as workers leave it after twenty arrivals (the pipeline's own tests count them)
    boto3.client("dynamodb", endpoint_url=services.moto_url, region_name=REGION, aws_access_key_id="testing",
                 aws_secret_access_key="testing").update_item(
        TableName=services.resources.tables["main"],
        Key={"pk": {"S": household_key(household_id)}, "sk": {"S": document_count_sk(pet_id)}},
        UpdateExpression="SET #c = :n, kind = :k, version = :v",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":n": {"N": str(DOCUMENTS_PER_PET)}, ":k": {"S": "counter"}, ":v": {"N": "0"}})
    refused = requests.post(f"{services.api_url}/pets/{pet_id}/records/uploads", headers=owner.headers, timeout=30,
                            json={"file_name": "one-more.pdf", "content_type": "application/pdf"})
    assert (refused.status_code, refused.json()) == (409, {"error": "Conflict", "message": DOCUMENTS_LIMIT})
    assert "twenty documents per pet" in DOCUMENTS_LIMIT


def test_make_user_makes_a_confirmed_user_who_can_join_a_household(services: Stack) -> None:
    owner = new_person(services, "inviting")
    household_id = create_household(services, owner, "Make User")
    email = f"made-{uuid.uuid4().hex[:8]}@example.com"

    made = subprocess.run([sys.executable, "-m", "devstack.user", email, "--state-dir", str(services.state_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)

    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["email"], str(claims["email_verified"]).lower()) == (email, "true")
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{services.api_url}/me/households", headers=headers, timeout=30).json() == {"households": []}
    invite(services, owner, household_id, email, "editor")
    joined = requests.post(f"{services.control_url}/invitations/accept", headers=headers, timeout=30,
                           json={"token": mailed_code(services, email)})
    assert joined.status_code == 200 and joined.json()["role"] == "editor", joined.text
    again = subprocess.run([sys.executable, "-m", "devstack.user", email, "--state-dir", str(services.state_dir)],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and jwt.decode(again.stdout.strip(), options={"verify_signature": False})[
        "sub"] == claims["sub"]   # the same user, signed in again
