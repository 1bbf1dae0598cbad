"""The hot path: DynamoDB round trips per dashboard and quick show, and PostgreSQL transactions
while they run (the goal is 0: reads never wake Aurora).

control runs as its own process (`chalice local`), as in AWS; the api is loaded in this process
through Chalice's test client so botocore's call events can be counted, against the same moto."""
import importlib.util
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from chalice.test import Client

from devstack import REPO, identity
from devstack.measure import AwsCalls, TransactionCounter
from devstack.stack import DB_NAME, Stack, service_env
from pawport.keys import PET_SK, draft_sk, household_key, pet_key
from pawport.store import Item, Put, Store

READS = 100


def measure(stack: Stack) -> dict[str, Any]:
    token = _user_token(stack)
    api = _load_api(stack)
    pet_id = _household_with_certificate(stack, token, api.store)
    calls = AwsCalls(api.store.client, api.storage._s3)   # the api's own clients: what it sends is counted
    headers = {"Authorization": f"Bearer {token}"}
    household_id = api.store.get(pet_key(pet_id), PET_SK).body["household_id"]
    counter = TransactionCounter(stack.database_admin_url, DB_NAME)
    with Client(api.app) as client:
        dashboard = f"/households/{household_id}/dashboard"
        per_dashboard = _calls_for(calls, lambda: client.http.get(dashboard, headers=headers))
        per_quick_show = _calls_for(calls, lambda: client.http.get(f"/pets/{pet_id}/quick-show", headers=headers))
        before = counter.read()
        timings = [_timed(lambda: client.http.get(dashboard, headers=headers)) for _ in range(READS)]
        for _ in range(READS):
            assert client.http.get(f"/pets/{pet_id}/quick-show", headers=headers).status_code == 200
        transactions = counter.read() - before
    return {
        "dynamodb_round_trips_per_dashboard": per_dashboard,
        "dynamodb_round_trips_per_quick_show": per_quick_show,
        "postgres_transactions_during_100_dashboards_and_100_quick_shows": transactions,
        "dashboard_in_process_ms_p50": round(statistics.median(timings), 2),
    }


def _calls_for(calls: AwsCalls, request) -> int:
    calls.calls.clear()
    assert request().status_code == 200
    return calls.total("dynamodb")


def _timed(request) -> float:
    started = time.perf_counter()
    assert request().status_code == 200
    return (time.perf_counter() - started) * 1000


def _user_token(stack: Stack) -> str:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    identity.create_user(stack, email, "Bench-password-1")
    return identity.sign_in(stack, email, "Bench-password-1")["IdToken"]


def _household_with_certificate(stack: Stack, token: str, store: Store) -> str:
    """A household, a pet and an approved rabies record with its certificate, through control."""
    control, headers = stack.control_url, {"Authorization": f"Bearer {token}"}
    household = requests.post(f"{control}/households", json={"name": "Bench", "time_zone": "UTC"}, headers=headers,
                              timeout=30).json()
    pet = requests.post(f"{control}/households/{household['household_id']}/pets", headers=headers, timeout=30,
                        json={"name": "Ollie", "species": "dog"}).json()
    upload_id = _ready_draft(store, household["household_id"], pet["pet_id"])
    requests.post(f"{control}/pets/{pet['pet_id']}/records", headers=headers, timeout=30, json={
        "vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2029-03-14",
        "upload_id": upload_id}).raise_for_status()
    return pet["pet_id"]


def _ready_draft(store: Store, household_id: str, pet_id: str) -> str:
    """A draft in the state workers leave it after extraction (the upload path is not measured here)."""
    upload_id = str(uuid.uuid4())
    store.write(Put(Item(household_key(household_id), draft_sk(upload_id), kind="draft",
                         expires_at=datetime.now(UTC) + timedelta(days=14),
                         body={"upload_id": upload_id, "pet_id": pet_id, "status": "ready", "reason": None,
                               "file_name": "rabies.pdf",
                               "document_key": f"uploads/{household_id}/{pet_id}/{upload_id}/rabies.pdf",
                               "content_hash": uuid.uuid4().hex * 2})))
    return upload_id


def _load_api(stack: Stack):
    os.environ.update(service_env(stack, "api"))
    sys.path.insert(0, str(REPO / "services" / "api"))
    spec = importlib.util.spec_from_file_location("api_app", REPO / "services" / "api" / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
