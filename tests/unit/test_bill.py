"""The monthly bill from counted calls (bench/cost.py) and the model the picture draws (bench/chart.py),
checked line by line against sums done by hand from bench/prices.yaml."""
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench import chart, cost, llm_tokens, reads_through_aurora
from bench.trace import Event, Trace
from infra import packaging
from tests.infra.infra_helpers import load_template

PRICES = cost.load_prices()
LIST = cost.Reading(free_tiers=False)
LLM = llm_tokens.usd_per_extraction(PRICES["llm_extraction"])


def month() -> cost.Usage:
    return cost.Usage(Counter({
        "invocation.api": 1_000_000, "invocation_ms.api": 100_000_000, "apigateway.request": 1_000_000,
        "dynamodb.Query": 2_000_000, "dynamodb.PutItem": 1_000_000, "dynamodb.TransactWriteItems": 1000,
        "dynamodb.DescribeTable": 5, "dynamodbstreams.GetRecords": 10, "postgres.statement": 1_000_000,
        "s3.GetObject": 1000, "s3.PutObject": 1000, "ses.SendEmail": 1000, "sqs.SendMessage": 1_000_000,
        "cloudfront.request": 100_000, "cloudfront.bytes": 2_000_000_000}),
        awake_hours=10, users=100, llm_micro_usd=750_000, extractions=1000)


def test_this_designs_bill_line_by_line() -> None:
    assert cost.design_bill(month(), PRICES, LIST) == {
        "aurora compute": 0.6,             # 10 h x 0.5 ACU x $0.12
        "aurora i/o": 0.2,
        "dynamodb": 0.8788,                # 2 M reads x $0.125/M + (1 M + 1,000 x 2 x 3) writes x $0.625/M
        "lambda": 0.4083,                  # 1 M x $0.20/M + 12,500 GB-s (100 ms at 128 MB) x $0.0000166667
        "api gateway": 3.5,
        "s3 requests": 0.0054,
        "cloudfront": 0.27,                # 100,000 requests x $0.0100/10,000 + 2 GB x $0.085
        "sqs requests": 0.4,
        "ses": 0.1,
        "cloudwatch alarm": 0.1,
        "cloudwatch metrics": 0.0,
        "cloudwatch logs": 0.4,            # 0.8 GB of logs x $0.50
        "api access logs": 0.125,          # 1 M requests x 250 B = 0.25 GB x $0.50
        "aurora log": 0.0001,              # 10 h x 20 KB
        "log storage (at retention)": 0.0465,   # (0.8 GB x 30/30 + 0.25 GB x 90/30 + 0.2 MB x 90/30) x $0.03
        "dns query log": 0.0,              # control made no call this month
        "dns firewall": 0.0015,            # 3 domain names x $0.0005
        "cognito": 0.55,
        "llm (gpt-4.1-mini, estimated)": round(1000 * LLM, 4),
    }


def test_lambdas_idle_polling_is_billed_per_polled_queue_at_both_ends_of_the_poller_range() -> None:
    idle = cost.Usage()
    five = cost.design_bill(idle, PRICES, cost.Reading(False, 5, ("a", "b")))
    two = cost.design_bill(idle, PRICES, cost.Reading(False, 2, ("a",)))
    assert five["sqs polling: a (5 pollers)"] == five["sqs polling: b (5 pollers)"] == pytest.approx(0.2592)   # 648,000
    assert two["sqs polling: a (2 pollers)"] == pytest.approx(0.1037)                # 259,200 receives a queue


