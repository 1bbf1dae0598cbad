"""The HTTP side: OpenAI's chat-completions shapes over the standard library's threaded server.

Documents arrive as content parts, as the openai SDK sends them: a PDF as a "file" part
({"file": {"file_data": "data:application/pdf;base64,..."}}), a photo as an "image_url" part
with a data URL. Remote URLs are never fetched. Token counts are estimated from text length.
Every answer names the reader as its model, whatever model the request asked for, so usage says
who did the work.
"""
import base64
import binascii
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devstack.llm import answers
from devstack.llm.certificate import read_certificate

log = logging.getLogger("devstack.llm")
MODEL_ID = "pawport-local-reader"
DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+);base64,(.*)", re.DOTALL)


class BadRequest(Exception):
    pass


def complete(request: dict) -> dict:
    """One chat completion: read every document sent, answer in the shape the schema asks for."""
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty list")
    answer, characters = read_certificate(list(documents(messages)))
    content = json.dumps(answer)
    prompt_tokens = _tokens(sum(len(t) for t in prompt_texts(messages)) + characters)
    completion_tokens = _tokens(len(content))
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": content, "refusal": None}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def _parts(messages: list) -> Iterator[dict]:
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        yield from ([{"type": "text", "text": content}] if isinstance(content, str) else content or [])


def documents(messages: list) -> Iterator[tuple[str, bytes]]:
    """(media type, bytes) of each document attached as a data URL."""
    for part in _parts(messages):
        url = (part.get("file", {}).get("file_data") if part.get("type") == "file" else
               part.get("image_url", {}).get("url") if part.get("type") == "image_url" else None)
        match = DATA_URL.fullmatch(url or "")
        if match:
            try:
                yield match.group(1), base64.b64decode(match.group(2), validate=True)
            except binascii.Error as error:
                raise BadRequest("a data URL is not valid base64") from error


def prompt_texts(messages: list) -> Iterator[str]:
    return (part["text"] for part in _parts(messages) if part.get("type") == "text" and part.get("text"))


def _tokens(characters: int) -> int:
    return max(1, -(-characters // 4))   # about four characters a token


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pawport-local-llm"

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, {"status": "ok"})
        elif self.path == "/stats":   # chat completions received, by kind: tests count the calls that reach the model
            self._send(200, dict(answers.RECEIVED))
        elif self.path.rstrip("/") == "/v1/models":
            self._send(200, {"object": "list", "data": [
                {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "pawport"}]})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._error(404, f"no route {self.path}")
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            return self._error(401, "missing bearer API key")
        try:
            self._send(200, self.answer(json.loads(body)))
        except (BadRequest, ValueError, AttributeError) as error:
            self._error(400, f"invalid request: {error}")

    def answer(self, request: dict) -> dict:
        asking = answers.is_ask(request)   # a question about records (devstack/llm/answers.py), or a document
        answers.count("ask" if asking else "document")
        return answers.complete(request, MODEL_ID) if asking else complete(request)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"message": message, "type": "invalid_request_error", "code": None}})

    def _send(self, status: int, document: dict) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            log.info("the client left before its answer (timed out?)")

    def log_message(self, format: str, *args: object) -> None:   # request lines only, at debug
        log.debug(format, *args)


def make_server(port: int, host: str = "127.0.0.1", handler: type[Handler] = Handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
