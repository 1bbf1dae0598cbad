"""A pet's picture (workers' thumbnails.square_photo) and its keys (pawport/pet_photos.py)."""
import io

import pillow_heif
import pytest
from PIL import Image

from chalicelib.workers.thumbnails import PET_PHOTO_SIDE, Unreadable, square_photo
from pawport.documents import is_household_file
from pawport.pet_photos import PhotoKey, is_shown_photo, shown_photo

pillow_heif.register_heif_opener()


def image_bytes(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def picture(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(square_photo(data)))


def test_a_wide_photo_becomes_the_square_middle_of_it() -> None:
    wide = Image.new("RGB", (1800, 600), "red")
    wide.paste(Image.new("RGB", (600, 600), "blue"), (600, 0))   # the middle third is blue
    shown = picture(image_bytes(wide, "JPEG", quality=95))
    assert (shown.format, shown.size) == ("JPEG", (PET_PHOTO_SIDE, PET_PHOTO_SIDE))
    red, green, blue = shown.getpixel((10, PET_PHOTO_SIDE // 2))
    assert blue > 200 and red < 40   # the red sides were cut away


def test_a_small_photo_is_never_enlarged_and_transparency_is_white() -> None:
    shown = picture(image_bytes(Image.new("RGBA", (200, 120), (0, 0, 0, 0)), "PNG"))
    assert shown.size == (120, 120) and shown.getpixel((60, 60)) == (255, 255, 255)


def test_a_photo_turned_by_its_exif_is_shown_upright() -> None:
    tall = Image.new("RGB", (400, 800), "white")
    tall.paste(Image.new("RGB", (400, 400), "black"), (0, 0))   # black on top when upright
    exif = Image.Exif()
    exif[0x0112] = 6   # the camera's "rotate 90° clockwise to view"
    stored = tall.rotate(90, expand=True)   # how the sensor wrote it
    shown = picture(image_bytes(stored, "JPEG", exif=exif, quality=95))
    assert shown.size == (400, 400) and shown.getpixel((200, 10))[0] < 60


def test_heic_is_read_and_a_damaged_file_is_unreadable_in_words() -> None:
    assert picture(image_bytes(Image.new("RGB", (640, 480), "green"), "HEIF")).size == (480, 480)
    damaged = image_bytes(Image.new("RGB", (640, 480), "green"), "JPEG")[:500]
    with pytest.raises(Unreadable, match="could not be opened"):
        square_photo(damaged)


def test_the_keys_stay_in_the_households_own_prefixes() -> None:
    key = PhotoKey.parse("photos/h1/p1/u1")
    assert key.shown == shown_photo("h1", "p1") == "thumbnails/h1/p1/photo.jpg" and is_shown_photo(key.shown)
    assert is_household_file(str(key), "h1", ("photos",)) and not is_household_file(str(key), "h2", ("photos",))
    assert is_household_file(key.shown, "h1") and not is_shown_photo("thumbnails/h1/p1/u1.jpg")
    for bad in ("photos/h1/p1", "photos/h1//u1", "uploads/h1/p1/u1", "photos/h1/p1/u1/extra"):
        with pytest.raises(ValueError):
            PhotoKey.parse(bad)
