"""Bounces and complaints: SES publishes them to an SNS topic, which invokes control (in the VPC it
needs only Aurora). Each recipient's feedback is kept once in Aurora; an address is suppressed at
once by a permanent bounce or a complaint, and by transient bounces three times within 14 days.
A suppression commits with its audit row and its outbox entry, which projects it to DynamoDB
(SUPPRESSION/<address>), where workers look before mailing anyone.

Redelivered notifications change nothing (the feedback id is kept with each recipient), and the
order they come in does not matter (transient bounces are counted by when they happened). An
address that names no member is suppressed all the same: SES reports only mail Pawport sent, so it
was an invitation's or a former member's, and a later invitation to it would bounce too.
Notifications of other kinds (deliveries, sends) are ignored without opening Aurora."""
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from pydantic import BaseModel

from chalicelib.control.commands import MailFeedback, RecordMailFeedback
from chalicelib.control.models import MailFeedback as FeedbackRow
from chalicelib.control.models import MailSuppression
from chalicelib.control.projection import put, suppression_item
from chalicelib.control.registry import handles
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.auth import Caller

log = logging.getLogger(__name__)
SES = Caller(user_id="ses", email=None)   # the audit rows' actor
TRANSIENT_LIMIT, TRANSIENT_WINDOW = 3, timedelta(days=14)
BOUNCE_KINDS = {"Permanent": "permanent", "Transient": "transient", "Undetermined": "transient"}


class FeedbackRecorded(BaseModel):
    kept: int          # recipients' feedback seen for the first time
    suppressed: list[str]


def commands(event: dict) -> Iterator[RecordMailFeedback]:
    """An SNS event's notifications from SES, one command each; none for other kinds."""
    for record in event["Records"]:
        notification_id = record["Sns"]["MessageId"]
        feedback = tuple(read_notification(json.loads(record["Sns"]["Message"]), notification_id))
        if feedback:
            yield RecordMailFeedback(notification_id, feedback)


def read_notification(message: dict, notification_id: str) -> list[MailFeedback]:
    """SES's notification JSON: `notificationType` from an identity's topic, `eventType` from a
    configuration set's event destination (the base stack's); the rest is the same."""
    kind = message.get("notificationType") or message.get("eventType")
    mail_id = message.get("mail", {}).get("messageId")
    if kind == "Bounce":
        details, recipients = message["bounce"], message["bounce"]["bouncedRecipients"]
        feedback_kind = BOUNCE_KINDS.get(details.get("bounceType", ""), "transient")
    elif kind == "Complaint":
        details, recipients, feedback_kind = message["complaint"], message["complaint"]["complainedRecipients"], "complaint"
    else:
        log.info("SES notification %s of kind %r: nothing to suppress", notification_id, kind)
        return []
    occurred = _time(details.get("timestamp") or message["mail"]["timestamp"])
    feedback_id = details.get("feedbackId") or notification_id
    return [MailFeedback(feedback_id, address, feedback_kind, mail_id, occurred)
            for address in {_address(r["emailAddress"]) for r in recipients} if address]


def reason_to_suppress(kind: str, transient_bounces: list[datetime]) -> str | None:
    """"complaint", "bounce" or None (not yet). transient_bounces: the address's, in time order."""
    if kind == "complaint":
        return "complaint"
    if kind == "permanent":
        return "bounce"
    n = TRANSIENT_LIMIT - 1
    return "bounce" if any(later - first <= TRANSIENT_WINDOW
                           for first, later in zip(transient_bounces, transient_bounces[n:], strict=False)) else None


@handles(RecordMailFeedback, "mail_feedback")
def record_feedback(command: RecordMailFeedback, uow: UnitOfWork) -> FeedbackRecorded:
    kept, suppressed = 0, []
    for feedback in sorted(command.feedback, key=lambda f: f.email):   # addresses locked in one order
        uow.suppressions.lock(feedback.email)
        if not uow.suppressions.record(_row(feedback, command.notification_id, uow.ctx.now)):
            continue   # this notification was handled before
        kept += 1
        # every transient bounce that could share a 14-day window with this one, whatever order they came in
        nearby = uow.suppressions.transient_bounces(feedback.email, feedback.occurred_at - TRANSIENT_WINDOW,
                                                    feedback.occurred_at + TRANSIENT_WINDOW)
        reason = reason_to_suppress(feedback.kind, nearby)
        if reason is None or uow.suppressions.of(feedback.email) is not None:
            continue
        suppression = MailSuppression(id=uuid.uuid4(), email=feedback.email, reason=reason, suppressed_at=uow.ctx.now)
        uow.suppressions.add(suppression)
        uow.audit(None, f"mail.suppress.{reason}", f"suppression:{suppression.id}")
        uow.publish(None, [put(suppression_item(suppression))])
        suppressed.append(feedback.email)
    return FeedbackRecorded(kept=kept, suppressed=suppressed)


def _row(feedback: MailFeedback, notification_id: str, now: datetime) -> FeedbackRow:
    return FeedbackRow(feedback_id=feedback.feedback_id[:256], email=feedback.email, kind=feedback.kind,
                       ses_message_id=(feedback.ses_message_id or "")[:256] or None,
                       notification_id=notification_id[:64], occurred_at=feedback.occurred_at, received_at=now)


def _address(value: str) -> str:
    """The bare address in lower case, as invitations and the projection keep it ("" if none)."""
    address = parseaddr(value)[1]
    return address.strip().lower() if "@" in address and len(address) <= 254 else ""


def _time(value: str) -> datetime:
    """SES's ISO 8601 times end in Z."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
