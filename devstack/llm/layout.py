"""Words with their positions, grouped as a person reads a page: rows, and cells within a row.

A row is the words whose middles line up. A cell is a run of words in a row with no wide gap: a
gap wider than about a word's height separates two cells (a table's columns, a form's boxes, a
label and its value set apart, the two columns of a details block). Coordinates are top-down, in
any unit (points for PDFs, pixels for photos): every threshold is relative to the words' heights.
"""
from dataclasses import dataclass, field
from statistics import median

CELL_GAP = 1.1   # word heights: wider than two spaces, narrower than a column gap


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float = 1.0   # OCR's confidence, 0..1; 1 for a PDF's own text

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Cell:
    words: list[Word]
    row: int = 0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return median(w.height for w in self.words)

    @property
    def confidence(self) -> float:
        return min(w.confidence for w in self.words)


@dataclass
class Row:
    words: list[Word]
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


def rows(words: list[Word]) -> list[Row]:
    """The words as rows, top to bottom, each left to right and cut into cells. A row is followed
    word by word from the left, each word lining up with the row's last one, along the slope the
    page's rows share (a photo not quite square to the page leaves one), so a sloping line stays one row."""
    found = _chains(words, 0.0)
    slope = _slope(found)
    if abs(slope) > 0.002:
        found = _chains(words, slope)
    out = [Row(line) for line in sorted(found, key=lambda line: median(w.middle for w in line))]
    for index, row in enumerate(out):
        row.cells = cells(row.words, index)
    return out


def _chains(words: list[Word], slope: float) -> list[list[Word]]:
    found: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.x0, w.middle)):
        near = []
        for index, line in enumerate(found):
            last = line[-1]
            off = abs(word.middle - last.middle - slope * (word.x0 - last.x0))
            # OCR's boxes can overlap: only the left edges keep their order
            if last.x0 < word.x0 and off < 0.45 * max(word.height, last.height):
                near.append((off, index))
        if near:
            found[min(near)[1]].append(word)
        else:
            found.append([word])
    return found


def _slope(found: list[list[Word]]) -> float:
    """The median slope of the rows long enough to show one."""
    slopes = []
    for line in found:
        span = line[-1].x0 - line[0].x0
        if len(line) >= 3 and span > 8 * line[0].height:
            slopes.append((line[-1].middle - line[0].middle) / span)
    return median(slopes) if slopes else 0.0


def cells(words: list[Word], row: int = 0) -> list[Cell]:
    """The row's words cut at wide gaps. A gap is measured against the row's taller words: OCR's boxes
    are tight, so a word without capitals or descenders ("own") is shorter than its font."""
    out: list[Cell] = []
    heights = sorted(w.height for w in words)
    scale = heights[min(len(heights) - 1, int(len(heights) * 0.8))]
    for word in words:
        if out:
            last = out[-1].words[-1]
            if word.x0 - last.x1 <= CELL_GAP * min(scale, 1.5 * max(last.height, word.height)):
                out[-1].words.append(word)
                continue
        out.append(Cell([word], row))
    return out


def typical_height(words: list[Word]) -> float:
    return median(w.height for w in words) if words else 1.0


def below(cell: Cell, table: list[Row], reach: float = 2.6) -> Cell | None:
    """The cell under `cell` (starting near its left edge or under it), within `reach` heights."""
    h = cell.height
    best: tuple[float, Cell] | None = None
    for row in table[cell.row + 1:]:
        if row.top - cell.bottom > reach * h:
            break
        for other in row.cells:
            lined_up = abs(other.x0 - cell.x0) < 2.5 * h or (other.x0 < cell.x1 and other.x1 > cell.x0)
            if lined_up and other.top > cell.top + 0.5 * h:
                distance = other.top - cell.bottom + abs(other.x0 - cell.x0) * 0.1
                if best is None or distance < best[0]:
                    best = (distance, other)
        if best:
            return best[1]
    return None


def right_of(cell: Cell, table: list[Row], reach: float = 14) -> Cell | None:
    """The next cell on the same row, if it is within `reach` heights."""
    row = table[cell.row].cells
    at = next(i for i, c in enumerate(row) if c is cell)
    if at + 1 < len(row) and row[at + 1].x0 - cell.x1 < reach * cell.height:
        return row[at + 1]
    return None
