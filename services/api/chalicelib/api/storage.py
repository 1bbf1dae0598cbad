"""The S3 adapter for the api: presigned URLs only. Files never pass through a Lambda."""
from functools import cached_property
from typing import Any

from botocore.config import Config
from botocore.session import get_session

UPLOAD_SECONDS = 5 * 60
VIEW_SECONDS = 60 * 60


class Storage:
    def __init__(self, bucket: str, region: str, endpoint_url: str | None):
        self.bucket = bucket
        self._region, self._endpoint_url = region, endpoint_url

    @cached_property
    def _s3(self) -> Any:  # made on first use: loading S3's service model is a third of the api's cold start
        # botocore's own session: boto3 would add s3transfer and multiprocessing to every cold start.
        return get_session().create_client("s3", region_name=self._region, endpoint_url=self._endpoint_url,
                                           config=Config(signature_version="s3v4"))

    def upload_form(self, key: str, content_type: str, max_bytes: int) -> dict:
        """A presigned POST that admits only this key, this type and 1 B..max_bytes, for 5 minutes."""
        return self._s3.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=UPLOAD_SECONDS)

    def view_url(self, key: str) -> str:
        return self._s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                               ExpiresIn=VIEW_SECONDS)
