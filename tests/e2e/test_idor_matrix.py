"""The IDOR matrix. Two households, an owner, an editor and a viewer in each, and a signed-out
caller; every route of api and control, read from the apps' own route tables (so a new route
cannot skip it), called with ids taken from the other household — all of them, and for routes
that take several, each one alone beside the caller's own. Nothing of the other household may
appear in any answer, and each denial is the designed one: 401 signed out; 404 for another
household's ids, byte for byte the answer for ids that exist nowhere; 403 where the caller's own
role in its own household forbids the action; 403 for an invitation addressed to someone else."""
import itertools
import json
import re
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import requests

from devstack import REPO
from devstack.stack import Stack, service_env
from tests.support.people import Person, create_household, invite, join, mailed_code, new_person

pytestmark = pytest.mark.slow
ROLES = ("owner", "editor", "viewer")
ALL, EDITORS, OWNERS = set(ROLES), {"owner", "editor"}, {"owner"}
# A passport's certificate link is for anyone holding its token (tests/e2e/test_passport.py).
# A reminder mail's unsubscribe page is for anyone holding its signed link (tests/e2e/test_reminder_settings.py).
PUBLIC = {("GET", "/health"), ("GET", "/passports/{token}/records/{record_id}/certificate"),
          ("GET", "/reminders/unsubscribe"), ("POST", "/reminders/unsubscribe")}

