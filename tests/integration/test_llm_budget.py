"""The household LLM budget against moto's DynamoDB: one conditional update reserves, settlement
replaces the estimate once however often it comes, an unsettled hold is released when its TTL
deletion comes through the stream, and the counters equal the sum of the settled usage events after
a burst of concurrent calls, retries and failures. Extractions reserve at dispatch and a refused one
becomes a draft for entry by hand; the month's usage reaches Aurora's rollups, and a new month
starts a new counter without touching the old month's rollup."""
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from types import ModuleType

import boto3
import pytest
import requests
from sqlalchemy import select

from devstack.llm.server import Handler
from devstack.ports import free_port
from devstack.resources import Resources
from devstack.stack import REGION, Stack
from pawport import llm_usage
from pawport.contracts import AskContext, AskedPet, AskedRecord, AskJob
from pawport.keys import LLM_HOLD_SK, llm_hold_key
from pawport.llm_budget import Budgets, Refusal, Reservation, ask_estimate, budget_item, cost, events_of
from pawport.store import Item, Store
from tests.integration.workers_harness import Workers, draft_of, running_workers, spent, upload
from tests.support import people
from tests.support.certificates import certificate_pdf
from tests.support.clocks import Clock

NOW = datetime(2031, 3, 14, 12, 0, tzinfo=UTC)


class Backlogged(ThreadingHTTPServer):
    request_queue_size = 128   # twenty connections at once: the standard library's default backlog is 5
    daemon_threads = True


