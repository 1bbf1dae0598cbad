"""A seeded set of certificates: certificate k is the same whatever the set's size, so a quick run's
certificates are the first of the full run's. Layouts, countries, date styles, vaccine counts and
media are spread over the set in turn; what each one says is drawn from its own seed."""
import random
from datetime import date, timedelta

from bench.certificates import content, layouts, media
from bench.certificates.truth import Certificate

FULL = 72
QUICK = 16
MEDIA = ["pdf", "photo", "pdf", "scan", "heic", "pdf", "photo", "scan", "pdf", "photo"]
MEDIA_TYPES = {"pdf": "application/pdf", "scan": "application/pdf", "photo": "image/jpeg", "heic": "image/heic"}
LAYOUT_ORDER = ["letterhead", "invoice", "rabies_form", "booklet", "two_column", "letterhead", "booklet"]
TODAY = date(2026, 11, 20)


def certificate(k: int, seed: int = 2026) -> Certificate:
    """The k-th certificate of the set, with its file drawn."""
    rng = random.Random(f"{seed}:{k}")
    layout, medium = LAYOUT_ORDER[k % len(LAYOUT_ORDER)], MEDIA[k % len(MEDIA)]
    country = "US" if layout == "rabies_form" or rng.random() < 0.5 else "UK"
    today = TODAY - timedelta(days=rng.randint(0, 200))
    pet = content.pet(rng, country, today)
    vet = rng.choice(content.US_VETS if country == "US" else content.UK_VETS)
    count = 1 if layout == "rabies_form" else rng.choice([1, 2, 3, 3, 4])
    printing = rng.choice(["expiry", "expiry", "expiry", "both", "validity"])
    vaccinations = content.vaccinations(rng, pet.species, today, count, vet, printing, one_visit=rng.random() < 0.6,
                                        rabies_only=layout == "rabies_form")
    cert = Certificate(key=f"{k:03d}-{layout}-{medium}", layout=layout, medium=medium,
                       clinic=content.clinic(rng, country), pet=pet, vaccinations=vaccinations,
                       date_style=rng.choice(content.DATE_STYLES[country]), issued_on=today,
                       media_type=MEDIA_TYPES[medium], clinic_printed=layout != "booklet" or rng.random() < 0.7)
    pdf = layouts.render(cert, rng)
    cert.data = {"pdf": lambda: pdf, "scan": lambda: media.scan(pdf, rng), "photo": lambda: media.photo(pdf, rng),
                 "heic": lambda: media.heic(pdf, rng)}[medium]()
    return cert


def corpus(count: int = FULL, seed: int = 2026) -> list[Certificate]:
    return [certificate(k, seed) for k in range(count)]