# Who may call each route in their own household. A route missing here fails the coverage test.
ALLOWED = {
    ("api", "GET", "/households/{household_id}/dashboard"): ALL,
    ("api", "GET", "/households/{household_id}/members"): ALL,
    ("api", "GET", "/me/households"): ALL,
    ("api", "POST", "/pets/{pet_id}/records/uploads"): EDITORS,
    ("api", "POST", "/pets/{pet_id}/photo/uploads"): EDITORS,
    ("api", "GET", "/pets/{pet_id}/drafts"): ALL,
    ("api", "DELETE", "/pets/{pet_id}/drafts/{upload_id}"): EDITORS,
    ("api", "POST", "/pets/{pet_id}/drafts/{upload_id}/discard"): EDITORS,
    ("api", "GET", "/pets/{pet_id}/quick-show"): ALL,
    ("api", "GET", "/pets/{pet_id}/records/{record_id}/document"): ALL,
    ("control", "POST", "/households"): ALL,
    ("control", "PATCH", "/households/{household_id}"): OWNERS,
    ("control", "POST", "/households/{household_id}/pets"): EDITORS,
    ("control", "PATCH", "/pets/{pet_id}"): EDITORS,
    ("control", "DELETE", "/pets/{pet_id}"): EDITORS,
    ("control", "POST", "/pets/{pet_id}/records"): EDITORS,
    ("control", "POST", "/pets/{pet_id}/drafts/{upload_id}/approve"): EDITORS,
    ("control", "PUT", "/pets/{pet_id}/records/{record_id}"): EDITORS,
    ("control", "PATCH", "/pets/{pet_id}/records/{record_id}"): EDITORS,
    ("control", "DELETE", "/pets/{pet_id}/records/{record_id}"): EDITORS,
    ("control", "GET", "/pets/{pet_id}/records/{record_id}/history"): OWNERS,
    ("control", "POST", "/households/{household_id}/invitations"): OWNERS,
    ("control", "POST", "/invitations/accept"): ALL,
    ("control", "PUT", "/households/{household_id}/members/{user_id}"): OWNERS,
    ("control", "DELETE", "/households/{household_id}/members/{user_id}"): OWNERS,
    ("control", "POST", "/households/{household_id}/leave"): ALL,
    ("control", "GET", "/households/{household_id}/audit"): OWNERS,
    ("control", "POST", "/households/{household_id}/asks"): EDITORS,
    ("control", "PUT", "/households/{household_id}/llm-budget"): OWNERS,
    ("control", "PUT", "/households/{household_id}/reminders"): ALL,
    ("control", "PUT", "/households/{household_id}/time-zone"): OWNERS,
    ("api", "GET", "/asks/{request_id}"): ALL,
    ("api", "GET", "/households/{household_id}/llm-budget"): OWNERS,
    ("api", "GET", "/households/{household_id}/reminders"): ALL,
    ("api", "GET", "/households/{household_id}/passports"): EDITORS,
    ("control", "POST", "/households/{household_id}/passports"): EDITORS,
    ("control", "POST", "/households/{household_id}/passports/{passport_id}/revoke"): EDITORS,
    ("control", "POST", "/warmup"): ALL,
}
# Valid bodies (None: the route reads none), so that what answers is the authorization and not
# validation; ids in a body are taken from the other household like ids in the path.
BODIES = {
    ("POST", "/pets/{pet_id}/records/uploads"): lambda ids: {"file_name": "a.pdf", "content_type": "application/pdf"},
    ("POST", "/pets/{pet_id}/photo/uploads"): lambda ids: {"content_type": "image/jpeg"},
    ("POST", "/pets/{pet_id}/drafts/{upload_id}/discard"): lambda ids: {"entries": ["1"]},
    ("POST", "/pets/{pet_id}/drafts/{upload_id}/approve"): lambda ids: {},
    ("POST", "/households"): lambda ids: {"name": "Somewhere new", "time_zone": "Europe/London"},
    ("PATCH", "/households/{household_id}"): lambda ids: {"name": "Renamed"},
    ("POST", "/households/{household_id}/pets"): lambda ids: {"name": "Rex", "species": "dog"},
    ("PATCH", "/pets/{pet_id}"): lambda ids: {"name": "Rex"},
    ("POST", "/pets/{pet_id}/records"): lambda ids: {"upload_id": ids["upload_id"], "vaccine": "Rabies",
                                                    "administered_on": "2026-01-05"},
    ("PUT", "/pets/{pet_id}/records/{record_id}"): lambda ids: {"vaccine": "Rabies", "administered_on": None,
                                                                "expires_on": None, "clinic": None},
    ("PATCH", "/pets/{pet_id}/records/{record_id}"): lambda ids: {"clinic": "Elm Street Vets"},
    ("POST", "/households/{household_id}/invitations"): lambda ids: {"email": "x@example.com", "role": "viewer"},
    ("POST", "/invitations/accept"): lambda ids: {"token": ids["token"]},
    ("PUT", "/households/{household_id}/members/{user_id}"): lambda ids: {"role": "viewer"},
    ("POST", "/households/{household_id}/leave"): lambda ids: None,
    ("POST", "/warmup"): lambda ids: None,
    ("POST", "/households/{household_id}/asks"): lambda ids: {"question": "Is Rex cleared for boarding today?"},
    ("PUT", "/households/{household_id}/llm-budget"): lambda ids: {"monthly_usd": 1},
    ("PUT", "/households/{household_id}/reminders"): lambda ids: {"windows": [30, 7, 0]},
    ("PUT", "/households/{household_id}/time-zone"): lambda ids: {"time_zone": "Asia/Tokyo"},
    ("POST", "/households/{household_id}/passports"): lambda ids: {"pet_ids": [ids["pet_id"]], "duration": "24h"},
    ("POST", "/households/{household_id}/passports/{passport_id}/revoke"): lambda ids: None,
}
BODY_IDS = {("POST", "/pets/{pet_id}/records"): ["upload_id"], ("POST", "/invitations/accept"): ["token"],
            ("POST", "/households/{household_id}/passports"): ["pet_id"]}
