"""The mail the local SES (moto) has sent, read back in one shape whichever way it was sent.

moto keeps SendEmail's mails (["ses"]["Message"]: subject and body) apart from SendRawEmail's
(["ses"]["RawMessage"]: the MIME text), and lists a raw mail's addressee twice (the To header and
the Destinations both). Order is kept within each kind only. Dev tooling and tests: no service imports it.
"""
import email
from email.message import Message
from email.policy import default

import requests


def sent_mail(moto_url: str) -> list[dict]:
    """Each mail: to, subject, text, headers (dict), attachments [(filename, content type, bytes)]."""
    # one service only: moto serialises every backend for the plain data.json (see devstack/moto_server.py)
    ses = requests.get(f"{moto_url}/moto-api/data.json?service=ses", timeout=120).json().get("ses", {})
    simple = [{"to": m["destinations"]["ToAddresses"], "subject": m["subject"], "text": m["body"], "headers": {},
               "attachments": []} for m in ses.get("Message", [])]
    return simple + [_parsed(m["raw_data"], m["destinations"]) for m in ses.get("RawMessage", [])]


def sent_to(moto_url: str, address: str) -> list[dict]:
    return [m for m in sent_mail(moto_url) if address.lower() in (to.lower() for to in m["to"])]


def _parsed(raw: str, destinations: list[str]) -> dict:
    message = email.message_from_string(raw, policy=default)
    body = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    return {"to": sorted(set(destinations)), "subject": str(message["Subject"]),
            "text": body.get_content() if body is not None else "",
            "headers": {name: str(value) for name, value in message.items()},
            "attachments": [_attachment(part) for part in message.iter_attachments()]}


def _attachment(part: Message) -> tuple[str, str, bytes]:
    return part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True) or b""
