"""Asks, pure parts: the minimized context control builds, the local model's rules, egress's answer
and its one log line, what workers show of an answer, and the budget's arithmetic."""
import json
import logging
import uuid
from datetime import date

import pytest

from chalicelib.control.ask_context import minimized
from chalicelib.control.models import Pet, VaccinationRecord
from chalicelib.egress.asker import Asker, messages
from chalicelib.egress.llm import Completion, ModelUnavailable
from chalicelib.workers.asks import outcome_of
from devstack.llm import answers
from pawport.contracts import AskAnswer, AskContext, AskedPet, AskedRecord, AskJob, AskResult, TokenUse
from pawport.llm_budget import DEFAULT_MODEL, ask_estimate, cost, resets_on

TODAY = date(2026, 12, 2)


def record(ref: str, vaccine: str, given: str, expires: str | None, clinic: str | None = "Riverside Vets") -> AskedRecord:
    return AskedRecord(ref=ref, vaccine=vaccine, administered_on=date.fromisoformat(given),
                       expires_on=date.fromisoformat(expires) if expires else None, clinic=clinic)


CONTEXT = AskContext(today=TODAY, pets=[
    AskedPet(name="Ollie", species="dog", records=[record("r1", "Rabies", "2026-03-14", "2029-03-13"),
                                                   record("r2", "Bordetella", "2025-12-10", "2026-12-20", "Elm Vets")]),
    AskedPet(name="Luna", species="cat", records=[record("r3", "FVRCP", "2026-02-01", "2027-01-05"),
                                                  record("r4", "Rabies", "2026-06-01", "2029-05-31")])])


def reply(question: str) -> dict:
    return answers.reply(json.loads(CONTEXT.model_dump_json()), question)


def test_the_context_names_records_by_local_refs_and_holds_no_id() -> None:
    household, pet = uuid.uuid4(), uuid.uuid4()
    pets = [Pet(id=pet, household_id=household, name="Ollie", species="dog")]
    records = [VaccinationRecord(id=uuid.uuid4(), household_id=household, pet_id=pet, vaccine="Rabies",
                                 administered_on=date(2026, 3, 14), expires_on=date(2029, 3, 13), clinic="Riverside",
                                 document_key=f"uploads/{household}/{pet}/u/rabies.pdf", content_hash="ab" * 32)]
    context, refs = minimized(pets, records, TODAY)
    sent = context.model_dump_json()
    assert refs == {"r1": str(records[0].id)}
    assert [value for value in (str(household), str(pet), str(records[0].id), "uploads/", "ab" * 32) if value in sent] == []
    assert json.loads(sent) == {"today": "2026-12-02", "pets": [{"name": "Ollie", "species": "dog", "records": [
        {"ref": "r1", "vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2029-03-13",
         "clinic": "Riverside"}]}]}


@pytest.mark.parametrize(("question", "starts", "refs"), [
    ("Is Ollie cleared for boarding on 3 December?", "Yes: on 2026-12-03", ["r1", "r2"]),
    ("is ollie cleared on december 21st?", "No: on 2026-12-21 Ollie's Bordetella (expired on 2026-12-20)", ["r1", "r2"]),
    ("What is due before our trip on 20 January?", "Due before 2027-01-20", ["r2", "r3"]),
    ("What expires before 2026-12-10?", "Nothing is due before 2026-12-10", ["r1", "r2", "r3", "r4"]),
    ("Which of Luna's vaccines did Riverside give?", "Riverside Vets gave Luna's FVRCP", ["r3", "r4"]),
    ("Is Luna cleared for her rabies on 31 May 2029?", "Yes", ["r4"]),
])
def test_the_local_model_answers_by_rules_over_the_context(question: str, starts: str, refs: list[str]) -> None:
    answer = reply(question)
    assert answer["answer"].startswith(starts), answer
    assert answer["records"] == refs and answer["sufficient"] is True


def test_a_question_the_rules_do_not_settle_says_so() -> None:
    assert reply("What should Ollie eat?") | {"answer": None} == {"answer": None, "records": [], "sufficient": False}


