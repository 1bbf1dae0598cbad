"""One member's reminder mail: the text, a link straight to each pet in the app, an unsubscribe link
that needs no sign-in (pawport/reminder_links.py), the List-Unsubscribe headers that let a mail
client offer the same in one click (RFC 8058), and the due dates as an .ics calendar (RFC 5545,
written here: a few lines of text need no library)."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode

from chalicelib.workers.mail import Attachment, Letter
from pawport import reminder_links
from pawport.reminders import days_left

CALENDAR_FILE = "vaccinations-due.ics"


@dataclass(frozen=True)
class Links:
    """Where a reminder's links point: the web app, and control's public unsubscribe page."""
    key: str              # signs the unsubscribe token; control verifies it with the same key
    web_app_url: str      # e.g. https://app.example.com
    unsubscribe_url: str  # e.g. https://control.example.com/reminders/unsubscribe

    def pet(self, household_id: str, pet_id: str) -> str:
        return f"{self.web_app_url.rstrip('/')}/pets/{quote(pet_id)}?{urlencode({'household': household_id})}"

    def unsubscribe(self, household_id: str, user_id: str, now: datetime) -> str:
        token = reminder_links.sign(self.key, household_id, user_id, now)
        return f"{self.unsubscribe_url}?{urlencode({'token': token})}"


@dataclass(frozen=True)
class Household:
    """What the mail says of the household, from its partition of the projection."""
    id: str
    name: str
    time_zone: str
    pets: dict[str, str]   # pet id -> name


def for_member(windows: tuple[int, ...], due: list[dict]) -> list[dict]:
    """The day's reminders this member asked for: those filed for one of their windows."""
    return [reminder for reminder in due if set(reminder["windows"]) & set(windows)]


def letter(household: Household, member: dict, windows: tuple[int, ...], due: list[dict], day: date,
           links: Links, now: datetime) -> Letter:
    unsubscribe = links.unsubscribe(household.id, member["user_id"], now)
    subject, text = render(household, windows, due, day, links, unsubscribe)
    return Letter(member["email"], subject, text,
                  headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
                  attachments=(Attachment(CALENDAR_FILE, "text/calendar; method=PUBLISH",
                                          calendar(household, due, links, now)),))


def render(household: Household, windows: tuple[int, ...], due: list[dict], day: date, links: Links,
           unsubscribe: str) -> tuple[str, str]:
    first = due[0]
    subject = (f"{_pet(household, first)}'s {first['vaccine']} vaccination {_when(household, first, day)}"
               if len(due) == 1 else f"{len(due)} vaccinations in {household.name} need renewing")
    lines = "\n".join(f"- {_pet(household, r)}: {r['vaccine']} {_when(household, r, day)} ({r['expires_on']})\n"
                      f"  {links.pet(household.id, r['pet_id'])}" for r in due)
    return subject, (f"Vaccinations in {household.name} that need renewing soon:\n\n{lines}\n\n"
                     "Book the vet, then add the new certificate in Pawport. The attached calendar file "
                     f"({CALENDAR_FILE}) puts each expiry date in your calendar.\n\n"
                     f"You get these mails {_windows(windows)}.\n"
                     f"To stop reminder mail from {household.name} (no sign-in needed): {unsubscribe}\n")


def calendar(household: Household, due: list[dict], links: Links, now: datetime) -> bytes:
    """An all-day event on each record's last valid day. The UID is the record's and its expiry's,
    so a later reminder of the same expiry updates the event instead of adding another."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Pawport//Vaccination reminders//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH"]
    for reminder in due:
        last_day = date.fromisoformat(reminder["expires_on"])
        summary = f"{_pet(household, reminder)}: {reminder['vaccine']} expires (last valid day)"
        lines += ["BEGIN:VEVENT", f"UID:{reminder['record_id']}-{last_day:%Y%m%d}@pawport", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{last_day:%Y%m%d}", f"DTEND;VALUE=DATE:{last_day + timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_text(summary)}", f"DESCRIPTION:{_text(f'Renew it before then ({household.name}).')}",
                  f"URL:{links.pet(household.id, reminder['pet_id'])}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(f"{_folded(line)}\r\n" for line in lines).encode()


def _pet(household: Household, reminder: dict) -> str:
    return household.pets.get(reminder["pet_id"], "A pet")


def _when(household: Household, reminder: dict, day: date) -> str:
    left = days_left(date.fromisoformat(reminder["expires_on"]), day, household.time_zone)
    return "expires today" if left <= 0 else "expires tomorrow" if left == 1 else f"expires in {left} days"


def _windows(windows: tuple[int, ...]) -> str:
    days = [("on the last valid day" if w == 0 else f"{w} day{'s' if w > 1 else ''} before")
            for w in windows]
    return ("before a vaccination expires: " if days else "") + ", ".join(days)


def _text(value: str) -> str:
    """An iCalendar TEXT value: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _folded(line: str) -> str:
    """Lines longer than 75 octets folded with CRLF and a space (RFC 5545 3.1), never inside a character."""
    parts: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode()) > (75 if not parts else 74):
            parts.append(current)
            current = ""
        current += char
    return "\r\n ".join([*parts, current])
