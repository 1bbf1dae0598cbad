"""The local CDN serves the web app as CloudFront does: files, the SPA fallback (never for /p/),
the runtime config, and /api/ and /control/ passed on with their method, query, headers and body."""
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from devstack.static_server import AccessLog, Answer, Route, StaticServer
from devstack.web_app import web_origins

CONFIG = {"region": "us-east-1", "userPoolId": "us-east-1_pool", "clientId": "client"}


class NoBucket:
    def fetch(self, path: str) -> Answer:
        return Answer(404, b"not shared", {"Content-Type": "text/plain"})


class NoLogs:
    def put_object(self, **kwargs: object) -> None:
        pass


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Pawport</title>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    (tmp_path / "manifest.webmanifest").write_text("{}")
    return tmp_path


@pytest.fixture
def api() -> Iterator[str]:
    """An API that answers with what it was sent."""
    class Echo(BaseHTTPRequestHandler):
        def _echo(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            answer = json.dumps({"method": self.command, "path": self.path, "auth": self.headers.get("Authorization"),
                                 "body": body}).encode()
            self.send_response(503 if "sleep" in self.path else 200)
            self.send_header("Retry-After", "5")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = do_PUT = do_DELETE = _echo

        def log_message(self, *args: object) -> None:
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def cdn(dist: Path, api: str) -> Iterator[str]:
    """The local CDN's route table with the web app's origins in it, and a built app of its own."""
    routes = [Route("/p/", NoBucket()), *(Route(p, o) for p, o in web_origins(CONFIG, api, api, dist).items())]
    server = StaticServer(0, routes, AccessLog(NoLogs(), "logs")).start()
    yield server.url
    server.stop()


def test_files_and_the_spa_fallback(cdn: str) -> None:
    asset = requests.get(f"{cdn}/assets/index-abc.js", timeout=5)
    assert asset.status_code == 200 and "immutable" in asset.headers["Cache-Control"]
    assert "javascript" in asset.headers["Content-Type"]
    for path in ("/", "/pets/some-pet/show", "/household?code=x", "/../../etc/passwd"):
        page = requests.get(f"{cdn}{path}", timeout=5)
        assert page.status_code == 200 and page.text.startswith("<!doctype html>"), path
        assert page.headers["Cache-Control"] == "no-cache"
    assert requests.get(f"{cdn}/manifest.webmanifest", timeout=5).headers["Content-Type"] == "application/manifest+json"


def test_a_passport_path_is_never_the_app(cdn: str) -> None:
    missing = requests.get(f"{cdn}/p/revoked-token/", timeout=5)
    assert missing.status_code == 404 and missing.text == "not shared"


def test_the_runtime_config(cdn: str) -> None:
    answer = requests.get(f"{cdn}/config.json", timeout=5)
    assert answer.json() == CONFIG and answer.headers["Cache-Control"] == "no-cache"


def test_the_apis_on_the_same_origin(cdn: str) -> None:
    got = requests.post(f"{cdn}/control/pets/p1/records?x=1", json={"vaccine": "Rabies"},
                        headers={"Authorization": "Bearer t"}, timeout=5).json()
    assert got == {"method": "POST", "path": "/pets/p1/records?x=1", "auth": "Bearer t", "body": '{"vaccine": "Rabies"}'}
    assert requests.delete(f"{cdn}/api/pets/p1/drafts/u1", timeout=5).json()["path"] == "/pets/p1/drafts/u1"
    asleep = requests.get(f"{cdn}/control/sleep", timeout=5)
    assert asleep.status_code == 503 and asleep.headers["Retry-After"] == "5"   # the app waits what it says


def test_only_the_apis_take_other_methods(cdn: str) -> None:
    assert requests.post(f"{cdn}/pets/p1", timeout=5).status_code == 405
