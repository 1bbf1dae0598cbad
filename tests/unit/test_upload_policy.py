"""The presigned POST policy the api signs (moto does not enforce it; AWS does)."""
import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from pawport.documents import MAX_BYTES


@pytest.fixture
def storage(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    from chalicelib.api.storage import Storage
    return Storage("pawport-prod-uploads", "eu-west-1", None)


def test_the_policy_admits_one_key_one_type_and_at_most_20_mib(storage) -> None:
    key = "uploads/h1/p1/u1/rabies.pdf"
    form = storage.upload_form("h1", key, "application/pdf", MAX_BYTES)
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))

    conditions = policy["conditions"]
    assert {"bucket": "pawport-prod-uploads"} in conditions
    assert {"key": key} in conditions                       # exactly this key: no other household's prefix
    assert {"Content-Type": "application/pdf"} in conditions
    assert ["content-length-range", 1, 20 * 1024 * 1024] in conditions
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(minutes=4) < expires - datetime.now(UTC) <= timedelta(minutes=5)
    assert form["fields"]["key"] == key and form["fields"]["Content-Type"] == "application/pdf"


def test_only_pdfs_and_photos_may_be_declared() -> None:
    from chalicelib.api.models import UploadRequest
    assert UploadRequest(file_name="a.heic", content_type="image/heic").content_type == "image/heic"
    assert UploadRequest(file_name="a.heif", content_type="image/heif").content_type == "image/heif"
    with pytest.raises(ValidationError, match="a PDF or a photo"):
        UploadRequest(file_name="a.zip", content_type="application/zip")
