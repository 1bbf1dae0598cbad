"""Household handlers: creating and renaming a household and adding its pets; and the membership
checks every handler starts with (roles read from Aurora under a shared lock, never from a cache)."""
import uuid

from chalicelib.control import rules
from chalicelib.control.commands import AddPet, CreateHousehold, RenameHousehold
from chalicelib.control.edits import changes
from chalicelib.control.models import Household, Member, Pet
from chalicelib.control.projection import household_item, household_renamed, member_items, pet_items, put
from chalicelib.control.registry import handles
from chalicelib.control.responses import HouseholdCreated, HouseholdRenamed, PetView
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.contracts import Role
from pawport.status import household_today


def membership(uow: UnitOfWork, household_id: str | uuid.UUID, allowed: frozenset[Role]) -> Member:
    """The caller's membership of the household, if its role allows; 404 for non-members."""
    # A shared lock: a concurrent demotion or removal of the caller waits for this action to end.
    return rules.require_role(uow.members.of(household_id, uow.ctx.caller.user_id), allowed)


def household_of(uow: UnitOfWork, household_id: str, allowed: frozenset[Role]) -> Household:
    return uow.households.get(membership(uow, household_id, allowed).household_id)


def pet_of(uow: UnitOfWork, pet_id: str, allowed: frozenset[Role]) -> Pet:
    """The pet, if the caller's role in its household allows; 404 for pets of other households."""
    pet = rules.require_found(uow.pets.get(pet_id), "no such pet")
    member = uow.members.of(pet.household_id, uow.ctx.caller.user_id)
    rules.require_role(member, allowed, missing="no such pet")
    return pet


@handles(CreateHousehold, "create_household")
def create_household(command: CreateHousehold, uow: UnitOfWork) -> HouseholdCreated:
    ctx, new = uow.ctx, command.new
    rules.owns_no_household_yet(uow.members.owned_by(ctx.caller.user_id))
    household = Household(id=uuid.uuid4(), name=new.name, time_zone=new.time_zone, created_at=ctx.now)
    owner = Member(household_id=household.id, user_id=ctx.caller.user_id, email=ctx.caller.email,
                   role=Role.OWNER, joined_at=ctx.now)
    uow.households.add(household, owner)
    uow.audit(household.id, "household.create", f"household:{household.id}")
    uow.publish(household.id, [put(household_item(household)), *map(put, member_items(owner, household))])
    return HouseholdCreated(household_id=str(household.id), name=household.name, role=owner.role.value)


@handles(RenameHousehold, "rename_household")
def rename_household(command: RenameHousehold, uow: UnitOfWork) -> HouseholdRenamed:
    household = household_of(uow, command.household_id, rules.OWNERS)
    uow.households.lock(household.id)
    before = household.name
    household.name = command.new.name
    uow.households.save()
    uow.audit(household.id, "household.rename", f"household:{household.id}", changes({"name": before},
                                                                                    {"name": household.name}))
    uow.publish(household.id, household_renamed(household, uow.members.in_household(household.id)))
    return HouseholdRenamed(household_id=str(household.id), name=household.name)


@handles(AddPet, "add_pet")
def add_pet(command: AddPet, uow: UnitOfWork) -> PetView:
    household, new = household_of(uow, command.household_id, rules.EDITORS), command.new
    uow.households.lock(household.id)   # serialise concurrent adds against the cap
    rules.within_pet_cap(uow.pets.count(household.id))
    rules.not_born_in_future(new.birth_date, household_today(uow.ctx.now, household.time_zone))
    pet = Pet(id=uuid.uuid4(), household_id=household.id, **new.model_dump(), created_at=uow.ctx.now)
    uow.pets.add(pet)
    uow.audit(household.id, "pet.create", f"pet:{pet.id}")
    uow.publish(household.id, [put(item) for item in pet_items(pet)])
    return pet_view(pet)


def pet_view(pet: Pet) -> PetView:
    return PetView(pet_id=str(pet.id), household_id=str(pet.household_id), name=pet.name, species=pet.species,
                   species_name=pet.species_name, breed=pet.breed, birth_date=pet.birth_date, microchip=pet.microchip)
