"""`make rebuild-projections` on a running stack: control's function rebuilds every projection
item from Aurora through the local Invoke API, and the dashboard the api answers afterwards is
byte for byte the one before — even when the table had drifted (a stale item added, a live one
lost), and with the work state workers keep there (a draft, a document count) left alone."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from devstack.rebuild_projections import rebuild
from devstack.stack import REGION, Stack, service_env
from pawport.keys import document_count_sk, draft_sk, household_key, pet_sk, record_sk
from pawport.store import Add, Delete, Item, Put, Store
from tests.support.people import create_household, new_person

pytestmark = pytest.mark.slow


def post(url: str, headers: dict, body: dict) -> dict:
    answer = requests.post(url, headers=headers, json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()


def dashboard(stack: Stack, headers: dict, household_id: str) -> bytes:
    answer = requests.get(f"{stack.api_url}/households/{household_id}/dashboard", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.content


def test_a_rebuild_leaves_the_dashboard_byte_identical(services: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = new_person(services, "rebuild")
    household_id = create_household(services, owner, "The Rebuilt")
    pets = [post(f"{services.control_url}/households/{household_id}/pets", owner.headers,
                 {"name": name, "species": "dog"})["pet_id"] for name in ("Ollie", "Rex")]
    records = [post(f"{services.control_url}/pets/{pets[0]}/records", owner.headers,
                    {"vaccine": vaccine, "administered_on": "2026-03-14", "expires_on": expires})
               for vaccine, expires in (("Rabies", "2029-03-14"), ("DHPP", "2027-01-01"))]
    edited = requests.patch(f"{services.control_url}/pets/{pets[0]}/records/{records[1]['id']}",
                            headers=owner.headers, json={"vaccine": "DHPP", "expires_on": "2028-01-01"}, timeout=30)
    assert edited.status_code == 200, edited.text
    env = service_env(services, "control")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):   # the test reaches the table as control does
        monkeypatch.setenv(name, env[name])
    table = Store(env["PAWPORT_TABLE_NAME"], REGION, services.moto_url, lambda: datetime.now(UTC))
    pk = household_key(household_id)
    upload = str(uuid.uuid4())   # what workers keep in the partition: a draft under review, a document count
    table.write(Put(Item(pk, draft_sk(upload), kind="draft", expires_at=datetime.now(UTC) + timedelta(days=14),
                         body={"upload_id": upload, "pet_id": pets[1], "status": "ready"})))
    table.write(Add(pk, document_count_sk(pets[1]), 2))
    before = dashboard(services, owner.headers, household_id)

    table.write(Delete(pk, pet_sk(pets[1])))                                  # a lost item
    table.write(Put(Item(pk, record_sk(str(uuid.uuid4())), kind="record", version=1,   # a stale one
                         body={"id": "gone", "pet_id": pets[0], "vaccine": "Ghost", "administered_on": None,
                               "expires_on": None, "clinic": None, "document_key": None})))
    assert dashboard(services, owner.headers, household_id) != before

    done = rebuild(services)

    assert done["households"] >= 1 and done["deleted"] >= 1
    assert dashboard(services, owner.headers, household_id) == before
    assert table.get(pk, draft_sk(upload)) is not None
    assert table.get(pk, document_count_sk(pets[1])).count == 2
