"""The reference month, where Aurora's sleep is measured, at several household counts, each on a fresh stack of its own
(PostgreSQL, moto, the local LLM) and replayed in a process of its own (bench/replay.py), so one
run's ledger, tables and loaded modules never reach the next.

BENCH_HOUSEHOLDS=10,100 picks the sizes, for a quicker run (default 10,100,1000: about 13 minutes
on an idle 2-core machine, over half an hour on a shared one; the 1,000-household month takes most
of it, its set-up the most)."""
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench import bill_report, chart, cost, llm_tokens, progress, reads_through_aurora
from bench.replay import HOT_PATH
from bench.trace import BEHAVIOUR, generate, load_behaviour, schedules
from devstack import REPO
from devstack.dev import wait_until_healthy
from devstack.ports import free_port
from devstack.processes import processes
from devstack.stack import Ports, running_stack

DEFAULT_SIZES = (10, 100, 1000)
ALWAYS_ON_HOURS = 720
DELIVERY = ("sqs.ReceiveMessage", "sqs.DeleteMessage", "sqs.ChangeMessageVisibility", "dynamodbstreams.")
GOAL_AWAKE_HOURS = {10: 2, 100: 12, 1000: 50}   # the hours awake a month Aurora may spend
GOAL_MONTH_USD = {"idle": 0.25, 100: 4.00}          # the month's bill goals, free tiers applied; storage apart
CHART = REPO / "docs" / "awake-hours-and-bill.png"
COLUMNS = (("postgres.connection", "pg conn", 9), ("postgres.statement", "pg stmt", 9), ("dynamodb", "ddb", 7),
           ("s3", "s3", 7), ("sqs", "sqs", 6), ("ses", "ses", 6), ("event_delivery", "delivery", 10))
NOT_RUN = "not run: BENCH_HOUSEHOLDS left it out (the default runs 10, 100 and 1000)"


def sizes() -> tuple[int, ...]:
    chosen = os.environ.get("BENCH_HOUSEHOLDS")
    return tuple(int(n) for n in chosen.split(",")) if chosen else DEFAULT_SIZES


