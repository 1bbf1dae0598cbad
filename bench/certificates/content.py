"""What a certificate says, drawn from a seeded random source: a clinic (US or UK), a pet, one to four
vaccinations, and the way its dates are written. Names and places include the traps real certificates
hold: towns named after a vaccine (Lyme Regis, Old Lyme), many-word pet names, a vial's lot expiry."""
import random
from datetime import date, timedelta

from bench.certificates.truth import Clinic, Pet, Vaccination

US_CLINICS = [
    ("Old Lyme Animal Hospital", "12 Halls Road", "Old Lyme, CT 06371"),
    ("Riverbend Veterinary Clinic", "4410 River Road", "Austin, TX 78703"),
    ("Lyme Valley Vet Care", "88 Main Street", "Lyme, NH 03768"),
    ("Cedar Park Pet Hospital", "201 Cedar Avenue", "Portland, OR 97205"),
    ("Maple Grove Veterinary Associates", "17 Elm Street", "Burlington, VT 05401"),
    ("Sunset Animal Clinic", "9020 Sunset Blvd", "Los Angeles, CA 90069"),
    ("Kennel Hill Veterinary Center", "3 Kennel Hill Lane", "Columbus, OH 43215"),
    ("Bayside Pet Clinic", "560 Harbor Drive", "Annapolis, MD 21401"),
]
UK_CLINICS = [
    ("Lyme Bay Veterinary Surgery", "14 Broad Street", "Lyme Regis", "DT7 3QA"),
    ("Riverside Vets", "2 Mill Lane", "Cambridge", "CB2 1RX"),
    ("Abbey House Veterinary Practice", "31 Abbey Road", "Bath", "BA1 2NQ"),
    ("Thistle Animal Hospital", "7 Queen Street", "Edinburgh", "EH2 1JE"),
    ("Greenway Vet Centre", "120 London Road", "Leicester", "LE2 0QS"),
    ("Harbour View Veterinary Clinic", "5 Quay Street", "Whitby", "YO21 3PU"),
    ("The Old Forge Vets", "The Old Forge, High Street", "Keswick", "CA12 5AB"),
]
PET_NAMES = ["Biscuit", "Luna", "Ollie", "Sir Barkley", "Pepper", "Max", "Daisy Mae", "Captain Fluff", "Mittens",
             "Bella", "Rufus", "Tilly", "Mr Whiskers", "Nala", "Bramble", "Oscar", "Winnie", "Jasper", "Poppy",
             "Lady Marmalade", "Scout", "Hazel"]
OWNERS = ["Emma Clarke", "James O'Neill", "Priya Shah", "Tom Baker", "Maria Garcia", "Chen Wei", "Sarah Miller",
          "David Jones", "Aisha Bello", "Robert Brown"]
DOG_BREEDS = ["Labrador Retriever", "Border Collie", "Beagle", "Cocker Spaniel", "Mixed breed", "Whippet",
              "German Shepherd", "Dachshund"]
