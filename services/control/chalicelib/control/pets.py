"""Pet handlers: changing a pet's details and removing a pet with its records. Each checks the
caller's role in Aurora and commits the change, an audit row and an outbox entry."""
from chalicelib.control import rules
from chalicelib.control.commands import RemovePet, UpdatePet
from chalicelib.control.edits import changes
from chalicelib.control.households import pet_of, pet_view
from chalicelib.control.models import Pet
from chalicelib.control.projection import pet_items, pet_removed, put, record_removed
from chalicelib.control.registry import handles
from chalicelib.control.requests import named_species
from chalicelib.control.responses import PetRemoved, PetView
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.errors import BadInput, NotFound
from pawport.status import household_today

DETAILS = ("name", "species", "species_name", "breed", "birth_date", "microchip")


@handles(UpdatePet, "update_pet")
def update_pet(command: UpdatePet, uow: UnitOfWork) -> PetView:
    """PATCH: only the fields sent change. A species other than "other" keeps no species name."""
    pet = _locked(uow, pet_of(uow, command.pet_id, rules.EDITORS))
    sent = command.changes.model_dump(exclude_unset=True)
    merged = {name: sent.get(name, getattr(pet, name)) for name in DETAILS}
    if merged["species"] != "other" and "species_name" not in sent:
        merged["species_name"] = None
    try:
        named_species(merged["species"], merged["species_name"])
    except ValueError as error:
        raise BadInput(str(error)) from None
    time_zone = uow.households.get(pet.household_id).time_zone
    rules.not_born_in_future(merged["birth_date"], household_today(uow.ctx.now, time_zone))
    details = changes({name: getattr(pet, name) for name in DETAILS}, merged)
    for name, value in merged.items():
        setattr(pet, name, value)
    uow.pets.save()
    uow.audit(pet.household_id, "pet.update", f"pet:{pet.id}", details)
    uow.publish(pet.household_id, [put(item) for item in pet_items(pet)])
    return pet_view(pet)


@handles(RemovePet, "remove_pet")
def remove_pet(command: RemovePet, uow: UnitOfWork) -> PetRemoved:
    """The pet and all its records. Their items leave the projection; each record item's REMOVE and
    the pet's removal notice have workers delete the files (workers/file_cleanup.py)."""
    pet = _locked(uow, pet_of(uow, command.pet_id, rules.EDITORS))
    time_zone = uow.households.get(pet.household_id).time_zone
    windows = uow.reminders.index_windows(pet.household_id)
    records = uow.records.of_pet(pet.id)
    operations = [op for record in records for op in record_removed(record, time_zone, windows)]
    for record in records:
        uow.records.remove(record)
    uow.records.save()
    uow.pets.remove(pet)
    uow.audit(pet.household_id, "pet.remove", f"pet:{pet.id}", {"name": pet.name, "records": len(records)})
    uow.publish(pet.household_id, operations + pet_removed(pet, uow.ctx.now))
    return PetRemoved(removed=str(pet.id), records_removed=len(records))


def _locked(uow: UnitOfWork, pet: Pet) -> Pet:
    """The pet row FOR UPDATE, after the membership check: two edits of one pet run one at a time."""
    locked = uow.pets.for_update(str(pet.id))
    if locked is None:
        raise NotFound("no such pet")   # removed while this action waited
    return locked
