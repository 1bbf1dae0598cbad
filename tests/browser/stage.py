"""What a browser flow starts from, made over HTTP as a person would make it: people in the local
pool, households, pets and approved certificates."""
import time
from dataclasses import dataclass
from datetime import date, timedelta

import requests

from devstack.stack import Stack
from tests.support import certificates
from tests.support.people import PASSWORD, Person, create_household, new_person

SETTLED = {"ready", "needs-manual-entry", "rejected", "duplicate"}


@dataclass(frozen=True)
class Household:
    owner: Person
    household_id: str
    name: str
    pet_id: str
    pet: str

    def flow_args(self, base_url: str) -> dict:
        return {"base_url": base_url, "email": self.owner.email, "password": PASSWORD, "household": self.name,
                "pet": self.pet, "pet_id": self.pet_id, "household_id": self.household_id}


def household(stack: Stack, name: str, pet: str = "Ollie") -> Household:
    owner = new_person(stack, name.lower().replace(" ", "-"))
    household_id = create_household(stack, owner, name)
    added = requests.post(f"{stack.control_url}/households/{household_id}/pets", headers=owner.headers, timeout=30,
                          json={"name": pet, "species": "dog"})
    assert added.status_code == 201, added.text
    return Household(owner, household_id, name, added.json()["pet_id"], pet)


def rabies_photo(pet: str, given: date, expires: date) -> bytes:
    return certificates.certificate_photo("Certificate of Vaccination", f"Pet name: {pet}", "Vaccine: Rabies",
                                          f"Date administered: {given:%d %B %Y}", f"Expires: {expires:%d %B %Y}")


def rabies_pdf(pet: str, given: date, expires: date) -> bytes:
    """Elm Street's certificate in the clinic's words, as the end-to-end tests upload it."""
    return certificates.certificate_pdf(
        "Elm Street Veterinary Clinic", "Certificate of Vaccination", f"Pet name: {pet}", "Vaccine: Rabies",
        f"Date administered: {given:%d %B %Y}", f"Expires: {expires:%d %B %Y}", "Clinic: Elm Street Veterinary Clinic")


def upload(stack: Stack, place: Household, name: str, data: bytes, content_type: str = "image/jpeg") -> str:
    form = requests.post(f"{stack.api_url}/pets/{place.pet_id}/records/uploads", headers=place.owner.headers,
                         json={"file_name": name, "content_type": content_type}, timeout=30)
    assert form.status_code == 201, form.text
    posted = requests.post(form.json()["url"], data=form.json()["fields"], files={"file": (name, data, content_type)},
                           timeout=30)
    assert posted.status_code in (200, 204), posted.text
    return form.json()["upload_id"]


def settled(stack: Stack, place: Household, upload_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drafts = requests.get(f"{stack.api_url}/pets/{place.pet_id}/drafts", headers=place.owner.headers,
                              timeout=30).json()["drafts"]
        draft = next((d for d in drafts if d["upload_id"] == upload_id), None)
        if draft and draft["status"] in SETTLED:
            return draft
        time.sleep(0.5)
    raise TimeoutError(f"draft {upload_id} did not settle")


def with_rabies_certificate(stack: Stack, place: Household) -> str:
    """A current rabies record with its certificate photo, approved by hand: the door's case."""
    today = date.today()
    upload_id = upload(stack, place, "rabies.jpg", rabies_photo(place.pet, today - timedelta(days=30),
                                                                today + timedelta(days=700)))
    settled(stack, place, upload_id)
    approved = requests.post(f"{stack.control_url}/pets/{place.pet_id}/records", headers=place.owner.headers,
                             timeout=30, json={"upload_id": upload_id, "vaccine": "Rabies",
                                               "administered_on": (today - timedelta(days=30)).isoformat(),
                                               "expires_on": (today + timedelta(days=700)).isoformat()})
    assert approved.status_code == 201, approved.text
    return approved.json()["id"]
