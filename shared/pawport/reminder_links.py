"""The unsubscribe link in a reminder mail: a token that names one member of one household and
expires, signed with HMAC-SHA256 under a key both workers (which sign) and control (which
verifies) hold in their settings. No sign-in is needed, so the signature is the only proof: it
is checked before anything else, and a token past its expiry is refused.

A token is `<payload>.<signature>`, both base64url without padding; the payload is JSON
{"h": household id, "u": user id, "exp": epoch seconds}. It says nothing a reader of the mail
does not know already (which household, an opaque member id)."""
import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LINK_LIFETIME = timedelta(days=60)   # a mail read weeks late still unsubscribes
SHORTEST_KEY = 32


class BadLink(ValueError):
    """A token that is malformed, not ours, or expired."""


@dataclass(frozen=True)
class Unsubscribe:
    household_id: str
    user_id: str
    expires_at: datetime


def sign(key: str, household_id: str, user_id: str, now: datetime) -> str:
    payload = {"h": household_id, "u": user_id, "exp": int((now + LINK_LIFETIME).timestamp())}
    body = _encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_encode(_mac(key, body))}"


def verify(key: str, token: str, now: datetime) -> Unsubscribe:
    body, _, signature = token.partition(".")
    expected = _mac(key, body)
    try:
        valid = hmac.compare_digest(_decode(signature), expected)
        payload = json.loads(_decode(body)) if valid else None
        link = Unsubscribe(str(payload["h"]), str(payload["u"]), datetime.fromtimestamp(int(payload["exp"]), UTC)) \
            if isinstance(payload, dict) else None
    except (ValueError, KeyError, TypeError):
        raise BadLink("this link is not one Pawport sent") from None
    if link is None:
        raise BadLink("this link is not one Pawport sent")
    if link.expires_at <= now:
        raise BadLink("this link has expired: change your reminders in the app instead")
    return link


def _mac(key: str, body: str) -> bytes:
    if len(key) < SHORTEST_KEY:
        raise ValueError(f"the reminder link key must be at least {SHORTEST_KEY} characters")
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
