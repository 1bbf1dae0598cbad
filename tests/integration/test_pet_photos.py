"""A pet's photo through workers (moto's S3 events through the runner's rule): made the pet's
square picture and noted in the table; the note rebuilt from S3 alone exactly as the live path
wrote it; an upload older than the picture shown, or for a pet that is gone, changes nothing."""
import uuid
from collections.abc import Iterator

import pytest

from devstack.stack import Stack
from pawport.keys import PET_SK, household_key, pet_key, pet_photo_sk
from pawport.pet_photos import PHOTO_KIND, PhotoKey
from pawport.store import Delete, Item, Put
from tests.integration.workers_harness import Workers, running_workers
from tests.support.certificates import photo


@pytest.fixture(scope="module")
def workers(stack: Stack) -> Iterator[Workers]:
    with running_workers(stack) as running:
        yield running


def a_pet(workers: Workers) -> tuple[str, str]:
    household_id, pet_id = str(uuid.uuid4()), str(uuid.uuid4())
    workers.store.write(Put(Item(pet_key(pet_id), PET_SK, "pet-home", 1, {"household_id": household_id})))
    return household_id, pet_id


def uploaded(workers: Workers, household_id: str, pet_id: str, data: bytes) -> PhotoKey:
    key = PhotoKey(household_id, pet_id, str(uuid.uuid4()))
    workers.s3.put_object(Bucket=workers.uploads, Key=str(key), Body=data, ContentType="image/jpeg")
    workers.drain()
    return key


def noted(workers: Workers, household_id: str, pet_id: str) -> Item | None:
    return workers.store.get(household_key(household_id), pet_photo_sk(pet_id))


def test_a_photo_becomes_the_pets_picture_and_its_note_is_rebuilt_from_s3_exactly(workers: Workers) -> None:
    household_id, pet_id = a_pet(workers)
    key = uploaded(workers, household_id, pet_id, photo("JPEG"))
    note = noted(workers, household_id, pet_id)
    assert note is not None and note.kind == PHOTO_KIND
    assert note.body["photo_key"] == key.shown == f"thumbnails/{household_id}/{pet_id}/photo.jpg"
    assert workers.exists(workers.uploads, key.shown) and not workers.exists(workers.uploads, str(key))

    workers.store.write(Delete(household_key(household_id), pet_photo_sk(pet_id)))   # the table lost it
    assert workers.app.pet_photos.reconcile_photos(workers.app.place)["photos"] >= 1
    assert noted(workers, household_id, pet_id) == note


def test_an_upload_older_than_the_picture_shown_changes_nothing(workers: Workers) -> None:
    household_id, pet_id = a_pet(workers)
    newer = Item(household_key(household_id), pet_photo_sk(pet_id), PHOTO_KIND, 0, {
        "pet_id": pet_id, "photo_key": f"thumbnails/{household_id}/{pet_id}/photo.jpg",
        "uploaded_at": "2999-01-01T00:00:00.000000+00:00"})   # shown from a later upload, judged first
    workers.store.write(Put(newer))
    key = uploaded(workers, household_id, pet_id, photo("JPEG"))
    assert noted(workers, household_id, pet_id) == newer
    assert not workers.exists(workers.uploads, key.shown) and not workers.exists(workers.uploads, str(key))


def test_a_photo_for_a_pet_that_is_gone_makes_no_picture(workers: Workers) -> None:
    household_id, pet_id = str(uuid.uuid4()), str(uuid.uuid4())   # no pet-home: removed, or never was
    key = uploaded(workers, household_id, pet_id, photo("PNG"))
    assert noted(workers, household_id, pet_id) is None
    assert not workers.exists(workers.uploads, key.shown) and not workers.exists(workers.uploads, str(key))