# Routes that name no household's id: what a member of either household gets.
UNSCOPED = {("GET", "/me/households"): 200, ("POST", "/households"): 201, ("POST", "/warmup"): 200}
# The free plan's one household of one's own: each tenant's owner has theirs already.
OWNED_ONCE = {("POST", "/households")}
# Only its addressee may use an invitation's code; anyone else holding it is told it is not theirs.
NOT_YOURS = {("POST", "/invitations/accept")}
ROUTE_TABLE = """
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
spec = importlib.util.spec_from_file_location("app", sys.argv[1] + "/app.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps({path: sorted(methods) for path, methods in module.app.routes.items()}))
"""


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    path: str

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def ids(self) -> list[str]:
        """The ids the route takes, the one that scopes it (household or pet) first."""
        return re.findall(r"{(\w+)}", self.path) + BODY_IDS.get(self.key, [])


@dataclass
class Tenant:
    people: dict[str, Person]
    ids: dict[str, str]
    secrets: list[str]   # what no one outside may ever read


def route_table(stack: Stack) -> list[Route]:
    routes = []
    for service in ("api", "control"):
        env = service_env(stack, service) | {"PATH": "/usr/bin:/bin"}
        table = json.loads(subprocess.run([sys.executable, "-c", ROUTE_TABLE, str(REPO / "services" / service)],
                                          env=env, capture_output=True, text=True, check=True).stdout)
        routes += [Route(service, m, path) for path, methods in table.items() for m in methods
                   if (m, path) not in PUBLIC]
    return routes


def put_draft(stack: Stack, household_id: str, pet_id: str) -> str:
    """A draft as workers leave it after extraction (the upload pipeline has its own tests)."""
    upload_id = str(uuid.uuid4())
    expires = int((datetime.now(UTC) + timedelta(days=14)).timestamp())
    boto3.client("dynamodb", endpoint_url=stack.moto_url, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").put_item(TableName=stack.resources.tables["main"], Item={
                     "pk": {"S": f"HOUSEHOLD#{household_id}"}, "sk": {"S": f"DRAFT#{upload_id}"}, "kind": {"S": "draft"},
                     "version": {"N": "0"}, "expires_at": {"N": str(expires)}, "body": {"M": {
                         "upload_id": {"S": upload_id}, "pet_id": {"S": pet_id}, "status": {"S": "ready"},
                         "file_name": {"S": "a.pdf"},
                         "document_key": {"S": f"uploads/{household_id}/{pet_id}/{upload_id}/a.pdf"}}}})
    return upload_id


def tenant(stack: Stack, tag: str) -> Tenant:
    people = {role: new_person(stack, f"{tag}-{role}") for role in ROLES}
    name, pet_name = f"House {tag} {secrets.token_hex(4)}", f"Pet{tag}{secrets.token_hex(4)}"
    household_id = create_household(stack, people["owner"], name)
    control, owner = stack.control_url, people["owner"].headers
    pet_id = requests.post(f"{control}/households/{household_id}/pets", headers=owner, timeout=30,
                           json={"name": pet_name, "species": "dog"}).json()["pet_id"]
    record_id = requests.post(f"{control}/pets/{pet_id}/records", headers=owner, timeout=30,
                              json={"vaccine": "Rabies", "administered_on": "2026-01-05"}).json()["id"]
    for role in ("editor", "viewer"):
        join(stack, people["owner"], household_id, people[role], role)
    outsider = f"outsider-{secrets.token_hex(4)}@example.com"
    invitation = invite(stack, people["owner"], household_id, outsider, "viewer")["invitation_id"]
    ids = {"household_id": household_id, "pet_id": pet_id, "record_id": record_id,
           "user_id": people["editor"].user_id, "upload_id": put_draft(stack, household_id, pet_id),
           "token": mailed_code(stack, outsider)}
    passport = requests.post(f"{control}/households/{household_id}/passports", headers=owner, timeout=30,
                             json={"pet_ids": [pet_id], "duration": "7d"}).json()
    ids["passport_id"] = passport["id"]
    ids["request_id"] = requests.post(f"{control}/households/{household_id}/asks", headers=owner, timeout=30,
                                      json={"question": f"Is {pet_name} cleared for boarding today?"}).json()["request_id"]
    found = [*ids.values(), name, pet_name, invitation, outsider, passport["path"], *(p.user_id for p in people.values()),
             *(p.email for p in people.values())]
    return Tenant(people, ids, found)


