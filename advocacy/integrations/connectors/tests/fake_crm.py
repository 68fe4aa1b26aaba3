"""Local fake CRMs on 127.0.0.1 that speak HubSpot's CRM v3 and Salesforce's REST shapes.

Each serves its records from memory, in small pages, and can be told to misbehave: answer a
request with a given status (a 429 with `Retry-After`, a 500 mid-way) through `faults`, and
expire the access tokens it gave (`expire()`), so the next request gets a 401 until the client
renews its token. Every request is logged in `calls` (method, path, body).
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Fault:
    """Answer the `nth` request (from 1) whose path holds `path` with this status."""

    path: str
    nth: int
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    seen: int = 0


class FakeServer:
    page_size = 2

    def __init__(self) -> None:
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, str, Any]] = []
        self.tokens: set[str] = set()
        self.issued = 0
        self.created: list[tuple[str, Any]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, headers, body = owner.handle(method, self.path, dict(self.headers), raw)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def do_PATCH(self) -> None:
                self._answer("PATCH")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path: str, nth: int, status: int, **headers: str) -> None:
        self.faults.append(Fault(path, nth, status, {k.replace("_", "-"): v
                                                      for k, v in headers.items()}))  # fmt: skip

    def expire(self) -> None:
        with self.lock:
            self.tokens.clear()

    def issue(self) -> str:
        with self.lock:
            self.issued += 1
            token = f"access-{self.issued}"
            self.tokens.add(token)
            return token

    def handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], Any]:
        body: Any = raw.decode() if raw else None
        if raw and headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw)
        elif raw:
            body = dict(urllib.parse.parse_qsl(raw.decode()))
        with self.lock:
            self.calls.append((method, path, body))
            hit = None
            for fault in self.faults:
                if fault.path in path:
                    fault.seen += 1
                    if fault.seen == fault.nth and hit is None:
                        hit = fault
            if hit is not None:
                if hit.status == 401:  # the token expires now
                    self.tokens.clear()
                return hit.status, hit.headers, hit.body or {"message": "fault"}
        if self.is_token(path):
            return 200, {}, self.token(body)
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return 401, {}, self.unauthorised()
        return self.route(method, path, body)

    def is_token(self, path: str) -> bool:
        raise NotImplementedError

    def token(self, form: dict[str, str]) -> Any:
        raise NotImplementedError

    def unauthorised(self) -> Any:
        raise NotImplementedError

    def route(self, method: str, path: str, body: Any) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError


class FakeHubSpot(FakeServer):
    """`records[object]`: HubSpot objects ({"id", "properties", "updatedAt"}); `associations[
    (object, id, to)]`: the v4 `to` list of one record."""

    def __init__(self) -> None:
        super().__init__()
        self.associations: dict[tuple[str, str, str], list[dict[str, Any]]] = {}

    def is_token(self, path: str) -> bool:
        return path.startswith("/oauth/v1/token")

    def token(self, form: dict[str, str]) -> Any:
        assert form["grant_type"] == "refresh_token"
        return {"access_token": self.issue(), "refresh_token": form["refresh_token"],
                "expires_in": 1800, "token_type": "bearer"}  # fmt: skip

    def unauthorised(self) -> Any:
        return {"status": "error", "message": "The OAuth token used to make this call expired",
                "category": "EXPIRED_AUTHENTICATION"}  # fmt: skip

    def route(self, method: str, path: str, body: Any) -> tuple[int, dict[str, str], Any]:
        search = re.fullmatch(r"/crm/v3/objects/(\w+)/search", path)
        if method == "POST" and search:
            return 200, {}, self.search(search.group(1), body)
        assoc = re.fullmatch(r"/crm/v4/associations/(\w+)/(\w+)/batch/read", path)
        if method == "POST" and assoc:
            results = []
            for item in body["inputs"]:
                to = self.associations.get((assoc.group(1), item["id"], assoc.group(2)))
                if to:
                    results.append({"from": {"id": item["id"]}, "to": to})
            return 200, {}, {"status": "COMPLETE", "results": results,
                             "startedAt": "2026-01-01T00:00:00Z",
                             "completedAt": "2026-01-01T00:00:01Z"}  # fmt: skip
        made = re.fullmatch(r"/crm/v3/objects/(\w+)", path)
        if method == "POST" and made:
            self.created.append((made.group(1), body))
            return 201, {}, {"id": str(9000 + len(self.created)), "properties": body["properties"]}
        patched = re.fullmatch(r"/crm/v3/objects/contacts/(\w+)", path)
        if method == "PATCH" and patched:
            self.created.append(("patch:" + patched.group(1), body))
            return 200, {}, {"id": patched.group(1), "properties": body["properties"]}
        return 404, {}, {"status": "error", "message": f"no route {method} {path}"}

    def search(self, obj: str, body: dict[str, Any]) -> Any:
        modified = body["sorts"][0]["propertyName"]
        found = list(self.records.get(obj, []))
        for group in body.get("filterGroups") or []:
            for f in group["filters"]:
                assert f["operator"] == "GTE" and f["propertyName"] == modified
                found = [r for r in found if _ms(r["properties"][modified]) >= int(f["value"])]
        found.sort(key=lambda r: _ms(r["properties"][modified]))
        start = int(body.get("after") or 0)
        size = min(int(body.get("limit", 10)), self.page_size)
        page = found[start : start + size]
        out: dict[str, Any] = {"total": len(found), "results": [
            {"id": r["id"], "properties": {k: r["properties"].get(k)
                                           for k in body["properties"]} | {"hs_object_id": r["id"]},
             "createdAt": "2025-01-01T00:00:00Z", "updatedAt": r["properties"][modified],
             "archived": False}
            for r in page
        ]}  # fmt: skip
        if start + size < len(found):
            after = str(start + size)
            out["paging"] = {"next": {"after": after, "link": f"?after={after}"}}
        return out


def company(rid: str, name: str, domain: str, at: str) -> dict[str, Any]:
    return {"id": rid, "properties": {"name": name, "domain": domain,
            "industry": "COMPUTER_SOFTWARE", "numberofemployees": "250",
            "hs_lastmodifieddate": at}}  # fmt: skip


def person(rid: str, email: str | None, company_id: str, at: str) -> dict[str, Any]:
    return {"id": rid, "properties": {"email": email, "firstname": rid.title(), "lastname": "Doe",
            "jobtitle": "VP Customer Success", "associatedcompanyid": company_id,
            "lastmodifieddate": at}}  # fmt: skip


def deal(rid: str, name: str, amount: str, won: bool, closed: bool, at: str) -> dict[str, Any]:
    return {"id": rid, "properties": {"dealname": name, "amount": amount, "dealstage":
            "closedwon" if won else "appointmentscheduled", "pipeline": "default",
            "createdate": "2025-11-01T09:00:00Z", "closedate": "2026-01-20T00:00:00Z",
            "hs_is_closed": "true" if closed else "false",
            "hs_is_closed_won": "true" if won else "false", "deal_currency_code": None,
            "hs_lastmodifieddate": at}}  # fmt: skip


def to(object_id: int, *labels: tuple[int, str | None]) -> dict[str, Any]:
    return {"toObjectId": object_id, "associationTypes": [
        {"category": "HUBSPOT_DEFINED" if label is None else "USER_DEFINED", "typeId": type_id,
         "label": label} for type_id, label in labels]}  # fmt: skip


def seeded_hubspot(token: str) -> FakeHubSpot:
    """A fake HubSpot holding three companies, five contacts (one without an email) and three
    deals with their associations; `token` is a private app's token it takes."""
    server = FakeHubSpot()
    server.records = {
        "companies": [
            company("101", "Acme", "acme.com", "2026-01-01T10:00:00Z"),
            company("102", "Globex", "https://www.globex.com/", "2026-01-02T10:00:00Z"),
            company("103", "Initech", "initech.com", "2026-01-03T10:00:00Z"),
        ],
        "contacts": [
            person("201", "Ada@Acme.com", "101", "2026-01-01T11:00:00Z"),
            person("202", "bob@globex.com", "102", "2026-01-02T11:00:00Z"),
            person("203", "cy@initech.com", "103", "2026-01-03T11:00:00Z"),
            person("204", None, "103", "2026-01-04T11:00:00Z"),
            person("205", "dee@acme.com", "", "2026-01-05T11:00:00Z"),
        ],
        "deals": [
            deal("301", "Acme expansion", "12000.5", True, True, "2026-01-06T10:00:00Z"),
            deal("302", "Globex new logo", "48000", False, False, "2026-01-07T10:00:00Z"),
            deal("303", "Initech renewal", "", False, True, "2026-01-08T10:00:00Z"),
        ],
    }
    server.associations = {
        ("deals", "301", "companies"): [to(101, (341, None), (5, None))],
        ("deals", "301", "contacts"): [to(201, (3, None), (7, "Decision maker")),
                                       to(205, (3, None))],
        ("deals", "302", "companies"): [to(102, (5, None))],
        ("deals", "302", "contacts"): [to(202, (3, None))],
        ("deals", "303", "companies"): [to(103, (5, None))],
    }  # fmt: skip
    server.tokens.add(token)
    return server


