"""Who belongs where, from the membership projection: the caller's households, and a household's
members for anyone in it. No database: control keeps these items in step through its outbox."""
from chalicelib.api.household_view import HouseholdView
from pawport.auth import Caller
from pawport.contracts import Role
from pawport.keys import SUPPRESSION_KEY, suppression_sk, user_key
from pawport.store import Store


def my_households(store: Store, caller: Caller) -> list[dict]:
    """One Query on the caller's own partition: nobody else's id can be named here."""
    found = (item.body for item in store.query(user_key(caller.user_id)))
    return sorted(found, key=lambda h: (h["name"], h["household_id"]))


def household_members(view: HouseholdView, store: Store) -> list[dict]:
    """Owners also see whose address stopped taking mail (one GetItem per member with an address)."""
    members = sorted(view.of_kind("member"), key=lambda m: (m["role"], m.get("email") or "", m["user_id"]))
    if view.role != Role.OWNER:
        return members
    return [member | {"mail_suppressed": _suppression(store, member.get("email"))} for member in members]


def _suppression(store: Store, email: str | None) -> str | None:
    found = store.get(SUPPRESSION_KEY, suppression_sk(email)) if email else None
    return found.body["reason"] if found else None
