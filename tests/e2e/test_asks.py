"""Asks over HTTP on the local stack: control checks the role and the budget and hands the ask over,
workers have egress ask the local model (rules over the context it is given), api shows the answer
with the records it rests on. Also: a viewer is refused, an ask over budget makes no model call, no
log line of any service carries the context, the job holds nothing but the minimized context, and
an ask is one named Aurora session (and its relay) while the answering touches Aurora not at all."""
import json
import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import boto3
import psycopg
import pytest
import requests

from devstack.stack import DB_NAME, REGION, Stack
from pawport.contracts import AskJob
from pawport.keys import ASK_SK, ask_key
from pawport.store import item_of_image
from tests.support.people import Person, create_household, join, new_person

pytestmark = pytest.mark.slow
TAG = secrets.token_hex(3)
OLLIE, LUNA = f"Ollie{TAG}", f"Luna{TAG}"
RIVERSIDE, ELM = f"Riverside{TAG} Vets", f"Elm{TAG} Street Vets"


def eventually(check: Callable[[], object], what: str, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise TimeoutError(f"not within {timeout:.0f}s: {what}")


def spoken(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


class Household:
    def __init__(self, stack: Stack, owner: Person, editor: Person, viewer: Person) -> None:
        self.stack, self.owner, self.editor, self.viewer = stack, owner, editor, viewer
        self.today = datetime.now(ZoneInfo("Europe/London")).date()
        self.id = create_household(stack, owner, f"The Askers {TAG}")
        self.pets = {name: self._pet(name, species) for name, species in ((OLLIE, "dog"), (LUNA, "cat"))}
        t = self.today
        self.records = {
            (OLLIE, "Rabies"): self._record(OLLIE, "Rabies", t - timedelta(days=200), t + timedelta(days=900), RIVERSIDE),
            (OLLIE, "Bordetella"): self._record(OLLIE, "Bordetella", t - timedelta(days=300), t + timedelta(days=20), ELM),
            (LUNA, "FVRCP"): self._record(LUNA, "FVRCP", t - timedelta(days=100), t + timedelta(days=40), RIVERSIDE),
            (LUNA, "Rabies"): self._record(LUNA, "Rabies", t - timedelta(days=50), t + timedelta(days=1000), RIVERSIDE),
        }
        for person, role in ((editor, "editor"), (viewer, "viewer")):
            join(stack, owner, self.id, person, role)

    def _pet(self, name: str, species: str) -> str:
        answer = requests.post(f"{self.stack.control_url}/households/{self.id}/pets", headers=self.owner.headers,
                               json={"name": name, "species": species}, timeout=30)
        assert answer.status_code == 201, answer.text
        return answer.json()["pet_id"]

    def _record(self, pet: str, vaccine: str, given: date, expires: date, clinic: str) -> str:
        answer = requests.post(f"{self.stack.control_url}/pets/{self.pets[pet]}/records", headers=self.owner.headers,
                               json={"vaccine": vaccine, "administered_on": given.isoformat(),
                                     "expires_on": expires.isoformat(), "clinic": clinic}, timeout=30)
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def ask(self, question: str, person: Person | None = None) -> requests.Response:
        return requests.post(f"{self.stack.control_url}/households/{self.id}/asks",
                             headers=(person or self.editor).headers, json={"question": question}, timeout=30)

    def answered(self, request_id: str, person: Person | None = None) -> dict:
        def read() -> dict | None:
            answer = requests.get(f"{self.stack.api_url}/asks/{request_id}", headers=(person or self.owner).headers,
                                  timeout=30)
            assert answer.status_code == 200, answer.text
            return answer.json() if answer.json()["status"] != "pending" else None
        return eventually(read, f"ask {request_id} answered")   # type: ignore[return-value]

    def set_budget(self, usd: float) -> None:
        answer = requests.put(f"{self.stack.control_url}/households/{self.id}/llm-budget", headers=self.owner.headers,
                              json={"monthly_usd": usd}, timeout=30)
        assert answer.status_code == 200, answer.text

    def context_values(self) -> list[str]:
        """What the minimized context holds that no log line may: names, clinics, dates."""
        t = self.today
        days = [t + timedelta(days=n) for n in (-300, -200, -100, -50, 20, 40, 900, 1000)]
        return [OLLIE, LUNA, RIVERSIDE, ELM, *(d.isoformat() for d in days)]


@pytest.fixture(scope="module")
def household(services: Stack) -> Household:
    return Household(services, *(new_person(services, f"asks-{role}") for role in ("owner", "editor", "viewer")))


def model_calls(stack: Stack) -> int:
    return int(requests.get(f"{stack.llm_url}/stats", timeout=10).json().get("ask", 0))


def test_an_ask_is_answered_from_the_records_with_the_records_it_rests_on(household: Household) -> None:
    h, t = household, household.today
    cases = [
        (f"Is {OLLIE} cleared for boarding on {spoken(t + timedelta(days=10))}?", "Yes",
         {(OLLIE, "Rabies"), (OLLIE, "Bordetella")}),
        (f"Is {OLLIE} cleared for boarding on {spoken(t + timedelta(days=30))}?", "No",
         {(OLLIE, "Rabies"), (OLLIE, "Bordetella")}),
        (f"What is due before our trip on {spoken(t + timedelta(days=50))}?", "Due before",
         {(OLLIE, "Bordetella"), (LUNA, "FVRCP")}),
        (f"Which of {LUNA}'s vaccines did Riverside{TAG} give?", RIVERSIDE, {(LUNA, "FVRCP"), (LUNA, "Rabies")}),
    ]
    for question, starts, rests_on in cases:
        accepted = h.ask(question)
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["status"] == "pending" and accepted.json()["reserved_usd"] > 0
        answer = h.answered(accepted.json()["request_id"])
        assert answer["status"] == "answered" and answer["sufficient"] is True, answer
        assert answer["answer"].startswith(starts), answer
        assert {r["record_id"] for r in answer["records"]} == {h.records[k] for k in rests_on}, answer
        assert answer["question"] == question


def test_a_viewer_may_not_ask_and_another_household_sees_nothing(household: Household, services: Stack) -> None:
    refused = household.ask(f"Is {OLLIE} cleared on {spoken(household.today)}?", household.viewer)
    assert refused.status_code == 403, refused.text
    accepted = household.ask(f"Is {OLLIE} cleared on {spoken(household.today)}?")
    request_id = accepted.json()["request_id"]
    household.answered(request_id)
    assert household.answered(request_id, household.viewer)["status"] == "answered"   # members read answers
    stranger = new_person(services, "asks-stranger")
    seen = requests.get(f"{services.api_url}/asks/{request_id}", headers=stranger.headers, timeout=30)
    missing = requests.get(f"{services.api_url}/asks/{secrets.token_hex(4)}-0000-4000-8000-000000000000",
                           headers=stranger.headers, timeout=30)
    assert (seen.status_code, seen.text) == (404, missing.text) and OLLIE not in seen.text


def test_an_ask_over_budget_is_refused_with_402_and_reaches_no_model(household: Household) -> None:
    h = household
    question = f"Is {OLLIE} cleared on {spoken(h.today)}?"
    calls = model_calls(h.stack)
    h.set_budget(0)
    refused = h.ask(question)
    assert refused.status_code == 402, refused.text
    body = refused.json()
    assert body["left_usd"] == 0 and body["budget_usd"] == 0
    this_month = datetime.now(UTC).date().replace(day=1)   # budgets run by UTC months
    assert date.fromisoformat(body["resets_on"]) == (this_month + timedelta(days=32)).replace(day=1)
    h.set_budget(5)
    after = h.ask(question)
    h.answered(after.json()["request_id"])
    assert model_calls(h.stack) == calls + 1   # the later ask only: the refused one never went out

    spend = requests.get(f"{h.stack.api_url}/households/{h.id}/llm-budget", headers=h.owner.headers, timeout=30)
    assert spend.status_code == 200 and spend.json()["budget_usd"] == 5 and spend.json()["spent_usd"] > 0
    assert requests.get(f"{h.stack.api_url}/households/{h.id}/llm-budget", headers=h.editor.headers,
                        timeout=30).status_code == 403


def test_no_log_line_of_the_whole_flow_carries_the_context(household: Household, services: Stack,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    h = household
    question = f"Is {OLLIE} cleared for boarding on {spoken(h.today + timedelta(days=12))}?"
    request_id = h.ask(question).json()["request_id"]
    assert h.answered(request_id)["status"] == "answered"
    time.sleep(1)   # the runners write their last lines for this ask

    logs = {path.name: path.read_text(errors="replace") for path in services.state_dir.rglob("*.log")}
    logs["caplog"] = caplog.text
    egress = logs["egress-events.log"]
    assert f"ask {request_id}: answered (" in egress   # the one line egress writes: ids, model, tokens, time
    leaks = [(name, value) for name, text in logs.items() for value in [*h.context_values(), question]
             if value in text]
    assert leaks == []


def test_the_job_holds_only_the_minimized_context(household: Household, services: Stack) -> None:
    h = household
    request_id = h.ask(f"What is due before {spoken(h.today + timedelta(days=60))}?").json()["request_id"]
    h.answered(request_id)
    table = boto3.client("dynamodb", endpoint_url=services.moto_url, region_name=REGION, aws_access_key_id="testing",
                         aws_secret_access_key="testing")
    raw = table.get_item(TableName=services.resources.tables["main"], Key={"pk": {"S": ask_key(request_id)},
                                                                           "sk": {"S": ASK_SK}})["Item"]
    job = AskJob.model_validate(item_of_image(raw).body["job"])
    sent = job.model_dump_json()

    people = (h.owner, h.editor, h.viewer)
    forbidden = [*(p.email for p in people), *(p.email.split("@")[0] for p in people), *(p.user_id for p in people),
                 h.id, *h.pets.values(), *h.records.values(), "uploads/", "@"]
    assert [value for value in forbidden if value in sent] == []
    assert {pet.name for pet in job.context.pets} == {OLLIE, LUNA}
    assert sorted(r.ref for pet in job.context.pets for r in pet.records) == ["r1", "r2", "r3", "r4"]
    assert set(json.loads(sent)) == {"request_id", "kind", "question", "context"}


def wakes(stack: Stack, request_id: str) -> list[tuple[str, str]]:
    url = f"postgresql://postgres@127.0.0.1:{stack.ports.postgres}/{DB_NAME}"
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT action, outcome FROM wake WHERE request_id = %s ORDER BY id", (request_id,))
        return [(action, outcome) for action, outcome in rows]


def test_an_ask_is_one_named_aurora_session_and_its_answer_touches_aurora_not_at_all(
        household: Household, transactions) -> None:
    h = household
    accepted = h.ask(f"Is {LUNA} cleared on {spoken(h.today + timedelta(days=5))}?")
    request_id = accepted.json()["request_id"]
    handed_over = transactions.read()
    h.answered(request_id)
    answered = transactions.read()

    assert wakes(h.stack, request_id) == [("ask_question", "commit"), ("ask_question:relay", "commit")]
    assert answered - handed_over == 0
