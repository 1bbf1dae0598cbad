"""The local CDN: what CloudFront does in front of the passports bucket, on a port of its own.

Like CloudFront with Origin Access Control, it reads the PRIVATE bucket with credentials of its own
(the bucket grants nobody else a read), answers GET and HEAD only, serves `index.html` for a path
ending in `/`, and writes standard access logs to the logs bucket (W3C lines, gzipped, one file per
flush, named as CloudFront names them), from which workers count passport views. It caches
nothing, so no invalidation is needed locally: workers skip it when no distribution is set.

Requests are matched against a route table, longest prefix first; today it holds the passports:
    /p/<token>/...   -> the passports bucket, key p/<token>/...
Serving the web app, or passing /api/* and /control/* on, is one more `Route` with another origin.

Usage: python -m devstack.static_server --port 18004 --passports-bucket B --logs-bucket L
"""
import argparse
import gzip
import json
import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

import boto3
from botocore.exceptions import ClientError

log = logging.getLogger("devstack.static_server")
FIELDS = ("date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem", "sc-status",
          "cs(Referer)", "cs(User-Agent)", "cs-uri-query")
EDGE, DISTRIBUTION = "LOCAL", "LOCAL"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin",
                    "X-Frame-Options": "SAMEORIGIN"}   # what CloudFront's managed SecurityHeadersPolicy adds


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]


class Origin(Protocol):
    def fetch(self, path: str) -> Answer: ...


@dataclass(frozen=True)
class Route:
    prefix: str      # a request path starting with this goes to the origin
    origin: Origin


class BucketOrigin:
    """A private bucket read with the server's own credentials (the OAC's part)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3, self._bucket = s3, bucket

    def fetch(self, path: str) -> Answer:
        key = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        if any(part in ("", ".", "..") for part in key.split("/")):
            return _not_found()
        try:
            found = self._s3.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404", "AccessDenied"):
                return _not_found()   # S3 behind OAC: a missing key is refused, and CloudFront says so
            raise
        headers = {"Content-Type": found.get("ContentType", "application/octet-stream")}
        if found.get("CacheControl"):
            headers["Cache-Control"] = found["CacheControl"]
        return Answer(200, found["Body"].read(), headers)


class AccessLog:
    """Standard access logs, flushed to the logs bucket every second while there are lines."""

    def __init__(self, s3: Any, bucket: str, prefix: str = "passports/", flush_seconds: float = 1.0) -> None:
        self._s3, self._bucket, self._prefix, self._every = s3, bucket, prefix, flush_seconds
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._flush_forever, daemon=True).start()

    def write(self, method: str, host: str, path: str, query: str, status: int, size: int, client: str,
              referer: str, agent: str) -> None:
        now = datetime.now(UTC)
        values = (f"{now:%Y-%m-%d}", f"{now:%H:%M:%S}", EDGE, str(size), client, method, host, path, str(status),
                  referer or "-", agent.replace(" ", "%20") or "-", query or "-")
        with self._lock:
            self._lines.append("\t".join(values))

    def flush(self) -> None:
        with self._lock:
            lines, self._lines = self._lines, []
        if not lines:
            return
        text = "#Version: 1.0\n#Fields: " + " ".join(FIELDS) + "\n" + "\n".join(lines) + "\n"
        key = f"{self._prefix}{DISTRIBUTION}.{datetime.now(UTC):%Y-%m-%d-%H}.{uuid.uuid4().hex[:8]}.gz"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=gzip.compress(text.encode(), mtime=0))

    def close(self) -> None:
        self._stop.set()
        self.flush()

    def _flush_forever(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.flush()
            except Exception:   # a failed delivery loses those lines, as CloudFront's best effort may
                log.exception("access log delivery failed")


class StaticServer:
    def __init__(self, port: int, routes: Sequence[Route], access_log: AccessLog) -> None:
        self.routes = sorted(routes, key=lambda r: len(r.prefix), reverse=True)
        self.access_log = access_log
        self._http = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.port = self._http.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, path: str) -> Answer:
        route = next((r for r in self.routes if path.startswith(r.prefix)), None)
        return route.origin.fetch(path) if route else _not_found()

    def forward(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer | None:
        """A request for an origin that takes any method (the APIs behind /api/ and /control/); None otherwise."""
        route = next((r for r in self.routes if path.startswith(r.prefix)), None)
        forward = getattr(route.origin, "forward", None) if route else None
        return forward(method, f"{path}?{query}" if query else path, headers, body) if forward else None

    def start(self) -> "StaticServer":
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def serve_forever(self) -> None:
        self._http.serve_forever()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self.access_log.close()


def _handler(server: StaticServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve(body=True)

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_POST(self) -> None:
            self._serve(body=True)

        do_PUT = do_PATCH = do_DELETE = do_POST

        def _serve(self, body: bool) -> None:
            path, _, query = self.path.partition("?")
            sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = server.forward(self.command, path, query, dict(self.headers), sent)
            if answer is None:
                answer = server.answer(path) if self.command in ("GET", "HEAD") else _not_allowed()
            self.send_response(answer.status)
            for name, value in (answer.headers | SECURITY_HEADERS | {"Content-Length": str(len(answer.body))}).items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(answer.body)
            server.access_log.write(self.command, self.headers.get("Host", ""), path, query, answer.status,
                                    len(answer.body) if body else 0, self.client_address[0],
                                    self.headers.get("Referer", ""), self.headers.get("User-Agent", ""))

        def log_message(self, format: str, *args: Any) -> None:
            log.info("%s %s", self.address_string(), format % args)
    return Handler


def _not_allowed() -> Answer:
    return Answer(405, b"", {"Allow": "GET, HEAD"})


def _not_found() -> Answer:
    return Answer(404, b"<!doctype html><title>Not found</title><p>Nothing is shared here.</p>",
                  {"Content-Type": "text/html; charset=utf-8"})


def passports_server(port: int, passports_bucket: str, logs_bucket: str, s3: Any | None = None) -> StaticServer:
    s3 = s3 or boto3.client("s3")
    return StaticServer(port, [Route("/p/", BucketOrigin(s3, passports_bucket))], AccessLog(s3, logs_bucket))


def with_web_app(server: StaticServer, config: dict[str, str], api_url: str, control_url: str) -> StaticServer:
    """The web app beside the passports, as one CloudFront distribution serves both (/p/ stays the bucket's)."""
    from devstack.web_app import web_origins
    server.routes = sorted([*server.routes, *(Route(prefix, origin) for prefix, origin in
                                              web_origins(config, api_url, control_url).items())],
                           key=lambda r: len(r.prefix), reverse=True)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.static_server", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--passports-bucket", required=True)
    parser.add_argument("--logs-bucket", required=True)
    parser.add_argument("--web-config", help="the web app's config.json (JSON): serve web/dist as CloudFront does")
    parser.add_argument("--api-url", help="the api, behind /api/")
    parser.add_argument("--control-url", help="control, behind /control/")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    server = passports_server(args.port, args.passports_bucket, args.logs_bucket)
    if args.web_config:
        server = with_web_app(server, json.loads(args.web_config), args.api_url, args.control_url)
    log.info("serving passports on %s", server.url)
    try:
        server.serve_forever()
    finally:
        server.access_log.close()


if __name__ == "__main__":
    main()
