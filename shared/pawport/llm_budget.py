"""A household's monthly LLM budget: reserved before every model call, settled after it.

- The budget is control's (Aurora, an owner sets it; the free plan has a default) and is projected
  to the household's partition ("LLMBUDGET"). The month's spend is a live counter per household
  and month ("LLMSPEND#<household>"/"<yyyy-mm>": what is reserved plus what is settled, micro-USD).
- Reserving is ONE conditional update of that counter: it adds the call's estimate only if the
  counter stays within the budget, so concurrent calls can never pass it together. A short-lived
  hold item ("LLMHOLD#<call>") follows; its TTL expiry releases an estimate that was never settled
  (egress crashed, the job was lost).
- Settling puts the call's usage event ("LLMUSE#<month>"/"<household>#<call>") if it is absent and,
  in the same transaction, replaces the estimate by the actual cost: the event is what makes it
  happen once however often it is delivered. A release puts a "released" event instead (and takes
  the estimate back); a settlement arriving after its release turns that event into "settled".
- The counters' reconciliation path: the month's events (settled costs) plus its open holds;
  workers rebuild a closed month's counters from them (`rebuild`), and control adds them up into
  Aurora's monthly rollups (`rollups`).

Costs are whole micro-USD (rounded up), so counters and sums are exact. A model without a listed
price is charged as DEFAULT_MODEL: a budget is never spent for free.
"""
import math
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from botocore.exceptions import ClientError

from pawport import llm_usage
from pawport.keys import (
    LLM_BUDGET_SK,
    LLM_HOLD_SK,
    household_key,
    llm_hold_key,
    llm_settled_sk,
    llm_spend_key,
    llm_use_key,
    llm_use_sk,
)
from pawport.store import COUNTER_KIND, Add, Attr, Delete, Item, Put, Refused, Store, Update, Write, Written

FREE_PLAN_BUDGET_MICRO_USD = 500_000   # $0.50 a month: about 250 extractions or 400 asks
DEFAULT_MODEL = "gpt-4.1-mini"
HOLD = timedelta(minutes=15)           # longer than any job's attempts (3 x egress's 110 s and retries)
EVENT_DAYS = 100                       # usage events outlive the month, its reconciliation and rollup
COUNTER_DAYS = 400
ASK_COMPLETION_TOKENS = 400            # egress caps an answer at this many tokens
EXTRACTION_TOKENS = (3_000, 500)       # a page of certificate as an image, and the fields read
CONFLICT_ATTEMPTS = 3
Kind = Literal["ask", "extraction"]


