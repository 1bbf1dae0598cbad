"""Dates as certificates print them, and the day/month order a clinic's country settles.

14/03/2026 is the 14th of March anywhere; 03/04/2026 is the 3rd of April in the UK and the 4th of
March in the US. The order comes from the document: a numeric date with a day over 12 settles it
outright, else the clinic's address and phone (a UK postcode, +44, "£"; a US state and ZIP, a
(555) 555-0100 number, "$"). Without either, such a date is unknown rather than guessed.
"""
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {name: number for number, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"], start=1)
    for name in names.split()}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4}|\d{2})"
PATTERNS = [   # (pattern, the groups' order)
    (r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)", "ymd"),
    (rf"(?<![\d/.-])(\d{{1,2}})[/.-](\d{{1,2}})[/.-]{_YEAR}(?![\d/-]|\.\d)", "numeric"),
    (rf"\b{_DAY}[\s-]+({_MONTH})\.?,?[\s-]+(\d{{4}})\b", "dMy"),
    (rf"\b({_MONTH})\.?\s+{_DAY},?\s+(\d{{4}})\b", "Mdy"),
]
US_CLUES = [r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b", r"\(\d{3}\)\s*\d{3}-\d{4}", r"\$\s?\d", r"\bUSA\b",
            r"\bUnited States\b", r"\bDVM\b", r"(?i:\bcolor\b)"]
UK_CLUES = [r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b", r"\+44\b", r"£\s?\d", r"\bUnited Kingdom\b", r"\bEngland\b",
            r"\bMRCVS\b", r"\bBVSc\b", r"\b0\d{3,4}\s\d{6}\b", r"(?i:\bcolour\b)", r"\bVAT\b"]


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    value: date | None       # None: impossible, or ambiguous in the document's order
    settled_by: str          # "written" (the month is a word, or ISO), "day>12", "country", "unsettled"


def day_month_order(text: str) -> tuple[str | None, str]:
    """("dmy" | "mdy" | None, why): from the document's own unambiguous dates first, then its country."""
    orders = set()
    for match in re.finditer(PATTERNS[1][0], text):
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            orders.add("dmy")
        elif second > 12 >= first:
            orders.add("mdy")
    if len(orders) == 1:
        return orders.pop(), "day>12"
    us = sum(bool(re.search(clue, text)) for clue in US_CLUES)
    uk = sum(bool(re.search(clue, text)) for clue in UK_CLUES)
    if us and not uk:
        return "mdy", "country"
    if uk and not us:
        return "dmy", "country"
    return None, "unsettled"


def find_dates(text: str, order: str | None = None, why: str = "unsettled") -> list[Found]:
    """Every date in `text`, left to right; `order` settles numeric ones whose day is 12 or less."""
    found: list[Found] = []
    for pattern, kind in PATTERNS:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            if any(f.start < match.end() and match.start() < f.end for f in found):
                continue
            value, settled = _value(match.groups(), kind, order, why)
            found.append(Found(match.start(), match.end(), value, settled))
    return sorted(found, key=lambda f: f.start)


def _value(groups: tuple[str, ...], kind: str, order: str | None, why: str) -> tuple[date | None, str]:
    settled = "written"
    if kind == "ymd":
        year, month, day = (int(g) for g in groups)
    elif kind == "numeric":
        first, second, year = int(groups[0]), int(groups[1]), _year(groups[2])
        if first > 12 or second > 12 or first == second:
            day, month = (first, second) if first > 12 or first == second else (second, first)
            settled = "day>12"
        elif order is None:
            return None, "unsettled"
        else:
            day, month = (first, second) if order == "dmy" else (second, first)
            settled = why
    elif kind == "dMy":
        day, month, year = int(groups[0]), MONTHS[groups[1].lower()], int(groups[2])
    else:
        month, day, year = MONTHS[groups[0].lower()], int(groups[1]), int(groups[2])
    try:
        return date(year, month, day), settled
    except ValueError:
        return None, "impossible"


def _year(written: str) -> int:
    return int(written) + (2000 if len(written) == 2 else 0)
