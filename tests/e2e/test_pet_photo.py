"""A pet's photo over HTTP: a presigned upload (editors), judged and made square by workers from
the S3 event, shown on the dashboard as a 5-minute link; HEIC too; a new photo replaces the old;
a file that is no photo is refused with a reason and the photo shown before stays; a viewer gets
no upload form; a removed pet's photo goes with it."""
import io
import time

import boto3
import pytest
import requests
from PIL import Image

from devstack.stack import REGION, Stack
from pawport.keys import household_key, pet_photo_sk
from pawport.pet_photos import NOT_A_PHOTO
from tests.support import certificates
from tests.support.people import Person, create_household, join, new_person

pytestmark = pytest.mark.slow
RED, BLUE = (200, 30, 30), (30, 60, 200)
SIDE = 512   # workers' square picture (thumbnails.PET_PHOTO_SIDE)


def photo_of(colour: tuple[int, int, int], image_format: str = "JPEG", size: tuple[int, int] = (1600, 1200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, image_format)
    return out.getvalue()


def add_pet(stack: Stack, owner: Person, household_id: str, name: str) -> str:
    added = requests.post(f"{stack.control_url}/households/{household_id}/pets", headers=owner.headers, timeout=30,
                          json={"name": name, "species": "dog"})
    assert added.status_code == 201, added.text
    return added.json()["pet_id"]


def upload_photo(stack: Stack, person: Person, pet_id: str, content_type: str, data: bytes) -> dict:
    form = requests.post(f"{stack.api_url}/pets/{pet_id}/photo/uploads", headers=person.headers, timeout=30,
                         json={"content_type": content_type})
    assert form.status_code == 201, form.text
    answer = form.json()
    posted = requests.post(answer["url"], data=answer["fields"], files={"file": ("photo", data, content_type)},
                           timeout=30)
    assert posted.status_code in (200, 204), posted.text
    return answer


def pet_view(stack: Stack, person: Person, household_id: str, pet_id: str) -> dict:
    board = requests.get(f"{stack.api_url}/households/{household_id}/dashboard", headers=person.headers, timeout=30)
    assert board.status_code == 200, board.text
    return next(p for p in board.json()["pets"] if p["id"] == pet_id)


def shown_picture(stack: Stack, person: Person, household_id: str, pet_id: str, colour: tuple[int, int, int],
                  timeout: float = 60) -> Image.Image:
    """The pet's picture once the dashboard links one of about this colour (a replaced one until then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        url = pet_view(stack, person, household_id, pet_id)["photo_url"]
        if url:
            served = requests.get(url, timeout=30)
            assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
            picture = Image.open(io.BytesIO(served.content))
            if all(abs(a - b) < 20 for a, b in zip(picture.convert("RGB").getpixel((SIDE // 2, SIDE // 2)), colour,
                                                   strict=True)):
                return picture
        time.sleep(0.5)
    raise TimeoutError(f"no picture of colour {colour} for pet {pet_id}")


def refusal(stack: Stack, person: Person, household_id: str, pet_id: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reason = pet_view(stack, person, household_id, pet_id)["photo_refused"]
        if reason:
            return reason
        time.sleep(0.5)
    raise TimeoutError(f"no refusal shown for pet {pet_id}")


def files_of(stack: Stack, household_id: str, pet_id: str) -> list[str]:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=stack.moto_url, aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    bucket = stack.resources.buckets["uploads"]
    return [o["Key"] for prefix in ("photos", "thumbnails")
            for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/{household_id}/{pet_id}/").get("Contents", [])]


def photo_noted(stack: Stack, household_id: str, pet_id: str) -> bool:
    """Whether workers' item saying the pet has a photo is in the table."""
    table = boto3.client("dynamodb", region_name=REGION, endpoint_url=stack.moto_url, aws_access_key_id="testing",
                         aws_secret_access_key="testing")
    return "Item" in table.get_item(TableName=stack.resources.tables["main"], ConsistentRead=True, Key={
        "pk": {"S": household_key(household_id)}, "sk": {"S": pet_photo_sk(pet_id)}})


@pytest.fixture
def owner(services: Stack) -> Person:
    return new_person(services, "photos")


def test_a_photo_uploaded_is_shown_square_on_the_dashboard_and_a_new_one_replaces_it(services: Stack,
                                                                                      owner: Person) -> None:
    household_id = create_household(services, owner, "The Portraits")
    pet_id = add_pet(services, owner, household_id, "Biscuit")
    assert pet_view(services, owner, household_id, pet_id)["photo_url"] is None
    form = upload_photo(services, owner, pet_id, "image/jpeg", photo_of(RED))
    assert form["key"] == f"photos/{household_id}/{pet_id}/{form['upload_id']}" and form["expires_in"] == 300
    assert shown_picture(services, owner, household_id, pet_id, RED).size == (SIDE, SIDE)

    upload_photo(services, owner, pet_id, "image/png", photo_of(BLUE, "PNG", (300, 900)))
    assert shown_picture(services, owner, household_id, pet_id, BLUE).size == (300, 300)   # never enlarged
    deadline = time.monotonic() + 30
    while len(files_of(services, household_id, pet_id)) > 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert files_of(services, household_id, pet_id) == [f"thumbnails/{household_id}/{pet_id}/photo.jpg"]


def test_a_heic_photo_is_shown(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The iPhones")
    pet_id = add_pet(services, owner, household_id, "Luna")
    upload_photo(services, owner, pet_id, "image/heic", certificates.as_heic(photo_of(BLUE)))
    assert shown_picture(services, owner, household_id, pet_id, BLUE).size == (SIDE, SIDE)


def test_a_file_that_is_no_photo_is_refused_and_the_photo_shown_stays(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Mistakes")
    pet_id = add_pet(services, owner, household_id, "Ollie")
    upload_photo(services, owner, pet_id, "image/jpeg", photo_of(RED))
    shown_picture(services, owner, household_id, pet_id, RED)

    upload_photo(services, owner, pet_id, "image/jpeg", b"%PDF-1.7 not a photo at all")
    assert refusal(services, owner, household_id, pet_id) == NOT_A_PHOTO
    shown_picture(services, owner, household_id, pet_id, RED)   # the photo before stays

    truncated = photo_of(BLUE)[:600]   # a JPEG's magic bytes, but it does not decode
    upload_photo(services, owner, pet_id, "image/jpeg", truncated)
    deadline = time.monotonic() + 60
    while refusal(services, owner, household_id, pet_id) == NOT_A_PHOTO and time.monotonic() < deadline:
        time.sleep(0.5)
    assert refusal(services, owner, household_id, pet_id) == "the photo could not be opened; the file may be damaged"

    upload_photo(services, owner, pet_id, "image/jpeg", photo_of(BLUE))
    shown_picture(services, owner, household_id, pet_id, BLUE)
    assert pet_view(services, owner, household_id, pet_id)["photo_refused"] is None


def test_an_unaccepted_type_is_refused_before_any_upload(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Types")
    pet_id = add_pet(services, owner, household_id, "Pip")
    refused = requests.post(f"{services.api_url}/pets/{pet_id}/photo/uploads", headers=owner.headers, timeout=30,
                            json={"content_type": "application/pdf"})
    assert refused.status_code == 400
    assert refused.json()["error"] == "BadInput" and "content_type" in refused.json()["message"]


def test_a_viewer_gets_no_upload_form(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Onlookers")
    pet_id = add_pet(services, owner, household_id, "Rex")
    viewer = new_person(services, "photo-viewer")
    join(services, owner, household_id, viewer, "viewer")
    refused = requests.post(f"{services.api_url}/pets/{pet_id}/photo/uploads", headers=viewer.headers, timeout=30,
                            json={"content_type": "image/jpeg"})
    assert (refused.status_code, refused.json()) == (403, {"error": "Forbidden",
                                                           "message": "role viewer may not do this"})


def test_removing_a_pet_removes_its_photo(services: Stack, owner: Person) -> None:
    household_id = create_household(services, owner, "The Farewells")
    pet_id = add_pet(services, owner, household_id, "Mochi")
    upload_photo(services, owner, pet_id, "image/jpeg", photo_of(RED))
    shown_picture(services, owner, household_id, pet_id, RED)
    assert photo_noted(services, household_id, pet_id)
    removed = requests.delete(f"{services.control_url}/pets/{pet_id}", headers=owner.headers, timeout=30)
    assert removed.status_code == 200, removed.text
    deadline = time.monotonic() + 60
    while (files_of(services, household_id, pet_id) or photo_noted(services, household_id, pet_id)) \
            and time.monotonic() < deadline:
        time.sleep(0.5)
    assert files_of(services, household_id, pet_id) == []
    assert not photo_noted(services, household_id, pet_id)
