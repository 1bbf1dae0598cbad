"""Every 4xx of api and control in one shape, `{"error", "message"}`, said in words: Chalice's own
405 (a method the path does not take) and 415 (a body that is not JSON) too; unknown fields and
names of only spaces refused with the field named; a household without a time zone refused.
What no app code can reshape (a path no route has, answered by the gateway) is in docs/records.md."""
import pytest
import requests

from devstack.stack import Stack
from tests.support.people import Person, create_household, new_person

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def person(services: Stack) -> Person:
    return new_person(services, "shapes")


@pytest.fixture(scope="module")
def household_id(services: Stack, person: Person) -> str:
    return create_household(services, person, "The Shapes")


def assert_shape(answer: requests.Response, status: int, error: str, *words: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "message"} and body["error"] == error, body
    for word in words:
        assert word in body["message"], body


@pytest.mark.parametrize("service, method, path", [
    ("control", "GET", "/households"),            # the path takes POST only
    ("control", "PUT", "/households/{household}/pets"),
    ("api", "DELETE", "/me/households"),
    ("api", "PUT", "/pets/{household}/quick-show"),
])
def test_a_method_the_path_does_not_take_is_a_405_in_the_one_shape(services: Stack, person: Person,
                                                                     household_id: str, service: str, method: str,
                                                                     path: str) -> None:
    url = {"api": services.api_url, "control": services.control_url}[service] + path.format(household=household_id)
    answer = requests.request(method, url, headers=person.headers, timeout=30)
    assert_shape(answer, 405, "MethodNotAllowedError", f"{method} is not a method this path takes")


@pytest.mark.parametrize("service, path", [("control", "/households"), ("api", "/pets/{pet}/records/uploads")])
def test_a_body_that_is_not_json_is_a_415_in_the_one_shape(services: Stack, person: Person, household_id: str,
                                                           service: str, path: str) -> None:
    pet = requests.post(f"{services.control_url}/households/{household_id}/pets", headers=person.headers, timeout=30,
                        json={"name": "Shape", "species": "dog"}).json() if "{pet}" in path else {}
    url = {"api": services.api_url, "control": services.control_url}[service] + path.format(pet=pet.get("pet_id"))
    answer = requests.post(url, headers=person.headers | {"Content-Type": "text/plain"}, data="name=x", timeout=30)
    assert_shape(answer, 415, "UnsupportedMediaType", "Content-Type: application/json")


def test_refusals_name_the_field_in_words(services: Stack, person: Person, household_id: str) -> None:
    pets = f"{services.control_url}/households/{household_id}/pets"
    cases = [
        (pets, {"name": "   ", "species": "dog"}, "name: must not be blank"),
        (pets, {"name": "Rex", "species": "dog", "colour": "brown"}, "colour: is not a field this request takes"),
        (pets, {"name": "Rex", "species": "dragon"}, "species: "),
        (f"{services.control_url}/households/{household_id}/invitations", {"email": "nobody", "role": "viewer"},
         "email: must be an email address"),
        (f"{services.control_url}/households", {"name": "No Zone"}, "time_zone: is required"),
    ]
    for url, sent, says in cases:
        answer = requests.post(url, headers=person.headers, json=sent, timeout=30)
        assert_shape(answer, 400, "BadInput", says)
        assert "pattern" not in answer.json()["message"]


def test_api_refuses_an_unknown_field_by_name(services: Stack, person: Person, household_id: str) -> None:
    pet = requests.post(f"{services.control_url}/households/{household_id}/pets", headers=person.headers, timeout=30,
                        json={"name": "Fields", "species": "cat"}).json()
    answer = requests.post(f"{services.api_url}/pets/{pet['pet_id']}/records/uploads", headers=person.headers,
                           timeout=30, json={"file_name": "a.pdf", "content_type": "application/pdf", "size": 3})
    assert_shape(answer, 400, "BadInput", "size: is not a field this request takes")


def test_signed_out_and_not_found_keep_the_shape(services: Stack) -> None:
    assert_shape(requests.get(f"{services.api_url}/me/households", timeout=30), 401, "Unauthenticated")
    assert_shape(requests.delete(f"{services.control_url}/pets/not-a-pet", timeout=30), 401, "Unauthenticated")
