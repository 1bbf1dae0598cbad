"""Checks before approval: what a person should look at twice before a read vaccination becomes a
record. Pure functions over what was read, the pet the file was uploaded to and the records on
file; each answers in words, for the draft, or nothing when all is well.

egress runs the date checks that need no calendar as it reads (a doubtful date is never "ready");
the api runs them all whenever a draft is shown, against the household's records and today, so a
record approved meanwhile makes a later draft a probable duplicate at once.
"""
import calendar
import re
import unicodedata
from datetime import date, timedelta

from pawport.contracts import ExtractedDocument, ExtractedVaccination

RABIES_MAX_YEARS = 3   # no rabies vaccine is licensed for longer
DURATION = re.compile(r"\b(\d{1,2})\s*-?\s*(years?|yrs?|months?|mos?)\b", re.IGNORECASE)


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", plain.casefold()))


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:   # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _add_months(day: date, months: int) -> date:
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def validity_end(given: date, validity: str | None) -> date | None:
    """The last valid day of a vaccination given on `given` for a validity as printed ("3 years",
    "12 months", "1 yr"); None when the validity says no duration."""
    match = DURATION.search(validity or "")
    if match is None:
        return None
    count, unit = int(match.group(1)), match.group(2).lower()
    if count == 0:
        return None
    later = _add_years(given, count) if unit.startswith("y") else _add_months(given, count)
    return later - timedelta(days=1)


def other_pet(read: ExtractedDocument | None, pet: dict) -> str | None:
    """The certificate names another animal than the pet it was uploaded to: by microchip when both
    are known (a chip is unique; a printed name may be a nickname), else by name."""
    if read is None:
        return None
    printed_chip, pet_chip = _digits(read.microchip), _digits(pet.get("microchip"))
    if printed_chip and pet_chip:
        if printed_chip != pet_chip:
            return f"the certificate is for microchip {printed_chip}, not {pet['name']}'s ({pet_chip})"
        return None
    if read.pet_name and _folded(pet["name"]) not in _folded(read.pet_name).split(" ") and \
            _folded(pet["name"]) != _folded(read.pet_name):
        return f"the certificate names {read.pet_name}, not {pet['name']}"
    return None


def probable_duplicate(read: ExtractedVaccination, records: list[dict]) -> str | None:
    """A record of the pet already holds this vaccine given on this day (another scan of the same
    certificate, or the same visit typed in by hand)."""
    if not (read.vaccine and read.administered_on):
        return None
    given = read.administered_on.isoformat()
    for record in records:
        if _folded(record.get("vaccine") or "") == _folded(read.vaccine) and record.get("administered_on") == given:
            return f"probably a duplicate: a {record['vaccine']} record given on {given} is already on file"
    return None


def date_problems(read: ExtractedVaccination, today: date | None = None) -> list[str]:
    """Dates that look wrong: given in the future (when today is known), an expiry not after the
    date given, a rabies validity over three years."""
    given, expires = read.administered_on, read.expires_on
    problems = []
    if today and given and given > today:
        problems.append(f"the date given, {given.isoformat()}, is in the future")
    if given and expires and expires <= given:
        problems.append("the expiry date is not after the date given")
    if read.vaccine and "rabies" in _folded(read.vaccine) and given and (
            expires and expires > _add_years(given, RABIES_MAX_YEARS)
            or (end := validity_end(given, read.validity)) and end >= _add_years(given, RABIES_MAX_YEARS)):
        problems.append(f"a rabies vaccination is valid for at most {RABIES_MAX_YEARS} years")
    return problems
