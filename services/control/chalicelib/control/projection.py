"""Aurora rows -> DynamoDB items. Pure functions: the outbox and the rebuild both use them,
so a rebuild from Aurora reproduces exactly what the relay wrote (rule 4)."""
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pawport.table import HOUSEHOLD_SK, household_key, member_sk, pet_sk
from chalicelib.control.models import Household, Member, Pet

Item = dict[str, Any]
Operation = dict[str, Any]


def household_item(household: Household) -> Item:
    return _item(household.id, HOUSEHOLD_SK, "household", household.version,
                 {"id": str(household.id), "name": household.name, "time_zone": household.time_zone})


def member_item(member: Member) -> Item:
    return _item(member.household_id, member_sk(member.user_id), "member", member.version,
                 {"user_id": member.user_id, "role": member.role.value})


def pet_item(pet: Pet) -> Item:
    return _item(pet.household_id, pet_sk(str(pet.id)), "pet", pet.version,
                 {"id": str(pet.id), "name": pet.name, "species": pet.species})


def put(item: Item) -> Operation:
    return {"op": "put", "item": item}


def household_items(session: Session, household_id: uuid.UUID) -> list[Item]:
    """Everything the household's partition should hold, computed from Aurora alone."""
    household = session.get(Household, household_id)
    if household is None:
        return []
    members = session.scalars(select(Member).where(Member.household_id == household_id))
    pets = session.scalars(select(Pet).where(Pet.household_id == household_id))
    return [household_item(household), *map(member_item, members), *map(pet_item, pets)]


def _item(household_id: uuid.UUID, sk: str, kind: str, version: int, body: dict[str, Any]) -> Item:
    return {"pk": household_key(str(household_id)), "sk": sk, "kind": kind, "version": version, "body": body}
