"""The local CDN (devstack/static_server.py) in front of a private bucket: what it serves, what it
refuses, and the access logs it writes, read back by the parser workers count views with."""
import gzip
from collections.abc import Iterator

import boto3
import pytest
import requests

from chalicelib.workers.passport_views import page_views
from devstack.ports import free_port
from devstack.resources import Resources
from devstack.static_server import StaticServer, passports_server

TOKEN = "T" * 32


@pytest.fixture
def served(made: Resources) -> Iterator[tuple[str, StaticServer]]:
    s3 = boto3.client("s3")
    s3.put_object(Bucket=made.buckets["passports"], Key=f"p/{TOKEN}/index.html", Body=b"<p>Ollie</p>",
                  ContentType="text/html; charset=utf-8", CacheControl="public, max-age=300")
    server = passports_server(free_port(), made.buckets["passports"], made.buckets["logs"], s3).start()
    try:
        yield server.url, server
    finally:
        server.stop()


def test_a_page_is_served_from_the_private_bucket_and_nothing_else(served: tuple[str, StaticServer]) -> None:
    url, server = served
    page = requests.get(f"{url}/p/{TOKEN}/", timeout=10)
    assert page.status_code == 200 and page.text == "<p>Ollie</p>"
    assert page.headers["Content-Type"].startswith("text/html") and page.headers["Cache-Control"] == "public, max-age=300"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    for missing in (f"/p/{'U' * 32}/", "/p//index.html", "/elsewhere"):
        assert requests.get(f"{url}{missing}", timeout=10).status_code == 404, missing
    assert server.answer(f"/p/{TOKEN}/../{TOKEN}/index.html").status == 404   # as sent, before any client tidies it
    assert requests.head(f"{url}/p/{TOKEN}/", timeout=10).status_code == 200


def test_its_access_logs_are_cloudfront_style_and_count_page_views(served: tuple[str, StaticServer], made: Resources) -> None:
    url, server = served
    for path in (f"/p/{TOKEN}/", f"/p/{TOKEN}/index.html", f"/p/{TOKEN}/qr.svg", f"/p/{'U' * 32}/"):
        requests.get(f"{url}{path}", timeout=10)
    server.access_log.flush()
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=made.buckets["logs"], Prefix="passports/")["Contents"]]
    assert len(keys) == 1 and keys[0].endswith(".gz")
    log = gzip.decompress(s3.get_object(Bucket=made.buckets["logs"], Key=keys[0])["Body"].read())
    assert log.startswith(b"#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method")
    assert page_views(log) == {TOKEN: 2}   # the page twice; its QR image and a missing page are no views
