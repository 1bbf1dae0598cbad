"""Pet microchip numbers as vets and registries write them: ISO 11784 transponders carry 15 digits
(a country's ISO 3166 numeric code or a manufacturer's code 900-998, then the animal's number);
older chips, still in many pets, carry 9 or 10. Spaces, dots and dashes between groups are left
out; what is kept is the digits alone, so two spellings of one chip compare equal."""
import re

LENGTHS = (9, 10, 15)
SEPARATORS = re.compile(r"[\s.\-]+")
TEST_TRANSPONDER = "999"   # ISO 11784's code for test chips, never implanted


def microchip(value: str) -> str:
    """The chip's digits, or ValueError saying what a microchip number looks like."""
    digits = SEPARATORS.sub("", value)
    if not re.fullmatch(r"[0-9]+", digits):
        raise ValueError("a microchip number has digits only (spaces, dots and dashes between groups are fine)")
    if len(digits) not in LENGTHS:
        raise ValueError(f"a microchip number has 15 digits (ISO 11784), or 9 or 10 for older chips; "
                         f"this one has {len(digits)}")
    if len(digits) == 15 and digits[:3] in ("000", TEST_TRANSPONDER):
        raise ValueError("a 15-digit microchip number starts with a country or maker code; "
                         f"{digits[:3]} is not one (999 marks a test chip)")
    return digits