def test_free_tiers_that_last_are_applied_in_one_column_and_list_prices_in_the_other() -> None:
    usage = cost.Usage(Counter({"invocation.api": 1_500_000, "invocation_ms.api": 100_000_000,
                                "sqs.SendMessage": 100_000}), users=12_000, operator_reports=4)
    polled = ("a", "b")
    free = cost.design_bill(usage, PRICES, cost.Reading(True, 5, polled))
    listed = cost.design_bill(usage, PRICES, cost.Reading(False, 5, polled))
    assert free["cognito"] == pytest.approx(2000 * 0.0055) and listed["cognito"] == pytest.approx(12_000 * 0.0055)
    # 500,000 requests over the 1 M free; 12,500 GB-s at 128 MB, under the 400,000 free
    assert free["lambda"] == pytest.approx(0.1) and listed["lambda"] == pytest.approx(0.3 + 0.2083, abs=1e-4)
    # the 1 M free SQS requests cover the 100,000 sent, then 900,000 of queue a's 648,000 + b's
    assert free["sqs requests"] == 0 and free["sqs polling: a (5 pollers)"] == 0
    assert free["sqs polling: b (5 pollers)"] == pytest.approx((648_000 * 2 - 900_000) * 0.4 / 1e6)
    assert free["cloudwatch alarm"] == 0 and listed["cloudwatch alarm"] == 0.1
    assert free["api gateway"] == listed["api gateway"] == 0   # REST calls have no lasting free tier


def test_each_service_is_priced_at_its_memory_size() -> None:
    usage = cost.Usage(Counter({"invocation.workers": 1, "invocation_ms.workers": 1_000_000}))
    at = {mb: cost.design_bill(usage, PRICES, cost.Reading(False, memory_mb={"workers": mb}))["lambda"] for mb in (128, 256)}
    assert at[256] == pytest.approx(2 * at[128] - 0.2 / 1e6, abs=1e-4)


def test_the_llm_estimate_follows_openais_patch_rule() -> None:
    rules = PRICES["llm_extraction"]
    assert llm_tokens.image_tokens(1800, 2400, rules | {"token_multiplier": 1}) == 1452   # the guide's example
    assert llm_tokens.image_tokens(1024, 1024, rules | {"token_multiplier": 1}) == 1024
    assert llm_tokens.image_tokens(4032, 3024, rules) == int(1452 * 1.62)
    assert llm_tokens.prompt_tokens("pdf", rules) > llm_tokens.prompt_tokens("photo", rules) > 2000


def test_reads_through_aurora_are_sessions_under_the_same_awake_rule() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    at = [start + timedelta(hours=h) for h in (1, 1.05, 5)]
    trace = Trace(start, start + timedelta(days=1), [], [
        Event(at[0], "warmup", 0), Event(at[0] + timedelta(seconds=30), "approve_record", 0),
        Event(at[1], "dashboard", 0), Event(at[2], "quick_show", 0), Event(at[2], "upload", 0)])
    figures = reads_through_aurora.figures(trace, pause_delay_seconds=300)
    # this design: one stretch, 30 s + 0.1 s + 300 s; with reads: the dashboard 3 min later extends it
    # (180.1 + 300 s) and the quick show at 5 h is a stretch of its own (300.1 s); uploads never open one
    assert figures["design_from_trace"] == round(330.1 / 3600, 2)
    assert figures["reads_through_aurora"] == round((180.1 + 300 + 300.1) / 3600, 2)


def test_the_crossing_points_come_from_the_fitted_awake_model() -> None:
    fitted = model(0.02)
    for hours in (100, 250):
        assert fitted.awake_hours(fitted.households_at(hours)) == pytest.approx(hours)
    assert fitted.households_at(800) is None
    assert chart.checked(fitted, {100: {"awake_hours": 6.0}}) == {"100": {"replayed": 6.0, "model": 6.0}}


def test_the_fit_balances_several_replayed_months() -> None:
    measured = {n: {"awake_hours": chart._covered(0.1, 7e-5, n), "design_usd": 1.0, "design_aurora_usd": 0.1,
                    "baseline_usd": 200.0} for n in (10, 100, 1000)}
    idle = {"awake_hours": 0.1, "design_usd": 0.5, "design_aurora_usd": 0.01, "baseline_usd": 200.0}
    assert chart.fit(measured, idle, 0.06).k == pytest.approx(7e-5, rel=1e-3)


