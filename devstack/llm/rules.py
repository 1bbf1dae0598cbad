"""Rules that find a vaccination's fields in a certificate's text (from pypdf or tesseract).

Labels name the fields; a labelled date is the first date after its label that no earlier
label took, which reads both "Date given: 14/03/2026" and a table whose header row
("Date given  Expires") sits above its values. A numeric date whose day and month could be
swapped (03/04/2026) is left out rather than guessed.
"""
import re
from dataclasses import dataclass
from datetime import date

VACCINES = [   # (the label reported, what certificates print)
    ("Rabies", r"rabies"),
    ("DHPP", r"dhl?ppi?|da2ppv?|dappv?|distemper"),
    ("Bordetella", r"bordetella|kennel\s+cough"),
    ("FVRCP", r"fvrcp|feline\s+distemper"),
    ("Leptospirosis", r"leptospirosis|lepto"),
    ("Lyme", r"lyme|borrelia"),
    ("Canine Influenza", r"influenza|civ|h3n[28]"),
    ("FeLV", r"felv|feline\s+leuka?emia"),
]
MONTHS = {name: number for number, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"], start=1)
    for name in names.split()}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
DATE_FORMATS = [   # (pattern, the groups' order)
    (r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", "ymd"),
    (r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b", "numeric"),
    (rf"\b{_DAY}\s+({_MONTH})\.?,?\s+(\d{{4}})\b", "dMy"),
    (rf"\b({_MONTH})\.?\s+{_DAY},?\s+(\d{{4}})\b", "Mdy"),
]
GIVEN = r"date\s+(?:given|administered|vaccinated|of\s+vaccination)|administered(?:\s+on)?|vaccinated\s+on|given\s+on"
EXPIRES = (r"expir(?:es|y|ation)(?:\s+date)?(?:\s+on)?|valid\s+(?:until|through|to)|(?:next|booster)\s+due"
           r"|due\s+date|revaccinate\s+by")
LABEL_REACH = 160   # characters from a label to its date: a table's header row and one value
PET = r"(?:pet|patient|animal)(?:'s)?\s+name|patient|pet"
CLINIC = r"veterinary\s+(?:practice|clinic|hospital)|clinic(?:\s+name)?|hospital|practice"
# A value follows "Label:" and ends at the line's end, a run of spaces, or the next "Label:" or "Two words:".
_VALUE = r"[ \t]*:[ \t]*(.+?)(?=[ \t]{2,}|[ \t]+(?-i:[A-Z][a-z']*(?:[ \t][a-z']+)?):|\n|$)"


@dataclass(frozen=True)
class Found:
    vaccine: str | None = None
    administered_on: date | None = None
    expires_on: date | None = None
    pet_name: str | None = None
    clinic: str | None = None

    @property
    def confidence(self) -> float:
        """How much was found, weighted by what a record needs; 0 for nothing."""
        weights = [(self.vaccine, 0.35), (self.administered_on, 0.25), (self.expires_on, 0.2),
                   (self.pet_name, 0.1), (self.clinic, 0.1)]
        return round(sum(weight for value, weight in weights if value is not None), 2)


def read_fields(text: str) -> Found:
    given, expires = labelled_dates(text)
    return Found(vaccine=vaccine(text), administered_on=given, expires_on=expires,
                 pet_name=labelled_value(PET, text), clinic=labelled_value(CLINIC, text))


def vaccine(text: str) -> str | None:
    """The vaccine named first in the text."""
    found = [(m.start(), label) for label, pattern in VACCINES
             for m in [re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE)] if m]
    return min(found)[1] if found else None


def dates(text: str) -> list[tuple[int, date | None]]:
    """Every date with its position; None for one that is ambiguous or impossible."""
    found: dict[tuple[int, int], date | None] = {}
    for pattern, order in DATE_FORMATS:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            if not any(start < match.end() and match.start() < end for start, end in found):
                found[match.span()] = _to_date(match.groups(), order)
    return sorted((start, value) for (start, _), value in found.items())


def _to_date(groups: tuple[str, ...], order: str) -> date | None:
    if order == "ymd":
        year, month, day = (int(g) for g in groups)
    elif order == "numeric":
        first, second, year = (int(g) for g in groups)
        if first != second and first <= 12 and second <= 12:
            return None   # 03/04/2026: March or April, nobody can tell
        day, month = (first, second) if first > 12 else (second, first) if second > 12 else (first, second)
    elif order == "dMy":
        day, month, year = int(groups[0]), MONTHS[groups[1].lower()], int(groups[2])
    else:
        month, day, year = MONTHS[groups[0].lower()], int(groups[1]), int(groups[2])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def labelled_dates(text: str) -> tuple[date | None, date | None]:
    """(administered, expires): each label takes the first date after it not taken before."""
    labels = sorted([(m.end(), "given") for m in re.finditer(rf"\b(?:{GIVEN})\b", text, re.IGNORECASE)]
                    + [(m.end(), "expires") for m in re.finditer(rf"\b(?:{EXPIRES})\b", text, re.IGNORECASE)])
    candidates = dates(text)
    taken: set[int] = set()
    chosen: dict[str, date | None] = {}
    for end, kind in labels:
        if kind in chosen:
            continue
        position = next((p for p, _ in candidates if end <= p <= end + LABEL_REACH and p not in taken), None)
        if position is not None:
            taken.add(position)
            chosen[kind] = dict(candidates)[position]
    return chosen.get("given"), chosen.get("expires")


def labelled_value(label: str, text: str) -> str | None:
    match = re.search(rf"\b(?:{label})\b{_VALUE}", text, re.IGNORECASE | re.MULTILINE)
    value = match.group(1).strip(" .,;") if match else ""
    return value or None
