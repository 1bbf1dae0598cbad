"""Pet details, record edits and the free plan on a fake unit of work: microchip numbers, PATCH
changing only what it sends, PUT replacing, a pet's removal taking its records, the record's
history, one owned household per person. The same actions over HTTP: tests/e2e/test_pets.py,
test_record_edits.py and test_plan_limits.py."""
from datetime import date

import pytest
from pydantic import ValidationError

from chalicelib.control import commands as c
from chalicelib.control import households, members, pets, records
from chalicelib.control import requests as r
from pawport.contracts import DOCUMENTS_LIMIT, OWNED_HOUSEHOLDS_LIMIT, PETS_LIMIT
from pawport.errors import BadInput, Conflict
from pawport.http import body
from pawport.keys import document_count_sk, household_key, pet_key, pet_removal_sk, pet_sk
from pawport.microchips import microchip
from tests.unit.test_control_permissions import EDITOR, OWNER, World, person


@pytest.mark.parametrize("written, kept", [
    ("985112345678901", "985112345678901"),      # ISO 11784: a maker's code, then the animal's number
    ("826 098 100 234 567", "826098100234567"),  # a country's code, printed in groups
    ("985-112-345-678-901", "985112345678901"),
    ("123456789", "123456789"),                  # an older 9-digit chip
    ("0006.123.456", "0006123456"),              # an older 10-digit chip
])
def test_a_microchip_number_keeps_its_digits(written: str, kept: str) -> None:
    assert microchip(written) == kept