def nowhere(name: str) -> str:
    return secrets.token_urlsafe(32) if name == "token" else str(uuid.uuid4())


def call(stack: Stack, route: Route, ids: dict[str, str], person: Person | None) -> requests.Response:
    url = {"api": stack.api_url, "control": stack.control_url}[route.service] + route.path.format(**ids)
    make_body = BODIES.get(route.key)
    return requests.request(route.method, url, headers=person.headers if person else {}, timeout=30,
                            json=make_body(ids) if make_body else None)


def designed(route: Route, role: str | None, foreign: set[str]) -> int:
    if role is None:
        return 401
    if route.key in UNSCOPED:
        return 409 if route.key in OWNED_ONCE and role == "owner" else UNSCOPED[route.key]
    if route.key in NOT_YOURS:
        return 403
    if route.ids[0] in foreign or role in ALLOWED[(route.service, *route.key)]:
        return 404
    return 403


def variants(route: Route) -> list[set[str]]:
    """Which of the route's ids come from the other household: all, and each one alone."""
    names = route.ids
    return [set(names)] + ([{n} for n in names] if len(names) > 1 else [])


@pytest.fixture(scope="module")
def tenants(services: Stack) -> dict[str, Tenant]:
    return {"X": tenant(services, "X"), "Y": tenant(services, "Y")}


@pytest.fixture(scope="module")
def routes(services: Stack) -> list[Route]:
    return route_table(services)


def test_the_matrix_knows_every_route(routes: list[Route]) -> None:
    assert {(r.service, *r.key) for r in routes} == set(ALLOWED)
    for route in routes:
        assert not (route.method in ("POST", "PUT", "PATCH") and route.key not in BODIES), f"give {route} a valid body"
        assert set(route.ids) <= {"household_id", "pet_id", "record_id", "user_id", "upload_id", "token",
                                  "passport_id", "request_id"}, route


def test_no_id_of_another_household_leaks(services: Stack, tenants: dict[str, Tenant], routes: list[Route]) -> None:
    problems, calls = [], 0
    before = {tag: snapshot(services, t) for tag, t in tenants.items()}
    for (mine, own), (_, other) in itertools.permutations(tenants.items(), 2):
        for role, route in itertools.product((*ROLES, None), routes):
            person = own.people[role] if role else None
            for foreign in variants(route) if role else [set(route.ids)]:
                ids = own.ids | {n: other.ids[n] for n in foreign}
                answer, expected = call(services, route, ids, person), designed(route, role, foreign)
                calls += 1
                case = f"{mine}'s {role or 'signed-out caller'}: {route.method} {route.service}{route.path} " \
                       f"with the other's {sorted(foreign)}"
                problems += [f"{case}: leaked {s}" for s in other.secrets if s in answer.text]
                if answer.status_code != expected:
                    problems.append(f"{case}: {answer.status_code} (designed {expected}) {answer.text[:120]}")
                elif expected == 404:
                    missing = call(services, route, own.ids | {n: nowhere(n) for n in foreign}, person)
                    if (missing.status_code, missing.text) != (404, answer.text):
                        problems.append(f"{case}: {answer.text} differs from a missing id's {missing.text}")
    assert problems == [], "\n".join(problems)
    assert calls > 200 and {tag: snapshot(services, t) for tag, t in tenants.items()} == before


def snapshot(stack: Stack, t: Tenant) -> tuple:
    """What each household's owner reads, to show that no refused request changed anything."""
    owner, household = t.people["owner"].headers, t.ids["household_id"]
    dashboard = requests.get(f"{stack.api_url}/households/{household}/dashboard", headers=owner, timeout=30).json()
    members = requests.get(f"{stack.api_url}/households/{household}/members", headers=owner, timeout=30).json()
    return json.dumps(dashboard | {"today": None}, sort_keys=True), json.dumps(members, sort_keys=True)
