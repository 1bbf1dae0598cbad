"""The local reader's rules (devstack/llm/rules.py) on certificate texts."""
from datetime import date

import pytest

from devstack.llm.rules import Found, dates, read_fields, vaccine
from devstack.llm.server import shaped

MARCH_14 = date(2026, 3, 14)


@pytest.mark.parametrize("text, label", [
    ("Vaccine: Rabies (3 year)", "Rabies"),
    ("DA2PP booster", "DHPP"), ("DHPP", "DHPP"), ("Canine distemper combo", "DHPP"),
    ("Bordetella bronchiseptica (intranasal)", "Bordetella"), ("Kennel cough", "Bordetella"),
    ("FVRCP", "FVRCP"), ("Leptospirosis 4-way", "Leptospirosis"), ("Lepto", "Leptospirosis"),
    ("Lyme disease", "Lyme"), ("CIV H3N2/H3N8", "Canine Influenza"), ("Canine influenza", "Canine Influenza"),
    ("FeLV", "FeLV"), ("Feline leukemia", "FeLV"),
])
def test_vaccine_labels(text: str, label: str) -> None:
    assert vaccine(text) == label


def test_the_vaccine_named_first_is_reported() -> None:
    assert vaccine("Vaccines: FVRCP, Rabies") == "FVRCP"


def test_no_vaccine_in_unrelated_text() -> None:
    assert vaccine("Civic Centre Veterinary Hospital, invoice") is None


@pytest.mark.parametrize("written", [
    "2026-03-14", "14/03/2026", "03/14/2026", "14.03.2026", "14-03-2026", "14 March 2026", "14th March 2026",
    "14 Mar 2026", "Mar 14, 2026", "March 14, 2026", "March 14th 2026", "Mar. 14 2026",
])
def test_each_date_format(written: str) -> None:
    assert [value for _, value in dates(f"Date given: {written}")] == [MARCH_14]


@pytest.mark.parametrize("written", ["03/04/2026", "04.03.2026"])
def test_a_day_and_month_that_could_swap_are_not_guessed(written: str) -> None:
    assert [value for _, value in dates(written)] == [None]
    assert read_fields(f"Rabies  Date given: {written}").administered_on is None


def test_the_same_day_and_month_is_not_ambiguous() -> None:
    assert [value for _, value in dates("05/05/2026")] == [date(2026, 5, 5)]


def test_impossible_dates_are_unknown() -> None:
    assert [value for _, value in dates("31/02/2026 and 2026-13-01")] == [None, None]


@pytest.mark.parametrize("given, expires", [
    ("Date given", "Expires"), ("Date administered", "Valid until"), ("Date vaccinated", "Next due"),
    ("Administered on", "Booster due"), ("Date of vaccination", "Expiry date"),
])
def test_labelled_dates(given: str, expires: str) -> None:
    found = read_fields(f"Rabies\n{expires}: 14/03/2029\n{given}: 14/03/2026\n")
    assert (found.administered_on, found.expires_on) == (MARCH_14, date(2029, 3, 14))


def test_a_table_header_above_its_values() -> None:
    found = read_fields("Vaccine    Date given    Expires\nRabies    14/03/2026    14 Mar 2029\n")
    assert (found.vaccine, found.administered_on, found.expires_on) == ("Rabies", MARCH_14, date(2029, 3, 14))


def test_an_ambiguous_given_date_does_not_lend_its_place_to_the_expiry() -> None:
    found = read_fields("Rabies  Date given: 03/04/2026  Expires: 14/03/2029")
    assert (found.administered_on, found.expires_on) == (None, date(2029, 3, 14))


def test_unlabelled_dates_are_not_assigned() -> None:
    found = read_fields("Rabies 14/03/2026 14/03/2029")
    assert (found.administered_on, found.expires_on) == (None, None)


def test_pet_name_and_clinic() -> None:
    found = read_fields("Patient name: Biscuit    Species: Dog\nVeterinary practice: Riverside Vets\n")
    assert (found.pet_name, found.clinic) == ("Biscuit", "Riverside Vets")
    assert read_fields("Pet's name: Ollie Parker Breed: Collie\nHospital: Town Animal Hospital").pet_name == \
        "Ollie Parker"
    assert read_fields("Animal name: Mittens\nClinic: Cat Care").clinic == "Cat Care"


def test_a_complete_certificate() -> None:
    found = read_fields("VACCINATION CERTIFICATE\nPet name: Biscuit\nClinic: Riverside Vets\n"
                        "Vaccine: Rabies\nDate given: 14 March 2026\nValid until: 03/13/2029\n")
    assert found == Found("Rabies", MARCH_14, date(2029, 3, 13), "Biscuit", "Riverside Vets")
    assert found.confidence == 1.0


def test_missing_fields_are_null_with_lower_confidence() -> None:
    found = read_fields("Rabies vaccination. Date given: 14/03/2026")
    assert found == Found(vaccine="Rabies", administered_on=MARCH_14)
    assert found.confidence == 0.6
    assert read_fields("").confidence == 0.0


def test_the_answer_takes_the_requested_schemas_shape() -> None:
    found = Found(vaccine="Rabies", administered_on=MARCH_14)
    schema = {"json_schema": {"schema": {"properties": {"vaccine": {}, "expires_on": {}, "colour": {}}}}}
    assert shaped(found, schema) == {"vaccine": "Rabies", "expires_on": None, "colour": None}
    assert shaped(found, None)["administered_on"] == "2026-03-14"
