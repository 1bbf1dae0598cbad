"""Asks and the LLM budget as the api reads them, from DynamoDB only: an ask's item (control
wrote it, workers answered it) shown to members of its household, and the household's budget and
month's spend shown to its owners. Another household's ask looks exactly like a missing one."""
from datetime import datetime

from chalicelib.api.household_view import HouseholdView
from chalicelib.api.models import AskView, BudgetView
from pawport import llm_budget, llm_usage
from pawport.auth import Caller
from pawport.contracts import Role
from pawport.errors import Forbidden, NotFound
from pawport.keys import ASK_SK, ask_key, household_key
from pawport.store import Store

NO_ASK = "no such ask"


def ask_view(store: Store, request_id: str, caller: Caller) -> AskView:
    """Two round trips: the ask, then its household's partition (the caller's member item)."""
    ask = store.get(ask_key(request_id), ASK_SK)
    if ask is None:
        raise NotFound(NO_ASK)
    HouseholdView(store.query(household_key(ask.body["household_id"])), caller, NO_ASK)
    shown = {k: v for k, v in ask.body.items() if k in AskView.model_fields}
    return AskView.model_validate({"request_id": request_id, "question": ask.body["job"]["question"]} | shown)


def budget_view(view: HouseholdView, household_id: str, budgets: llm_budget.Budgets, now: datetime) -> BudgetView:
    if view.role != Role.OWNER:
        raise Forbidden(f"role {view.role} may not do this")
    month = llm_usage.month_of(now)
    budget, (committed, settled) = budgets.budget(household_id), budgets.spend(household_id, month)
    return BudgetView(household_id=household_id, month=month, budget_usd=llm_budget.usd(budget),
                      reserved_usd=llm_budget.usd(committed - settled), spent_usd=llm_budget.usd(settled),
                      left_usd=llm_budget.usd(max(budget - committed, 0)), resets_on=llm_budget.resets_on(month))
