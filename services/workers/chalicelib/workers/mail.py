"""Mail that control queued. control cannot reach SES from the VPC, so its outbox puts an item
pk="MAIL#<id>"; the INSERT reaches workers through the table's stream, and workers send it.

Each mail is claimed before it is sent (queued -> sending) and settled after (sent, its secret
removed, version 2 so that a replayed outbox put cannot bring the token back): a redelivered
record sends nothing twice. A failed send releases the claim and the stream retries the batch;
a crash between claim and send loses that mail (at most once: the owner can invite again)."""
from dataclasses import dataclass
from typing import Any

from pawport.keys import MAIL_SK
from pawport.store import Attr, Store, Update, Written

MAIL_PREFIX = "MAIL#"
SETTLED_VERSION = 2


@dataclass(frozen=True)
class Postman:
    ses: Any
    sender: str
    configuration_set: str   # routes bounces and complaints to the ses-feedback topic

    def send(self, to: str, subject: str, text: str) -> None:
        self.ses.send_email(Source=self.sender, Destination={"ToAddresses": [to]},
                            Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
                            ConfigurationSetName=self.configuration_set)


def queued(records: list[dict]) -> list[str]:
    """Keys of the mail items a stream batch inserted; every other change to the table is not mail."""
    keys = (r["dynamodb"]["Keys"]["pk"]["S"] for r in records if r["eventName"] == "INSERT")
    return [pk for pk in keys if pk.startswith(MAIL_PREFIX)]


def deliver(store: Store, pk: str, postman: Postman) -> bool:
    """Send one queued mail; False when it is not (or no longer) ours to send."""
    letter = _claim(store, pk)
    if letter is None:
        return False
    subject, text = render(letter)
    try:
        postman.send(letter["to"], subject, text)
    except Exception:
        _set_status(store, pk, "queued")   # the stream's retry claims it again
        raise
    _set_status(store, pk, "sent", settle=True)
    return True


def render(letter: dict) -> tuple[str, str]:
    if letter["template"] != "invitation":
        raise ValueError(f"no mail template {letter['template']!r}")
    inviter = letter.get("inviter") or "A Pawport member"
    subject = f"{inviter} invited you to {letter['household']} on Pawport"
    text = (f"{inviter} invited you to join {letter['household']} on Pawport as {letter['role']}.\n\n"
            f"Sign in to Pawport as {letter['to']} and enter this invitation code:\n\n    {letter['token']}\n\n"
            f"The code works once, until {letter['expires_at'][:10]}. If you did not expect it, ignore this mail.\n")
    return subject, text


def _claim(store: Store, pk: str) -> dict | None:
    claimed = store.write(Update(pk, MAIL_SK, {"body.status": "sending"},
                                 condition=store.live() & Attr("body.status").eq("queued")))
    return claimed.item.body if isinstance(claimed, Written) and claimed.item else None


def _set_status(store: Store, pk: str, status: str, settle: bool = False) -> None:
    settled = {"version": SETTLED_VERSION} if settle else {}
    store.write(Update(pk, MAIL_SK, {"body.status": status} | settled, remove=["body.token"] if settle else []))
