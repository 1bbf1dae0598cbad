"""Tables of vaccinations: a header row of column names (Vaccine, Date given, Next due, Batch...),
then one row per item, each word read into the column whose header it sits under. The headers are
not labels, so "Next due" never takes the first date under it."""
from devstack.llm import labels as vocabulary
from devstack.llm.dates import find_dates
from devstack.llm.layout import Row, Word
from devstack.llm.values import SURE, Context, Vaccination, Value, is_label_cell, ocr_trust, parse


def read_tables(context: Context) -> tuple[list[Vaccination], set[int]]:
    found: list[Vaccination] = []
    used: set[int] = set()
    for index, row in enumerate(context.table):
        columns = _header(row)
        cells: set[int] = set()
        read = _table_rows(context, index, columns, cells) if columns else []
        if read:   # a row that only looked like a header leaves its rows to the labels
            used.update(cells | {id(c) for c in row.cells})
            found.extend(read)
    return found, used


def _header(row: Row) -> list[tuple[str, float]] | None:
    """(kind, left edge) of each column, if the row is a table's header. Headers set close together
    read as one cell ("Date administered Duration") are split where both parts are headers."""
    columns: list[tuple[str, float]] = []
    for cell in row.cells:   # a header OCR fused or garbled ("Date administeredDue date") is a column unknown
        columns.extend(_header_cell(cell.words) or [("unknown", cell.x0)])
    kinds = [kind for kind, _ in columns]
    known = {kind for kind in kinds if kind != "unknown"}
    if "vaccine" not in known or len(known) < 2 or kinds.count("unknown") > 1:
        return None
    dated = {"given", "expires"} & known or ("unknown" in kinds and len(known) >= 3)
    return columns if dated else None


def _header_cell(words: list[Word]) -> list[tuple[str, float]] | None:
    """The header's kind; or the kinds of the parts it splits into."""
    kind = vocabulary.column_kind(" ".join(w.text for w in words))
    if kind:
        return [(kind, words[0].x0)]
    for cut in range(1, len(words)):
        first = vocabulary.column_kind(" ".join(w.text for w in words[:cut]))
        rest = _header_cell(words[cut:]) if first else None
        if first and rest:
            return [(first, words[0].x0), *rest]
    return None


def _table_rows(context: Context, header: int, columns: list[tuple[str, float]], used: set[int]) -> list[Vaccination]:
    table = context.table
    height = min(c.height for c in table[header].cells)
    out = []
    last_bottom = table[header].bottom
    for index in range(header + 1, len(table)):
        row = table[index]
        if row.top - last_bottom > 4 * height or _header(row):
            break
        if row.words[0].x0 < columns[0][1] - 3 * height or any(is_label_cell(c) for c in row.cells[:1]):
            break
        last_bottom = row.bottom
        cells = _by_column(row, columns, height)
        used.update(id(c) for c in row.cells)
        vaccine = vocabulary.vaccine_in(" ".join(w.text for w in cells.get("vaccine", [])))
        if vaccine:
            out.append(_table_vaccination(context, index, vaccine, cells))
    return out


def _by_column(row: Row, columns: list[tuple[str, float]], height: float) -> dict[str, list[Word]]:
    out: dict[str, list[Word]] = {}
    for word in row.words:
        starts = [i for i, (_, x) in enumerate(columns) if x - 1.2 * height <= word.x0]
        kind = columns[starts[-1]][0] if starts else columns[0][0]
        out.setdefault(kind, []).append(word)
    return out


def _table_vaccination(context: Context, index: int, vaccine: str, cells: dict[str, list[Word]]) -> Vaccination:
    v = Vaccination(row=index)
    words = cells["vaccine"]
    v.fields["vaccine"] = Value(vaccine, SURE * ocr_trust(words), index)
    for kind, words in cells.items():
        text = " ".join(w.text for w in words)
        parsed = parse(context, kind, text, words, index)
        for name, value in parsed.items():
            v.fields.setdefault(name, value)
    _unknown_column_dates(context, v, cells.get("unknown", []), index)
    return v


def _unknown_column_dates(context: Context, v: Vaccination, words: list[Word], index: int) -> None:
    """Dates under a header that could not be read go in the usual order (given, then due), doubted."""
    text = " ".join(w.text for w in words)
    found = [f for f in find_dates(text, context.order, context.why) if f.value]
    for name in ("administered_on", "expires_on"):
        if name not in v.fields and found:
            v.fields[name] = Value(found.pop(0).value, 0.4, index)
