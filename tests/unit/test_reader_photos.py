"""The local reader on photos: tilt measured and undone, HEIC opened, and the answer's shape and model."""
import io
import json

import pillow_heif
import pytest
from PIL import Image

from devstack.llm import ocr
from devstack.llm.certificate import read_certificate
from devstack.llm.server import MODEL_ID, complete
from tests.support.certificates import certificate_photo

LINES = ("Riverside Vets, Cambridge CB2 1RX", "Patient name: Biscuit", "Vaccine: Rabies",
         "Date given: 14 March 2026", "Valid until: 13 March 2029")


def tilted(degrees: float) -> Image.Image:
    image = Image.open(io.BytesIO(certificate_photo(*LINES))).convert("L")
    return image.rotate(degrees, expand=True, fillcolor=255)


@pytest.mark.parametrize("degrees", [-5, 3])
def test_the_tilt_is_measured_from_the_print(degrees: float) -> None:
    assert ocr.skew(tilted(degrees)) == pytest.approx(-degrees, abs=0.4)


def test_a_tilted_heic_photo_is_read() -> None:
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    tilted(4).convert("RGB").save(out, "HEIF", quality=90)
    answer, characters = read_certificate([("image/heic", out.getvalue())])
    [rabies] = answer["vaccinations"]
    assert (answer["pet_name"], rabies["vaccine"], rabies["administered_on"], rabies["expires_on"]) == \
        ("Biscuit", "Rabies", "2026-03-14", "2029-03-13")
    assert characters > 0


def test_the_reader_names_itself_and_answers_the_schemas_shape() -> None:
    document = certificate_photo(*LINES)
    data_url = "data:image/jpeg;base64," + __import__("base64").b64encode(document).decode()
    request = {"model": "gpt-4.1-mini", "response_format": {"type": "json_schema", "json_schema": {
        "name": "vaccination_certificate", "schema": {}}},
               "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": data_url}}]}]}
    completion = complete(request)
    answer = json.loads(completion["choices"][0]["message"]["content"])
    assert completion["model"] == MODEL_ID == "pawport-local-reader"
    assert set(answer) == {"pet_name", "species", "microchip", "clinic", "confidence", "vaccinations"}
    assert set(answer["vaccinations"][0]) == {"vaccine", "administered_on", "expires_on", "validity", "batch", "vet",
                                              "confidence"}
    assert completion["usage"]["prompt_tokens"] > 0
