"""A local webhook receiver for the tests: an HTTP server on 127.0.0.1 that checks each
request's Standard Webhooks signature with the secret it is given (the inbound side's own
verification, advocacy.integrations.connectors.standard) and answers what the test scripts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from advocacy.integrations.connectors import standard
from advocacy.integrations.connectors.registry import Refused


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    why: str = ""

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # status per request; then 204
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        return self.answers.pop(0) if self.answers else 204


def serve() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                standard.verify(headers, body, receiver.secret, now=datetime.now(UTC))
                verified, why = True, ""
            except Refused as exc:
                verified, why = False, str(exc)
            receiver.received.append(Received(self.path, headers, body, verified, why))
            status = receiver.answer()
            self.send_response(status)
            text = b"thanks" if status < 300 else b"not now"
            self.send_header("content-length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/advocacy"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
