"""A certificate printed as a PDF (fpdf2), in one of several layouts a clinic uses:

- letterhead: the clinic's heading, the pet's details as "Label: value" lines, then each vaccination as
  a block of labelled lines or as a sentence;
- rabies_form: a boxed form whose printed labels are one layer and the typed values another, drawn
  after all the labels (so the file's text order is label, label, ..., value, value);
- invoice: items billed, vaccines among them, in a table with its own date and due columns;
- booklet: a passport-like page with the pet above and a table of vaccinations;
- two_column: the pet's and the owner's details side by side on the same rows, then a table.

Every layout draws its labels from several wordings and its fonts from fpdf2's core fonts and DejaVu
(if installed), so no reader can lean on one exact string.
"""
import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from bench.certificates.content import write_date
from bench.certificates.truth import Certificate, Vaccination

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
PET_LABELS = ["Pet name", "Patient", "Animal name", "Name of animal", "Patient name", "Pet"]
SPECIES_LABELS = ["Species", "Animal type", "Species"]
BREED_LABELS = ["Breed", "Breed/Colour"]
CHIP_LABELS = ["Microchip", "Microchip no.", "Microchip number", "Chip ID", "Transponder no."]
GIVEN_LABELS = ["Date given", "Date administered", "Administered", "Vaccinated on", "Date of vaccination", "Given"]
DUE_LABELS = ["Next due", "Expires", "Valid until", "Expiry date", "Booster due", "Revaccinate by", "Due date"]
BATCH_LABELS = ["Batch", "Batch no.", "Lot", "Lot no.", "Serial/Lot", "Lot #"]
VET_LABELS = ["Veterinarian", "Vet", "Administered by", "Veterinary surgeon", "Signed"]
VALIDITY_LABELS = ["Duration", "Valid for", "Validity", "Term"]
VACCINE_LABELS = ["Vaccine", "Vaccination", "Product"]


