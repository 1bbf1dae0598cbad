"""Households as tenants over HTTP: a new user signs up, confirms, signs in and refreshes through
the web app's Cognito calls, and joins by the code workers mailed; role changes and removals are
in force on the very next read; members' reads never open a PostgreSQL transaction."""
import pytest
import requests

from devstack import identity
from devstack.stack import Stack
from tests.support.people import PASSWORD, Person, accept, create_household, invite, join, mailed_code, new_person, sent_mail

pytestmark = pytest.mark.slow


@pytest.fixture
def owner(services: Stack) -> Person:
    return new_person(services, "tenant-owner")   # one each: the free plan gives a person one household


def get(stack: Stack, person: Person, path: str) -> requests.Response:
    return requests.get(f"{stack.api_url}{path}", headers=person.headers, timeout=30)


def test_sign_up_confirm_sign_in_refresh_then_join_by_the_mailed_code(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Sign-ups")
    cognito, email = identity.pool_client(services), owner.email.replace("tenant-owner", "newcomer")
    user_id = cognito.sign_up(email, PASSWORD)
    cognito.confirm(email, "123456")
    unverified = Person(email, user_id, cognito.sign_in(email, PASSWORD))
    invite(services, owner, household_id, email, "editor")
    code = mailed_code(services, email)

    refused = accept(services, unverified, code)       # moto leaves the address unverified on confirm
    assert refused.status_code == 403 and "verified" in refused.json()["message"]

    identity.verify_email(services, email)              # what Cognito's confirmation does in AWS
    tokens = cognito.sign_in(email, PASSWORD)
    refreshed = cognito.refresh(tokens["RefreshToken"])
    newcomer = Person(email, user_id, refreshed)
    assert get(services, newcomer, "/me/households").json() == {"households": []}
    assert accept(services, newcomer, code).status_code == 200

    assert get(services, newcomer, "/me/households").json() == {"households": [
        {"household_id": household_id, "name": "The Sign-ups", "role": "editor"}]}
    assert get(services, newcomer, f"/households/{household_id}/dashboard").json()["role"] == "editor"
    assert len(sent_mail(services, email)) == 1
    assert accept(services, newcomer, code).status_code == 409      # a code works once


def test_demotion_and_removal_hold_from_the_next_read(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Window")
    pet = requests.post(f"{services.control_url}/households/{household_id}/pets", headers=owner.headers,
                        json={"name": "Ollie", "species": "dog"}, timeout=30).json()["pet_id"]
    member = new_person(services, "member")
    join(services, owner, household_id, member, "editor")
    upload = {"file_name": "rabies.pdf", "content_type": "application/pdf"}
    member_url = f"{services.control_url}/households/{household_id}/members/{member.user_id}"

    assert requests.post(f"{services.api_url}/pets/{pet}/records/uploads", headers=member.headers, json=upload,
                         timeout=30).status_code == 201
    assert requests.put(member_url, headers=owner.headers, json={"role": "viewer"}, timeout=30).status_code == 200
    # the control call has returned: the very next request sees the viewer
    assert requests.post(f"{services.api_url}/pets/{pet}/records/uploads", headers=member.headers, json=upload,
                         timeout=30).status_code == 403
    assert get(services, member, f"/households/{household_id}/dashboard").json()["role"] == "viewer"

    assert requests.delete(member_url, headers=owner.headers, timeout=30).status_code == 200
    for path in (f"/households/{household_id}/dashboard", f"/households/{household_id}/members", f"/pets/{pet}/drafts"):
        assert get(services, member, path).status_code == 404, path
    assert get(services, member, "/me/households").json() == {"households": []}
    assert requests.post(f"{services.control_url}/households/{household_id}/pets", headers=member.headers,
                         json={"name": "Rex", "species": "dog"}, timeout=30).status_code == 404


def test_reads_by_members_open_no_database_transaction(services: Stack, owner: Person, transactions) -> None:
    household_id = create_household(services, owner, "The Readers")
    pet = requests.post(f"{services.control_url}/households/{household_id}/pets", headers=owner.headers,
                        json={"name": "Mochi", "species": "cat"}, timeout=30).json()["pet_id"]
    readers = [owner] + [new_person(services, role) for role in ("editor", "viewer")]
    for reader, role in zip(readers[1:], ("editor", "viewer"), strict=True):
        join(services, owner, household_id, reader, role)
    paths = [f"/households/{household_id}/dashboard", f"/households/{household_id}/members", "/me/households",
             f"/pets/{pet}/drafts"]

    before = transactions.read()
    answers = [get(services, readers[i % 3], paths[i % 4]).status_code for i in range(100)]
    assert transactions.read() - before == 0
    assert answers == [200] * 100
