"""The month's figures from replay results: the reference size, calls per event with event
delivery apart from the services' own calls, and goals reported as met or missed, never hidden."""
from bench import cost
from bench.month import describe, figures, per_action, scheduled_runs
from bench.trace import load_behaviour


def run(households: int, awake_hours: float) -> dict:
    return {"households": households, "days": 30, "seed": 1, "set_up_seconds": 1.0, "replay_seconds": 2.0,
            "skipped": {"reminder": 3}, "errors": {}, "llm": {"extractions": 2}, "drafts_at_review": {"ready": 2},
            "wakes": {"awake_hours": awake_hours, "resumes": 4, "sessions": 9, "pause_delay_seconds": 300},
            "users": households, "by_kind": {
                "sweep_outbox": {"events": 4320, "dynamodb.Query": 4320, "invocation.control": 4320},   # every 10 minutes
                "remind_due_records": {"events": 1, "dynamodb.Query": 2, "invocation.workers": 1},
                "sweep_expired_passports": {"events": 720, "dynamodb.Query": 720, "invocation.workers": 720},   # hourly
                "count_passport_views": {"events": 720, "s3.ListObjectsV2": 720, "invocation.workers": 720},
                "operator_report": {"events": 1, "invocation.workers": 1, "invocation.control": 1},
                "dashboard": {"events": 10, "dynamodb.Query": 10},
                "upload": {"events": 2, "dynamodb.PutItem": 6, "s3.GetObject": 4, "s3.PostObject (browser)": 2,
                           "sqs.ReceiveMessage": 8, "sqs.DeleteMessageBatch": 2, "dynamodbstreams.GetRecords": 2},
                "approve_record": {"events": 2, "postgres.connection": 4, "postgres.transaction": 8,
                                   "postgres.statement": 22, "dynamodb.PutItem": 6}}}


def test_calls_per_event_keep_event_delivery_apart() -> None:
    table = per_action(run(10, 0.5))
    assert table["dashboard"] == {"events": 10, "dynamodb": 1.0}
    assert table["upload"] == {"events": 2, "dynamodb": 3.0, "s3": 3.0, "event_delivery": 6.0}
    assert table["approve_record"]["postgres.connection"] == 2.0


def test_the_hundred_household_month_is_the_reference() -> None:
    out = figures({10: run(10, 0.5), 100: run(100, 14.0)})
    assert (out["aurora_awake_hours"], out["aurora_awake_hours_10"], out["aurora_awake_hours_1000"]) == (14.0, 0.5, None)
    assert out["aurora_awake_ratio"] == round(14 / 720, 4)
    assert out["hot_path_pg_transactions"] == 0 and out["dashboard_ddb_round_trips"] == 1.0
    assert "not run" in out["month_1000"]
    assert out["month_goals"] == ["10 households: Aurora awake 0.5 h, goal <= 2 h: met",
                                  "100 households: Aurora awake 14.0 h, goal <= 12 h: MISSED"]
    assert "MISSED" in describe(out) and "not run" in describe(out)


def test_each_month_has_its_bill_beside_the_baseline_and_the_idle_month() -> None:
    out = figures({10: run(10, 0.5), 100: run(100, 14.0)})
    assert set(out["bills"]) == {"idle", "10", "100"}
    assert out["reference_month_usd"] == out["month_usd_100"] > out["month_usd_10"] > out["idle_month_usd"] > 0
    assert out["baseline_month_usd"] > 190 and out["idle_baseline_month_usd"] > 190   # proxy + NAT + always on
    assert any(goal.startswith("idle month: $") for goal in out["cost_goals"])
    assert "monthly bill, USD" in describe(out)


def test_the_idle_month_bills_every_schedule_the_hourly_passport_ones_too() -> None:
    schedule = scheduled_runs(load_behaviour())
    assert schedule["sweep_expired_passports"] == schedule["count_passport_views"] == 720
    idle = cost.idle(run(10, 0.5), schedule)
    # workers: 30 reminder runs, 5 weekly reports (June 2026's Mondays) and 1,440 hourly passport runs
    assert idle.calls["invocation.workers"] == 30 + 5 + 1440
    assert idle.calls["s3.ListObjectsV2"] == 720