@pytest.mark.parametrize("written, why", [
    ("98511234567890", "this one has 14"),
    ("12345678", "this one has 8"),
    ("9851123456789012", "this one has 16"),
    ("98511234567890A", "digits only"),
    ("٩٨٥١١٢٣٤٥٦٧٨٩٠١", "digits only"),          # digits of another script are not a chip's
    ("999112345678901", "999 marks a test chip"),
    ("000112345678901", "000 is not one"),
    ("", "digits only"),
])
def test_a_microchip_number_that_cannot_be_one_is_refused_in_words(written: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        microchip(written)


class Posted:
    def __init__(self, raw: str):
        self.raw_body = raw.encode()


@pytest.mark.parametrize("model, raw, says", [
    (r.NewHousehold, '{"name": "The Parkers"}', "time_zone: is required"),
    (r.NewHousehold, '{"name": "   ", "time_zone": "UTC"}', "name: must not be blank"),
    (r.NewPet, '{"name": "\\t ", "species": "dog"}', "name: must not contain control characters"),
    (r.NewPet, '{"name": "  ", "species": "dog"}', "name: must not be blank"),
    (r.NewPet, '{"name": "Ollie", "species": "dog", "colour": "brown"}', "colour: is not a field this request takes"),
    (r.NewPet, '{"name": "Ollie", "species": "other"}', "species_name is required when species is other"),
    (r.NewPet, '{"name": "Ollie", "species": "dog", "microchip": "12"}', "microchip: a microchip number has 15 digits"),
    (r.RecordChanges, '{"clinik": "Elm"}', "clinik: is not a field this request takes"),
    (r.RecordChanges, '{"vaccine": null}', "vaccine cannot be cleared"),
    (r.RecordReplacement, '{"vaccine": "Rabies"}', "administered_on: is required"),
    (r.NewInvitation, '{"email": "not-an-address", "role": "viewer"}', "email: must be an email address"),
    (r.NewRecord, '{"vaccine": "Rabies", "administered_on": "14/03/2026"}', "administered_on: must be a date"),
])
def test_a_refusal_names_the_field_and_says_why_in_words(model, raw: str, says: str) -> None:
    with pytest.raises(BadInput) as refused:
        body(Posted(raw), model)
    assert says in str(refused.value)
    assert "pattern" not in str(refused.value) and "^" not in str(refused.value)


def test_a_pet_is_created_with_its_details_and_patched_field_by_field() -> None:
    world = World()
    added, _ = world.run(EDITOR, households.add_pet, c.AddPet(world.id, r.NewPet(
        name="Pip", species="other", species_name="rabbit", birth_date=date(2024, 5, 1), microchip="985 112 345 678 901")))
    assert (added.species, added.species_name, added.microchip) == ("other", "rabbit", "985112345678901")

    changed, uow = world.run(EDITOR, pets.update_pet, c.UpdatePet(added.pet_id, r.PetChanges(breed="Lop")))
    assert (changed.name, changed.species_name, changed.breed, changed.birth_date) == ("Pip", "rabbit", "Lop",
                                                                                     date(2024, 5, 1))
    assert world.tables.audit[-1].details == {"changed": {"breed": {"from": None, "to": "Lop"}}}
    [(_, operations)] = uow.published
    assert {op["item"]["sk"] for op in operations if op["op"] == "put"} >= {pet_sk(added.pet_id)}

    changed, _ = world.run(EDITOR, pets.update_pet, c.UpdatePet(added.pet_id, r.PetChanges(species="cat",
                                                                                            microchip=None)))
    assert (changed.species, changed.species_name, changed.microchip) == ("cat", None, None)   # a cat is not named


def test_a_pet_cannot_become_other_unnamed_nor_be_born_tomorrow() -> None:
    world = World()
    with pytest.raises(BadInput, match="species_name is required"):
        world.run(EDITOR, pets.update_pet, c.UpdatePet(world.pet_id, r.PetChanges(species="other")))
    with pytest.raises(BadInput, match="in the future"):
        world.run(EDITOR, pets.update_pet, c.UpdatePet(world.pet_id, r.PetChanges(birth_date=date(2026, 11, 24))))
    with pytest.raises(ValidationError, match="name cannot be cleared"):
        r.PetChanges(name=None)


def test_removing_a_pet_takes_its_records_and_its_items() -> None:
    world = World()
    removed, uow = world.run(EDITOR, pets.remove_pet, c.RemovePet(world.pet_id))
    assert removed.records_removed == 1 and world.tables.pets == {} and world.tables.records == {}
    assert world.tables.audit[-1].action == "pet.remove"
    [(_, operations)] = uow.published
    deleted = {(op["pk"], op["sk"]) for op in operations if op["op"] == "delete"}
    assert {(household_key(world.id), pet_sk(world.pet_id)), (pet_key(world.pet_id), "PET"),
            (household_key(world.id), document_count_sk(world.pet_id)),
            (household_key(world.id), f"RECORD#{world.record_id}")} <= deleted
    [notice] = [op["item"] for op in operations if op["op"] == "put"]   # workers delete the pet's files on it
    assert (notice["sk"], notice["kind"], notice["body"]) == (pet_removal_sk(world.pet_id), "pet-removal",
                                                              {"pet_id": world.pet_id})


def test_patch_keeps_what_it_does_not_send_and_put_replaces_everything() -> None:
    world = World()
    world.run(EDITOR, records.update_record, c.UpdateRecord(world.pet_id, world.record_id, r.RecordChanges(
        clinic="Elm Street Vets", administered_on=date(2026, 3, 14))))
    patched, _ = world.run(EDITOR, records.update_record, c.UpdateRecord(world.pet_id, world.record_id,
                                                                         r.RecordChanges(expires_on=date(2029, 3, 13))))
    assert (patched.clinic, patched.administered_on, patched.expires_on) == ("Elm Street Vets", date(2026, 3, 14),
                                                                             date(2029, 3, 13))
    with pytest.raises(BadInput, match="must be after administered_on"):
        world.run(EDITOR, records.update_record, c.UpdateRecord(world.pet_id, world.record_id,
                                                                r.RecordChanges(expires_on=date(2026, 1, 1))))
    replaced, _ = world.run(EDITOR, records.replace_record, c.ReplaceRecord(world.pet_id, world.record_id,
                            r.RecordReplacement(vaccine="Rabies", administered_on=None, expires_on=None, clinic=None)))
    assert (replaced.clinic, replaced.administered_on, replaced.expires_on) == (None, None, None)


def test_a_records_history_lists_each_edit_with_what_changed() -> None:
    world = World()
    world.run(EDITOR, records.update_record, c.UpdateRecord(world.pet_id, world.record_id, r.RecordChanges(clinic="Elm")))
    world.run(EDITOR, records.update_record, c.UpdateRecord(world.pet_id, world.record_id, r.RecordChanges(clinic="Oak")))
    history, _ = world.run(OWNER, records.read_record_history, c.ReadRecordHistory(world.pet_id, world.record_id))
    again, _ = world.run(OWNER, records.read_record_history, c.ReadRecordHistory(world.pet_id, world.record_id))
    assert [e.changed for e in history.entries] == [{"clinic": {"from": None, "to": "Elm"}},
                                                    {"clinic": {"from": "Elm", "to": "Oak"}}]
    assert again.entries == history.entries   # its own reads are audited, not listed
    assert [e.action for e in world.tables.audit][-2:] == ["record.history.read", "record.history.read"]


def test_a_person_owns_one_household_and_joins_any_number() -> None:
    world, founder = World(), person("founder")
    new = c.CreateHousehold(r.NewHousehold(name="Mine", time_zone="Europe/London"))
    world.run(founder, households.create_household, new)
    with pytest.raises(Conflict) as refused:
        world.run(founder, households.create_household, new)
    assert str(refused.value) == OWNED_HOUSEHOLDS_LIMIT and "one household of your own" in OWNED_HOUSEHOLDS_LIMIT
    with pytest.raises(Conflict):
        world.run(OWNER, households.create_household, new)   # World's owner owns one already
    world.run(OWNER, members.invite, c.InviteMember(world.id, r.NewInvitation(email=founder.email, role="owner")),
              make_token=lambda: "a-token-of-twenty-chars")
    joined, _ = world.run(founder, members.accept, c.AcceptInvitation(r.Acceptance(token="a-token-of-twenty-chars")))
    assert joined.household_id == world.id   # joining is never limited, even as an owner


def test_the_plans_refusals_say_the_limit_in_words() -> None:
    assert "three pets per household" in PETS_LIMIT
    assert "twenty documents per pet" in DOCUMENTS_LIMIT
    world = World()
    for name in ("Mochi", "Bean"):
        world.run(EDITOR, households.add_pet, c.AddPet(world.id, r.NewPet(name=name, species="cat")))
    with pytest.raises(Conflict) as refused:
        world.run(EDITOR, households.add_pet, c.AddPet(world.id, r.NewPet(name="Rex", species="dog")))
    assert str(refused.value) == PETS_LIMIT
