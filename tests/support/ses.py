"""SES's bounce and complaint notifications, in the shape the Amazon SES developer guide documents
("Amazon SNS notification examples for Amazon SES"), and the SNS event Lambda builds around one."""
import json
import uuid
from datetime import UTC, datetime

SENDER = "no-reply@pawport.local"


def _mail(to: list[str], at: datetime, message_id: str | None) -> dict:
    stamp = _stamp(at)
    return {"timestamp": stamp, "source": SENDER, "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/pawport.local",
            "sourceIp": "127.0.3.0", "sendingAccountId": "123456789012", "callerIdentity": "pawport-workers",
            "messageId": message_id or f"0100018{uuid.uuid4().hex[:9]}-{uuid.uuid4()}-000000",
            "destination": to, "headersTruncated": False,
            "headers": [{"name": "From", "value": SENDER}, {"name": "To", "value": ", ".join(to)}],
            "commonHeaders": {"from": [SENDER], "to": to, "subject": "A Pawport mail"}}


def bounce(to: list[str], bounce_type: str = "Permanent", at: datetime | None = None,
           feedback_id: str | None = None, message_id: str | None = None) -> dict:
    at = at or datetime.now(UTC)
    sub_type = "General" if bounce_type == "Permanent" else "MailboxFull"
    return {"notificationType": "Bounce",
            "bounce": {"bounceType": bounce_type, "bounceSubType": sub_type, "reportingMTA": "dns; email.example.com",
                       "bouncedRecipients": [{"emailAddress": address, "status": "5.1.1", "action": "failed",
                                              "diagnosticCode": f"smtp; 550 5.1.1 <{address}>... User"}
                                             for address in to],
                       "timestamp": _stamp(at), "feedbackId": feedback_id or _feedback_id(),
                       "remoteMtaIp": "127.0.2.0"},
            "mail": _mail(to, at, message_id)}


def complaint(to: list[str], at: datetime | None = None, feedback_id: str | None = None) -> dict:
    at = at or datetime.now(UTC)
    return {"notificationType": "Complaint",
            "complaint": {"userAgent": "AnyCompany Feedback Loop (V0.01)",
                          "complainedRecipients": [{"emailAddress": address} for address in to],
                          "complaintFeedbackType": "abuse", "arrivalDate": _stamp(at), "timestamp": _stamp(at),
                          "feedbackId": feedback_id or _feedback_id()},
            "mail": _mail(to, at, None)}


def sns_event(message: dict, message_id: str | None = None) -> dict:
    """What SNS hands the subscribed function (the shape of tests/fixtures/aws-events/snsEvent.json)."""
    topic = "arn:aws:sns:us-east-1:123456789012:pawport-local-ses-feedback"
    return {"Records": [{"EventVersion": "1.0", "EventSubscriptionArn": f"{topic}:{uuid.uuid4()}", "EventSource": "aws:sns",
                         "Sns": {"SignatureVersion": "1", "Timestamp": _stamp(datetime.now(UTC)), "Signature": "EXAMPLE",
                                 "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService.pem",
                                 "MessageId": message_id or str(uuid.uuid4()), "Message": json.dumps(message),
                                 "MessageAttributes": {}, "Type": "Notification",
                                 "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                                 "TopicArn": topic, "Subject": None}}]}


def _feedback_id() -> str:
    return f"0100018{uuid.uuid4().hex[:9]}-{uuid.uuid4()}-000000"


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
