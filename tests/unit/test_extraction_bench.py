"""The extraction bench (bench/extraction.py): its corpus and how it scores an answer."""
from collections import Counter

from bench.certificates.corpus import MEDIA, certificate
from bench.extraction import figures, score

TRUTH = {"pet_name": "Luna", "species": "canine", "microchip": "985 170 116 296 950", "clinic": "Riverside Vets",
         "vaccinations": [{"vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": None,
                           "validity": "3 years", "batch": "AB12", "vet": "Dr A. Patel MRCVS"}]}


def answer(**changes: object) -> dict:
    item = dict(TRUTH["vaccinations"][0]) | {"vet": "A. Patel", "confidence": dict.fromkeys(TRUTH["vaccinations"][0], 0.9)}
    document = {"pet_name": "Luna", "species": "dog", "microchip": "985170116296950", "clinic": "Riverside Vets",
                "confidence": dict.fromkeys(("pet_name", "species", "microchip", "clinic"), 0.9),
                "vaccinations": [item]}
    for name, value in changes.items():
        (document if name in document else item)[name] = value
    return document


def test_a_perfect_answer_is_all_right_whatever_the_spelling_of_chips_titles_and_species() -> None:
    assert Counter(o[1] for o in score(TRUTH, answer())) == {"right": 9}


def test_a_wrong_confident_value_is_wrong_but_ready_and_a_null_is_missed() -> None:
    outcomes = score(TRUTH, answer(batch="A812", expires_on="2029-03-13", vet=None))
    assert ("batch", "wrong", True) in outcomes and ("expires_on", "wrong", True) in outcomes
    assert ("vet", "missed", False) in outcomes
    scored = [{"key": "x", "medium": "photo", "outcomes": outcomes}]
    assert figures(scored)["extraction_wrong_but_ready"] == 2


def test_a_vaccination_read_that_is_not_there_counts_its_values_wrong() -> None:
    extra = answer()["vaccinations"][0] | {"vaccine": "Lyme"}
    outcomes = score(TRUTH, answer() | {"vaccinations": answer()["vaccinations"] + [extra]})
    assert sum(1 for o in outcomes if o[1] == "wrong") == 5   # vaccine, date, validity, batch, vet


def test_the_corpus_is_seeded_and_varied() -> None:
    first = [certificate(k) for k in (0, 2, 5, 8, 18)]   # the clean PDFs: no photo to draw
    again = certificate(2)
    assert again.truth() == first[1].truth() and again.data == first[1].data
    assert len({c.layout for c in first}) >= 4 and set(MEDIA) == {"pdf", "scan", "photo", "heic"}
    assert all(1 <= len(c.vaccinations) <= 4 for c in first)
    assert {c.clinic.country for c in first} == {"US", "UK"}
