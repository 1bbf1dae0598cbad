"""The local reader (devstack/llm) on small documents drawn for each case: labels paired with values by
position, tables of several vaccines, and the traps real certificates hold."""
from datetime import date

from fpdf import FPDF

from devstack.llm.certificate import answer, read_certificate
from devstack.llm.layout import Word
from devstack.llm.rules import read_pages

TODAY = date(2026, 11, 1)
US = ("Elm Street Animal Clinic", "4 Elm Street, Austin, TX 78703", "(512) 555-0142")
UK = ("Riverside Vets", "2 Mill Lane, Cambridge CB2 1RX", "01223 555014")


def page(*texts: tuple[float, float, str], size: float = 10) -> bytes:
    """A PDF with each text at (x mm, baseline y mm), drawn in the order given."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=size)
    for x, y, text in texts:
        pdf.text(x, y, text)
    return bytes(pdf.output())


def letterhead(clinic: tuple[str, str, str], *lines: str) -> bytes:
    return page(*((20, 15 + 7 * i, line) for i, line in enumerate([*clinic, "", *lines])))


def read(document: bytes) -> dict:
    return read_certificate([("application/pdf", document)], TODAY)[0]


def confident(answer: dict, index: int, name: str) -> bool:
    return answer["vaccinations"][index]["confidence"][name] >= 0.5


def test_label_and_value_on_one_row_and_a_value_under_its_label() -> None:
    answer = read(page((20, 20, "Pet name: Biscuit"), (20, 30, "SPECIES"), (21, 36, "Dog"),
                       (20, 50, "Vaccine: Rabies"), (20, 57, "Date given: 14 March 2026"),
                       (20, 64, "Expires: 14 March 2029")))
    assert (answer["pet_name"], answer["species"]) == ("Biscuit", "dog")
    assert answer["confidence"]["pet_name"] >= 0.5
    [rabies] = answer["vaccinations"]
    assert (rabies["vaccine"], rabies["administered_on"], rabies["expires_on"]) == ("Rabies", "2026-03-14", "2029-03-14")
    assert all(confident(answer, 0, name) for name in ("vaccine", "administered_on", "expires_on"))


def test_a_form_whose_values_are_drawn_after_all_its_labels() -> None:
    labels = [(20, 20, "ANIMAL NAME"), (80, 20, "SPECIES"), (20, 40, "DATE VACCINATED"), (80, 40, "LOT NUMBER"),
              (130, 40, "LOT EXPIRATION"), (20, 60, "NEXT VACCINATION DUE BY"), (20, 80, "VETERINARIAN")]
    values = [(22, 27, "Sir Barkley"), (82, 27, "Dog"), (22, 47, "Jul 14, 2025"), (82, 47, "S987U40"),
              (132, 47, "Jan 31, 2027"), (22, 67, "Jul 14, 2028"), (22, 87, "Jane Doe, DVM"),
              (20, 100, "Old Lyme Animal Hospital, Old Lyme, CT 06371")]
    answer = read(page(*labels, *values, (20, 10, "RABIES VACCINATION CERTIFICATE")))
    assert answer["pet_name"] == "Sir Barkley"
    [rabies] = answer["vaccinations"]
    assert rabies == rabies | {"vaccine": "Rabies", "administered_on": "2025-07-14", "expires_on": "2028-07-14",
                               "batch": "S987U40", "vet": "Jane Doe, DVM"}


def test_the_vials_lot_expiry_is_not_the_certificates() -> None:
    answer = read(letterhead(US, "Vaccine: Rabies", "Date given: 05/14/2026", "Lot: K7392 Lot exp: 06/30/2027"))
    [rabies] = answer["vaccinations"]
    assert (rabies["batch"], rabies["expires_on"]) == ("K7392", None)


def test_a_table_of_several_vaccines_read_by_column() -> None:
    header = [(20, 60, "Vaccine"), (60, 60, "Date given"), (95, 60, "Next due"), (130, 60, "Batch")]
    rows = [(y, name, given, due, batch) for y, name, given, due, batch in [
        (68, "DHPP", "14/03/2026", "14/03/2029", "A123B45"), (75, "Leptospirosis", "14/03/2026", "13/03/2027", "LP2210"),
        (82, "Rabies", "02/04/2026", "01/04/2029", "RB9931")]]
    cells = [(x, y, text) for y, *texts in rows for x, text in zip((20, 60, 95, 130), texts, strict=True)]
    answer = read(page(*[(20, 15 + 7 * i, line) for i, line in enumerate(UK)], (20, 50, "Patient: Luna"),
                       *header, *cells))
    got = [(v["vaccine"], v["administered_on"], v["expires_on"], v["batch"]) for v in answer["vaccinations"]]
    assert got == [("DHPP", "2026-03-14", "2029-03-14", "A123B45"), ("Leptospirosis", "2026-03-14", "2027-03-13", "LP2210"),
                   ("Rabies", "2026-04-02", "2029-04-01", "RB9931")]
    assert all(confident(answer, i, "administered_on") for i in range(3))


def test_a_next_due_header_does_not_take_the_first_date_under_it() -> None:
    answer = read(page((20, 20, "Vaccine"), (60, 20, "Date given"), (100, 20, "Next due"),
                       (20, 28, "Bordetella"), (60, 28, "2026-05-01"), (100, 28, "2027-05-01")))
    [bordetella] = answer["vaccinations"]
    assert (bordetella["administered_on"], bordetella["expires_on"]) == ("2026-05-01", "2027-05-01")


def test_day_and_month_follow_the_clinics_country() -> None:
    lines = ("Vaccine: Rabies", "Date given: 03/04/2026", "Valid until: 03/04/2027")
    us, uk = read(letterhead(US, *lines))["vaccinations"][0], read(letterhead(UK, *lines))["vaccinations"][0]
    assert (us["administered_on"], uk["administered_on"]) == ("2026-03-04", "2026-04-03")


def test_without_a_country_an_ambiguous_date_is_not_guessed() -> None:
    answer = read(page((20, 20, "Vaccine: Rabies"), (20, 27, "Date given: 03/04/2026"), (20, 34, "Expires: 2029-03-04")))
    [rabies] = answer["vaccinations"]
    assert rabies["administered_on"] is None and rabies["confidence"]["administered_on"] == 0
    assert rabies["expires_on"] == "2029-03-04"


def test_one_date_with_a_day_over_12_settles_the_others() -> None:
    answer = read(page((20, 20, "Vaccine: Rabies"), (20, 27, "Date given: 03/04/2026"), (20, 34, "Expires: 03/25/2027")))
    assert answer["vaccinations"][0]["administered_on"] == "2026-03-04"


def test_a_town_named_after_a_vaccine_is_not_one() -> None:
    answer = read(letterhead(("Lyme Bay Veterinary Surgery", "14 Broad Street, Lyme Regis DT7 3QA", "Old Lyme Road"),
                             "Vaccine: DHPP", "Date given: 14/03/2026", "Next due: 14/03/2027"))
    assert [v["vaccine"] for v in answer["vaccinations"]] == ["DHPP"]
    assert answer["clinic"] == "Lyme Bay Veterinary Surgery"


def test_two_columns_on_one_row_stay_apart() -> None:
    answer = read(page((20, 20, "Name: Sir Barkley"), (58, 20, "Date of birth: August 18, 2018"),
                       (20, 27, "Species: Dog"), (58, 27, "Owner: Emma Clarke"),
                       (20, 40, "Rabies vaccine given on 2026-01-05, valid until 2029-01-04.")))
    assert (answer["pet_name"], answer["species"]) == ("Sir Barkley", "dog")
    assert answer["vaccinations"][0]["administered_on"] == "2026-01-05"


def test_a_printed_validity_is_kept_and_no_expiry_invented() -> None:
    answer = read(letterhead(UK, "Rabies vaccine administered on 14 March 2026, valid for 3 years.", "Batch no. AB1234"))
    [rabies] = answer["vaccinations"]
    assert (rabies["validity"], rabies["expires_on"], rabies["batch"]) == ("3 years", None, "AB1234")


def test_dates_out_of_place_are_not_confident() -> None:
    future = read(letterhead(UK, "Vaccine: Rabies", "Date given: 14 March 2027", "Expires: 14 March 2028"))
    backwards = read(letterhead(UK, "Vaccine: Rabies", "Date given: 14 March 2026", "Expires: 14 March 2025"))
    assert not confident(future, 0, "administered_on")
    assert not confident(backwards, 0, "expires_on") and not confident(backwards, 0, "administered_on")


def test_nothing_to_read_answers_the_full_shape_with_nulls() -> None:
    answer = read(page((20, 20, "Thank you for your visit")))
    assert answer == {"pet_name": None, "species": None, "microchip": None, "clinic": None, "vaccinations": [],
                      "confidence": {"pet_name": 0.0, "species": 0.0, "microchip": 0.0, "clinic": 0.0}}


def ocr_words(*lines: str, confidence: float = 0.96) -> list[Word]:
    """Words as OCR gives them (pixels, with confidences): one line every 40 px, words 12 px apart."""
    words = []
    for row, line in enumerate(lines):
        x = 50.0
        for text in line.split(" "):
            words.append(Word(text, x, 40 * row, x + 11 * len(text), 40 * row + 22, confidence))
            x += 11 * len(text) + 12
    return words


def test_on_a_photo_a_term_of_no_whole_half_years_is_doubted() -> None:
    lines = ("Riverside Vets, Cambridge CB2 1RX", "Vaccine: Rabies", "Date given: 14/03/2026")
    odd = answer(read_pages([ocr_words(*lines, "Expires: 24/03/2027")], TODAY))
    whole = answer(read_pages([ocr_words(*lines, "Expires: 13/03/2027")], TODAY))
    assert odd["vaccinations"][0]["expires_on"] == "2027-03-24" and not confident(odd, 0, "expires_on")
    assert confident(whole, 0, "expires_on") and confident(whole, 0, "administered_on")


def test_a_code_ocr_is_not_sure_of_is_not_ready() -> None:
    words = ocr_words("Vaccine: Rabies", "Date given: 2026-03-14", "Batch: 999S8692")
    unsure = [Word(w.text, w.x0, w.top, w.x1, w.bottom, 0.9 if w.text == "999S8692" else w.confidence) for w in words]
    assert confident(answer(read_pages([words], TODAY)), 0, "batch")
    assert not confident(answer(read_pages([unsure], TODAY)), 0, "batch")
