"""The S3 adapter for the api: presigned URLs only. Files never pass through a Lambda.

api's role may sign for every household's uploads, so the household is checked here, before any
signing: a URL is minted only for a key under the caller's household's own prefixes. The keys
come from the household's projection; one that names another household is a bug or tampering."""
import logging
from functools import cached_property
from typing import Any

from botocore.config import Config
from botocore.session import get_session

from pawport.documents import is_household_file
from pawport.errors import Forbidden

UPLOAD_SECONDS = 5 * 60
VIEW_SECONDS = 5 * 60   # a removed member's last link dies within minutes; enough to show at a door
VIEWABLE, UPLOADABLE, PHOTOS = ("uploads", "thumbnails"), ("uploads",), ("photos",)
log = logging.getLogger(__name__)


def require_household_key(household_id: str, key: str, prefixes: tuple[str, ...]) -> None:
    """Refuse a key that is not a file of this household under one of these prefixes."""
    if not is_household_file(key, household_id, prefixes):
        log.error("refused to sign %r for household %s: not under its %s", key, household_id,
                  " or ".join(f"{p}/" for p in prefixes))
        raise Forbidden("this file is not one of your household's documents")


class Storage:
    def __init__(self, bucket: str, region: str, endpoint_url: str | None):
        self.bucket = bucket
        self._region, self._endpoint_url = region, endpoint_url

    @cached_property
    def _s3(self) -> Any:  # made on first use: loading S3's service model is a third of the api's cold start
        # botocore's own session: boto3 would add s3transfer and multiprocessing to every cold start.
        return get_session().create_client("s3", region_name=self._region, endpoint_url=self._endpoint_url,
                                           config=Config(signature_version="s3v4"))

    def upload_form(self, household_id: str, key: str, content_type: str, max_bytes: int,
                    prefixes: tuple[str, ...] = UPLOADABLE) -> dict:
        """A presigned POST that admits only this key, this type and 1 B..max_bytes, for 5 minutes."""
        require_household_key(household_id, key, prefixes)
        return self._s3.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=UPLOAD_SECONDS)

    def view_url(self, household_id: str, key: str) -> str:
        """A GET of one of the household's files, for 5 minutes."""
        require_household_key(household_id, key, VIEWABLE)
        return self._s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                               ExpiresIn=VIEW_SECONDS)
