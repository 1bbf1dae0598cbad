"""SES's bounces and complaints as control records them, against real PostgreSQL and moto: the
suppression with one audit row, projected to SUPPRESSION/<address>; transient bounces counted by
when they happened; redelivered notifications changing nothing; the projection rebuilt exactly; and
notifications with nothing to suppress never opening a PostgreSQL transaction."""
import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from pawport.keys import SUPPRESSION_KEY, suppression_sk
from pawport.store import Delete, Item, Put
from tests.support import ses

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def address(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def deliver(control, message: dict, message_id: str | None = None) -> None:
    control.wired.mail_feedback(ses.sns_event(message, message_id))


def audited(control, email: str) -> list:
    m = control.models
    with control.database.transaction("test") as session:
        suppression = session.scalar(select(m.MailSuppression).where(m.MailSuppression.email == email))
        if suppression is None:
            return []
        return [(a.action, a.actor_user_id, a.household_id) for a in session.scalars(
            select(m.AuditEntry).where(m.AuditEntry.target == f"suppression:{suppression.id}"))]


def projected(control, email: str) -> dict | None:
    item = control.table.get(SUPPRESSION_KEY, suppression_sk(email))
    return item.body if item else None


def test_a_permanent_bounce_suppresses_once_however_often_it_comes(control) -> None:
    jane = address("jane")
    bounced = ses.bounce([jane.upper()], "Permanent", at=AT)
    for _ in range(3):   # SNS delivers at least once: the same message id, the same feedback id
        deliver(control, bounced, "sns-dup-" + jane)
    deliver(control, bounced)   # and SES's notification again, under another SNS message
    assert audited(control, jane) == [("mail.suppress.bounce", "ses", None)]
    assert {k: v for k, v in projected(control, jane).items() if k != "since"} == {"email": jane, "reason": "bounce"}
    m = control.models
    with control.database.transaction("test") as session:
        kept = session.scalars(select(m.MailFeedback).where(m.MailFeedback.email == jane)).all()
    assert [(f.kind, f.occurred_at) for f in kept] == [("permanent", AT)]


def test_a_complaint_suppresses_at_once(control) -> None:
    richard = address("richard")
    deliver(control, ses.complaint([richard], at=AT))
    assert audited(control, richard) == [("mail.suppress.complaint", "ses", None)]
    assert projected(control, richard)["reason"] == "complaint"


def test_transient_bounces_suppress_on_the_third_within_14_days_in_any_order(control) -> None:
    twice, thrice, spread = address("twice"), address("thrice"), address("spread")
    for offset in (0, 6):
        deliver(control, ses.bounce([twice], "Transient", at=AT + timedelta(days=offset)))
    assert projected(control, twice) is None and audited(control, twice) == []

    bounces = [ses.bounce([thrice], "Transient", at=AT + timedelta(days=offset)) for offset in (0, 6, 13)]
    deliveries = [b for b in bounces for _ in range(3)]   # each three times, shuffled
    random.Random(14).shuffle(deliveries)
    for message in deliveries:
        deliver(control, message)
    assert audited(control, thrice) == [("mail.suppress.bounce", "ses", None)]
    assert projected(control, thrice)["reason"] == "bounce"

    for offset in (0, 8, 16):   # three, but no 14 days hold all three
        deliver(control, ses.bounce([spread], "Transient", at=AT + timedelta(days=offset)))
    assert projected(control, spread) is None


def test_the_suppression_list_is_rebuilt_exactly(control) -> None:
    kept, lost = address("kept"), address("lost")
    for email in (kept, lost):
        deliver(control, ses.bounce([email], at=AT))
    before = sorted(control.store.partition(SUPPRESSION_KEY), key=lambda i: i["sk"])
    assert {i["sk"] for i in before} >= {kept, lost}

    control.table.write(Delete(SUPPRESSION_KEY, suppression_sk(lost)))
    stray = address("stray")
    control.table.write(Put(Item(SUPPRESSION_KEY, suppression_sk(stray), kind="suppression", version=1,
                                 body={"email": stray, "reason": "bounce", "since": AT.isoformat()})))
    control.wired.rebuild_projections("req-rebuild")

    assert sorted(control.store.partition(SUPPRESSION_KEY), key=lambda i: i["sk"]) == before
    with control.database.transaction("test") as session:
        derived = control.projection.suppression_items(session)
    assert sorted(derived, key=lambda i: i["sk"]) == before


def test_notifications_with_nothing_to_suppress_do_not_open_aurora(control, transactions) -> None:
    delivery = {"notificationType": "Delivery", "mail": {"messageId": "m", "timestamp": "2026-11-20T08:00:00.000Z"},
                "delivery": {"recipients": [address("fine")]}}
    before = transactions.read()
    assert control.wired.mail_feedback(ses.sns_event(delivery)) == []
    assert transactions.read() == before
