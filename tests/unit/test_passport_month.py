"""Passports in the month replay: a household's first view is preceded by its publishing, and the
figures say what a view reached (no database, no Lambda) and what views and publishing cost."""
from datetime import UTC, datetime, timedelta

from bench.month import passport_figures
from bench.passports import with_publishing
from bench.trace import Event, Trace

START = datetime(2026, 3, 1, tzinfo=UTC)


def test_each_household_wakes_aurora_ahead_and_publishes_once_a_minute_before_its_first_view() -> None:
    views = [Event(START + timedelta(hours=h), "passport_view", household) for h, household in ((5, 1), (2, 0), (9, 1))]
    trace = with_publishing(Trace(START, START + timedelta(days=30), [], sorted(views, key=lambda e: e.at)))
    assert [(e.kind, e.household, e.at - START) for e in trace.events] == [
        ("warmup", 0, timedelta(hours=2, minutes=-1, seconds=-30)),
        ("publish_passport", 0, timedelta(hours=2, minutes=-1)), ("passport_view", 0, timedelta(hours=2)),
        ("warmup", 1, timedelta(hours=5, minutes=-1, seconds=-30)),
        ("publish_passport", 1, timedelta(hours=5, minutes=-1)), ("passport_view", 1, timedelta(hours=5)),
        ("passport_view", 1, timedelta(hours=9))]


def test_the_figures_count_what_a_view_reached_and_price_it() -> None:
    run = {"by_kind": {
        "passport_view": {"events": 200, "s3.GetObject": 400, "cloudfront.request": 400, "cloudfront.bytes": 4_000_000},
        "publish_passport": {"events": 10, "postgres.transaction": 30, "invocation.control": 10, "invocation.workers": 10,
                             "invocation_ms.control": 500, "apigateway.request": 10, "s3.PutObject": 40,
                             "dynamodb.PutItem": 40}}}
    out = passport_figures(run)
    assert (out["passport_views_replayed"], out["passport_view_pg_transactions"],
            out["passport_view_lambda_invocations"], out["passports_published"]) == (200, 0, 0, 10)
    # 400 requests x $0.0100/10,000 + 4 MB x $0.085/GB = $0.00074; 400 GETs x $0.0004/1,000 = $0.00016
    assert out["passport_views_month_usd_list_price"] == 0.0007 + 0.0002
    assert out["passport_publishing_month_usd_list_price"] > 0