@dataclass(frozen=True)
class Reservation:
    """What settles or releases a call: travels with the job (the ask item, the job lookup)."""
    call_id: str
    household_id: str
    month: str
    estimate: int
    kind: Kind

    def stored(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Refusal:
    budget: int
    left: int
    resets_on: date

    @property
    def details(self) -> dict[str, object]:
        return {"budget_usd": usd(self.budget), "left_usd": usd(self.left), "resets_on": self.resets_on.isoformat()}

    @property
    def message(self) -> str:
        return (f"the household's LLM budget for this month is used up: ${usd(self.left):.4f} of "
                f"${usd(self.budget):.2f} left; it resets on {self.resets_on.isoformat()}")


def usd(micro_usd: int | float) -> float:
    return round(micro_usd / 1e6, 6)


def cost(usage: dict[str, Any]) -> int:
    """What a call costs, from its usage (model and tokens), in whole micro-USD."""
    model = usage.get("model") if llm_usage.price(usage.get("model")) else DEFAULT_MODEL
    return math.ceil(llm_usage.counted(usage | {"model": model})["micro_usd"])


def ask_estimate(prompt_characters: int) -> int:
    """An ask's worst case: its prompt (about three characters a token, rounded up) and a full answer."""
    return cost({"model": DEFAULT_MODEL, "prompt_tokens": math.ceil(prompt_characters / 3),
                 "completion_tokens": ASK_COMPLETION_TOKENS})


def extraction_estimate() -> int:
    prompt, completion = EXTRACTION_TOKENS
    return cost({"model": DEFAULT_MODEL, "prompt_tokens": prompt, "completion_tokens": completion})


def resets_on(month: str) -> date:
    year, number = map(int, month.split("-"))
    return date(year, number, monthrange(year, number)[1]) + timedelta(days=1)


def budget_item(household_id: str, micro_usd: int, version: int) -> dict[str, Any]:
    """The projection of a household's budget (control's outbox and rebuild write it)."""
    return {"pk": household_key(household_id), "sk": LLM_BUDGET_SK, "kind": "llm-budget", "version": version,
            "body": {"micro_usd": micro_usd}}


class Budgets:
    """The budget counters of the main table, on the store's clock."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    def budget(self, household_id: str) -> int:
        item = self._store.get(household_key(household_id), LLM_BUDGET_SK)
        return int(item.body["micro_usd"]) if item else FREE_PLAN_BUDGET_MICRO_USD

    def spend(self, household_id: str, month: str) -> tuple[int, int]:
        """(reserved + settled, settled) of the household's month."""
        counters = {i.sk: int(i.count or 0) for i in self._store.query(llm_spend_key(household_id), sk_prefix=month)}
        return counters.get(month, 0), counters.get(llm_settled_sk(month), 0)

    def reserve(self, household_id: str, call_id: str, kind: Kind, estimate: int) -> Reservation | Refusal:
        """Add the estimate to the month's counter if the budget still holds it (one conditional update)."""
        now = self._clock()
        month = llm_usage.month_of(now)
        budget = self.budget(household_id)
        room = budget - estimate
        if room < 0:
            counter = self._store.get(llm_spend_key(household_id), month)
            return Refusal(budget, max(budget - int(counter.count or 0) if counter else budget, 0), resets_on(month))
        add = Add(llm_spend_key(household_id), month, estimate, expires_at=now + timedelta(days=COUNTER_DAYS),
                  condition=Attr("count").not_exists() | Attr("count").lte(room))
        outcome = self._with_retries(add)
        if isinstance(outcome, Refused):
            held = int(outcome.old.count or 0) if outcome.old else 0
            return Refusal(budget, max(budget - held, 0), resets_on(month))
        reservation = Reservation(call_id, household_id, month, estimate, kind)
        self._store.write(Put(Item(llm_hold_key(call_id), LLM_HOLD_SK, kind="llm-hold", body=reservation.stored(),
                                   expires_at=now + HOLD), self._store.absent()))
        return reservation

    def settle(self, reservation: Reservation, usage: dict[str, Any], *also: Write) -> bool:
        """The actual cost replaces the estimate, once, with `also` (e.g. the answer) in the same
        transaction; False if this call was settled before."""
        r, actual = reservation, cost(usage)
        event = self._event(r, "settled", usage, actual)
        spend = llm_spend_key(r.household_id)
        settled = self._store.write(Put(event, self._store.absent()), Add(spend, r.month, actual - r.estimate),
                                    Add(spend, llm_settled_sk(r.month), actual),
                                    Delete(llm_hold_key(r.call_id), LLM_HOLD_SK), *also)
        if isinstance(settled, Written):
            return True
        # released meanwhile (its hold timed out): the estimate is back, so the whole cost is added
        late = Update(event.pk, event.sk, {"body": event.body}, condition=Attr("body.status").eq("released"))
        return isinstance(self._store.write(late, Add(spend, r.month, actual), Add(spend, llm_settled_sk(r.month), actual),
                                            *also), Written)

    def release(self, reservation: Reservation, *also: Write) -> bool:
        """Take a never-settled estimate back, once (with `also`); False if the call was settled or
        released before."""
        r = reservation
        event = self._event(r, "released", {}, 0)
        return isinstance(self._store.write(Put(event, self._store.absent()),
                                            Add(llm_spend_key(r.household_id), r.month, -r.estimate), *also), Written)

    def rebuild(self, month: str) -> dict[str, int]:
        """A closed month's counters set from its usage events, household by household (their
        reconciliation path: its holds are long released or settled, so both counters are the
        settled sum). What each household's counters now hold."""
        sums = {household: row["micro_usd"] for household, row in rollups(events_of(self._store, month)).items()}
        expires = self._clock() + timedelta(days=COUNTER_DAYS)
        for household, micro_usd in sums.items():
            for sk in (month, llm_settled_sk(month)):
                self._store.write(Put(Item(llm_spend_key(household), sk, kind=COUNTER_KIND, count=micro_usd,
                                           expires_at=expires)))
        return sums

    def _event(self, r: Reservation, status: str, usage: dict[str, Any], actual: int) -> Item:
        now = self._clock()
        return Item(llm_use_key(r.month), llm_use_sk(r.household_id, r.call_id), kind="llm-use",
                    expires_at=now + timedelta(days=EVENT_DAYS),
                    body={"household_id": r.household_id, "call_id": r.call_id, "kind": r.kind, "status": status,
                          "estimate": r.estimate, "micro_usd": actual, "model": usage.get("model"),
                          "prompt_tokens": int(usage.get("prompt_tokens") or 0),
                          "completion_tokens": int(usage.get("completion_tokens") or 0), "at": now.isoformat()})

    def _with_retries(self, add: Add) -> Any:
        """A settlement's transaction holding the counter makes a concurrent update fail (AWS's
        TransactionConflict): tried again, a few times."""
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return self._store.write(add)
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionConflictException" or attempt + 1 == CONFLICT_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")


def reservation_of(stored: dict[str, Any]) -> Reservation:
    return Reservation(**{name: stored[name] for name in ("call_id", "household_id", "month", "estimate", "kind")})


def rollups(events: Iterable[Item]) -> dict[str, dict[str, int]]:
    """A month's settled usage per household: what Aurora's rollups hold (calls, tokens, micro-USD)."""
    sums: dict[str, dict[str, int]] = {}
    for event in events:
        if event.body.get("status") != "settled":
            continue
        row = sums.setdefault(event.body["household_id"],
                              {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "micro_usd": 0})
        row["calls"] += 1
        for name in ("prompt_tokens", "completion_tokens", "micro_usd"):
            row[name] += int(event.body.get(name) or 0)
    return sums


def events_of(store: Store, month: str, household_id: str | None = None) -> list[Item]:
    """The month's usage events (of one household, or all)."""
    return store.query(llm_use_key(month), sk_prefix=f"{household_id}#" if household_id else None)
