"""From a page's words to the answer: the pet, the clinic and each vaccination, every field with a
confidence that says how good its evidence is.

- Labels pair with values by geometry: the rest of the label's cell ("Pet name: Biscuit"), else the
  next cell on its row, else the cell under it (a form's box). A value ends where the next label
  begins, so two columns of details on one row stay apart.
- A table is a header row of column names (Vaccine, Date given, Next due, Batch...); each row under it
  with a vaccine in the vaccine column is a vaccination, its cells read by column. Its headers are
  not labels, so "Next due" never takes the first date under it.
- Outside tables a vaccination starts at each vaccine named (in a "Vaccine:" field, or on a line that
  speaks of vaccination: a town called Lyme is not a vaccine) and takes the dated fields after it.
- Numeric dates follow the document's day/month order (dates.py).
- Confidence: high only for a labelled value that parses as its kind, read clearly. OCR's doubt, a
  guessed order, a date out of place (given in the future, expiry before the date given, longer than
  three years) all bring it below the line, so the draft is flagged instead of ready.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from devstack.llm import labels as vocabulary
from devstack.llm.dates import day_month_order
from devstack.llm.layout import Cell, Row, Word, below, right_of, rows
from devstack.llm.tables import read_tables
from devstack.llm.values import SURE, Context, Vaccination, Value, code_trust, is_label_cell, name_in, ocr_trust, parse

FIELDS = ("vaccine", "administered_on", "expires_on", "validity", "batch", "vet")
SPECIES = {"dog", "cat", "canine", "feline", "rabbit", "ferret", "puppy", "kitten", "horse"}
CLINIC_WORDS = r"\b(?:veterinary|vets?|clinic|hospital|surgery|practice|centre|center|animal\s+care|vet\s+care)\b"
NOT_CLINIC = r"certificate|invoice|record|vaccination|booklet|receipt|history|stamp"


@dataclass
class Reading:
    document: dict[str, Value]
    vaccinations: list[Vaccination]


def read_pages(pages: list[list[Word]], today: date | None = None) -> Reading:
    """Every page read as one: later pages' rows follow the earlier ones'."""
    table: list[Row] = []
    for words in pages:
        if words:
            offset = (table[-1].bottom + 1000) if table else 0
            shifted = [Word(w.text, w.x0, w.top + offset, w.x1, w.bottom + offset, w.confidence) for w in words]
            table.extend(rows(shifted))
    for index, row in enumerate(table):
        for cell in row.cells:
            cell.row = index
    return read_rows(table, today or date.today())


def read_rows(table: list[Row], today: date) -> Reading:
    text = "\n".join(row.text for row in table)
    order, why = day_month_order(text)
    context = Context(table, order, why, today)
    tables, used = read_tables(context)
    pairs = labelled(context, used)
    document = document_fields(context, pairs, used)
    vaccinations = sorted(tables + blocks(context, pairs, used), key=lambda v: v.row)
    read_by_ocr = any(w.confidence < 1 for row in table for w in row.words)
    for v in vaccinations:
        check_dates(v, today, read_by_ocr)
        if "vet" not in v.fields and "vet" in document:
            v.fields["vet"] = document["vet"]
    document.pop("vet", None)
    return Reading(document, merge(vaccinations))


@dataclass
class Pair:
    kind: str
    text: str
    words: list[Word]
    cell: Cell
    inline: bool
    colon: bool

    @property
    def row(self) -> int:
        return self.cell.row


def labelled(context: Context, used: set[int]) -> list[Pair]:
    """Every label with its value, where its geometry puts it; cells `used` (tables) are neither."""
    pairs = []
    taken: set[int] = set(used)
    for row in context.table:
        for cell in row.cells:
            if id(cell) in used:
                continue
            text = cell.text
            found = [label for index, label in enumerate(vocabulary.find_labels(text)) if _ends_value(label, index)]
            for index, label in enumerate(found):
                end = found[index + 1].start if index + 1 < len(found) else len(text)
                value = text[label.end:end]
                stripped = value.strip(" :#-–\t")
                if stripped:
                    pairs.append(Pair(label.kind, stripped, _words_in(cell, label.end, end), cell, True, label.colon))
                elif label.start == 0 and index == len(found) - 1 and label.kind != "other":
                    value_cells = _value_cells(cell, context.table, taken)
                    if value_cells:
                        taken.update(id(c) for c in value_cells)
                        words = [w for c in value_cells for w in c.words]
                        pairs.append(Pair(label.kind, " ".join(w.text for w in words).strip(" :#-"), words,
                                          Cell(words, value_cells[0].row), False, True))
    return [p for p in pairs if id(p.cell) not in taken]   # a cell taken as a value holds no label


def _ends_value(label: vocabulary.Label, index: int) -> bool:
    """A bare word inside a value ("Dr Owen Price") is part of it; "Label:" and a sentence's dated
    phrases ("administered on", "valid until") end it."""
    return index == 0 or label.colon or label.kind in ("given", "expires", "validity", "batch", "lot_expiry")


def _value_cells(cell: Cell, table: list[Row], taken: set[int]) -> list[Cell]:
    """The value of a label alone in its cell: to its right on the row, else under it."""
    for candidate in (right_of(cell, table), below(cell, table)):
        if candidate and id(candidate) not in taken and not is_label_cell(candidate):
            return _widened(candidate, cell, table)
    return []


def _widened(value: Cell, label: Cell, table: list[Row]) -> list[Cell]:
    """A value cut in two by a wide gap ("Jane Doe,   DVM") is whole: up to the next label on its
    row, or under a label, up to the next label's column."""
    row = table[value.row].cells
    after = row[next(i for i, c in enumerate(row) if c is value) + 1:]
    out = [value]
    if value.row == label.row:
        for other in after:
            if is_label_cell(other) or other.x0 - out[-1].x1 > 4 * value.height:
                break
            out.append(other)
        return out
    limit = min((c.x0 for c in table[label.row].cells if c.x0 > label.x1), default=float("inf"))
    for other in after:   # a cell of its own box is close; the next box's value is further off
        if other.x0 >= limit - label.height or is_label_cell(other) or other.x0 - out[-1].x1 > 2.5 * value.height:
            break
        out.append(other)
    return out


