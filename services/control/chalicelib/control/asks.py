"""Asks and the LLM budget, control's side. An ask is checked and minimized here, inside Aurora's
one session of the action: the caller's role, the household's pets and records (read once), the
budget reserved (one conditional DynamoDB update, before anything goes out), the audit row, and the
ask handed to workers as a TTL item through the outbox (control reaches no S3 and no LLM).

The budget itself is an owner's action (Aurora, audit, projected to the household's partition);
the reconciliation adds the month's usage events into Aurora's rollups when Aurora is awake anyway
(the weekly operator report), and opens a session only when DynamoDB holds something the rollups
do not have yet."""
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from chalicelib.control import ask_context, rules
from chalicelib.control.commands import AskQuestion, SetLlmBudget
from chalicelib.control.database import Database
from chalicelib.control.households import household_of
from chalicelib.control.models import Household, LlmBudget, LlmRollup
from chalicelib.control.projection import Item, ask, put
from chalicelib.control.registry import action, handles, name_of
from chalicelib.control.repositories import as_uuid
from chalicelib.control.responses import AskAccepted, BudgetSet
from chalicelib.control.unit_of_work import UnitOfWork
from pawport import llm_budget, llm_usage
from pawport.contracts import AskJob
from pawport.errors import PaymentRequired
from pawport.keys import ASK_SK, ask_key, llm_rollup_key
from pawport.llm_budget import Refusal, Reservation, budget_item, usd
from pawport.status import household_today
from pawport.store import Item as StoredItem
from pawport.store import Put, Store

ASK_LIFETIME = timedelta(days=1)     # the answer is read within minutes; the item goes by itself
INSTRUCTIONS_CHARACTERS = 1_000      # egress's fixed instructions and schema, counted in the estimate
ROLLUP_DAYS = 100


@handles(AskQuestion, "ask_question")
def ask_question(command: AskQuestion, uow: UnitOfWork) -> AskAccepted:
    ctx = uow.ctx
    household = household_of(uow, command.household_id, rules.EDITORS)
    context, refs = ask_context.minimized(uow.pets.in_household(household.id), uow.records.in_household(household.id),
                                          household_today(ctx.now, household.time_zone))
    job = AskJob(request_id=ctx.request_id, question=command.new.question, context=context)
    estimate = llm_budget.ask_estimate(len(job.model_dump_json()) + INSTRUCTIONS_CHARACTERS)
    reserved = uow.budgets.reserve(str(household.id), ctx.request_id, "ask", estimate)
    if isinstance(reserved, Refusal):
        raise PaymentRequired(reserved.message, reserved.details)   # rolled back: no audit row, nothing out
    uow.audit(household.id, "ask.create", f"ask:{ctx.request_id}")
    uow.publish(household.id, [ask(ask_item(household, job, refs, reserved, ctx.now))])
    return AskAccepted(request_id=ctx.request_id, status="pending", reserved_usd=usd(reserved.estimate))


def ask_item(household: Household, job: AskJob, refs: dict[str, str], reserved: Reservation, now: datetime) -> Item:
    """The ask as workers read it from the stream: the job for egress, and beside it what only
    workers use (which household, the refs' record ids, the reservation to settle)."""
    return {"pk": ask_key(job.request_id), "sk": ASK_SK, "kind": "ask", "version": 1,
            "expires_at": int((now + ASK_LIFETIME).timestamp()),
            "body": {"household_id": str(household.id), "status": "pending", "asked_at": now.isoformat(),
                     "job": job.model_dump(mode="json"), "refs": refs, "reservation": reserved.stored()}}


@handles(SetLlmBudget, "set_llm_budget")
def set_llm_budget(command: SetLlmBudget, uow: UnitOfWork) -> BudgetSet:
    household = household_of(uow, command.household_id, rules.OWNERS)
    micro_usd = round(command.change.monthly_usd * 1e6)
    budget = uow.households.llm_budget(household.id)
    if budget is None:
        budget = LlmBudget(household_id=household.id, monthly_micro_usd=micro_usd, updated_at=uow.ctx.now)
        uow.households.add(budget)
    else:
        budget.monthly_micro_usd, budget.updated_at = micro_usd, uow.ctx.now
        uow.households.save()
    uow.audit(household.id, "llm_budget.set", f"llm_budget:{micro_usd}")
    uow.publish(household.id, [put(budget_item(str(household.id), micro_usd, budget.version))])
    return BudgetSet(household_id=str(household.id), monthly_usd=usd(micro_usd))


@action("reconcile_llm_spend")
def reconcile_llm_spend(database: Database, store: Store, now: datetime, request_id: str | None) -> dict:
    """This month's and last month's usage events added up into Aurora's rollups, where they differ
    from what was written before; a closed month's rollup stays once its events expire."""
    months = sorted({llm_usage.month_of(now), llm_usage.month_of(now.replace(day=1) - timedelta(days=1))})
    owed = {(month, household): sums for month in months for household, sums in _changed(store, month).items()}
    if owed:
        with database.transaction(name_of(reconcile_llm_spend), request_id) as session:
            _write_rollups(session, owed, now)
        for (month, household), sums in owed.items():
            store.write(Put(StoredItem(llm_rollup_key(month), household, kind="llm-rollup", body=sums,
                                       expires_at=now + timedelta(days=ROLLUP_DAYS))))
    return {"months": months, "rollups": len(owed)}


def _changed(store: Store, month: str) -> dict[str, dict[str, int]]:
    sums = llm_budget.rollups(llm_budget.events_of(store, month))
    written = {item.sk: item.body for item in store.query(llm_rollup_key(month))}
    return {household: row for household, row in sums.items() if written.get(household) != row}


def _write_rollups(session: Session, owed: dict[tuple[str, str], dict[str, int]], now: datetime) -> None:
    for (month, household), sums in owed.items():
        household_id = as_uuid(household)
        if household_id is None or session.get(Household, household_id) is None:
            continue   # a household deleted since: its spend is in no rollup to keep
        session.merge(LlmRollup(household_id=household_id, month=month, reconciled_at=now, **sums))