def _ms(value: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


SOQL = re.compile(
    r"SELECT (?P<fields>.+) FROM (?P<obj>\w+)(?: WHERE (?P<where>.+))? "
    r"ORDER BY LastModifiedDate, Id$"
)
KEYSET = re.compile(
    r"\(LastModifiedDate > (?P<t>\S+) OR "
    r"\(LastModifiedDate = (?P<t2>\S+) AND Id > '(?P<id>\w+)'\)\)"
)
SINCE = re.compile(r"LastModifiedDate >= (?P<t>\S+)")


class FakeSalesforce(FakeServer):
    """`records[sobject]`: records with `Id` and `LastModifiedDate` (Salesforce's format)."""

    version = "62.0"

    def __init__(self) -> None:
        super().__init__()
        self.cursors: dict[str, list[dict[str, Any]]] = {}

    def is_token(self, path: str) -> bool:
        return path.startswith("/services/oauth2/token")

    def token(self, form: dict[str, str]) -> Any:
        assert form["grant_type"] == "refresh_token" and form["client_id"] == "consumer-key"
        return {"access_token": self.issue(), "instance_url": self.url,
                "id": f"{self.url}/id/00D000000000001/005000000000001", "token_type": "Bearer",
                "issued_at": "1767225600000", "signature": "c2lnbmF0dXJl"}  # fmt: skip

    def unauthorised(self) -> Any:
        return [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]

    def route(self, method: str, path: str, body: Any) -> tuple[int, dict[str, str], Any]:
        base = f"/services/data/v{self.version}"
        split = urllib.parse.urlsplit(path)
        if method == "GET" and split.path == f"{base}/query":
            q = urllib.parse.parse_qs(split.query)["q"][0]
            return 200, {}, self.query(q)
        more = re.fullmatch(rf"{re.escape(base)}/query/(\w+)-(\d+)", split.path)
        if method == "GET" and more:
            return 200, {}, self.page(more.group(1), int(more.group(2)))
        made = re.fullmatch(rf"{re.escape(base)}/sobjects/(\w+)", split.path)
        if method == "POST" and made:
            self.created.append((made.group(1), body))
            return 201, {}, {"id": f"00Q{len(self.created):015d}", "success": True, "errors": []}
        patched = re.fullmatch(rf"{re.escape(base)}/sobjects/Contact/(\w+)", split.path)
        if method == "PATCH" and patched:
            self.created.append(("patch:" + patched.group(1), body))
            return 204, {}, None
        return 404, {}, [{"message": f"no route {method} {path}", "errorCode": "NOT_FOUND"}]

    def query(self, q: str) -> Any:
        m = SOQL.fullmatch(q)
        assert m, q
        fields = [f.strip() for f in m.group("fields").split(",")]
        found = list(self.records.get(m.group("obj"), []))
        where = m.group("where")
        if where:
            keyset, since = KEYSET.fullmatch(where), SINCE.fullmatch(where)
            if keyset:
                t, rid = _sf(keyset.group("t")), keyset.group("id")
                found = [r for r in found if (_sf(r["LastModifiedDate"]), r["Id"]) > (t, rid)]
            else:
                assert since, where
                found = [r for r in found if _sf(r["LastModifiedDate"]) >= _sf(since.group("t"))]
        found.sort(key=lambda r: (_sf(r["LastModifiedDate"]), r["Id"]))
        rows = [{"attributes": {"type": m.group("obj"),
                                "url": f"/services/data/v{self.version}/sobjects/"
                                       f"{m.group('obj')}/{r['Id']}"}}
                | {f: r.get(f) for f in fields} for r in found]  # fmt: skip
        locator = f"01gQ{len(self.cursors):011d}"
        self.cursors[locator] = rows
        return self.page(locator, 0)

    def page(self, locator: str, start: int) -> Any:
        rows = self.cursors[locator]
        chunk = rows[start : start + self.page_size]
        out: dict[str, Any] = {"totalSize": len(rows), "done": start + self.page_size >= len(rows),
                               "records": chunk}  # fmt: skip
        if not out["done"]:
            out["nextRecordsUrl"] = (
                f"/services/data/v{self.version}/query/{locator}-{start + self.page_size}"
            )
        return out


def _sf(value: str) -> str:
    """A Salesforce time as a sortable UTC text (both `...000+0000` and SOQL's `...Z`)."""
    return value.replace(".000+0000", "").replace("Z", "")