@pytest.fixture
def llm() -> Iterator[str]:
    """The local OpenAI-compatible endpoint, in this process; GET /stats counts what reached it."""
    server = Backlogged(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def asks_received(llm: str) -> int:
    return int(requests.get(f"{llm}/stats", timeout=10).json().get("ask", 0))


@pytest.fixture
def table(made: Resources, aws_env: str) -> Store:
    return Store(made.tables["main"], REGION, aws_env, clock=lambda: NOW)


@pytest.fixture
def asker(made: Resources, aws_env: str, llm: str, environment) -> ModuleType:
    """egress's Asker with its real model adapter: the key from moto's SSM, the local endpoint."""
    name = f"/pawport/{uuid.uuid4().hex[:8]}/llm-key"
    boto3.client("ssm").put_parameter(Name=name, Value="local-llm", Type="SecureString")
    environment({"PAWPORT_STAGE": "local", "PAWPORT_LLM_KEY_PARAMETER": name, "OPENAI_BASE_URL": f"{llm}/v1",
                 "PAWPORT_LLM_MAX_RETRIES": "0"})
    from chalicelib.egress.asker import Asker
    from chalicelib.egress.llm import OpenAIModel
    from chalicelib.egress.settings import EgressSettings
    return Asker(OpenAIModel(EgressSettings()), 400)


def job(call_id: str) -> AskJob:
    record = AskedRecord(ref="r1", vaccine="Rabies", administered_on="2031-01-05", expires_on="2034-01-04",
                         clinic="Riverside Vets")
    return AskJob(request_id=call_id, question="Is Ollie cleared for boarding on 20 March?",
                  context=AskContext(today="2031-03-14", pets=[AskedPet(name="Ollie", species="dog", records=[record])]))


def with_budget(table: Store, micro_usd: int) -> str:
    household = str(uuid.uuid4())
    table.put_all([Item(**budget_item(household, micro_usd, 1))])
    return household


def expired_hold(table: Store, call_id: str) -> dict:
    """The stream record of the hold's TTL deletion, as AWS (and the local runner) sends it."""
    image = table.client.get_item(TableName=table.table_name, Key={"pk": {"S": llm_hold_key(call_id)},
                                                                   "sk": {"S": LLM_HOLD_SK}})["Item"]
    return {"eventName": "REMOVE", "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
            "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "OldImage": image}}


def settled_sum(table: Store, household: str) -> int:
    return sum(e.body["micro_usd"] for e in events_of(table, llm_usage.month_of(NOW), household)
               if e.body["status"] == "settled")


def test_fifty_concurrent_calls_against_a_budget_that_fits_twenty(table: Store, asker, llm: str) -> None:
    from chalicelib.workers.budget import release_expired
    budgets = Budgets(table, lambda: NOW)
    estimate = ask_estimate(2_000)
    household = with_budget(table, 20 * estimate)
    before, start = asks_received(llm), threading.Barrier(50)

    def call(n: int) -> tuple[Reservation, dict] | None:
        reserved = budgets.reserve(household, f"call-{n}", "ask", estimate)
        start.wait()   # all fifty reserve before any settles
        if isinstance(reserved, Refusal):
            return None
        return reserved, asker.answer(job(f"call-{n}").model_dump(mode="json"))["usage"]

    with ThreadPoolExecutor(50) as pool:
        calls = [c for c in pool.map(call, range(50)) if c]
    assert len(calls) == 20 and asks_received(llm) - before == 20

    # 14 settle, 3 settle twice (redelivered), 3 are lost after the call: their holds expire and are
    # released (one of those releases delivered twice), then one of them settles late after all.
    settle = [*calls[:14], *calls[14:17], *calls[14:17]]
    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(lambda c: budgets.settle(*c), settle))
    assert outcomes.count(True) == 17
    lost = calls[17:]
    records = [expired_hold(table, r.call_id) for r, _ in lost]
    assert release_expired([*records, records[0]], budgets) == 3
    assert budgets.settle(*lost[0]) is True and budgets.settle(*lost[0]) is False

    committed, settled = budgets.spend(household, llm_usage.month_of(NOW))
    expected = sum(cost(usage) for _, usage in calls[:18])
    assert committed == settled == settled_sum(table, household) == expected > 0


def test_a_refusal_says_what_is_left_and_when_it_resets(table: Store) -> None:
    budgets = Budgets(table, lambda: NOW)
    household = with_budget(table, 1_500)
    assert isinstance(budgets.reserve(household, "a", "ask", 1_000), Reservation)
    refused = budgets.reserve(household, "b", "ask", 1_000)
    assert isinstance(refused, Refusal)
    assert refused.details == {"budget_usd": 0.0015, "left_usd": 0.0005, "resets_on": "2031-04-01"}


def test_the_month_rolls_over_to_a_new_counter(table: Store) -> None:
    clock = Clock(datetime(2031, 1, 31, 23, 59, tzinfo=UTC))
    budgets = Budgets(table, clock)
    household = with_budget(table, 10_000)
    january = budgets.reserve(household, "jan", "ask", 9_000)
    clock.now = datetime(2031, 2, 1, 0, 1, tzinfo=UTC)
    february = budgets.reserve(household, "feb", "ask", 9_000)   # January's holds nothing of February's
    assert isinstance(january, Reservation) and isinstance(february, Reservation)
    budgets.settle(january, spent(1_000))   # settled in February, counted in the month it was reserved
    assert budgets.spend(household, "2031-01") == (cost(spent(1_000)), cost(spent(1_000)))
    assert budgets.spend(household, "2031-02") == (9_000, 0)


@pytest.fixture(scope="module")
def workers(stack: Stack) -> Iterator[Workers]:
    with running_workers(stack) as running:
        yield running


def test_an_extraction_reserves_at_dispatch_and_settles_from_its_usage(workers: Workers) -> None:
    key = upload(workers, certificate_pdf("Rabies vaccine given 2026-01-05, valid until 2029-01-05"), "a.pdf")
    workers.drain()
    budgets = Budgets(workers.store, lambda: datetime.now(UTC))
    month = llm_usage.month_of(datetime.now(UTC))
    assert draft_of(workers, key).body["status"] == "ready"
    assert budgets.spend(key.household_id, month) == (cost(spent()), cost(spent()))


def test_an_extraction_over_budget_is_never_sent_and_its_draft_says_why(workers: Workers) -> None:
    household = str(uuid.uuid4())
    workers.store.put_all([Item(**budget_item(household, 0, 1))])
    key = upload(workers, certificate_pdf("Rabies vaccine given 2026-01-05, valid until 2029-01-05"), "b.pdf",
                 household=household)
    workers.drain()
    draft = draft_of(workers, key).body
    assert draft["status"] == "needs-manual-entry" and "budget" in draft["reason"]
    assert workers.egress.calls_for(key.upload_id) == 0


def test_usage_reaches_aurora_rollups_and_a_closed_month_keeps_its_rollup(control) -> None:
    from chalicelib.control.asks import reconcile_llm_spend
    from chalicelib.control.models import LlmRollup
    store, database = control.wired.store, control.database
    owner = people.caller()
    household = control.run(owner, control.commands.CreateHousehold(
        control.requests.NewHousehold(name="Rollups", time_zone="UTC")))["household_id"]
    month_start = datetime(2032 + uuid.uuid4().int % 50, 5, 31, 22, 0, tzinfo=UTC)   # a month no other test uses
    clock = Clock(month_start)
    budgets = Budgets(store, clock)
    may = budgets.reserve(household, f"may-{uuid.uuid4()}", "ask", 2_000)
    assert isinstance(may, Reservation) and budgets.settle(may, spent(1_000))
    assert reconcile_llm_spend(database, store, clock(), "req-may")["rollups"] == 1
    assert reconcile_llm_spend(database, store, clock(), "req-again")["rollups"] == 0   # nothing new: no wake

    clock.now = month_start + timedelta(hours=3)   # June
    june = budgets.reserve(household, f"jun-{uuid.uuid4()}", "ask", 2_000)
    assert isinstance(june, Reservation) and budgets.settle(june, spent(2_000))
    reconcile_llm_spend(database, store, clock(), "req-june")

    with database.transaction("test") as session:
        rows = {r.month: (r.calls, r.micro_usd) for r in session.scalars(
            select(LlmRollup).where(LlmRollup.household_id == uuid.UUID(household)))}
    may_month, june_month = llm_usage.month_of(month_start), llm_usage.month_of(clock.now)
    assert rows == {may_month: (1, cost(spent(1_000))), june_month: (1, cost(spent(2_000)))}
    assert budgets.spend(household, june_month) == (cost(spent(2_000)), cost(spent(2_000)))


def test_an_owners_budget_is_audited_projected_and_rebuilt_exactly(control) -> None:
    from chalicelib.control.rebuild import stored
    c, r, owner = control.commands, control.requests, people.caller()
    household = control.run(owner, c.CreateHousehold(r.NewHousehold(name="Budget", time_zone="UTC")))["household_id"]
    budgets = Budgets(control.wired.store, lambda: datetime.now(UTC))
    assert budgets.budget(household) == 500_000   # the free plan's, until an owner sets one
    control.run(owner, c.SetLlmBudget(household, r.BudgetChange(monthly_usd=2.5)))
    control.run(owner, c.SetLlmBudget(household, r.BudgetChange(monthly_usd=1.25)))

    assert budgets.budget(household) == 1_250_000
    with control.database.transaction("test") as session:
        rebuilt = control.projection.household_items(session, uuid.UUID(household))
    held = stored(control.store, household)
    key = lambda i: (i["pk"], i["sk"])  # noqa: E731
    assert sorted(held, key=key) == sorted(rebuilt, key=key)
    assert [i["body"] for i in rebuilt if i["kind"] == "llm-budget"] == [{"micro_usd": 1_250_000}]
    with control.database.transaction("test") as session:
        actions = session.scalars(select(control.models.AuditEntry.action).where(
            control.models.AuditEntry.household_id == uuid.UUID(household))).all()
    assert actions.count("llm_budget.set") == 2


def test_a_closed_months_counters_are_rebuilt_from_its_usage_events(table: Store) -> None:
    budgets = Budgets(table, lambda: NOW)
    household = with_budget(table, 100_000)
    for n, tokens in enumerate((500, 900)):
        reserved = budgets.reserve(household, f"closed-{n}", "extraction", 5_000)
        assert isinstance(reserved, Reservation) and budgets.settle(reserved, spent(tokens))
    lost = budgets.reserve(household, "closed-lost", "ask", 5_000)   # its hold expired, its release lost
    assert isinstance(lost, Reservation)
    month = llm_usage.month_of(NOW)
    assert budgets.spend(household, month)[0] == cost(spent(500)) + cost(spent(900)) + 5_000

    assert budgets.rebuild(month)[household] == cost(spent(500)) + cost(spent(900))
    assert budgets.spend(household, month) == (cost(spent(500)) + cost(spent(900)),) * 2 == (settled_sum(table, household),) * 2


def test_the_weekly_operator_report_brings_the_rollups_up_to_date(control) -> None:
    from chalicelib.control.models import LlmRollup
    owner = people.caller()
    household = control.run(owner, control.commands.CreateHousehold(
        control.requests.NewHousehold(name="Weekly", time_zone="UTC")))["household_id"]
    budgets = Budgets(control.wired.store, lambda: datetime.now(UTC))
    reserved = budgets.reserve(household, f"weekly-{uuid.uuid4()}", "extraction", 3_000)
    assert isinstance(reserved, Reservation) and budgets.settle(reserved, spent(700))

    control.wired.operator_aggregates({}, "req-weekly")   # Aurora awake for the report: the rollups ride along
    with control.database.transaction("test") as session:
        row = session.get(LlmRollup, (uuid.UUID(household), llm_usage.month_of(datetime.now(UTC))))
    assert row is not None and (row.calls, row.micro_usd) == (1, cost(spent(700)))
