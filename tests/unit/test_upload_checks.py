"""workers' arrival checks (magic bytes, size limits, reasons), thumbnail sizing, result reading."""
import io

import pytest
from PIL import Image

from chalicelib.workers.results import UNREADABLE_ANSWER, interpret, usage
from chalicelib.workers.thumbnails import Unreadable, make_thumbnail, reading_copy, thumbnail_size
from chalicelib.workers.upload_checks import check, check_size, detect, format_size
from pawport.contracts import ExtractedDocument, ExtractedVaccination

MiB = 1024 * 1024
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08meta"


@pytest.mark.parametrize(("head", "content_type"), [
    (PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp"),
    (ftyp(b"heic", b"mif1", b"heic"), "image/heic"), (ftyp(b"heix", b"mif1"), "image/heic"),
    (ftyp(b"hevc", b"msf1"), "image/heic"), (ftyp(b"mif1", b"mif1", b"heic"), "image/heic"),
    (ftyp(b"mif1", b"miaf"), "image/heic"),
])
def test_accepted_types_are_known_by_their_bytes(head: bytes, content_type: str) -> None:
    assert detect(head) == content_type
    assert check(len(head), head).content_type == content_type


@pytest.mark.parametrize(("head", "what"), [
    (b"PK\x03\x04\x14\x00\x00\x00", "a ZIP archive"),
    (b"GIF89a\x01\x00", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "an old-style Office document"),
    (b"MZ\x90\x00\x03", "a Windows program"),
    (ftyp(b"avif", b"mif1", b"miaf"), "an AVIF image"),
    (ftyp(b"mif1", b"avif", b"miaf"), "an AVIF image"),
    (ftyp(b"isom", b"mp41"), "a video or another media file"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "of a kind we cannot read"),
    ("Rabies vaccine, given 2026-01-05 — valid three years\n".encode(), "a text file"),
    (b"\x00\x01\x02\x03\xfe\xff", "of a kind we cannot read"),
])
def test_other_files_are_refused_with_what_they_are(head: bytes, what: str) -> None:
    verdict = check(len(head), head)
    assert not verdict.accepted
    assert verdict.reason == f"this file is {what}, not a PDF or photo (JPEG, PNG, WebP or HEIC)"


def test_a_pdf_signature_must_open_the_file() -> None:
    assert detect(b"\n" + PDF) is None


def test_the_size_limits_are_one_byte_to_twenty_mib() -> None:
    assert check_size(1) is None and check_size(20 * MiB) is None
    assert check_size(0).reason == "the file is empty"
    assert check_size(20 * MiB + 1).reason == "the file is just over 20 MB; the limit is 20 MB"
    assert check_size(int(25.3 * MiB)).reason == "the file is 25.3 MB; the limit is 20 MB"
    # The size is judged before the bytes: a huge valid PDF is still refused for its size.
    assert check(21 * MiB, PDF).reason == "the file is 21 MB; the limit is 20 MB"


@pytest.mark.parametrize(("size", "shown"), [(0, "0 bytes"), (1023, "1023 bytes"), (1024, "1 KB"),
                                             (348_365, "340.2 KB"), (MiB, "1 MB"), (int(25.3 * MiB), "25.3 MB")])
def test_sizes_read_as_people_read_them(size: int, shown: str) -> None:
    assert format_size(size) == shown


@pytest.mark.parametrize(("size", "fitted"), [
    ((4000, 3000), (320, 240)), ((3000, 4000), (240, 320)), ((320, 320), (320, 320)),
    ((100, 50), (100, 50)), ((10000, 10), (320, 1)), ((595, 842), (226, 320)),
])
def test_thumbnails_fit_320_px_on_the_longer_side_and_are_never_enlarged(
        size: tuple[int, int], fitted: tuple[int, int]) -> None:
    assert thumbnail_size(*size) == fitted


def image_bytes(size: tuple[int, int], image_format: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)).save(out, image_format)
    return out.getvalue()