class Page:
    """One page with absolute text placement, in millimetres from the top left."""

    def __init__(self, rng: random.Random, country: str) -> None:
        self.rng = rng
        self.pdf = FPDF(format="letter" if country == "US" else "A4", unit="mm")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(CREATED)   # the same bytes on every run
        self.pdf.add_page()
        self.fonts = ["helvetica", "times", "courier"]
        if (DEJAVU / "DejaVuSans.ttf").exists():
            self.pdf.add_font("dejavu", "", str(DEJAVU / "DejaVuSans.ttf"))
            self.pdf.add_font("dejavu", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
            self.pdf.add_font("dejavuserif", "", str(DEJAVU / "DejaVuSerif.ttf"))
            self.pdf.add_font("dejavuserif", "B", str(DEJAVU / "DejaVuSerif-Bold.ttf"))
            self.fonts += ["dejavu", "dejavuserif"]
        self.font = rng.choice(self.fonts)
        self.width = self.pdf.w

    def text(self, x: float, y: float, value: str, size: float = 10, bold: bool = False,
             font: str | None = None) -> float:
        """Writes `value` with its baseline at y; returns its width."""
        self.pdf.set_font(font or self.font, "B" if bold else "", size)
        self.pdf.text(x, y, value)
        return self.pdf.get_string_width(value)

    def measure(self, value: str, size: float = 10, bold: bool = False) -> float:
        self.pdf.set_font(self.font, "B" if bold else "", size)
        return self.pdf.get_string_width(value)

    def rule(self, x0: float, y: float, x1: float) -> None:
        self.pdf.line(x0, y, x1, y)

    def box(self, x: float, y: float, w: float, h: float) -> None:
        self.pdf.rect(x, y, w, h)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def render(cert: Certificate, rng: random.Random) -> bytes:
    return LAYOUTS[cert.layout](cert, rng)


def _date(cert: Certificate, day) -> str:
    return write_date(day, cert.date_style, cert.clinic.country)


def _heading(page: Page, cert: Certificate, y: float = 18) -> float:
    """The clinic's letterhead; returns the y below it."""
    clinic, rng = cert.clinic, page.rng
    align = rng.choice(["left", "centre"])
    lines = [(clinic.name, rng.choice([15, 17, 19]), True)] + [(line, 9, False) for line in clinic.address_lines()]
    lines.append(((rng.choice(["Tel", "Phone", "Tel."]) + ": ") + clinic.phone, 9, False))
    if rng.random() < 0.5:   # the lines under the name, joined
        lines = lines[:1] + [(" | ".join(text for text, _, _ in lines[1:]), 9, False)]
    for text, size, bold in lines:
        x = 20 if align == "left" else (page.width - page.measure(text, size, bold)) / 2
        page.text(x, y, text, size, bold)
        y += size * 0.5 + 1.5
    page.rule(20, y, page.width - 20)
    return y + 8


def _labelled(page: Page, x: float, y: float, label: str, value: str, size: float = 10) -> float:
    width = page.text(x, y, f"{label}:", size, bold=page.rng.random() < 0.5) + page.rng.choice([2, 4, 12])
    return page.text(x + width, y, value, size) + width


def _pet_lines(cert: Certificate, rng: random.Random) -> list[tuple[str, str]]:
    pet = cert.pet
    lines = [(rng.choice(PET_LABELS), pet.name), (rng.choice(SPECIES_LABELS), pet.species.capitalize()),
             (rng.choice(BREED_LABELS), pet.breed)]
    if pet.microchip:
        lines.append((rng.choice(CHIP_LABELS), pet.microchip))
    if rng.random() < 0.5:
        lines.append(("Owner", pet.owner))
    rng.shuffle(lines)
    return lines


def _validity(v: Vaccination, rng: random.Random) -> str:
    number, unit = v.validity.split() if v.validity else ("", "")
    return rng.choice([v.validity or "", f"{number} {unit}", f"{number}-{unit.rstrip('s')}"])


def letterhead(cert: Certificate, rng: random.Random) -> bytes:
    page = Page(rng, cert.clinic.country)
    y = _heading(page, cert)
    page.text(20, y, rng.choice(["Vaccination Certificate", "CERTIFICATE OF VACCINATION", "Vaccination record"]),
              14, True)
    y += 9
    if rng.random() < 0.6:
        page.text(page.width - 70, y, f"Date: {_date(cert, cert.issued_on)}", 9)
    for label, value in _pet_lines(cert, rng):
        y += 6.5
        _labelled(page, 20, y, label, value)
    y += 12
    sentences = rng.random() < 0.4
    for v in cert.vaccinations:
        y = _sentence(page, cert, v, y) if sentences else _block(page, cert, v, y)
    vet = cert.vaccinations[0].vet
    if vet:
        y += 8
        _labelled(page, 20, y, rng.choice(VET_LABELS), vet)
    if rng.random() < 0.35:
        _reminders(page, cert, y + 14)
    return page.output()


def _reminders(page: Page, cert: Certificate, y: float) -> None:
    """What comes due next: the vaccines named again, which are no new vaccinations."""
    page.text(20, y, page.rng.choice(["Reminders", "Next vaccinations due", "Please book your next visit"]), 11, True)
    for v in cert.vaccinations:
        if v.expires_on:
            y += 6
            page.text(24, y, f"{v.printed} {page.rng.choice(['booster due', 'due', '-'])} {_date(cert, v.expires_on)}", 9)


def _block(page: Page, cert: Certificate, v: Vaccination, y: float) -> float:
    rng = page.rng
    _labelled(page, 20, y, rng.choice(VACCINE_LABELS), v.printed, 11)
    fields = [(rng.choice(GIVEN_LABELS), _date(cert, v.administered_on))]
    if v.expires_on:
        fields.append((rng.choice(DUE_LABELS), _date(cert, v.expires_on)))
    if v.validity:
        fields.append((rng.choice(VALIDITY_LABELS), _validity(v, rng)))
    if v.batch:
        fields.append((rng.choice(BATCH_LABELS), v.batch))
    if rng.random() < 0.5:   # on one row, or one under the other
        x = 28
        y += 6
        for label, value in fields:
            x += _labelled(page, x, y, label, value, 9) + 8
    else:
        for label, value in fields:
            y += 5.5
            _labelled(page, 28, y, label, value, 9)
    return y + 10


def _sentence(page: Page, cert: Certificate, v: Vaccination, y: float) -> float:
    rng = page.rng
    words = f"{v.printed} vaccine {rng.choice(['administered on', 'given on'])} {_date(cert, v.administered_on)}"
    if v.validity:
        words += f", valid for {v.validity}"
    if v.expires_on:
        words += f", {rng.choice(['valid until', 'next due', 'expires'])} {_date(cert, v.expires_on)}"
    page.text(20, y, words + ".", 10)
    if v.batch:
        y += 5.5
        page.text(28, y, f"{rng.choice(['Batch', 'Lot'])} {rng.choice(['no.', 'number', ':'])} {v.batch}", 9)
    return y + 9


def rabies_form(cert: Certificate, rng: random.Random) -> bytes:
    """Labels first (the printed form), values after (typed in): two layers of the one page."""
    page = Page(rng, cert.clinic.country)
    v, pet = cert.vaccinations[0], cert.pet
    page.text(20, 18, "RABIES VACCINATION CERTIFICATE", 15, True, font="helvetica")
    page.text(20, 24, rng.choice(["Please retain for your records", "NASPHV Form 51 style"]), 7, font="helvetica")
    rows = [
        [("OWNER NAME", pet.owner, 70), ("ADDRESS", pet.owner_address, 100)],
        [(rng.choice(["ANIMAL NAME", "PET NAME", "NAME OF ANIMAL"]), pet.name, 55), ("SPECIES", pet.species.capitalize(), 35),
         ("BREED", pet.breed, 45), ("DATE OF BIRTH", _date(cert, pet.born), 35)],
        [(rng.choice(["MICROCHIP NUMBER", "MICROCHIP NO."]), pet.microchip or "", 70),
         ("SEX", rng.choice(["M", "F", "MN", "FS"]), 20), ("COLOR", rng.choice(["Black", "Tan", "Brindle", "White"]), 35)],
        [("VACCINE MANUFACTURER", rng.choice(["Merial", "Zoetis", "Elanco", "Boehringer"]), 55),
         ("PRODUCT NAME", v.printed, 45), (rng.choice(["SERIAL/LOT NO.", "LOT NUMBER"]), v.batch or "", 35),
         (rng.choice(["LOT EXPIRATION", "LOT EXP. DATE"]), _date(cert, v.lot_expires_on) if v.lot_expires_on else "", 35)],
        [(rng.choice(["DATE VACCINATED", "DATE OF VACCINATION"]), _date(cert, v.administered_on), 55),
         ("VACCINATION VALID FOR" if v.validity else "", v.validity or "", 45),
         (rng.choice(["NEXT VACCINATION DUE BY", "EXPIRATION DATE"]) if v.expires_on else "",
          _date(cert, v.expires_on) if v.expires_on else "", 70)],
        [("VETERINARIAN", v.vet or "", 80), ("LICENSE NO.", f"{rng.randint(1000, 99999)}", 35)],
    ]
    y0, height = 34, 15
    placed = []
    for r, row in enumerate(rows):
        x = 20
        for label, value, width in row:
            y = y0 + r * height
            page.box(x, y, width, height)
            if label:
                page.text(x + 1.5, y + 3.5, label, 6.5, font="helvetica")
            placed.append((x + rng.uniform(2, 5), y + 10.5 + rng.uniform(-0.6, 0.6), value))
            x += width
    for x, y, value in placed:   # the typed layer
        if value:
            page.text(x, y, value, rng.choice([10, 11]), font=rng.choice(["courier", page.font]))
    y = y0 + len(rows) * height + 10
    page.text(20, y, cert.clinic.name, 10, True)
    page.text(20, y + 5, ", ".join(cert.clinic.address_lines()) + "  " + cert.clinic.phone, 8)
    return page.output()


def _table(page: Page, cert: Certificate, y: float, columns: list[tuple[str, Callable]], rows: list,
           size: float = 9) -> float:
    """A table: a header row, then one row per item; column widths fit their widest cell."""
    cells = [[header for header, _ in columns]] + [[str(cell(item)) for _, cell in columns] for item in rows]
    padding = page.rng.choice([5, 7, 9])
    while True:   # a table too wide for the page is set in smaller type, never overlapping
        widths = [max(page.measure(row[i], size, bold=True) for row in cells) + padding for i in range(len(columns))]
        if sum(widths) <= page.width - 40 or size <= 6:
            break
        size -= 0.5
    xs = [20 + sum(widths[:i]) for i in range(len(columns))]
    lined = page.rng.random() < 0.5
    for r, row in enumerate(cells):
        for x, cell in zip(xs, row, strict=True):
            page.text(x, y, cell, size, bold=r == 0)
        if lined:
            page.rule(20, y + 2, page.width - 20)
        y += page.rng.choice([6, 7, 8])
    return y


def _vaccine_columns(cert: Certificate, rng: random.Random, vet: bool) -> list[tuple[str, Callable]]:
    given = (rng.choice(["Date given", "Date", "Given", "Administered", "Date administered"]),
             lambda v: _date(cert, v.administered_on))
    columns = [(rng.choice(["Vaccine", "Vaccination", "Vaccine type"]), lambda v: v.printed), given]
    if any(v.expires_on for v in cert.vaccinations):
        columns.append((rng.choice(["Next due", "Valid until", "Expires", "Due date", "Booster due"]),
                        lambda v: _date(cert, v.expires_on) if v.expires_on else ""))
    if any(v.validity for v in cert.vaccinations):
        columns.append((rng.choice(["Duration", "Validity", "Valid for"]), lambda v: v.validity or ""))
    if any(v.batch for v in cert.vaccinations):
        columns.append((rng.choice(["Batch", "Batch no.", "Lot", "Lot no.", "Serial"]), lambda v: v.batch or ""))
    if vet:
        columns.append((rng.choice(["Vet", "Veterinarian", "Signed"]), lambda v: v.vet or ""))
    first, rest = columns[:1], columns[1:]
    if rng.random() < 0.4:
        rng.shuffle(rest)
    return first + rest


def invoice(cert: Certificate, rng: random.Random) -> bytes:
    page = Page(rng, cert.clinic.country)
    y = _heading(page, cert)
    page.text(20, y, rng.choice(["INVOICE", "Invoice / Receipt", "TAX INVOICE"]), 14, True)
    page.text(page.width - 80, y, f"Invoice no. {rng.randint(10000, 99999)}", 9)
    page.text(page.width - 80, y + 5, f"Invoice date: {_date(cert, cert.issued_on)}", 9)
    y += 12
    pet = cert.pet
    _labelled(page, 20, y, "Client", pet.owner)
    _labelled(page, 20, y + 6, rng.choice(["Patient", "Pet"]), pet.name)
    _labelled(page, 20, y + 12, "Species", pet.species.capitalize())
    if pet.microchip:
        _labelled(page, 20, y + 18, rng.choice(CHIP_LABELS), pet.microchip)
    y += 30
    currency = "$" if cert.clinic.country == "US" else "£"
    items = [("exam", rng.choice(["Consultation", "Wellness exam", "Annual health check"]))] + \
        [("vaccine", v) for v in cert.vaccinations]
    if rng.random() < 0.5:
        items.append(("other", rng.choice(["Nail trim", "Flea treatment", "Worming tablet"])))
    columns = _vaccine_columns(cert, rng, vet=rng.random() < 0.4)
    described = [(rng.choice(["Description", "Item", "Service"]), lambda item: item[1] if item[0] != "vaccine"
                  else columns[0][1](item[1]))]
    described += [(header, lambda item, cell=cell: cell(item[1]) if item[0] == "vaccine" else "")
                  for header, cell in columns[1:]]
    described += [("Qty", lambda item: "1"), ("Amount", lambda item: f"{currency}{rng.randint(12, 90)}.00")]
    y = _table(page, cert, y, described, items)
    page.text(page.width - 70, y + 6, f"Total: {currency}{rng.randint(60, 300)}.00", 10, True)
    vet = cert.vaccinations[0].vet
    if vet and not any(header in ("Vet", "Veterinarian", "Signed") for header, _ in columns):
        _labelled(page, 20, y + 18, rng.choice(VET_LABELS), vet)
    return page.output()


def booklet(cert: Certificate, rng: random.Random) -> bytes:
    page = Page(rng, cert.clinic.country)
    page.text(20, 20, rng.choice(["Vaccination Record", "VACCINATIONS", "Pet Health Booklet - Vaccinations"]), 16, True)
    y = 32
    for label, value in _pet_lines(cert, rng):
        _labelled(page, 20, y, label, value)
        y += 6.5
    y += 8
    y = _table(page, cert, y, _vaccine_columns(cert, rng, vet=True), cert.vaccinations, rng.choice([9, 10]))
    for _ in range(rng.randint(0, 3)):   # the booklet's empty ruled rows
        page.rule(20, y + 2, page.width - 20)
        y += 7
    if cert.clinic_printed:
        y += 10
        page.text(20, y, rng.choice(["Clinic stamp:", "Practice:"]), 8)
        page.text(20, y + 6, cert.clinic.name, 10, True)
        page.text(20, y + 11, ", ".join(cert.clinic.address_lines()), 8)
    return page.output()


def two_column(cert: Certificate, rng: random.Random) -> bytes:
    """The pet's details on the left, the owner's and more on the right, row by row."""
    page = Page(rng, cert.clinic.country)
    y = _heading(page, cert)
    page.text(20, y, rng.choice(["Vaccination Certificate", "Immunisation record", "VACCINATION HISTORY"]), 14, True)
    pet = cert.pet
    left = [(rng.choice(["Name", "Pet name", "Patient"]), pet.name), ("Species", pet.species.capitalize()),
            ("Breed", pet.breed)] + ([(rng.choice(CHIP_LABELS), pet.microchip)] if pet.microchip else [])
    right = [("Date of birth", _date(cert, pet.born)), ("Owner", pet.owner), ("Address", pet.owner_address),
             ("Sex", rng.choice(["Male", "Female", "Male neutered"]))]
    gap = rng.choice([5, 8, 12, 16])   # how close the right column comes
    y += 10
    for (l_label, l_value), (r_label, r_value) in zip(left, right, strict=False):
        width = _labelled(page, 20, y, l_label, l_value)
        _labelled(page, max(20 + width + gap, 95 if gap > 8 else 0), y, r_label, r_value)
        y += 6.5
    y += 10
    y = _table(page, cert, y, _vaccine_columns(cert, rng, vet=rng.random() < 0.5), cert.vaccinations)
    vet = cert.vaccinations[0].vet
    if vet:
        _labelled(page, 20, y + 10, rng.choice(VET_LABELS), vet)
    return page.output()


LAYOUTS: dict[str, Callable[[Certificate, random.Random], bytes]] = {
    "letterhead": letterhead, "rabies_form": rabies_form, "invoice": invoice, "booklet": booklet,
    "two_column": two_column}
