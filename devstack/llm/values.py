"""A field's value and how sure the reader is of it: each kind read from its text (a date, a
duration, a batch, a name), with OCR's doubt about the words it came from."""
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from devstack.llm import labels as vocabulary
from devstack.llm.dates import find_dates
from devstack.llm.layout import Cell, Row, Word

SURE = 0.92
CODE_CERTAIN = 0.95   # tesseract's confidence in a code's word for it to be shown as ready
DURATION = r"\b(\d{1,2}|one|two|three|[lI])[\s-]*(years?|yrs?|months?|mos?)\b"
NUMBERS = {"one": 1, "two": 2, "three": 3, "l": 1, "i": 1}   # OCR reads a lone 1 as l or I


@dataclass
class Value:
    value: Any   # a date, or text
    confidence: float
    row: int = 0
    x: float = 0.0


@dataclass
class Vaccination:
    fields: dict[str, Value] = field(default_factory=dict)
    row: int = 0


@dataclass
class Context:
    table: list[Row]
    order: str | None
    why: str
    today: date


def is_label_cell(cell: Cell) -> bool:
    """The cell is a label ("Species:", "DATE VACCINATED"), not a value."""
    found = vocabulary.find_labels(cell.text)
    return bool(found) and found[0].start == 0 and (found[0].colon or found[0].end >= len(cell.text.rstrip(": ")))


def parse(context: Context, kind: str, text: str, words: list[Word], row: int, sure: float = SURE) -> dict[str, Value]:
    """A value read as its kind; {} when it is not one."""
    trust = sure * ocr_trust(words)
    x = words[0].x0 if words else 0.0
    if kind in ("given", "expires"):
        found = find_dates(text, context.order, context.why)
        if not found or found[0].start > 3:
            return {}
        first = found[0]
        if first.value is None:
            return {}
        confidence = trust * (0.9 if first.settled_by == "country" else 1.0)
        return {"administered_on" if kind == "given" else "expires_on": Value(first.value, confidence, row, x)}
    if kind == "validity":
        match = re.search(DURATION, text, re.IGNORECASE)
        return {"validity": Value(duration(match), trust, row, x)} if match and match.start() <= 3 else {}
    if kind == "batch":
        match = re.match(r"\s*(?:no\.?|number|#|:)?\s*([A-Z0-9][A-Z0-9-]{2,14})\b", text, re.IGNORECASE)
        if not match or not re.search(r"\d", match.group(1)) or find_dates(match.group(1)):
            return {}
        return {"batch": Value(match.group(1).upper(), sure * code_trust(words), row, x)}
    if kind == "vet":
        name = name_in(text, 6)
        return {"vet": Value(name, trust * 0.95, row, x)} if name and not find_dates(text) else {}
    return {}


def duration(match: re.Match) -> str:
    number = NUMBERS.get(match.group(1).lower()) or int(match.group(1))
    unit = "year" if match.group(2).lower().startswith("y") else "month"
    return f"{number} {unit}{'s' if number != 1 else ''}"


def name_in(text: str, most_words: int) -> str | None:
    cleaned = re.split(r"\s{2,}|[|;]", text.strip())[0].strip(" .,:-")
    words = cleaned.split()
    if not words or len(words) > most_words or not re.search(r"[A-Za-z]{2}", cleaned):
        return None
    if any(re.search(r"\d", word) for word in words):
        return None
    return cleaned


def code_trust(words: list[Word]) -> float:
    """OCR's doubt about a code (a batch, a chip number), which has no words to correct its letters and
    digits (S and 5, O and 0): only a near-certain reading stays above the line."""
    worst = min((w.confidence for w in words), default=0.0)
    return 1.0 if worst >= 0.999 else 0.9 if worst >= CODE_CERTAIN else 0.45


def ocr_trust(words: list[Word]) -> float:
    """OCR's doubt as a factor: clear print keeps the evidence, doubtful print sinks it below the line."""
    worst = min((w.confidence for w in words), default=0.0)
    return 1.0 if worst >= 0.999 else 0.98 if worst >= 0.9 else 0.8 if worst >= 0.8 else 0.45
