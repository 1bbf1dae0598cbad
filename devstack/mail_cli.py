"""`make mail`: the mail the running `make dev` stack has sent through its local SES (moto), so a
newcomer sees a reminder or an invitation (and its code) without reading any code: to whom, the
subject, the first lines, the headers that matter and the attachments. Oldest first per kind of
send (moto keeps simple and raw sends apart). Cognito's own sign-up codes do not go through SES
locally (moto's user pool confirms users without mail), so they are not here."""
import argparse
import sys

import requests

from devstack import mailbox
from devstack.dev import STATE_DIR
from devstack.stack import Stack

SHOWN_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")


def described(mail: dict, lines: int) -> str:
    text = mail["text"].strip().splitlines()
    shown = [f"To: {', '.join(mail['to'])}", f"Subject: {mail['subject']}",
             *(f"{name}: {mail['headers'][name]}" for name in SHOWN_HEADERS if name in mail["headers"]),
             "", *text[:lines], *(["…"] if len(text) > lines else []),
             *(f"[attached: {name} ({kind}, {len(data)} bytes)]" for name, kind, data in mail["attachments"])]
    return "\n".join(shown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=12, help="how many lines of each mail's text to show")
    parser.add_argument("--to", help="only mail to this address")
    args = parser.parse_args(argv)
    if not (STATE_DIR / "stack.json").exists():
        print("no `make dev` stack has run here: start one with `make dev`", file=sys.stderr)
        return 1
    moto_url = Stack.load(STATE_DIR).moto_url
    try:
        sent = mailbox.sent_to(moto_url, args.to) if args.to else mailbox.sent_mail(moto_url)
    except requests.ConnectionError:
        print("the `make dev` stack is not answering: is `make dev` running?", file=sys.stderr)
        return 1
    print("\n\n".join(described(mail, args.lines) for mail in sent) if sent else "no mail sent yet")
    print(f"\n{len(sent)} mail(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