def _words_in(cell: Cell, start: int, end: int) -> list[Word]:
    out, position = [], 0
    for word in cell.words:
        if position < end and position + len(word.text) > start:
            out.append(word)
        position += len(word.text) + 1
    return out


def document_fields(context: Context, pairs: list[Pair], used: set[int]) -> dict[str, Value]:
    found: dict[str, Value] = {}
    names = [p for p in pairs if p.kind == "pet" and (p.colon or not p.inline)]
    names = names or [p for p in pairs if p.kind == "name" and (p.colon or not p.inline)]
    for pair in names[:1]:
        name = name_in(pair.text, 4)
        if name:
            single = sum(1 for p in pairs if p.kind in ("pet", "name") and (p.colon or not p.inline)) == 1
            found["pet_name"] = Value(name, SURE * ocr_trust(pair.words) * (1.0 if single else 0.5), pair.row)
    for pair in (p for p in pairs if p.kind == "species"):
        word = pair.text.split()[0].strip(".,:").lower() if pair.text.split() else ""
        if word in SPECIES:
            found.setdefault("species", Value(word, SURE * ocr_trust(pair.words), pair.row))
    for pair in (p for p in pairs if p.kind == "chip"):
        match = re.match(r"[\dOo ]{9,21}", pair.text)
        digits = re.sub(r"\s", "", match.group(0)) if match else ""
        if digits:
            plain = digits.isdigit() and len(digits) in (9, 10, 15)
            found.setdefault("microchip", Value(digits.replace("O", "0").replace("o", "0"),
                                                SURE * code_trust(pair.words) * (1.0 if plain else 0.4), pair.row))
    vets = {p.text: p for p in pairs if p.kind == "vet" and (p.colon or not p.inline)}
    if len(vets) == 1:
        pair = next(iter(vets.values()))
        found.update(parse(context, "vet", pair.text, pair.words, pair.row))
    clinic = clinicname_in(context, pairs, used)
    if clinic:
        found["clinic"] = clinic
    return found


def clinicname_in(context: Context, pairs: list[Pair], used: set[int]) -> Value | None:
    for pair in pairs:
        if pair.kind == "clinic" and (pair.colon or not pair.inline):
            return Value(pair.text, 0.85 * ocr_trust(pair.words), pair.row)
    labelled_cells = {id(p.cell) for p in pairs if p.colon or not p.inline} | used
    for row in context.table:
        for cell in row.cells:
            text = cell.text.split(" | ")[0].strip()
            if (id(cell) not in labelled_cells and re.search(CLINIC_WORDS, text, re.IGNORECASE)
                    and not re.search(NOT_CLINIC, text, re.IGNORECASE) and not re.search(r"\d", text)
                    and not any(label.colon for label in vocabulary.find_labels(text)) and 2 <= len(text.split()) <= 7):
                return Value(text, 0.8 * ocr_trust(cell.words), cell.row)
    return None


