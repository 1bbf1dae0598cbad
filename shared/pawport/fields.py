"""Field types for request models: what a person may send is what the stores and the date
arithmetic can hold, and anything else is a 400 that names the field.

- Text is kept in NFC and its length is counted on that form (the one stored), so a value that
  passes always fits its PostgreSQL column; an email address is matched case-folded, so it is
  counted case-folded too.
- No control characters (NUL above all: PostgreSQL text cannot hold it) and no lone surrogates
  (not UTF-8: neither PostgreSQL nor DynamoDB can store them).
- Days lie between MIN_DAY and MAX_DAY: reminders fall a month before an expiry and the daily run
  steps a day past it, which must never run off the calendar.
- Whole numbers fit a PostgreSQL bigint.
"""
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, Field

from pawport.microchips import microchip

MIN_DAY, MAX_DAY = date(1990, 1, 1), date(2100, 12, 31)
BIGINT_MAX = 2**63 - 1
# Cc: control characters (NUL, tab, newline, escape...); Cs: surrogates, which are not UTF-8.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def printable(value: str) -> str:
    """The value in NFC, refused if it holds a character no store should keep."""
    for character in value:
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            raise ValueError(f"must not contain control characters (found U+{ord(character):04X})")
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """The form two spellings of one address share: compatibility-normalised and case-folded."""
    return unicodedata.normalize("NFKC", value).casefold()


@dataclass(frozen=True)
class SafeText(GroupedMetadata):
    """Printable text of at most max_length characters once normalised: `Annotated[str, SafeText(100)]`."""
    max_length: int
    min_length: int = 1

    def __iter__(self) -> Iterator[Any]:
        yield AfterValidator(self._checked)

    def _checked(self, value: str) -> str:
        stored = printable(value)   # first, so the length is counted on the stored form
        if len(stored) < self.min_length:
            raise ValueError("must not be empty" if self.min_length == 1 else
                             f"must be at least {self.min_length} characters")
        if self.min_length and not stored.strip():
            raise ValueError("must not be blank (only spaces)")
        if len(stored) > self.max_length:
            raise ValueError(f"must be at most {self.max_length} characters")
        return stored


def email_shaped(value: str) -> str:
    # Said in words: a person reads this message, not the pattern.
    if not re.fullmatch(EMAIL_PATTERN, value):
        raise ValueError("must be an email address, like name@example.com")
    return value


# An email address as it is matched and stored: folded, and at most 254 characters in that form.
Email = Annotated[str, AfterValidator(printable), AfterValidator(fold), Field(min_length=3, max_length=254),
                  AfterValidator(email_shaped)]
# A calendar day the reminder arithmetic can step around.
Day = Annotated[date, Field(ge=MIN_DAY, le=MAX_DAY)]
# A positive whole number PostgreSQL's bigint can hold (row ids, paging cursors).
RowId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
# A pet's microchip number, kept as its digits alone.
Microchip = Annotated[str, AfterValidator(printable), AfterValidator(microchip)]
