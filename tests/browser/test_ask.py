"""Asks in the browser: a question over seeded records answered with the records it rests on, one
the records cannot settle, the budget beside the box and the calm 402 once it is used up, and a
viewer told why there is no box. The local model answers by rules (devstack/llm/answers.py)."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from devstack.stack import Stack
from tests.browser import stage
from tests.browser.conftest import run_flow
from tests.support.people import join, new_person

pytestmark = pytest.mark.slow


def record(stack: Stack, place: stage.Household, vaccine: str, given: date, expires: date) -> str:
    answer = requests.post(f"{stack.control_url}/pets/{place.pet_id}/records", headers=place.owner.headers, timeout=30,
                           json={"vaccine": vaccine, "administered_on": given.isoformat(), "expires_on": expires.isoformat(),
                                 "clinic": "Riverside Vets"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_an_ask_is_answered_on_screen_with_the_records_it_rests_on(services: Stack, web: str) -> None:
    place = stage.household(services, "The Browser Askers")
    today = datetime.now(ZoneInfo("Europe/London")).date()   # the household's calendar
    rests_on = {record(services, place, "Rabies", today - timedelta(days=200), today + timedelta(days=900)),
                record(services, place, "Bordetella", today - timedelta(days=300), today + timedelta(days=20))}
    viewer = new_person(services, "browser-ask-viewer")
    join(services, place.owner, place.household_id, viewer, "viewer")
    day = today + timedelta(days=10)

    def no_budget() -> None:
        answer = requests.put(f"{services.control_url}/households/{place.household_id}/llm-budget",
                              headers=place.owner.headers, json={"monthly_usd": 0}, timeout=30)
        assert answer.status_code == 200, answer.text

    seen = run_flow("ask_flow", {"no_budget": no_budget}, **place.flow_args(web), viewer=viewer.email,
                    cleared=f"Is {place.pet} cleared for boarding on {day.day} {day:%B} {day.year}?",
                    unsettled=f"Does {place.pet} like baths?")
    settled = seen["settled"]
    assert settled["answer"].startswith(f"Yes: on {day.isoformat()} {place.pet}'s"), settled
    assert settled["sufficiency"] == "The records settle this."
    assert {r["id"] for r in settled["records"]} == rests_on
    assert sorted(r["name"] for r in settled["records"]) == [f"{place.pet}: Bordetella", f"{place.pet}: Rabies"]
    assert {r["href"] for r in settled["records"]} == {f"/pets/{place.pet_id}"}
    assert seen["unsettled"]["sufficiency"] == "The records do not settle this: check with your vet."
    assert "$0.00 left of $0.00; nothing was sent. It starts again on " in seen["refusal"]
