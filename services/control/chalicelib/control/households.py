"""Household handlers: creating a household and adding its pets; and the membership checks every
handler starts with (roles read from Aurora under a shared lock, never from a cache)."""
import uuid

from chalicelib.control import rules
from chalicelib.control.commands import AddPet, CreateHousehold
from chalicelib.control.models import Household, Member, Pet
from chalicelib.control.projection import household_item, member_items, pet_items, put
from chalicelib.control.registry import handles
from chalicelib.control.responses import HouseholdCreated, PetAdded
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.contracts import Role


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
    household = Household(id=uuid.uuid4(), name=new.name, time_zone=new.time_zone, created_at=ctx.now)
    owner = Member(household_id=household.id, user_id=ctx.caller.user_id, email=ctx.caller.email,
                   role=Role.OWNER, joined_at=ctx.now)
    uow.households.add(household, owner)
    uow.audit(household.id, "household.create", f"household:{household.id}")
    uow.publish(household.id, [put(household_item(household)), *map(put, member_items(owner, household))])
    return HouseholdCreated(household_id=str(household.id), name=household.name, role=owner.role.value)


@handles(AddPet, "add_pet")
def add_pet(command: AddPet, uow: UnitOfWork) -> PetAdded:
    household = household_of(uow, command.household_id, rules.EDITORS)
    uow.households.lock(household.id)   # serialise concurrent adds against the cap
    rules.within_pet_cap(uow.pets.count(household.id))
    pet = Pet(id=uuid.uuid4(), household_id=household.id, name=command.new.name, species=command.new.species,
              created_at=uow.ctx.now)
    uow.pets.add(pet)
    uow.audit(household.id, "pet.create", f"pet:{pet.id}")
    uow.publish(household.id, [put(item) for item in pet_items(pet)])
    return PetAdded(pet_id=str(pet.id), household_id=str(household.id), name=pet.name, species=pet.species)
