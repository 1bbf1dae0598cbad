"""The checks before approval, one rule at a time: another pet named, a probable duplicate, dates
that look wrong, and the expiry a printed validity suggests."""
from datetime import date

import pytest

from pawport import draft_checks
from pawport.contracts import ExtractedDocument, ExtractedVaccination

BISCUIT = {"id": "p1", "name": "Biscuit", "species": "dog"}
CHIPPED = BISCUIT | {"microchip": "985112345678901"}


def read(pet_name: str | None = "Biscuit", microchip: str | None = None) -> ExtractedDocument:
    return ExtractedDocument(pet_name=pet_name, microchip=microchip)


def vaccination(vaccine: str | None = "Rabies", given: date | None = date(2026, 3, 14),
                expires: date | None = date(2029, 3, 14), validity: str | None = None) -> ExtractedVaccination:
    return ExtractedVaccination(vaccine=vaccine, administered_on=given, expires_on=expires, validity=validity)


# ---- another pet ----

def test_a_certificate_naming_another_pet_is_flagged_with_the_name_found() -> None:
    assert draft_checks.other_pet(read("Ollie"), BISCUIT) == "the certificate names Ollie, not Biscuit"


@pytest.mark.parametrize("printed", ["Biscuit", "BISCUIT", "Biscuit Parker", "biscuit.", "Bíscuit"])
def test_the_pet_s_own_name_however_printed_is_not_flagged(printed: str) -> None:
    assert draft_checks.other_pet(read(printed), BISCUIT) is None


def test_no_name_read_is_not_a_flag() -> None:
    assert draft_checks.other_pet(read(None), BISCUIT) is None
    assert draft_checks.other_pet(None, BISCUIT) is None


def test_another_microchip_is_flagged_whatever_the_name() -> None:
    flag = draft_checks.other_pet(read("Biscuit", "985 112 345 678 999"), CHIPPED)
    assert flag == "the certificate is for microchip 985112345678999, not Biscuit's (985112345678901)"


def test_the_pet_s_own_microchip_settles_it_even_under_a_nickname() -> None:
    assert draft_checks.other_pet(read("Bisky", "985112345678901"), CHIPPED) is None


def test_a_microchip_without_one_on_file_falls_back_to_the_name() -> None:
    assert draft_checks.other_pet(read("Ollie", "985112345678901"), BISCUIT) == "the certificate names Ollie, not Biscuit"


# ---- probable duplicate ----

ON_FILE = [{"id": "r1", "vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2029-03-14"}]


def test_the_same_vaccine_given_the_same_day_is_a_probable_duplicate() -> None:
    flag = draft_checks.probable_duplicate(vaccination("RABIES"), ON_FILE)
    assert flag == "probably a duplicate: a Rabies record given on 2026-03-14 is already on file"


@pytest.mark.parametrize("other", [vaccination("DHPP"), vaccination(given=date(2027, 3, 14)), vaccination(given=None),
                                   vaccination(vaccine=None)])
def test_another_vaccine_or_day_is_not(other: ExtractedVaccination) -> None:
    assert draft_checks.probable_duplicate(other, ON_FILE) is None


# ---- dates that look wrong ----

def test_a_date_given_in_the_future_is_flagged() -> None:
    assert draft_checks.date_problems(vaccination(given=date(2026, 12, 3), expires=None), date(2026, 12, 2)) == [
        "the date given, 2026-12-03, is in the future"]
    assert draft_checks.date_problems(vaccination(given=date(2026, 12, 2), expires=None), date(2026, 12, 2)) == []


@pytest.mark.parametrize("expires", [date(2026, 3, 14), date(2025, 1, 1)])
def test_an_expiry_not_after_the_date_given_is_flagged(expires: date) -> None:
    assert "the expiry date is not after the date given" in draft_checks.date_problems(vaccination(expires=expires))


def test_a_rabies_validity_over_three_years_is_flagged() -> None:
    over = "a rabies vaccination is valid for at most 3 years"
    assert draft_checks.date_problems(vaccination(expires=date(2029, 3, 15))) == [over]
    assert draft_checks.date_problems(vaccination(expires=None, validity="4 years")) == [over]
    assert draft_checks.date_problems(vaccination(expires=date(2029, 3, 14))) == []
    assert draft_checks.date_problems(vaccination(expires=None, validity="3 years")) == []
    assert draft_checks.date_problems(vaccination("DHPP", expires=date(2030, 3, 14))) == []


# ---- a validity as printed ----

@pytest.mark.parametrize("validity, last_day", [
    ("3 years", date(2029, 3, 13)), ("1 year", date(2027, 3, 13)), ("12 months", date(2027, 3, 13)),
    ("valid for 3 yrs", date(2029, 3, 13)), ("6-month", date(2026, 9, 13)), ("annual", None), (None, None),
    ("0 years", None)])
def test_a_printed_validity_ends_the_day_before_the_anniversary(validity: str | None, last_day: date | None) -> None:
    assert draft_checks.validity_end(date(2026, 3, 14), validity) == last_day


def test_a_validity_from_a_month_end_or_a_leap_day_stays_in_its_month() -> None:
    assert draft_checks.validity_end(date(2026, 1, 31), "1 month") == date(2026, 2, 27)
    assert draft_checks.validity_end(date(2028, 2, 29), "1 year") == date(2029, 2, 27)