def test_the_baseline_pays_always_on_proxy_and_nat_and_reads_through_the_database() -> None:
    bill = cost.baseline_bill(month(), PRICES, LIST)
    assert bill["aurora compute"] == 43.2 and bill["rds proxy"] == 86.4
    assert bill["nat gateways (2 AZ)"] == pytest.approx(64.8 + (1_003_000 * 3000 + 1000 * 300_000) / 1e9 * 0.045, abs=1e-4)
    assert bill["aurora i/o"] == pytest.approx(4_001_015 * 0.2 / 1e6, abs=1e-4)
    assert "dynamodb" not in bill


def test_an_unpriced_dynamodb_operation_stops_the_bill() -> None:
    with pytest.raises(ValueError, match="ExecuteStatement"):
        cost.design_bill(cost.Usage(Counter({"dynamodb.ExecuteStatement": 1})), PRICES, LIST)


def test_the_idle_month_is_the_schedules_at_their_measured_cost_and_a_wake_per_report() -> None:
    run = {"wakes": {"pause_delay_seconds": 300}, "by_kind": {
        "sweep_outbox": {"events": 10, "dynamodb.Query": 10, "invocation.control": 10},
        "remind_due_records": {"events": 2, "dynamodb.Query": 4, "invocation.workers": 2},
        "operator_report": {"events": 1, "invocation.workers": 1, "invocation.control": 1, "postgres.statement": 6}}}
    idle = cost.idle(run, {"sweep_outbox": 4320, "remind_due_records": 30, "operator_report": 5})
    assert idle.calls["dynamodb.Query"] == 4320 + 60
    assert idle.calls["invocation.control"] == 4320 + 5 and idle.calls["postgres.statement"] == 30
    assert idle.awake_hours == pytest.approx(5 * 301 / 3600) and idle.operator_reports == 5


def test_polled_queues_are_the_apps_sqs_handlers(tmp_path: Path) -> None:
    app = tmp_path / "svc" / "app.py"
    app.parent.mkdir()
    app.write_text("@app.on_sqs_message(queue='a')\ndef a(e): ...\n@app.on_sqs_message(queue='b')\ndef b(e): ...\n"
                   "@app.schedule('rate(1 day)')\ndef c(e): ...\n")
    assert len(cost.polled_queues(tmp_path)) == 2
    assert cost.polled_queues(tmp_path, declared=["b"]) == ("b",)   # a queue gone from the stack: no polling line


def test_the_apps_polled_queues_are_named_from_their_settings() -> None:
    assert set(cost.polled_queues(declared=cost.declared_queues())) <= set(cost.declared_queues())
    assert "reminders" in cost.polled_queues()


def model(per_household_design: float) -> chart.Model:
    measured = {100: {"awake_hours": 6.0, "design_usd": 2.0 + 100 * per_household_design + 6 * 0.06,
                      "design_aurora_usd": 6 * 0.06, "baseline_usd": 200.0 + 100 * 0.01}}
    idle = {"awake_hours": 0.4, "design_usd": 2.0 + 0.4 * 0.06, "design_aurora_usd": 0.4 * 0.06, "baseline_usd": 200.0}
    return chart.fit(measured, idle, 0.06)


def test_the_model_passes_through_the_measured_month() -> None:
    fitted = model(0.02)
    assert fitted.awake_hours(100) == pytest.approx(6.0)
    assert fitted.design(100) == pytest.approx(2.0 + 100 * 0.02 + 6 * 0.06)
    assert fitted.awake_hours(10**6) == pytest.approx(720, rel=1e-3)


def test_always_on_becomes_cheaper_only_where_the_lines_cross() -> None:
    assert model(0.001).crossing() is None            # dearer per household than this design: never cheaper
    crossing = model(0.05).crossing()                # 0.04 more per household than the baseline
    assert crossing is not None and 3000 < crossing < 6000


