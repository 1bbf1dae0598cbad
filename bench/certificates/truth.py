"""What a generated certificate says: the truth its reading is scored against, and how it prints.

The truth fields are the ones the reader answers (devstack/llm): the pet, the clinic and one item per
vaccination. Only what is printed is true: an expiry is true only if a date is printed for it, a
validity only if a duration is.
"""
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Clinic:
    name: str
    street: str
    town: str           # "Old Lyme, CT 06371" or "Lyme Regis"
    postcode: str       # "" for a US address (the ZIP is in `town`)
    phone: str
    country: str        # "US" or "UK": the day/month order its dates follow

    def address_lines(self) -> list[str]:
        return [self.street, self.town] + ([self.postcode] if self.postcode else [])


@dataclass(frozen=True)
class Vaccination:
    vaccine: str                  # the canonical label (Rabies, DHPP, ...)
    printed: str                  # how the certificate names it
    administered_on: date
    expires_on: date | None       # printed as a date, or None
    validity: str | None          # printed as a duration ("3 years"), or None
    batch: str | None
    vet: str | None
    lot_expires_on: date | None = None   # the vial's own expiry, printed beside the batch on some forms


@dataclass(frozen=True)
class Pet:
    name: str
    species: str          # as printed, lower-case: dog, cat, canine, feline
    breed: str
    microchip: str | None  # as printed
    born: date
    owner: str
    owner_address: str


@dataclass
class Certificate:
    """One generated document: its truth, how it was drawn and the file a person would upload."""
    key: str
    layout: str
    medium: str            # pdf, scan, photo or heic
    clinic: Clinic
    pet: Pet
    vaccinations: list[Vaccination]
    date_style: str
    issued_on: date
    media_type: str = "application/pdf"
    data: bytes = b""
    clinic_printed: bool = True
    extras: dict = field(default_factory=dict)

    def truth(self) -> dict:
        """The answer a perfect reader gives, in the reader's shape (without confidences)."""
        return {"pet_name": self.pet.name, "species": self.pet.species, "microchip": self.pet.microchip,
                "clinic": self.clinic.name if self.clinic_printed else None,
                "vaccinations": [{"vaccine": v.vaccine, "administered_on": v.administered_on.isoformat(),
                                  "expires_on": v.expires_on.isoformat() if v.expires_on else None,
                                  "validity": v.validity, "batch": v.batch, "vet": v.vet}
                                 for v in self.vaccinations]}