def replay(households: int, days: int | None = None, behaviour: Path = BEHAVIOUR,
           progress_file: Path | None = None) -> dict[str, Any]:
    """One month for `households` households on a fresh stack; the replay's JSON. `progress_file`
    receives the events replayed of the total (bench/progress.py)."""
    ports = Ports(postgres=free_port(), moto=free_port(), api=free_port(), control=free_port(), llm=free_port(),
                  invoke=free_port())
    with tempfile.TemporaryDirectory() as state, running_stack(Path(state), ports) as stack:
        llm = next(p for p in processes(stack) if p.name == "llm")
        reader = subprocess.Popen(llm.command, env=llm.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_healthy(stack.llm_url)
            command = [sys.executable, "-m", "bench.replay", state, str(households), "--behaviour", str(behaviour),
                       *(["--days", str(days)] if days else [])]
            env = os.environ | ({progress.PROGRESS_FILE: str(progress_file)} if progress_file else {})
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
        finally:
            reader.terminate()
            reader.wait(timeout=10)
    if done.returncode:
        raise RuntimeError(f"the replay of {households} households failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout) | {"log": done.stderr.splitlines()[-20:], "behaviour": str(behaviour)}


def figures(runs: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The bench's figures: `aurora_awake_hours` is the 100-household month (the goals')."""
    out: dict[str, Any] = {}
    for n, run in runs.items():
        out[f"aurora_awake_hours_{n}"] = run["wakes"]["awake_hours"]
        out[f"aurora_resumes_{n}"] = run["wakes"]["resumes"]
        out[f"hot_path_pg_transactions_{n}"] = sum(run["by_kind"].get(k, {}).get("postgres.transaction", 0)
                                                   for k in HOT_PATH)
        out[f"month_{n}_errors"] = sum(run["errors"].values())
    if 1000 not in runs:
        out["aurora_awake_hours_1000"] = None
        out["month_1000"] = NOT_RUN
    reference = runs.get(100) or runs[max(runs)]
    out["aurora_awake_hours"] = reference["wakes"]["awake_hours"]
    out["aurora_awake_ratio"] = round(reference["wakes"]["awake_hours"] / ALWAYS_ON_HOURS, 4)
    out["aurora_resumes"] = reference["wakes"]["resumes"]
    out["hot_path_pg_transactions"] = out[f"hot_path_pg_transactions_{reference['households']}"]
    out |= passport_figures(reference)
    out |= ask_figures(reference)
    dashboards = reference["by_kind"].get("dashboard", {})
    out["dashboard_ddb_round_trips"] = round(_service(dashboards, "dynamodb") / dashboards["events"], 2)
    out["month_goals"] = [goal_note(n, run["wakes"]["awake_hours"]) for n, run in runs.items() if n in GOAL_AWAKE_HOURS]
    out["month"] = {str(n): {k: run[k] for k in ("households", "days", "seed", "set_up_seconds", "replay_seconds",
                                                 "skipped", "errors", "wakes", "llm", "drafts_at_review", "users")}
                    | {"per_action": per_action(run)}
                    for n, run in runs.items()}
    return out | bills(runs, reference)


def passport_figures(run: dict[str, Any]) -> dict[str, Any]:
    """Passport views and publishing in a month: a view must reach no database and no Lambda; what each
    adds to the bill at list prices (the CDN's requests and bytes, its origin's S3 GETs; publishing's
    control action and workers' puts)."""
    views, published = run["by_kind"].get("passport_view", {}), run["by_kind"].get("publish_passport", {})
    reading = cost.Reading(free_tiers=False, pollers=0, memory_mb=cost.memory_sizes())
    prices = cost.load_prices()
    return {"passport_views_replayed": views.get("events", 0),
            "passport_view_pg_transactions": views.get("postgres.transaction", 0),
            "passport_view_lambda_invocations": sum(v for k, v in views.items() if k.startswith("invocation.")),
            "passport_view_s3_gets": views.get("s3.GetObject", 0),
            "passports_published": published.get("events", 0),
            "passport_views_month_usd_list_price": cost.marginal("passport_view", run, prices, reading),
            "passport_publishing_month_usd_list_price": cost.marginal("publish_passport", run, prices, reading)}


def ask_figures(run: dict[str, Any]) -> dict[str, Any]:
    """Asks in a month: what 1,000 of them cost at list prices, the model's tokens (priced as the
    budget prices them) and the services' calls (control's action and its wake, workers, egress)."""
    asks, spent = run["by_kind"].get("ask", {}).get("events", 0), run.get("asks", {})
    reading = cost.Reading(free_tiers=False, pollers=0, memory_mb=cost.memory_sizes())
    services = cost.marginal("ask", run, cost.load_prices(), reading)
    llm = spent.get("micro_usd", 0) / 1e6
    return {"asks_replayed": asks, "asks_answered": spent.get("asks", 0),
            "ask_usd_per_1000": round((services + llm) / asks * 1000, 4) if asks else None,
            "ask_llm_usd_per_1000": round(llm / asks * 1000, 4) if asks else None}


def scheduled_runs(behaviour: dict[str, Any]) -> Counter[str]:
    """The reference month's scheduled runs, by kind: what the idle month is made of."""
    start = datetime.fromisoformat(behaviour["month"]["start"])
    return Counter(e.kind for e in schedules(behaviour, start, start + timedelta(days=behaviour["month"]["days"])))


def bills(runs: dict[int, dict[str, Any]], reference: dict[str, Any]) -> dict[str, Any]:
    """Each month's bill in the three designs and both columns, and the idle month's: the schedules
    alone, at what each run cost in the smallest month measured (bench/cost.py). The columns are read
    with the upper poller count; the design's totals are also given at the lower one."""
    prices, behaviour = cost.load_prices(), load_behaviour()
    polled, memory = cost.polled_queues(declared=cost.declared_queues()), cost.memory_sizes()
    schedule = scheduled_runs(behaviour)
    smallest = runs[min(runs)]
    months = {"idle": cost.idle(smallest, schedule)} | {n: cost.replayed(run) for n, run in runs.items()}
    reads = {"idle": reads_through_aurora.figures(generate(behaviour, 0), smallest["wakes"]["pause_delay_seconds"])} | {
        n: reads_through_aurora.figures(generate(load_behaviour(Path(run.get("behaviour", BEHAVIOUR))), n, run["days"]),
                                        run["wakes"]["pause_delay_seconds"]) for n, run in runs.items()}
    for n, usage in months.items():
        usage.reads_awake_hours = reads[n]["reads_through_aurora"]
    low, high = prices["assumptions"]["sqs_pollers_per_queue"]
    readings = {(column, pollers): cost.Reading(column == "free_tiers", pollers, polled, memory)
                for column in cost.COLUMNS for pollers in (low, high)}
    lines = {str(n): {design: {column: cost.bill(design, u, prices, readings[column, high]) for column in cost.COLUMNS}
                      for design in cost.DESIGNS}
             | {"awake_hours": round(u.awake_hours, 2), "reads_through_aurora_awake_hours": reads[n]["reads_through_aurora"],
                "design_awake_hours_from_trace": reads[n]["design_from_trace"],
                f"design_usd_at_{low}_pollers": {column: cost.total(cost.design_bill(u, prices, readings[column, low]))
                                                 for column in cost.COLUMNS},
                "options": {column: cost.options(u, prices, readings[column, high]) for column in cost.COLUMNS}}
             for n, u in months.items()}
    summary = {n: _summary(lines[str(n)], months[n]) for n in months}
    measured = {n: v for n, v in summary.items() if n != "idle"}
    model = chart.fit(measured, summary["idle"], prices["assumptions"]["aurora_awake_acu"] * prices["aurora"]["per_acu_hour"])
    ref, idle_lines = reference["households"], lines["idle"]
    at = {mark: model.households_at(mark) for mark in chart.MARKS}
    out = {"idle_month_usd": summary["idle"]["design_usd"],
           "idle_month_usd_list_price": cost.total(idle_lines["design"]["list_price"]),
           f"idle_month_usd_at_{low}_pollers": idle_lines[f"design_usd_at_{low}_pollers"]["free_tiers"],
           f"idle_month_usd_list_price_at_{low}_pollers": idle_lines[f"design_usd_at_{low}_pollers"]["list_price"],
           "idle_baseline_month_usd": summary["idle"]["baseline_usd"],
           "reference_month_usd": summary[ref]["design_usd"],
           "reference_month_usd_list_price": cost.total(lines[str(ref)]["design"]["list_price"]),
           "baseline_month_usd": summary[ref]["baseline_usd"],
           "reads_through_aurora_month_usd": summary[ref]["reads_usd"],
           "reads_through_aurora_awake_hours": {str(n): reads[n]["reads_through_aurora"] for n in runs},
           "households_at_100_awake_hours": _rounded_count(at[100]), "households_at_250_awake_hours": _rounded_count(at[250]),
           "awake_model_check": chart.checked(model, measured),
           "always_on_cheaper_from_households": model.crossing(), "polled_queues": list(polled),
           "lambda_memory_mb": memory, "llm_tokens_per_extraction": llm_figures(runs, prices),
           "aurora_awake_hours_1000_model_estimate": round(model.awake_hours(1000), 1),
           "bills": lines, "cost_model": asdict(model), "measured_months": {str(n): v for n, v in measured.items()}}
    out |= {f"month_usd_{n}": v["design_usd"] for n, v in summary.items() if n != "idle"}
    out["cost_goals"] = [cost_note("idle month", summary["idle"]["design_usd"], GOAL_MONTH_USD["idle"])] + [
        cost_note(f"{n} households", summary[n]["design_usd"], GOAL_MONTH_USD[n]) for n in runs if n in GOAL_MONTH_USD]
    return out


def _summary(month_lines: dict[str, Any], usage: cost.Usage) -> dict[str, float]:
    """A month's totals as the model fits them: free tiers applied."""
    design, reads = month_lines["design"]["free_tiers"], month_lines["reads_through_aurora"]["free_tiers"]
    return {"awake_hours": usage.awake_hours, "design_usd": cost.total(design), "design_aurora_usd": design["aurora compute"],
            "baseline_usd": cost.total(month_lines["always_on"]["free_tiers"]),
            "reads_awake_hours": usage.reads_awake_hours, "reads_usd": cost.total(reads),
            "reads_aurora_usd": reads["aurora compute"]}


def llm_figures(runs: dict[int, dict[str, Any]], prices: dict[str, Any]) -> dict[str, Any]:
    """Prompt tokens per extraction: the recommended model's by its provider's rules, beside the
    local reader's own count (characters / 4 of the text it reads)."""
    extractions = sum(r.get("llm", {}).get("extractions", 0) for r in runs.values())
    local = sum(r.get("llm", {}).get("prompt_tokens", 0) for r in runs.values())
    return llm_tokens.per_extraction(prices["llm_extraction"]) | {
        "model": prices["llm_extraction"]["model"], "local_reader_prompt": round(local / extractions) if extractions else None}


def _rounded_count(households: float | None) -> int | None:
    return None if households is None else int(round(households, -1))


def cost_note(what: str, usd: float, goal: float) -> str:
    verdict = "met" if usd <= goal else "MISSED"
    return f"{what}: ${usd:.3f} a month (free tiers applied), goal <= ${goal:.2f} plus storage: {verdict}"


def per_action(run: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per action type: how many, and the calls each one made on average, by service. Receiving
    and deleting queue messages and reading streams is event delivery (the local runner here,
    Lambda's event source mappings in AWS), apart from the services' own calls."""
    table = {}
    for kind, counts in run["by_kind"].items():
        events, own = counts["events"], {k: v for k, v in counts.items() if not k.startswith(DELIVERY)}
        delivery = sum(v for k, v in counts.items() if k.startswith(DELIVERY))
        table[kind] = {"events": events} | {
            service: round(_service(own, service) / events, 2)
            for service in ("postgres.connection", "postgres.transaction", "postgres.statement",
                            "dynamodb", "s3", "sqs", "ses") if _service(own, service)}
        if delivery:
            table[kind]["event_delivery"] = round(delivery / events, 2)
    return table


def goal_note(households: int, hours: float) -> str:
    goal = GOAL_AWAKE_HOURS[households]
    verdict = "met" if hours <= goal else "MISSED"
    return f"{households} households: Aurora awake {hours:.1f} h, goal <= {goal} h: {verdict}"


def describe(out: dict[str, Any]) -> str:
    """The month as text: per size, each action type's calls per event."""
    lines = []
    for n, run in out["month"].items():
        lines.append(f"\nreference month, {n} households ({run['replay_seconds']:.0f} s replay, "
                     f"{run['set_up_seconds']:.0f} s set-up): Aurora awake {run['wakes']['awake_hours']} h, "
                     f"{run['wakes']['resumes']} resumes; skipped: {run['skipped']}; errors: {run['errors']}")
        lines.append(f"  {'action':<16}{'events':>7}" + "".join(f"{title:>{width}}" for _, title, width in COLUMNS))
        for kind, row in run["per_action"].items():
            lines.append(f"  {kind:<16}{row['events']:>7}" + "".join(
                f"{row.get(key, 0):>{width}}" for key, _, width in COLUMNS))
    return "\n".join([*lines, "", *bill_report.lines(out), "", *out["month_goals"], *out["cost_goals"]]
                     + ([f"1,000 households: {out['month_1000']}"] if "month_1000" in out else []))


def _service(counts: dict[str, int], prefix: str) -> int:
    return sum(v for k, v in counts.items() if k == prefix or k.startswith(prefix + "."))


def measure() -> dict[str, Any]:
    """Every size at once, each on its own stack: the largest is bound by moto's one process
    (its Query sorts the whole table on every call), which leaves the other core to the rest."""
    with tempfile.TemporaryDirectory() as folder:
        files = {n: Path(folder) / f"month-{n}" for n in sizes()}
        with progress.bars({f"month, {n:,} households": path for n, path in files.items()}), \
                ThreadPoolExecutor(max_workers=len(sizes())) as pool:
            runs = dict(zip(sizes(), pool.map(lambda n: replay(n, progress_file=files[n]), sizes()), strict=True))
    out = figures(runs)
    measured = {int(n): v for n, v in out["measured_months"].items()}
    chart.draw(chart.Model(**out["cost_model"]), measured, GOAL_AWAKE_HOURS, CHART)
    return out | {"chart": str(CHART.relative_to(REPO))}
