"""`make mail` shows each sent mail as a newcomer needs it: to whom, the subject, the first lines,
the unsubscribe headers and what is attached (the mail itself is read by devstack/mailbox.py)."""
from devstack.mail_cli import described


def test_a_mail_is_shown_with_its_first_lines_headers_and_attachments() -> None:
    mail = {"to": ["sam@example.com"], "subject": "Ollie's Rabies vaccination expires in 7 days",
            "text": "\n".join(f"line {n}" for n in range(20)),
            "headers": {"List-Unsubscribe": "<https://x/u?token=t>", "X-Other": "hidden"},
            "attachments": [("vaccinations-due.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n")]}

    shown = described(mail, lines=3).splitlines()

    assert shown == ["To: sam@example.com", "Subject: Ollie's Rabies vaccination expires in 7 days",
                     "List-Unsubscribe: <https://x/u?token=t>", "", "line 0", "line 1", "line 2", "…",
                     "[attached: vaccinations-due.ics (text/calendar, 17 bytes)]"]
