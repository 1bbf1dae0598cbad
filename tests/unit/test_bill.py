"""The monthly bill from counted calls (bench/cost.py) and the model the picture draws (bench/chart.py),
checked line by line against sums done by hand from bench/prices.yaml."""
from collections import Counter
from pathlib import Path

import pytest

from bench import chart, cost

PRICES = cost.load_prices()


def month() -> cost.Usage:
    return cost.Usage(Counter({
        "invocation.api": 1_000_000, "invocation_ms.api": 100_000_000, "apigateway.request": 1_000_000,
        "dynamodb.Query": 2_000_000, "dynamodb.PutItem": 1_000_000, "dynamodb.TransactWriteItems": 1000,
        "dynamodb.DescribeTable": 5, "dynamodbstreams.GetRecords": 10, "postgres.statement": 1_000_000,
        "s3.GetObject": 1000, "s3.PutObject": 1000, "ses.SendEmail": 1000, "sqs.SendMessage": 1_000_000}),
        awake_hours=10, users=100, llm_micro_usd=750_000)


def test_this_designs_bill_line_by_line() -> None:
    assert cost.design_bill(month(), PRICES, polled_queues=0) == {
        "aurora compute": 0.6,             # 10 h x 0.5 ACU x $0.12
        "aurora i/o": 0.2,
        "dynamodb": 0.8788,                # 2 M reads x $0.125/M + (1 M + 1,000 x 2 x 3) writes x $0.625/M
        "lambda": 0.4083,                  # 1 M x $0.20/M + 12,500 GB-s (100 ms at 128 MB) x $0.0000166667
        "api gateway": 3.5,
        "s3 requests": 0.0054,
        "sqs (incl. Lambda's idle polling)": 0.4,
        "ses": 0.1,
        "cloudwatch": 0.5,                 # the alarm $0.10 + 0.8 GB of logs x $0.50
        "cognito": 0.55,
        "llm": 0.75,                       # the jobs' own price (pawport/llm_usage.py), in micro-USD
    }


def test_lambdas_idle_polling_is_billed_per_polled_queue() -> None:
    idle = cost.Usage()
    one, two = (cost.design_bill(idle, PRICES, q)["sqs (incl. Lambda's idle polling)"] for q in (1, 2))
    assert one == pytest.approx(0.2592) and two == pytest.approx(0.5184)   # 648,000 receives a queue


def test_the_baseline_pays_always_on_proxy_and_nat_and_reads_through_the_database() -> None:
    bill = cost.baseline_bill(month(), PRICES, polled_queues=0)
    assert bill["aurora compute"] == 43.2 and bill["rds proxy"] == 86.4
    assert bill["nat gateways (2 AZ)"] == pytest.approx(64.8 + 1_003_000 * 3000 / 1e9 * 0.045, abs=1e-4)
    assert bill["aurora i/o"] == pytest.approx(4_001_015 * 0.2 / 1e6, abs=1e-4)
    assert "dynamodb" not in bill


def test_an_unpriced_dynamodb_operation_stops_the_bill() -> None:
    with pytest.raises(ValueError, match="ExecuteStatement"):
        cost.design_bill(cost.Usage(Counter({"dynamodb.ExecuteStatement": 1})), PRICES, 0)


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
    assert cost.polled_queues(tmp_path) == 2


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
