"""SES's notifications read as control reads them, the suppression rule, and mail as workers compose
it (raw MIME with headers and attachments): pure functions, no AWS, no database."""
import email
import json
from datetime import UTC, datetime, timedelta
from email.policy import default

import pytest

from chalicelib.control import suppressions
from chalicelib.workers.mail import Attachment, Letter, mime
from tests.support import ses

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_a_permanent_bounce_names_each_recipient_once_in_lower_case() -> None:
    message = ses.bounce(["Jane@Example.com", "jane@example.com", "mary@example.com"], at=AT, feedback_id="fb-1",
                         message_id="ses-1")
    read = suppressions.read_notification(message, "sns-1")
    assert sorted(f.email for f in read) == ["jane@example.com", "mary@example.com"]
    assert {(f.feedback_id, f.kind, f.ses_message_id, f.occurred_at) for f in read} == {("fb-1", "permanent", "ses-1", AT)}


@pytest.mark.parametrize(("bounce_type", "kind"), [("Transient", "transient"), ("Undetermined", "transient"),
                                                   ("Permanent", "permanent")])
def test_bounce_types(bounce_type: str, kind: str) -> None:
    [read] = suppressions.read_notification(ses.bounce(["a@example.com"], bounce_type), "sns-1")
    assert read.kind == kind


def test_a_complaint_and_the_configuration_sets_event_shape() -> None:
    message = ses.complaint(["richard@example.com"], at=AT, feedback_id="fb-2")
    [read] = suppressions.read_notification(message, "sns-1")
    assert (read.email, read.kind, read.feedback_id) == ("richard@example.com", "complaint", "fb-2")
    # a configuration set's event destination says eventType instead of notificationType
    as_event = {"eventType": message.pop("notificationType")} | message
    assert suppressions.read_notification(as_event, "sns-1") == [read]


def test_other_notifications_and_unusable_addresses_are_ignored() -> None:
    delivery = {"notificationType": "Delivery", "mail": {"messageId": "m", "timestamp": "2026-12-01T09:30:00.000Z"},
                "delivery": {"recipients": ["a@example.com"]}}
    assert suppressions.read_notification(delivery, "sns-1") == []
    assert suppressions.read_notification(ses.bounce(["not an address"]), "sns-1") == []
    assert list(suppressions.commands(ses.sns_event(delivery))) == []


def test_the_sns_message_id_is_the_commands_request_id() -> None:
    [command] = suppressions.commands(ses.sns_event(ses.complaint(["a@example.com"]), message_id="sns-42"))
    assert command.notification_id == "sns-42" and [f.email for f in command.feedback] == ["a@example.com"]


def test_poison_notifications_raise() -> None:
    event = ses.sns_event({})
    event["Records"][0]["Sns"]["Message"] = "not json"
    with pytest.raises(json.JSONDecodeError):
        list(suppressions.commands(event))


def days(*offsets: float) -> list[datetime]:
    return [AT + timedelta(days=d) for d in offsets]


@pytest.mark.parametrize(("kind", "transients", "reason"), [
    ("complaint", [], "complaint"),
    ("permanent", [], "bounce"),
    ("transient", days(0, 5), None),              # twice: not yet
    ("transient", days(0, 5, 14), "bounce"),      # three times within 14 days
    ("transient", days(0, 7, 14.01), None),       # three times, but over more than 14 days
    ("transient", days(0, 20, 21, 33), "bounce"),  # any three within 14 days
])
def test_when_an_address_is_suppressed(kind: str, transients: list[datetime], reason: str | None) -> None:
    assert suppressions.reason_to_suppress(kind, transients) == reason


def test_a_letter_with_headers_and_an_attachment_is_raw_mime() -> None:
    letter = Letter("ann@example.com", "Ollie's rabies vaccination needs renewing", "Book the vet.\n",
                    headers={"List-Unsubscribe": "<https://pawport.example/u?t=abc>",
                             "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
                    attachments=(Attachment("reminders.ics", "text/calendar; method=PUBLISH", b"BEGIN:VCALENDAR\r\n"),))
    parsed = email.message_from_bytes(mime(letter, "no-reply@pawport.local"), policy=default)
    assert (parsed["To"], parsed["From"], parsed["Subject"]) == (letter.to, "no-reply@pawport.local", letter.subject)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_body(preferencelist=("plain",)).get_content() == "Book the vet.\n"
    [attached] = parsed.iter_attachments()
    assert (attached.get_filename(), attached.get_content_type(), attached.get_param("method")) == \
        ("reminders.ics", "text/calendar", "PUBLISH")
    assert attached.get_payload(decode=True) == b"BEGIN:VCALENDAR\r\n"
