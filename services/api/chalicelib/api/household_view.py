"""A household as the api sees it: its DynamoDB partition, read in one Query, and the caller's
place in it. The member item comes in the same Query, so reads are authorized without Aurora."""
from collections.abc import Iterable

from pawport.auth import Caller
from pawport.contracts import EDITOR_ROLES
from pawport.errors import Forbidden, NotFound
from pawport.keys import HOUSEHOLD_SK, PET_SK, document_count_sk, household_key, member_sk, pet_key
from pawport.store import Item, Store


class HouseholdView:
    def __init__(self, items: Iterable[Item], caller: Caller, missing: str):
        self._by_sk = {item.sk: item for item in items}
        member, household = self._by_sk.get(member_sk(caller.user_id)), self._by_sk.get(HOUSEHOLD_SK)
        if member is None or household is None:
            raise NotFound(missing)   # another household's ids look exactly like missing ones
        self.role: str = member.body["role"]
        self.household: dict = household.body
        self._missing = missing

    def of_kind(self, kind: str, pet_id: str | None = None) -> list[dict]:
        bodies = (i.body for i in self._by_sk.values() if i.kind == kind)
        return [b for b in bodies if pet_id is None or b.get("pet_id") == pet_id]

    def pet(self, pet_id: str) -> dict:
        pet = next((p for p in self.of_kind("pet") if p["id"] == pet_id), None)
        if pet is None:
            raise NotFound(self._missing)
        return pet

    def document_count(self, pet_id: str) -> int:
        counter = self._by_sk.get(document_count_sk(pet_id))
        return int(counter.count or 0) if counter else 0

    def counter(self, sk: str) -> int:
        """A live counter in the partition (0 before its first add)."""
        item = self._by_sk.get(sk)
        return int(item.count or 0) if item else 0

    def require_editor(self) -> None:
        if self.role not in EDITOR_ROLES:
            raise Forbidden(f"role {self.role} may not do this")


def load_household(store: Store, household_id: str, caller: Caller) -> HouseholdView:
    return HouseholdView(store.query(household_key(household_id)), caller, "no such household")


def load_pet_household(store: Store, pet_id: str, caller: Caller) -> HouseholdView:
    """Two round trips: where the pet lives, then that household's partition."""
    where = store.get(pet_key(pet_id), PET_SK)
    if where is None:
        raise NotFound("no such pet")
    view = HouseholdView(store.query(household_key(where.body["household_id"])), caller, "no such pet")
    view.pet(pet_id)
    return view