def blocks(context: Context, pairs: list[Pair], used: set[int]) -> list[Vaccination]:
    """Vaccinations outside tables: each vaccine named starts one; the dated fields after it are its."""
    events: list[tuple[int, float, str, Value]] = []
    for pair in pairs:
        if pair.kind == "vaccine" and (pair.colon or not pair.inline):
            label = vocabulary.vaccine_in(pair.text)
            if label:
                events.append((pair.row, pair.cell.x0, "vaccine", Value(label, SURE * ocr_trust(pair.words), pair.row)))
        elif pair.kind in ("given", "expires", "validity", "batch"):
            for name, value in parse(context, pair.kind, pair.text, pair.words, pair.row,
                                      SURE if pair.colon or not pair.inline else 0.88).items():
                events.append((pair.row, value.x, name, value))
    vaccine_cells = {id(p.cell) for p in pairs if p.kind == "vaccine" and (p.colon or not p.inline)}
    for row in context.table:
        for cell in row.cells:
            if id(cell) in used or id(cell) in vaccine_cells or not vocabulary.about_vaccination(cell.text):
                continue
            for position, label in vocabulary.vaccines_in(cell.text)[:1]:
                words = _words_in(cell, position, position + 1)
                events.append((cell.row, cell.x0 - 0.1, "vaccine", Value(label, 0.85 * ocr_trust(words), cell.row)))
    out: list[Vaccination] = []
    loose: dict[str, Value] = {}
    for at, _, name, value in sorted(events, key=lambda e: (e[0], e[1])):
        if name == "vaccine":
            current = out[-1] if out else None
            if current and current.fields["vaccine"].value == value.value and len(current.fields) == 1:
                continue   # the same vaccine named twice before its details (a title, then a field)
            out.append(Vaccination({"vaccine": value}, at))
        elif out and name not in out[-1].fields:
            out[-1].fields[name] = value
        elif not out:
            loose.setdefault(name, value)
    if len(out) == 1:
        for name, value in loose.items():
            out[0].fields.setdefault(name, value)
    return out


def merge(vaccinations: list[Vaccination]) -> list[Vaccination]:
    """A vaccine named again without a date given (a title, a reminder's "Rabies booster due ...") is
    the same vaccination as the one given, not another. One that stays without a date given is
    thin evidence: all its fields are doubted."""
    given = {v.fields["vaccine"].value: v for v in vaccinations if "administered_on" in v.fields}
    out = []
    for v in vaccinations:
        if "administered_on" in v.fields:
            out.append(v)
            continue
        same = given.get(v.fields["vaccine"].value)
        if same is None:
            if len(v.fields) > 1 or not given:
                for value in v.fields.values():
                    value.confidence = min(value.confidence, 0.45)
                out.append(v)
        elif "expires_on" in v.fields and "expires_on" not in same.fields:
            same.fields["expires_on"] = v.fields["expires_on"]
            same.fields["expires_on"].confidence = min(same.fields["expires_on"].confidence, 0.45)
    return out


def check_dates(v: Vaccination, today: date, read_by_ocr: bool) -> None:
    """Dates out of place are flagged (low confidence), never dropped. OCR can misread one digit of a
    date and still give a date, so there a term that is no whole number of half-years is doubted."""
    given, expires = v.fields.get("administered_on"), v.fields.get("expires_on")
    if given and (given.value > today or given.value.year < 1995):
        given.confidence = min(given.confidence, 0.3)
    if given and expires:
        span = expires.value - given.value
        odd = read_by_ocr and not _whole_term(given.value, expires.value)
        if span <= timedelta(0) or span > timedelta(days=3 * 366 + 2) or odd:
            given.confidence = min(given.confidence, 0.3)
            expires.confidence = min(expires.confidence, 0.3)


def _whole_term(given: date, expires: date) -> bool:
    """The expiry falls within 3 days of the date given plus a whole number of half-years."""
    months = 6 * round((expires - given).days / 182.6)
    year, month = divmod(given.month - 1 + months, 12)
    due = date(given.year + year, month + 1, min(given.day, 28))
    return abs((expires - due).days - (given.day - min(given.day, 28))) <= 3
