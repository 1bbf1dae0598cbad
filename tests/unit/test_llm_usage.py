"""The month's LLM counters: what one job adds, at its model's price, and what a month adds up to."""
import pytest

from pawport import llm_usage


def test_a_dated_model_takes_its_familys_price_and_the_longest_family_wins() -> None:
    assert llm_usage.price("gpt-4.1-mini-2025-04-14") == (0.40, 1.60)
    assert llm_usage.price("gpt-4.1-2025-04-14") == (2.00, 8.00)
    assert llm_usage.price("local-reader") is None and llm_usage.price(None) is None


def test_a_job_adds_its_tokens_and_its_spend_in_micro_usd() -> None:
    assert llm_usage.counted({"model": "gpt-4o-mini", "prompt_tokens": 1000, "completion_tokens": 100}) == {
        "prompt_tokens": 1000, "completion_tokens": 100, "micro_usd": pytest.approx(1000 * 0.15 + 100 * 0.60)}
    assert llm_usage.counted({"model": "local-reader", "prompt_tokens": 7})["micro_usd"] == 0   # tokens, no price


def test_a_month_adds_up_and_reads_as_tokens_and_dollars() -> None:
    month = llm_usage.totals([{"model": "gpt-4.1-mini", "prompt_tokens": 1_000_000, "completion_tokens": 0},
                              {"model": "gpt-4.1-mini", "prompt_tokens": 0, "completion_tokens": 500_000}])
    assert month == {"prompt_tokens": 1_000_000, "completion_tokens": 500_000, "micro_usd": 1_200_000}
    assert llm_usage.as_figures(month) == {"llm_prompt_tokens": 1_000_000, "llm_completion_tokens": 500_000,
                                           "llm_spend_usd": 1.2}
    assert llm_usage.as_figures({})["llm_spend_usd"] == 0
