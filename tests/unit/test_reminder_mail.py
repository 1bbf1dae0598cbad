"""A reminder mail, pure: its unsubscribe token (signed, expiring, refused when changed or foreign),
its text and links, the headers for mail clients' one-click unsubscribe, and its .ics calendar
(read back by an independent RFC 5545 parser)."""
import email
from datetime import UTC, date, datetime, timedelta
from email.policy import default
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from chalicelib.control import unsubscribe_page
from chalicelib.workers import reminder_mail
from chalicelib.workers.mail import mime
from pawport import reminder_links
from pawport.reminder_links import LINK_LIFETIME, BadLink

KEY, OTHER_KEY = "k" * 40, "o" * 40
NOW = datetime(2027, 3, 1, 7, 0, 5, tzinfo=UTC)
LINKS = reminder_mail.Links(KEY, "https://app.example", "https://app.example/control/reminders/unsubscribe")
PARKERS = reminder_mail.Household("h1", "The Parkers, Elm St; No. 5", "Europe/London", {"p1": "Ollie", "p2": "Mochi"})
DUE = [{"record_id": "r1", "pet_id": "p1", "vaccine": "Rabies", "expires_on": "2027-03-31", "windows": [30]},
       {"record_id": "r2", "pet_id": "p2", "vaccine": "FVRCP", "expires_on": "2027-03-01", "windows": [0]}]
MEMBER = {"user_id": "u-1", "email": "sam@example.com"}


def test_a_link_names_its_member_and_household_until_it_expires() -> None:
    token = reminder_links.sign(KEY, "h1", "u-1", NOW)
    link = reminder_links.verify(KEY, token, NOW + LINK_LIFETIME - timedelta(seconds=1))
    assert (link.household_id, link.user_id) == ("h1", "u-1")
    with pytest.raises(BadLink, match="expired"):
        reminder_links.verify(KEY, token, NOW + LINK_LIFETIME)


@pytest.mark.parametrize("forged", [
    lambda token: reminder_links.sign(OTHER_KEY, "h1", "u-1", NOW),          # another key
    lambda token: token.replace(token.split(".")[0], reminder_links.sign(KEY, "h2", "u-1", NOW).split(".")[0]),
    lambda token: token[:-20] + ("A" if token[-20] != "A" else "B") + token[-19:],   # one signature character
    lambda token: token.split(".")[0],                                        # no signature
    lambda token: "",
    lambda token: "not base64!.also not",
])
def test_a_changed_or_foreign_link_is_refused(forged) -> None:
    with pytest.raises(BadLink, match="not one Pawport sent"):
        reminder_links.verify(KEY, forged(reminder_links.sign(KEY, "h1", "u-1", NOW)), NOW)


def test_a_short_key_is_refused_before_anything_is_signed() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        reminder_links.sign("short", "h1", "u-1", NOW)


def test_the_mail_names_each_pet_links_to_it_and_says_how_to_stop() -> None:
    letter = reminder_mail.letter(PARKERS, MEMBER, (30, 0), DUE, date(2027, 3, 1), LINKS, NOW)

    assert letter.to == "sam@example.com" and letter.subject == "2 vaccinations in The Parkers, Elm St; No. 5 need renewing"
    assert "- Ollie: Rabies expires in 30 days (2027-03-31)\n  https://app.example/pets/p1?household=h1" in letter.text
    assert "- Mochi: FVRCP expires today (2027-03-01)" in letter.text
    assert "30 days before, on the last valid day" in letter.text
    unsubscribe = letter.headers["List-Unsubscribe"].strip("<>")
    assert letter.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in letter.text and unsubscribe.startswith(LINKS.unsubscribe_url + "?token=")
    [token] = parse_qs(urlsplit(unsubscribe).query)["token"]
    assert reminder_links.verify(KEY, token, NOW).user_id == "u-1"


def test_one_reminder_says_when_in_the_subject() -> None:
    letter = reminder_mail.letter(PARKERS, MEMBER, (7,), DUE[:1], date(2027, 3, 24), LINKS, NOW)
    assert letter.subject == "Ollie's Rabies vaccination expires in 7 days"


def test_the_calendar_has_an_all_day_event_on_each_last_valid_day() -> None:
    letter = reminder_mail.letter(PARKERS, MEMBER, (30, 0), DUE, date(2027, 3, 1), LINKS, NOW)
    [(name, kind, data)] = [(a.filename, a.content_type, a.data) for a in letter.attachments]
    assert (name, kind) == ("vaccinations-due.ics", "text/calendar; method=PUBLISH")
    assert all(len(line.encode()) <= 75 for line in data.decode().split("\r\n"))   # folded

    calendar = icalendar.Calendar.from_ical(data)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [(e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"])) for e in events] == [
        (date(2027, 3, 1), date(2027, 3, 2), "Mochi: FVRCP expires (last valid day)"),
        (date(2027, 3, 31), date(2027, 4, 1), "Ollie: Rabies expires (last valid day)")]
    assert str(events[1]["DESCRIPTION"]) == "Renew it before then (The Parkers, Elm St; No. 5)."   # escaped, read back
    assert str(events[1]["URL"]) == "https://app.example/pets/p1?household=h1"
    assert {str(e["UID"]) for e in events} == {"r1-20270331@pawport", "r2-20270301@pawport"}
    assert events[0].decoded("DTSTAMP") == NOW.replace(microsecond=0)


def test_the_mime_message_carries_the_headers_and_the_calendar() -> None:
    letter = reminder_mail.letter(PARKERS, MEMBER, (30, 0), DUE, date(2027, 3, 1), LINKS, NOW)
    parsed = email.message_from_bytes(mime(letter, "no-reply@pawport.example"), policy=default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [attached] = parsed.iter_attachments()
    assert attached.get_content_type() == "text/calendar" and attached.get_param("method") == "PUBLISH"
    assert icalendar.Calendar.from_ical(attached.get_payload(decode=True)).walk("VEVENT")


def test_the_page_changes_nothing_on_get_and_unsubscribes_on_post() -> None:
    calls: list[str] = []
    token = reminder_links.sign(KEY, "h1", "u-1", NOW)

    def unsubscribe(link: str, request_id: str) -> None:   # as control's: the link checked, then the change
        reminder_links.verify(KEY, link, NOW)
        calls.append(link)

    def answer(method: str, params: dict):
        return unsubscribe_page.answer(method, params, KEY, NOW, unsubscribe, "req-1")

    shown = answer("GET", {"token": token})
    assert shown.status_code == 200 and 'method="post"' in shown.body and calls == []   # scanners fetch, never post
    assert answer("POST", {"token": token}).status_code == 200 and calls == [token]
    assert answer("POST", {"token": reminder_links.sign(OTHER_KEY, "h1", "u-1", NOW)}).status_code == 400
    assert answer("GET", {}).status_code == 400 and answer("POST", {"token": token, "more": "x"}).status_code == 400
    assert calls == [token]