def test_the_picture_is_written(tmp_path: Path) -> None:
    fitted = model(0.02)
    chart.draw(fitted, {100: {"awake_hours": 6.0, "design_usd": fitted.design(100), "baseline_usd": 201.0}},
               {10: 2, 100: 12}, tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_controls_lookups_pay_the_dns_firewall_and_its_query_log() -> None:
    usage = cost.Usage(Counter({"invocation.control": 1_000_000}))
    bill = cost.design_bill(usage, PRICES, LIST)
    # 4 M queries x $0.60/M + 3 names x $0.0005; 4 M x 500 B = 2 GB of query log x $0.50, kept 90 days
    assert bill["dns firewall"] == pytest.approx(2.4 + 0.0015, abs=1e-4)
    assert bill["dns query log"] == pytest.approx(1.0)
    assert bill["log storage (at retention)"] == pytest.approx((0.8 + 2 * 3) * 0.03, abs=1e-4)
    assert "dns firewall" not in cost.baseline_bill(usage, PRICES, LIST)   # the usual shape has none


def test_the_free_five_gb_of_logs_cover_ingestion_first_then_storage() -> None:
    usage = cost.Usage(Counter({"invocation.control": 1_000_000}))   # 0.8 + 2 GB ingested, 6.8 GB stored
    free = cost.design_bill(usage, PRICES, cost.Reading(True))
    assert free["cloudwatch logs"] == free["dns query log"] == 0
    assert free["log storage (at retention)"] == pytest.approx((6.8 - (5 - 2.8)) * 0.03, abs=1e-4)


def test_the_trail_and_threat_protection_are_options_outside_the_total() -> None:
    usage = cost.Usage(Counter({"s3.GetObject": 150_000, "dynamodb.Query": 50_000, "dynamodb.DescribeTable": 9,
                                "sqs.SendMessage": 10}), users=12_000)
    listed, free = cost.options(usage, PRICES, LIST), cost.options(usage, PRICES, cost.Reading(True))
    assert listed["data-event trail (DataEventsTrail)"] == pytest.approx(0.2)   # 200,000 events x $0.10/100,000
    # Plus for all 12,000 users, no free tier, instead of Lite's (12,000 or 2,000 over the free 10,000)
    assert listed["threat protection (ThreatProtection, Cognito Plus)"] == pytest.approx(240 - 66)
    assert free["threat protection (ThreatProtection, Cognito Plus)"] == pytest.approx(240 - 11)
    assert not set(listed) & set(cost.design_bill(usage, PRICES, LIST))


def test_the_priced_retention_and_domain_names_are_the_stacks() -> None:
    a, stack = PRICES["assumptions"], load_template(packaging.REPO / "infra" / "base-stack.yaml")
    assert a["function_log_retention_days"] == packaging.FUNCTION_LOG_RETENTION_DAYS
    assert a["access_log_retention_days"] == packaging.ACCESS_LOG_RETENTION_DAYS
    assert a["stack_log_retention_days"] == stack["Parameters"]["LogRetentionDays"]["Default"]
    lists = [r for r in stack["Resources"].values() if r["Type"] == "AWS::Route53Resolver::FirewallDomainList"]
    assert a["dns_firewall_domains"] == sum(len(r["Properties"]["Domains"]) for r in lists)


def test_passport_views_are_billed_by_the_cdn_within_its_always_free_tier() -> None:
    views = cost.Usage(Counter({"cloudfront.request": 10_000_000 + 20_000, "cloudfront.bytes": 1024 * 10**9,
                                "cloudfront.CreateInvalidation": 1010}))
    free = cost.design_bill(views, PRICES, cost.Reading(free_tiers=True))["cloudfront"]
    assert free == pytest.approx(0.02 + 0.05)   # 20,000 requests past 10 M, 10 invalidation paths past 1,000
