"""The deployment's LLM use in a month: live counters in DynamoDB under "LLMUSAGE#<yyyy-mm>".

Workers add egress's usage to them in the transaction that settles the draft (once per job, however
often the result is delivered); control's operator report reads them (a GetItem a counter, no
Aurora); `reconcile` rebuilds a closed month from the usage objects egress wrote (usage/<job>.json,
kept 35 days), which is the counters' reconciliation path: a rebuild reproduces them exactly. Spend is counted in micro-USD:
a model's price in USD per million tokens is its price in micro-USD per token."""
from collections.abc import Iterable
from datetime import datetime
from typing import Any

COUNTERS = ("prompt_tokens", "completion_tokens", "micro_usd")
# USD per million input and output tokens (https://openai.com/api/pricing/, read 2026-11); a dated
# name ("gpt-4.1-mini-2025-04-14") takes its family's price.
PRICES_USD_PER_MILLION = {
    "gpt-4.1": (2.00, 8.00), "gpt-4.1-mini": (0.40, 1.60), "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00), "gpt-4o-mini": (0.15, 0.60),
}


def month_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def price(model: str | None) -> tuple[float, float] | None:
    """The longest family name the model's name starts with; None for a model not listed."""
    families = [name for name in PRICES_USD_PER_MILLION if model and model.startswith(name)]
    return PRICES_USD_PER_MILLION[max(families, key=len)] if families else None


def counted(usage: dict[str, Any]) -> dict[str, float]:
    """What one job adds to the counters. A model without a price adds tokens and no spend."""
    prompt, completion = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    per_token = price(usage.get("model")) or (0.0, 0.0)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "micro_usd": round(prompt * per_token[0] + completion * per_token[1], 6)}


def totals(usages: Iterable[dict[str, Any]]) -> dict[str, float]:
    """The counters a month's usage objects add up to (reconciliation)."""
    sums = dict.fromkeys(COUNTERS, 0.0)
    for usage in usages:
        for name, value in counted(usage).items():
            sums[name] += value
    return {name: round(value, 6) for name, value in sums.items()}


def as_figures(counters: dict[str, float]) -> dict[str, float]:
    """The operator's figures: tokens, and spend in USD."""
    return {"llm_prompt_tokens": int(counters.get("prompt_tokens", 0)),
            "llm_completion_tokens": int(counters.get("completion_tokens", 0)),
            "llm_spend_usd": round(counters.get("micro_usd", 0) / 1e6, 6)}