@pytest.mark.parametrize(("image_format", "content_type", "mode"), [
    ("JPEG", "image/jpeg", "RGB"), ("PNG", "image/png", "RGBA"), ("WEBP", "image/webp", "RGB")])
def test_photos_become_small_jpegs(image_format: str, content_type: str, mode: str) -> None:
    thumbnail = Image.open(io.BytesIO(make_thumbnail(image_bytes((1200, 900), image_format, mode), content_type)))
    assert (thumbnail.format, thumbnail.size, thumbnail.mode) == ("JPEG", (320, 240), "RGB")


@pytest.mark.parametrize("content_type", ["image/heic", "image/heif"])
def test_heic_photos_get_a_thumbnail_and_a_jpeg_for_the_reader(content_type: str) -> None:
    heic = image_bytes((1200, 900), "HEIF")
    assert detect(heic[:4096]) == "image/heic"
    thumbnail = Image.open(io.BytesIO(make_thumbnail(heic, content_type)))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 240))
    copy = Image.open(io.BytesIO(reading_copy(heic)))
    assert (copy.format, copy.size, copy.mode) == ("JPEG", (1200, 900), "RGB")


def test_a_damaged_heic_is_unreadable_with_a_reason() -> None:
    with pytest.raises(Unreadable, match="the photo could not be opened"):
        make_thumbnail(ftyp(b"heic", b"mif1") + b"\x00" * 200, "image/heic")


@pytest.mark.parametrize(("data", "content_type", "reason"), [
    (image_bytes((800, 600), "PNG")[:200], "image/png", "the photo could not be opened; the file may be damaged"),
    (JPEG + b"\x00" * 64, "image/jpeg", "the photo could not be opened; the file may be damaged"),
    (PDF + b"\x00garbage" * 40, "application/pdf", "the PDF could not be opened; the file may be damaged"),
])
def test_damaged_files_are_unreadable_with_a_reason(data: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(Unreadable, match=reason):
        make_thumbnail(data, content_type)


COMPLETE = ExtractedDocument(pet_name="Ollie", clinic="Riverside Vets", vaccinations=[ExtractedVaccination(
    vaccine="Rabies", administered_on="2026-01-05", expires_on="2029-01-05")]).model_dump(mode="json")


def test_an_extracted_result_makes_the_draft_ready_with_only_the_known_fields() -> None:
    changes = interpret("j1", {"job_id": "j1", "status": "extracted", "fields": COMPLETE | {"owner": "x"},
                               "reason": None})
    assert changes == {"status": "ready", "fields": COMPLETE}
    assert set(changes["fields"]) == set(ExtractedDocument.model_fields)


def test_a_failed_or_malformed_result_needs_manual_entry() -> None:
    failed = {"job_id": "j1", "status": "needs-manual-entry", "fields": None, "reason": "the LLM timed out"}
    assert interpret("j1", failed) == {"status": "needs-manual-entry", "fields": None, "reason": "the LLM timed out"}
    for malformed in (None, [], {"job_id": "j2", "status": "extracted", "fields": COMPLETE},
                      {"job_id": "j1", "status": "extracted", "fields": None}, {"job_id": "j1", "status": "done"}):
        assert interpret("j1", malformed) == {"status": "needs-manual-entry", "reason": UNREADABLE_ANSWER,
                                              "fields": None}


def test_usage_is_kept_only_when_it_belongs_to_the_job() -> None:
    result = {"job_id": "j1", "status": "needs-manual-entry", "fields": None, "reason": "unclear"}
    spent = {"result": result, "usage": {"model": "local", "prompt_tokens": 812, "completion_tokens": 64}}
    assert usage("j1", spent) == {"model": "local", "prompt_tokens": 812, "completion_tokens": 64}
    assert usage("j1", spent | {"result": result | {"job_id": "j2"}}) is None and usage("j1", None) is None
