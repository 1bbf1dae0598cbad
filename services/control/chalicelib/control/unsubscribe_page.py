"""The page behind a reminder mail's unsubscribe link, for a person with no session in the app.

GET only shows the page with one button, so the link scanners and previews of mail clients (which
fetch links but never submit forms) change nothing; the button POSTs the same URL. Mail clients
that offer their own unsubscribe button POST it too, as RFC 8058's one-click asks (the mail's
List-Unsubscribe-Post header), with no page in between. The token is checked on both, and only
the POST opens Aurora."""
from collections.abc import Callable
from datetime import datetime
from html import escape

from chalice import Response
from pydantic import BaseModel, ValidationError

from chalicelib.control.requests import UnsubscribeLink
from pawport.errors import PawportError
from pawport.reminder_links import BadLink, verify

Unsubscriber = Callable[[str, str], BaseModel]   # (token, request id) -> the member's windows now


def answer(method: str, params: dict[str, str], key: str, now: datetime, unsubscribe: Unsubscriber,
           request_id: str) -> Response:
    try:
        token = UnsubscribeLink.model_validate(params).token
    except ValidationError:
        return page(400, "This link is not complete", "Open the link from the reminder mail again.")
    try:
        if method == "GET":
            verify(key, token, now)
            return confirm(token)
        unsubscribe(token, request_id)
    except BadLink as refused:
        return page(400, "This link does not work", f"{refused}.")
    except PawportError as error:
        return page(error.status, "Not done yet", f"{error} Try the button again in a moment.")
    return page(200, "Unsubscribed", "You will get no more reminder mail from this household. "
                                     "You can turn reminders back on in the app, under the household's reminders.")


def confirm(token: str) -> Response:
    form = (f'<form method="post" action="?token={escape(token)}">'
            '<button type="submit">Stop reminder mail</button></form>')
    return page(200, "Stop reminder mail from this household?",
                "You will get no more mails about vaccinations coming due in this household.", form)


def page(status: int, title: str, text: str, extra: str = "") -> Response:
    html = ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="robots" content="noindex"><title>{escape(title)} · Pawport</title></head>'
            f'<body style="font-family: sans-serif; max-width: 32em; margin: 2em auto; padding: 0 1em">'
            f'<h1>{escape(title)}</h1><p>{escape(text)}</p>{extra}</body></html>')
    return Response(body=html, status_code=status,
                    headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"})
