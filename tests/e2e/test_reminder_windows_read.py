"""A member reads their own reminder windows through api (DynamoDB only): the default until they
choose, then their choice, and never another member's. Other households' callers are the IDOR
matrix's (tests/e2e/test_idor_matrix.py reads this route from api's route table)."""
import pytest
import requests

from devstack.stack import Stack
from tests.support.people import Person, create_household, join, new_person

pytestmark = pytest.mark.slow


def read(services: Stack, household_id: str, person: Person) -> dict:
    answer = requests.get(f"{services.api_url}/households/{household_id}/reminders", headers=person.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_member_reads_their_own_windows(services: Stack) -> None:
    owner, viewer = new_person(services, "read-windows-owner"), new_person(services, "read-windows-viewer")
    household_id = create_household(services, owner, "The Window Readers")
    join(services, owner, household_id, viewer, "viewer")
    assert read(services, household_id, viewer) == {"household_id": household_id, "user_id": viewer.user_id,
                                                    "windows": [30, 0], "chosen": False}

    chosen = requests.put(f"{services.control_url}/households/{household_id}/reminders", headers=viewer.headers,
                          json={"windows": [0, 7, 30]}, timeout=30)
    assert chosen.status_code == 200, chosen.text
    assert read(services, household_id, viewer)["windows"] == [30, 7, 0]
    assert read(services, household_id, owner) == {"household_id": household_id, "user_id": owner.user_id,
                                                   "windows": [30, 0], "chosen": False}
    requests.put(f"{services.control_url}/households/{household_id}/reminders", headers=viewer.headers,
                 json={"windows": []}, timeout=30).raise_for_status()
    assert read(services, household_id, viewer) == {"household_id": household_id, "user_id": viewer.user_id,
                                                    "windows": [], "chosen": True}
