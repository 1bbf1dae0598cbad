"""The first flow, a household to its dashboard, over HTTP through every boundary: control commits in PostgreSQL, the outbox
reaches DynamoDB (moto), the api answers the dashboard from DynamoDB alone."""
import uuid

import pytest
import requests

from devstack.stack import Stack
from tests.support.people import new_person

pytestmark = pytest.mark.slow


@pytest.fixture
def owner(services: Stack) -> dict[str, str]:
    return new_person(services, "owner").headers   # one each: the free plan gives a person one household


def create_household(stack: Stack, headers: dict[str, str], name: str = "The Parkers") -> str:
    answer = requests.post(f"{stack.control_url}/households", headers=headers,
                           json={"name": name, "time_zone": "Europe/London"}, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()["household_id"]


def test_household_and_pets_reach_the_dashboard(services: Stack, owner: dict[str, str]) -> None:
    household_id = create_household(services, owner)
    for name, species in (("Ollie", "dog"), ("Mochi", "cat")):
        answer = requests.post(f"{services.control_url}/households/{household_id}/pets", headers=owner,
                               json={"name": name, "species": species}, timeout=30)
        assert answer.status_code == 201, answer.text

    dashboard = requests.get(f"{services.api_url}/households/{household_id}/dashboard", headers=owner, timeout=30)

    assert dashboard.status_code == 200, dashboard.text
    body = dashboard.json()
    assert body["household"] == {"id": household_id, "name": "The Parkers", "time_zone": "Europe/London"}
    assert body["role"] == "owner"
    assert [(p["name"], p["species"]) for p in body["pets"]] == [("Mochi", "cat"), ("Ollie", "dog")]


def test_dashboard_never_touches_aurora(services: Stack, owner: dict[str, str], transactions) -> None:
    household_id = create_household(services, owner)
    before = transactions.read()
    for _ in range(100):
        assert requests.get(f"{services.api_url}/households/{household_id}/dashboard",
                            headers=owner, timeout=30).status_code == 200
    after_reads = transactions.read()
    create_household(services, new_person(services, "waker").headers, "Control wakes the database")  # it counts control's
    after_commit = transactions.read()

    assert after_reads - before == 0
    assert after_commit > after_reads


def test_health_routes_touch_no_database(services: Stack, transactions) -> None:
    before = transactions.read()
    for url in (services.api_url, services.control_url):
        answer = requests.get(f"{url}/health", timeout=10)
        assert answer.status_code == 200 and answer.json()["status"] == "ok"
    assert transactions.read() - before == 0


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"])
def test_missing_or_invalid_token_is_401(services: Stack, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for method, url in (("POST", f"{services.control_url}/households"),
                        ("GET", f"{services.api_url}/households/{uuid.uuid4()}/dashboard")):
        answer = requests.request(method, url, headers=headers, json={"name": "x"}, timeout=10)
        assert answer.status_code == 401, (url, answer.text)
        assert answer.json()["message"]


def test_unknown_or_foreign_household_is_404(services: Stack, owner: dict[str, str]) -> None:
    foreign = create_household(services, new_person(services, "neighbour").headers, "The Neighbours")
    for household_id in (str(uuid.uuid4()), foreign, "not-a-uuid"):
        read = requests.get(f"{services.api_url}/households/{household_id}/dashboard", headers=owner, timeout=10)
        write = requests.post(f"{services.control_url}/households/{household_id}/pets", headers=owner,
                              json={"name": "Rex", "species": "dog"}, timeout=10)
        assert (read.status_code, write.status_code) == (404, 404), (read.text, write.text)
        assert read.json() == write.json() == {"error": "NotFound", "message": "no such household"}


@pytest.mark.parametrize("payload", [b"{not json", b'{"name": ""}', b'{"species": "dog"}', b"[]"])
def test_malformed_body_is_400_and_writes_nothing(services: Stack, owner: dict[str, str], transactions,
                                                  payload: bytes) -> None:
    household_id = create_household(services, owner)
    before = transactions.read()
    answer = requests.post(f"{services.control_url}/households/{household_id}/pets",
                           headers=owner | {"Content-Type": "application/json"}, data=payload, timeout=10)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"]
    pets = requests.get(f"{services.api_url}/households/{household_id}/dashboard", headers=owner, timeout=10)
    assert pets.json()["pets"] == []
    assert transactions.read() - before == 0
