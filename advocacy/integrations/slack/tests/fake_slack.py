"""A fake Slack Web API on 127.0.0.1, speaking the documented shapes of the methods the
connector calls (chat.postMessage, users.lookupByEmail, users.info), and keeping what it was
sent. `members` maps addresses to member ids; `fail` makes chat.postMessage answer an error
(`ratelimited` comes with HTTP 429 and Retry-After, as Slack sends it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

TOKEN = "xoxb-test-token"


@dataclass
class FakeSlack:
    url: str = ""
    members: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail: str = ""

    def responses(self) -> list[dict[str, Any]]:
        """What was posted to a press's response_url (`/actions/...`)."""
        return [args for method, args in self.calls if method == "response_url"]

    def posts(self) -> list[dict[str, Any]]:
        return [args for method, args in self.calls if method == "chat.postMessage"]

    def answer(self, method: str, args: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls.append((method, args))
        if method == "users.lookupByEmail":
            member = self.members.get(str(args.get("email", "")).lower())
            if member is None:
                return 200, {"ok": False, "error": "users_not_found"}
            return 200, {"ok": True, "user": self._user(member)}
        if method == "users.info":
            user = str(args.get("user", ""))
            if user not in self.members.values():
                return 200, {"ok": False, "error": "user_not_found"}
            return 200, {"ok": True, "user": self._user(user)}
        if method == "chat.postMessage":
            if self.fail:
                return (429 if self.fail == "ratelimited" else 200), {
                    "ok": False,
                    "error": self.fail,
                }
            channel = str(args.get("channel", ""))
            n = len(self.posts()) - 1  # this one's place
            return 200, {
                "ok": True,
                "channel": channel,
                "ts": f"1780315200.{n:06d}",
                "message": {
                    "type": "message",
                    "text": args.get("text", ""),
                    "blocks": args.get("blocks", []),
                },
            }
        return 200, {"ok": False, "error": "unknown_method"}

    def _user(self, member: str) -> dict[str, Any]:
        email = next(e for e, m in self.members.items() if m == member)
        return {"id": member, "team_id": "T0TEAM", "name": email.split("@")[0], "deleted": False,
                "profile": {"email": email, "real_name": email.split("@")[0]}}  # fmt: skip


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            return

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            method = parts.path.rsplit("/", 1)[-1]
            args: dict[str, Any] = {k: v[0] for k, v in parse_qs(parts.query).items()}
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size).decode() if size else ""
            if body and "json" in (self.headers.get("Content-Type") or ""):
                args.update(json.loads(body))
            elif body:
                args.update({k: v[0] for k, v in parse_qs(body).items()})
            if parts.path.startswith("/actions/"):  # a press's response_url: no token, "ok"
                fake.calls.append(("response_url", {"path": parts.path, **args}))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                return
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                status, answer = 200, {"ok": False, "error": "invalid_auth"}
            else:
                status, answer = fake.answer(method, args)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

    return Handler


@pytest.fixture
def fake_slack(settings: Any) -> Iterator[FakeSlack]:
    """The fake on a free port, and the settings that talk to it."""
    fake = FakeSlack()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SLACK_API_URL = fake.url
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_SIGNING_SECRET = "signing-secret"
    settings.SLACK_CHANNEL = "C0PROGRAM"
    settings.SITE_URL = "https://advocacy.example"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
