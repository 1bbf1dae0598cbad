"""Mail from workers: control cannot reach SES from the VPC, so its outbox puts an item
pk="MAIL#<id>"; the INSERT reaches workers through the table's stream, and workers send it.
Reminders (reminders.py) claim their mail the same way.

At least once. A mail is claimed with a lease (status "sending", lease_until), sent, then marked
"sent" (its secret removed, version 2, so that a replayed outbox put cannot bring the token back).
A failed send releases the claim and the event is retried. A holder that dies between claim and
send (a crash, a timeout) leaves its lease to lapse: the next delivery after it takes the claim
over and sends. A delivery that finds a live lease raises MailInFlight, so its event is retried
later. SES has no idempotency key: a holder that dies after SES accepted the mail but before the
"sent" mark is mailed again once its lease lapses. That window is one SES call and one write wide.

Suppressed addresses (a bounce or a complaint, control's projection SUPPRESSION/<address>) are
never mailed: the mail is settled "suppressed" instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from pawport.keys import MAIL_SK, SUPPRESSION_KEY, suppression_sk
from pawport.store import Attr, Outcome, Refused, Store, Update, Written

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import ConditionBase

MAIL_PREFIX = "MAIL#"
SETTLED_VERSION = 2
# A holder cannot outlive its lease: the functions that mail time out at Chalice's default 60 s, and
# a retried reminder message is visible again only after the reminders queue's 60 s visibility timeout.
LEASE = timedelta(seconds=60)


class MailInFlight(Exception):
    """Another delivery holds this mail's live lease: retry the event after it lapses."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str   # e.g. "text/calendar; method=PUBLISH"
    data: bytes


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)   # e.g. List-Unsubscribe, List-Unsubscribe-Post
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Postman:
    ses: Any
    sender: str
    configuration_set: str   # routes bounces and complaints to the ses-feedback topic

    def send(self, letter: Letter) -> None:
        """SES v1's SendEmail carries neither headers nor attachments; a letter with either goes as raw MIME."""
        if not letter.headers and not letter.attachments:
            self.ses.send_email(Source=self.sender, Destination={"ToAddresses": [letter.to]},
                                Message={"Subject": {"Data": letter.subject}, "Body": {"Text": {"Data": letter.text}}},
                                ConfigurationSetName=self.configuration_set)
            return
        self.ses.send_raw_email(Source=self.sender, Destinations=[letter.to],
                                RawMessage={"Data": mime(letter, self.sender)},
                                ConfigurationSetName=self.configuration_set)


def mime(letter: Letter, sender: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, letter.to, letter.subject
    for name, value in letter.headers.items():
        message[name] = value
    message.set_content(letter.text)
    for attached in letter.attachments:
        kind, *params = (part.strip() for part in attached.content_type.split(";"))
        maintype, subtype = kind.split("/")
        message.add_attachment(attached.data, maintype=maintype, subtype=subtype, filename=attached.filename,
                               params=dict(param.split("=", 1) for param in params))   # e.g. method=PUBLISH
    return message.as_bytes()


def suppressed(store: Store, address: str) -> bool:
    """SES told control this address bounced or complained: mail nothing to it."""
    return store.get(SUPPRESSION_KEY, suppression_sk(address)) is not None


def lapsed(now: datetime) -> ConditionBase:
    """A claim whose holder's lease has lapsed: the holder died before settling, so it may be taken over."""
    return Attr("body.status").eq("sending") & Attr("body.lease_until").lt(lease_stamp(now))


def lease_stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")   # UTC ISO strings order as the times do


def held(refused: Outcome) -> bool:
    """A refused claim: True when a live lease holds it (retry later), False when it was settled or is gone."""
    return isinstance(refused, Refused) and refused.old is not None and refused.old.body.get("status") == "sending"


def queued(records: list[dict]) -> list[str]:
    """Keys of the mail items a stream batch inserted; every other change to the table is not mail."""
    keys = (r["dynamodb"]["Keys"]["pk"]["S"] for r in records if r["eventName"] == "INSERT")
    return [pk for pk in keys if pk.startswith(MAIL_PREFIX)]


def deliver(store: Store, pk: str, postman: Postman, now: datetime) -> bool:
    """Send one queued mail; False when it is not (or no longer) ours to send."""
    letter = _claim(store, pk, now)
    if letter is None:
        return False
    if suppressed(store, letter["to"]):
        _settle(store, pk, "suppressed")
        return False
    try:
        postman.send(render(letter))
    except Exception:
        _release(store, pk)   # the stream's retry claims it again
        raise
    _settle(store, pk, "sent")
    return True


def render(letter: dict) -> Letter:
    if letter["template"] != "invitation":
        raise ValueError(f"no mail template {letter['template']!r}")
    inviter = letter.get("inviter") or "A Pawport member"
    subject = f"{inviter} invited you to {letter['household']} on Pawport"
    text = (f"{inviter} invited you to join {letter['household']} on Pawport as {letter['role']}.\n\n"
            f"Sign in to Pawport as {letter['to']} and enter this invitation code:\n\n    {letter['token']}\n\n"
            f"The code works once, until {letter['expires_at'][:10]}. If you did not expect it, ignore this mail.\n")
    return Letter(letter["to"], subject, text)


def _claim(store: Store, pk: str, now: datetime) -> dict | None:
    """queued (or a lapsed lease) -> sending. Version 2 at once: a replayed outbox put cannot reset it."""
    claimed = store.write(Update(pk, MAIL_SK, {"body.status": "sending", "body.lease_until": lease_stamp(now + LEASE),
                                               "version": SETTLED_VERSION},
                                 condition=store.live() & (Attr("body.status").eq("queued") | lapsed(now))))
    if isinstance(claimed, Written):
        return claimed.item.body if claimed.item else None
    if held(claimed):
        raise MailInFlight(f"{pk} is being sent by another delivery")
    return None


def _release(store: Store, pk: str) -> None:
    store.write(Update(pk, MAIL_SK, {"body.status": "queued"}, remove=["body.lease_until"]))


def _settle(store: Store, pk: str, status: str) -> None:
    store.write(Update(pk, MAIL_SK, {"body.status": status}, remove=["body.token", "body.lease_until"]))
