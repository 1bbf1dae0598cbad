"""The web app as CloudFront serves it, as origins of the local CDN (devstack/static_server.py):
web/dist with the SPA fallback and the runtime config next to index.html, and `/api/*` and
`/control/*` passed to the two APIs on the same origin (CloudFront behaviours in AWS), so the
browser never sends a CORS preflight (docs/web.md says why)."""
import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

import requests

from devstack import REPO
from devstack.stack import REGION, Stack

DIST = REPO / "web" / "dist"
CONFIG_PATH = "/config.json"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "host"}


@dataclass(frozen=True)
class Reply:
    """What an origin answers (devstack.static_server.Answer has the same fields)."""
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class SpaOrigin:
    """web/dist: a file that exists, else index.html (CloudFront: 403/404 -> /index.html, 200)."""
    config: dict[str, str]
    dist: Path = DIST

    def fetch(self, path: str) -> Reply:
        if path == CONFIG_PATH:
            return Reply(200, json.dumps(self.config).encode(), {"Content-Type": "application/json",
                                                                 "Cache-Control": "no-cache"})
        found = (self.dist / path.lstrip("/")).resolve()
        if not found.is_relative_to(self.dist.resolve()) or not found.is_file():
            found = self.dist / "index.html"   # the app routes on the client
        if not found.is_file():
            return Reply(503, b"web/dist is not built: run `make install`", {"Content-Type": "text/plain"})
        kind = "application/manifest+json" if found.suffix == ".webmanifest" else (
            mimetypes.guess_type(found.name)[0] or "application/octet-stream")
        immutable = found.parent.name == "assets"   # hashed names never change
        return Reply(200, found.read_bytes(), {"Content-Type": kind, "Cache-Control":
                                               "public,max-age=31536000,immutable" if immutable else "no-cache"})


@dataclass
class ApiOrigin:
    """An API behind a path prefix: `/api/households/...` reaches the api at `/households/...`."""
    prefix: str
    base_url: str
    session: requests.Session = field(default_factory=requests.Session)

    def fetch(self, path: str) -> Reply:
        return self.forward("GET", path, {}, b"")

    def forward(self, method: str, path_and_query: str, headers: dict[str, str], body: bytes) -> Reply:
        sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        target = f"{self.base_url}/{path_and_query.removeprefix(self.prefix).lstrip('/')}"
        try:
            got = self.session.request(method, target, headers=sent, data=body or None, timeout=60,
                                       allow_redirects=False)
        except requests.ConnectionError:
            return Reply(502, b'{"message": "the service is not running"}', {"Content-Type": "application/json"})
        return Reply(got.status_code, got.content,
                     {k: v for k, v in got.headers.items() if k.lower() not in HOP_BY_HOP})


def web_config(stack: Stack) -> dict[str, str]:
    """What the app needs to sign in: the pool and its client, and locally moto's Cognito endpoint."""
    return {"region": REGION, "userPoolId": stack.resources.user_pool_id,
            "clientId": stack.resources.user_pool_client_id, "cognitoEndpoint": stack.moto_url}


def web_origins(config: dict[str, str], api_url: str, control_url: str,
                dist: Path = DIST) -> dict[str, SpaOrigin | ApiOrigin]:
    """Path prefix -> origin, for the CDN's route table."""
    return {"/": SpaOrigin(config, dist), "/api/": ApiOrigin("/api", api_url),
            "/control/": ApiOrigin("/control", control_url)}
