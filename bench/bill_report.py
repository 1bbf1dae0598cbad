"""The bills as text (`make bench`): per month, each line in the three designs and both columns;
then the totals side by side, the polling range, and where this design's Aurora passes 100 h and
250 h awake a month."""
from typing import Any

from bench.cost import COLUMNS, DESIGNS

TITLES = {"design": "this design", "reads_through_aurora": "reads via Aurora", "always_on": "always on"}
SHORT = {"free_tiers": "free", "list_price": "list"}


def lines(out: dict[str, Any]) -> list[str]:
    text = ["monthly bill, USD, storage apart (bench/prices.yaml): free = the free tiers that last applied, "
            "list = list prices; SQS polling at the upper poller count"]
    for month, bill in out["bills"].items():
        text += ["", f"{'idle month' if month == 'idle' else month + ' households'}: Aurora awake "
                 f"{bill['awake_hours']} h (this design), {bill['reads_through_aurora_awake_hours']} h (reads via Aurora)",
                 "  " + f"{'line':<40}" + "".join(f"{TITLES[d] + ' ' + SHORT[c]:>22}" for d in DESIGNS for c in COLUMNS)]
        names = dict.fromkeys(line for d in DESIGNS for c in COLUMNS for line in bill[d][c])
        for name in names:
            text.append("  " + f"{name:<40}" + "".join(
                f"{bill[d][c][name]:>22.4f}" if name in bill[d][c] else f"{'-':>22}" for d in DESIGNS for c in COLUMNS))
        text.append("  " + f"{'total':<40}" + "".join(f"{sum(bill[d][c].values()):>22.2f}" for d in DESIGNS for c in COLUMNS))
        at_low = next(v for k, v in bill.items() if k.startswith("design_usd_at_"))
        low = next(k for k in bill if k.startswith("design_usd_at_")).split("_")[3]
        text.append(f"  this design with {low} pollers per idle mapping: ${at_low['free_tiers']:.2f} free, "
                    f"${at_low['list_price']:.2f} list")
        for option, usd in bill["options"]["list_price"].items():   # stack parameters, off by default
            text.append(f"  option, not in the totals: {option}: +${bill['options']['free_tiers'][option]:.4f} free, "
                        f"+${usd:.4f} list")
    text += ["", f"Aurora awake hours with reads through it: {out['reads_through_aurora_awake_hours']}",
             f"this design's Aurora passes 100 h awake a month at ~{out['households_at_100_awake_hours']} households, "
             f"250 h at ~{out['households_at_250_awake_hours']} (fitted model; replayed vs model: {out['awake_model_check']})",
             f"LLM prompt tokens per extraction: {out['llm_tokens_per_extraction']}"]
    return text
