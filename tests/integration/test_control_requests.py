"""control's edge against the real stack: what PostgreSQL, DynamoDB or the reminder arithmetic
cannot hold is a 400 naming the field, never a 500 (each of these reached a 500 before the
request models bounded them); and any input the models accept goes through the real handlers,
PostgreSQL and moto without raising anything but a domain error."""
from datetime import UTC, datetime

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from devstack import REPO
from devstack.runner import load_app
from devstack.stack import Stack
from pawport.errors import PawportError
from tests.support.people import caller, new_person

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
EDITABLE = {"vaccine", "administered_on", "expires_on", "clinic"}   # what an edit of a record may change


@pytest.fixture(scope="module")
def http(control, stack: Stack):
    module = load_app(REPO / "services" / "control")
    with Client(module.app) as client:
        yield client, new_person(stack, "edge").headers | {"Content-Type": "application/json"}


def send(http, method: str, path: str, body: str | None = None):
    client, headers = http
    return getattr(client.http, method)(path, headers=headers, body=body)


@pytest.fixture(scope="module")
def place(http) -> dict:
    household = send(http, "post", "/households", '{"name": "The Edges", "time_zone": "Europe/London"}').json_body
    pet = send(http, "post", f"/households/{household['household_id']}/pets", '{"name": "Ollie", "species": "dog"}')
    return {"household": household["household_id"], "pet": pet.json_body["pet_id"]}


@pytest.mark.parametrize("route, body, field", [
    ("/households", '{"name": "The\\u0000Parkers"}', "name"),
    ("/households", '{"name": "The Parkers", "time_zone": "Europe/London\\u0000"}', "time_zone"),
    ("/households/{household}/pets", '{"name": "Ollie", "species": "dog\\u0000"}', "species"),
    ("/households/{household}/invitations", '{"email": "' + "İ" * 200 + '@example.com", "role": "viewer"}', "email"),
    ("/households/{household}/invitations", '{"email": "a\\u0000b@example.com", "role": "viewer"}', "email"),
    ("/pets/{pet}/records", '{"vaccine": "Rabies", "expires_on": "0001-01-10"}', "expires_on"),
    ("/pets/{pet}/records", '{"vaccine": "Rabies", "expires_on": "9999-12-31"}', "expires_on"),
    ("/pets/{pet}/records", '{"vaccine": "Rabies\\u0000"}', "vaccine"),
    ("/pets/{pet}/records", '{"vaccine": "Rabies", "upload_id": "' + "x" * 2000 + '"}', "upload_id"),
    ("/invitations/accept", '{"token": "\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}', "token"),
])
def test_what_the_stores_cannot_hold_is_a_400_naming_the_field(http, place, route, body, field) -> None:
    answer = send(http, "post", route.format(**place), body)
    assert answer.status_code == 400, answer.body
    assert f"{field}: " in answer.json_body["message"]


def test_a_page_cursor_past_a_bigint_is_a_400_and_a_nul_in_a_path_is_a_404(http, place) -> None:
    answer = send(http, "get", f"/households/{place['household']}/audit?before={2**63}")
    assert answer.status_code == 400 and "before: " in answer.json_body["message"]
    for method, path in (("put", f"/households/{place['household']}/members/a%00b"),
                         ("delete", f"/households/{place['household']}/members/a%00b"),
                         ("delete", f"/pets/{place['pet']}/records/a%00b")):
        answer = send(http, method, path, '{"role": "viewer"}' if method == "put" else None)
        assert answer.status_code == 404, (path, answer.body)


TRICKY = ["İ", "ß", "ﷺ", "क़", "e\u0301", "\x00", "\t", "\u202e", "👩‍👩‍👧", "ﬃ", "'", "%", "\\"]
text = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=130),
                 st.lists(st.sampled_from(TRICKY), max_size=130).map("".join))
days = st.one_of(st.none(), st.dates(), st.dates(datetime(1989, 1, 1).date(), datetime(2101, 12, 31).date()))
zones = st.one_of(st.sampled_from(["UTC", "Etc/GMT+12", "Pacific/Kiritimati", "Europe/London"]), text)
BOUNDED = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


def quietly(make):
    """The model's verdict: None when it refuses (a 400 at the edge)."""
    try:
        return make()
    except ValidationError:
        return None


@pytest.mark.slow
@BOUNDED
@given(name=text, time_zone=zones, pet=text, species=text, vaccine=text, clinic=st.one_of(st.none(), text),
       administered_on=days, expires_on=days, email=st.one_of(text, st.builds("{}@{}.io".format, text, text)),
       before=st.one_of(st.none(), st.integers(-10, 2**64)), limit=st.integers(-5, 500))
def test_whatever_the_models_accept_postgresql_and_dynamodb_hold(control, name, time_zone, pet, species, vaccine,
                                                                 clinic, administered_on, expires_on, email, before,
                                                                 limit) -> None:
    c, r = control.commands, control.requests
    owner = caller(email="owner@example.com", verified=True)

    def run(command) -> dict | None:
        try:
            return control.run(owner, command, now=NOW)
        except PawportError:   # a domain answer (404, 409, a date in the future): not a failure
            return None

    household = quietly(lambda: r.NewHousehold(name=name, time_zone=time_zone))
    made = run(c.CreateHousehold(household or r.NewHousehold(name="Fallback", time_zone="UTC")))
    added = run(c.AddPet(made["household_id"], quietly(lambda: r.NewPet(name=pet, species=species))
                         or r.NewPet(name="Ollie", species="dog")))
    fields = quietly(lambda: r.NewRecord(vaccine=vaccine, clinic=clinic, administered_on=administered_on,
                                         expires_on=expires_on))
    if fields:
        record = run(c.ApproveRecord(added["pet_id"], fields))
        if record:
            run(c.UpdateRecord(added["pet_id"], record["id"], r.RecordChanges(**fields.model_dump(include=EDITABLE))))
    if invitation := quietly(lambda: r.NewInvitation(email=email, role="viewer")):
        run(c.InviteMember(made["household_id"], invitation))
    if page := quietly(lambda: r.Page(before=before, limit=limit)):
        run(c.ReadAuditLog(made["household_id"], page))
