"""The answer to "read this certificate", in the shape egress's JSON schema asks for: the pet and
the clinic, then one item per vaccination, each field with its confidence (0 for a null)."""
from datetime import date
from typing import Any

from devstack.llm.reader import document_words
from devstack.llm.rules import FIELDS, Reading, read_pages

DOCUMENT_FIELDS = ("pet_name", "species", "microchip", "clinic")


def read_certificate(documents: list[tuple[str, bytes]], today: date | None = None) -> tuple[dict, int]:
    """(the answer, how many characters were read): every document attached, read as one."""
    pages = [page for media_type, data in documents for page in document_words(media_type, data)]
    characters = sum(len(word.text) + 1 for page in pages for word in page)
    return answer(read_pages(pages, today)), characters


def answer(reading: Reading) -> dict:
    document: dict[str, Any] = {name: _plain(reading.document[name].value) if name in reading.document else None
                                for name in DOCUMENT_FIELDS}
    document["confidence"] = {name: _confidence(reading.document.get(name)) for name in DOCUMENT_FIELDS}
    document["vaccinations"] = [
        {name: _plain(v.fields[name].value) if name in v.fields else None for name in FIELDS}
        | {"confidence": {name: _confidence(v.fields.get(name)) for name in FIELDS}}
        for v in reading.vaccinations]
    return document


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _confidence(value: object) -> float:
    return round(max(0.0, min(1.0, getattr(value, "confidence", 0.0))), 2)
