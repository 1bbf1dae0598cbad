"""An ask's minimized context, pure: what the answer needs from Aurora's rows and nothing more.

Pet names and species, record labels, dates and clinics, and the household's today. Records are
named by short local refs (r1, r2 ...) in the order given; the map back to record ids stays with
control and workers, never reaches egress. No e-mail, member, user, household, pet or record id,
no document key or hash, no file."""
from datetime import date

from chalicelib.control.models import Pet, VaccinationRecord
from pawport.contracts import AskContext, AskedPet, AskedRecord


def minimized(pets: list[Pet], records: list[VaccinationRecord], today: date) -> tuple[AskContext, dict[str, str]]:
    """The context and its refs -> record ids."""
    refs: dict[str, str] = {}
    asked = []
    for pet in pets:
        shown = []
        for record in (r for r in records if r.pet_id == pet.id):
            ref = f"r{len(refs) + 1}"
            refs[ref] = str(record.id)
            shown.append(AskedRecord(ref=ref, vaccine=record.vaccine, administered_on=record.administered_on,
                                     expires_on=record.expires_on, clinic=record.clinic))
        asked.append(AskedPet(name=pet.name, species=pet.species, records=shown))
    return AskContext(today=today, pets=asked), refs