def test_a_date_without_a_year_is_the_next_one() -> None:
    assert answers.mentioned_day("on 1 december", TODAY) == date(2027, 12, 1)
    assert answers.mentioned_day("on 2 december", TODAY) == date(2026, 12, 2)


class FakeModel:
    name = "gpt-4.1-mini"

    def __init__(self, content: str | None = None, error: Exception | None = None) -> None:
        self.content, self.error = content, error
        self.sent: list = []

    def complete(self, messages: list[dict], response_format: dict, max_tokens: int | None = None) -> Completion:
        self.sent.append((messages, response_format, max_tokens))
        if self.error:
            raise self.error
        return Completion(self.content, "gpt-4.1-mini-2025-04-14", 310, 42)


JOB = AskJob(request_id="req-1", question="Is Ollie cleared on 3 December?", context=CONTEXT)


@pytest.mark.parametrize(("model", "status"), [
    (FakeModel(json.dumps({"answer": "Yes, Ollie is covered.", "records": ["r1"], "sufficient": True})), "answered"),
    (FakeModel(None), "refused"),
    (FakeModel("not json at all, Ollie"), "failed"),
    (FakeModel(error=ModelUnavailable("The reader could not be reached.")), "failed"),
])
def test_egress_answers_in_the_schema_and_logs_no_text(model: FakeModel, status: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answer = AskAnswer.model_validate(Asker(model, 400).answer(JOB.model_dump(mode="json")))
    assert (answer.request_id, answer.status) == ("req-1", status)
    [(sent, schema, limit)] = model.sent
    assert schema["json_schema"]["name"] == "pet_question_answer" and limit == 400
    assert sent == messages(JOB)
    assert [v for v in ("Ollie", "Riverside", "2029-03-13", "covered", "not json") if v in caplog.text] == []
    assert "req-1" in caplog.text


def test_workers_show_record_ids_for_the_refs_the_answer_used_and_drop_others() -> None:
    parsed = AskAnswer(request_id="req-1", status="answered", usage=TokenUse(),
                       result=AskResult(answer="Yes.", records=["r2", "r9", "r2"], sufficient=True))
    shown = outcome_of(parsed, {"r1": "id-1", "r2": "id-2"}, JOB)
    assert shown["status"] == "answered" and shown["question"] == JOB.question
    assert shown["records"] == [{"record_id": "id-2", "pet_name": "Ollie", "vaccine": "Bordetella"}]


def test_budget_arithmetic() -> None:
    assert cost({"model": "gpt-4.1-mini", "prompt_tokens": 1000, "completion_tokens": 100}) == 560
    assert cost({"model": "pawport-local-reader", "prompt_tokens": 1000, "completion_tokens": 100}) == \
        cost({"model": DEFAULT_MODEL, "prompt_tokens": 1000, "completion_tokens": 100})   # unpriced: never free
    assert cost({"model": "gpt-4.1-nano", "prompt_tokens": 3, "completion_tokens": 0}) == 1   # rounded up
    assert ask_estimate(3_000) == cost({"model": DEFAULT_MODEL, "prompt_tokens": 1_000, "completion_tokens": 400})
    assert resets_on("2026-12") == date(2027, 1, 1) and resets_on("2028-02") == date(2028, 3, 1)


def test_an_answer_outranks_a_replayed_hand_over() -> None:
    """The outbox puts the ask unless the table holds a newer version: the answer's is newer."""
    from datetime import UTC, datetime

    from chalicelib.control.asks import ask_item
    from chalicelib.control.models import Household
    from chalicelib.workers.asks import ANSWERED_VERSION
    from pawport.llm_budget import Reservation
    household = Household(id=uuid.uuid4(), name="H", time_zone="UTC")
    handed = ask_item(household, JOB, {"r1": "id-1"}, Reservation("req-1", str(household.id), "2026-12", 900, "ask"),
                      datetime(2026, 12, 2, tzinfo=UTC))
    assert handed["version"] < ANSWERED_VERSION
    assert set(handed["body"]) == {"household_id", "status", "asked_at", "job", "refs", "reservation"}