CAT_BREEDS = ["Domestic Shorthair", "Maine Coon", "Siamese", "British Shorthair", "Ragdoll"]
US_VETS = ["Dr. Emily Hart", "Dr. Marcus Reed", "Jane Doe, DVM", "Dr. Luis Ortega", "Dr. Karen Wu", "Sam Patel DVM"]
UK_VETS = ["Dr A. Patel MRCVS", "Dr Fiona Grant", "J. Morgan BVSc MRCVS", "Dr Owen Price", "Rachel Hughes MRCVS"]
# (canonical label, ways certificates print it, years valid: choices)
DOG_VACCINES = [
    ("Rabies", ["Rabies", "Rabies (Imrab 3)", "RABIES", "Nobivac Rabies", "Rabies vaccine"], [1, 3]),
    ("DHPP", ["DHPP", "DA2PP", "DAPP", "Distemper/Parvo (DHPP)", "Nobivac DHP", "DHPPi"], [1, 3]),
    ("Leptospirosis", ["Leptospirosis", "Lepto 4", "Nobivac L4", "Leptospira"], [1]),
    ("Bordetella", ["Bordetella", "Kennel Cough", "Bordetella (intranasal)", "Nobivac KC"], [1]),
    ("Lyme", ["Lyme", "Lyme disease", "Borrelia (Lyme)"], [1]),
    ("Canine Influenza", ["Canine Influenza", "CIV H3N2/H3N8"], [1]),
]
CAT_VACCINES = [
    ("Rabies", ["Rabies", "Purevax Rabies", "RABIES"], [1, 3]),
    ("FVRCP", ["FVRCP", "Feline RCP", "Tricat (FVRCP)"], [1, 3]),
    ("FeLV", ["FeLV", "Feline Leukaemia", "Feline Leukemia (FeLV)"], [1]),
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
# How a country writes its dates: the numeric order is the one the reader must settle from the clinic
DATE_STYLES = {"US": ["numeric", "Mdy_long", "Mdy_short", "iso"], "UK": ["numeric", "dMy_long", "dMy_short", "iso"]}


def write_date(day: date, style: str, country: str) -> str:
    """A date as a clinic of `country` writes it in `style`."""
    if style == "iso":
        return day.isoformat()
    if style == "numeric":
        return (f"{day.month:02d}/{day.day:02d}/{day.year}" if country == "US"
                else f"{day.day:02d}/{day.month:02d}/{day.year}")
    if style == "dMy_long":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if style == "dMy_short":
        return f"{day.day:02d} {MONTHS[day.month - 1][:3]} {day.year}"
    if style == "Mdy_long":
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    return f"{MONTHS[day.month - 1][:3]} {day.day}, {day.year}"


def clinic(rng: random.Random, country: str) -> Clinic:
    if country == "US":
        name, street, town = rng.choice(US_CLINICS)
        phone = f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
        return Clinic(name, street, town, "", phone, "US")
    name, street, town, postcode = rng.choice(UK_CLINICS)
    phone = rng.choice([f"01{rng.randint(200, 999)} {rng.randint(100000, 999999)}",
                        f"+44 1{rng.randint(200, 999)} {rng.randint(100000, 999999)}"])
    return Clinic(name, street, town, postcode, phone, "UK")


def microchip(rng: random.Random, country: str) -> str | None:
    choice = rng.random()
    if choice < 0.15:
        return None
    if choice < 0.25:
        return "".join(str(rng.randint(0, 9)) for _ in range(10))
    digits = ("840" if country == "US" else rng.choice(["826", "985", "941"])) + "".join(
        str(rng.randint(0, 9)) for _ in range(12))
    return digits if rng.random() < 0.8 else " ".join(digits[i:i + 3] for i in range(0, 15, 3))


def pet(rng: random.Random, country: str, today: date) -> Pet:
    cat = rng.random() < 0.3
    species = rng.choice(["cat", "feline"] if cat else ["dog", "dog", "canine"])
    born = today - timedelta(days=rng.randint(400, 4000))
    return Pet(rng.choice(PET_NAMES), species, rng.choice(CAT_BREEDS if cat else DOG_BREEDS),
               microchip(rng, country), born, rng.choice(OWNERS),
               f"{rng.randint(1, 99)} {rng.choice(['Oak', 'Park', 'Hill', 'Station'])} "
               f"{rng.choice(['Road', 'Street', 'Lane'])}")


def batch(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return rng.choice([
        lambda: f"{rng.choice(letters)}{rng.randint(100, 999)}{rng.choice(letters)}{rng.randint(10, 99)}",
        lambda: f"{rng.randint(100000, 999999)}",
        lambda: f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(1000, 9999)}",
        lambda: f"{rng.randint(100, 999)}{rng.choice(letters)}{rng.randint(1000, 9999)}",
    ])()


def vaccinations(rng: random.Random, species: str, today: date, count: int, vet: str,
                 printing: str, one_visit: bool, rabies_only: bool = False) -> list[Vaccination]:
    """Up to `count` different vaccinations; `printing` says what the layout prints of each one's
    term: "expiry" (a date), "validity" (a duration), "both"."""
    kinds = CAT_VACCINES if species in ("cat", "feline") else DOG_VACCINES
    choices = kinds[:1] if rabies_only else rng.sample(kinds, min(count, len(kinds)))
    visit = today - timedelta(days=rng.randint(5, 330))
    out = []
    for label, printed, years_options in choices:
        given = visit if one_visit else today - timedelta(days=rng.randint(5, 700))
        years = rng.choice(years_options)
        term_months = 6 if label == "Bordetella" and rng.random() < 0.3 else 12 * years
        end = _add_months(given, term_months) - timedelta(days=rng.choice([0, 1]))
        validity = (f"{years} year" + ("s" if years > 1 else "")) if term_months % 12 == 0 else f"{term_months} months"
        has_batch = rng.random() < 0.85
        out.append(Vaccination(
            vaccine=label, printed=rng.choice(printed), administered_on=given,
            expires_on=end if printing in ("expiry", "both") else None,
            validity=validity if printing in ("validity", "both") else None,
            batch=batch(rng) if has_batch else None, vet=vet,
            lot_expires_on=_add_months(given, rng.randint(8, 30)) if has_batch else None))
    return out


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)
