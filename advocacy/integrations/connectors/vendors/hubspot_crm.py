"""HubSpot CRM v3: companies, contacts and deals with their associations, synced; and written to.

Read with the CRM search API (`POST /crm/v3/objects/{object}/search`), filtered on the object's
modification property (`hs_lastmodifieddate` for companies and deals, `lastmodifieddate` for
contacts) at or after the cursor, sorted on it ascending, 100 a page, paged by `paging.next.
after`. A search reaches at most 10,000 results: past that, the search starts again from the
last record read. A deal's companies and contacts come from the associations v4 batch read
(`POST /crm/v4/associations/deals/{companies|contacts}/batch/read`): the primary company
(association type 5) is the deal's account, and each contact's first association label is
its role.

Authentication: a private app's access token (the secret as it is), or an OAuth app's refresh
token (the secret `{"client_secret": ..., "refresh_token": ...}` with `--option client_id=`),
renewed at `POST /oauth/v1/token` when HubSpot answers 401.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from advocacy.customers.deals import DealContactRecord, DealRecord
from advocacy.customers.records import AccountRecord, AccountRef, ContactRecord, clean_domain
from advocacy.integrations.connectors.crm import (
    WRITE_BACK,
    Batch,
    CrmConnector,
    CrmError,
    Page,
    Position,
    Session,
    credentials,
)
from advocacy.integrations.connectors.models import WriteBack, WriteBackKind
from advocacy.integrations.connectors.registry import Malformed, Option, email_of, register

PAGE = 100  # the search API's largest page
SEARCH_WINDOW = 10_000  # results one search can page through
PRIMARY_COMPANY = 5  # association type of a deal's primary company
NOTE_TO_DEAL = 214  # association type of a note on a deal

MODIFIED = {"companies": "hs_lastmodifieddate", "contacts": "lastmodifieddate",
            "deals": "hs_lastmodifieddate"}  # fmt: skip
PROPERTIES = {
    "companies": ["name", "domain", "industry", "numberofemployees"],
    "contacts": ["email", "firstname", "lastname", "jobtitle", "phone", "associatedcompanyid"],
    "deals": ["dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "createdate",
              "closedate", "hs_is_closed", "hs_is_closed_won"],
}  # fmt: skip


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Malformed(f"not a time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _text(props: Mapping[str, Any], name: str, length: int) -> str:
    value = props.get(name)
    return str(value).strip()[:length] if value not in (None, "") else ""


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _domain(value: Any) -> str | None:
    if not value:
        return None
    try:
        return clean_domain(str(value))
    except ValueError:
        return None


class HubSpotCrm(CrmConnector):
    kind = "hubspot-crm"
    label = "HubSpot CRM"
    source = "hubspot"  # the ids of HubSpot's exports and webhooks
    secret_help = (
        "a private app's access token (pat-...), or for an OAuth app "
        '{"client_secret": "...", "refresh_token": "..."} with --option client_id=...'
    )
    objects = ("companies", "contacts", "deals")
    options = (
        Option("api_url", "HubSpot's API address", "https://api.hubapi.com"),
        Option("client_id", "the OAuth app's client id (with a refresh token as the secret)"),
        Option("currency", "the currency of deals that name none", "USD"),
        Option("advocate_property", "the contact property set to true for advocates",
               "advocacy_advocate"),
        WRITE_BACK,
    )  # fmt: skip

    def check_secret(self, secret: str) -> None:
        found = credentials(secret)
        if "access_token" in found or "refresh_token" in found:
            return
        raise ValueError("give a private app's access token, or a refresh_token")

    def _base(self, session: Session) -> str:
        return session.option("api_url").rstrip("/")

    def start(self, session: Session) -> dict[str, str]:
        if session.secret.get("access_token"):
            return {"access_token": session.secret["access_token"]}
        renewed = self.renew(session)
        if renewed is None:
            raise CrmError("HubSpot: the secret holds neither an access token nor a refresh token")
        return renewed

    def renew(self, session: Session) -> dict[str, str] | None:
        refresh = session.secret.get("refresh_token")
        if not refresh:
            return None  # a private app's token does not expire: a 401 means it was revoked
        client_id = session.option("client_id")
        if not client_id:
            raise CrmError("HubSpot: renewing the token needs --option client_id=")
        data = session.call(
            "POST",
            f"{self._base(session)}/oauth/v1/token",
            form={"grant_type": "refresh_token", "client_id": client_id,
                  "client_secret": session.secret.get("client_secret", ""),
                  "refresh_token": refresh},
            auth=False,
        )  # fmt: skip
        if not isinstance(data, dict) or not data.get("access_token"):
            raise CrmError("HubSpot's token endpoint gave no access_token")
        return {"access_token": str(data["access_token"]),
                "refresh_token": str(data.get("refresh_token") or refresh)}  # fmt: skip

    def _search(self, session: Session, obj: str, start: Position, after: str) -> dict[str, Any]:
        modified = MODIFIED[obj]
        body: dict[str, Any] = {
            "filterGroups": [],
            "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
            "properties": [*PROPERTIES[obj], modified],
            "limit": PAGE,
        }
        if start.modified_at is not None:
            body["filterGroups"] = [{"filters": [
                {"propertyName": modified, "operator": "GTE", "value": _millis(start.modified_at)}
            ]}]  # fmt: skip
        if after:
            body["after"] = after
        data = session.call("POST", f"{self._base(session)}/crm/v3/objects/{obj}/search", body=body)
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise CrmError(f"HubSpot's search of {obj} gave no results list")
        return data

    def _associate(self, session: Session, records: list[dict[str, Any]]) -> None:
        inputs = [{"id": str(r["id"])} for r in records]
        for to in ("companies", "contacts"):
            data = session.call(
                "POST",
                f"{self._base(session)}/crm/v4/associations/deals/{to}/batch/read",
                body={"inputs": inputs},
            )
            found = {
                str(row.get("from", {}).get("id")): row.get("to") or []
                for row in (data.get("results") or [] if isinstance(data, dict) else [])
            }
            for record in records:
                record[f"_{to}"] = found.get(str(record["id"]), [])

    def pages(self, session: Session, obj: str, position: Position) -> Iterator[Page]:
        start, after, first = position, "", True
        while True:
            data = self._search(session, obj, start, after)
            records = data["results"]
            if obj == "deals" and records:
                self._associate(session, records)
            yield Page(records, total=int(data.get("total") or 0) if first else None)
            first = False
            after = str(((data.get("paging") or {}).get("next") or {}).get("after") or "")
            if not after or not records:
                return
            if after.isdigit() and int(after) >= SEARCH_WINDOW:
                last = self.position(obj, records[-1])
                if last.modified_at == start.modified_at:
                    raise CrmError(
                        f"HubSpot: more than {SEARCH_WINDOW:,} {obj} changed at one moment"
                    )
                start, after = last, ""

    def position(self, obj: str, record: Mapping[str, Any]) -> Position:
        props = record.get("properties") or {}
        moment = _time(props.get(MODIFIED[obj]) or record.get("updatedAt"))
        return Position(moment, str(record.get("id", "")))

    def batch(
        self, obj: str, records: list[dict[str, Any]], *, source: str, options: Mapping[str, str]
    ) -> Batch:
        earliest = datetime.min.replace(tzinfo=UTC)
        last = max(
            (self.position(obj, r) for r in records),
            key=lambda p: (p.modified_at or earliest, p.id),
        )
        out = Batch(last=last)
        for r in records:
            if not isinstance(r, dict) or not r.get("id"):
                raise Malformed(f"HubSpot {obj}: a record without an id")
            rid, props = str(r["id"]), r.get("properties") or {}
            if obj == "companies":
                domain = _domain(props.get("domain"))
                employees = str(props.get("numberofemployees") or "").split(".")[0]
                out.accounts.append(
                    AccountRecord(
                        name=_text(props, "name", 255) or domain or f"HubSpot company {rid}",
                        domain=domain,
                        external_ids=((source, rid),),
                        industry=_text(props, "industry", 100),
                        employees=int(employees) if employees.isdigit() else None,
                    )
                )
                out.ids.append(rid)
            elif obj == "contacts":
                email = email_of(props.get("email"))
                if email is None:
                    out.skipped += 1
                    continue
                company = _text(props, "associatedcompanyid", 255)
                out.contacts.append(
                    ContactRecord(
                        email=email,
                        account_ref=AccountRef(external_id=(source, company)) if company
                        else AccountRef(),
                        external_ids=((source, rid),),
                        first_name=_text(props, "firstname", 100),
                        last_name=_text(props, "lastname", 100),
                        title=_text(props, "jobtitle", 200),
                        phone=_text(props, "phone", 50),
                    )
                )  # fmt: skip
                out.ids.append(rid)
            else:
                self._deal(r, rid, props, source, options, out)
        return out

    def _deal(
        self,
        r: Mapping[str, Any],
        rid: str,
        props: Mapping[str, Any],
        source: str,
        options: Mapping[str, str],
        out: Batch,
    ) -> None:
        companies = r.get("_companies") or []
        primary = next(
            (c for c in companies
             if any(t.get("typeId") == PRIMARY_COMPANY for t in c.get("associationTypes") or [])),
            companies[0] if companies else None,
        )  # fmt: skip
        closed = str(props.get("hs_is_closed", "")).lower() == "true"
        closes = _time(props.get("closedate"))
        out.deals.append(
            DealRecord(
                source=source,
                external_id=rid,
                name=_text(props, "dealname", 255),
                account_ref=AccountRef(external_id=(source, str(primary["toObjectId"])))
                if primary else None,
                amount=_decimal(props.get("amount")),
                currency=_text(props, "deal_currency_code", 3)
                or self.option(options, "currency"),
                stage=_text(props, "dealstage", 100),
                is_won=str(props.get("hs_is_closed_won", "")).lower() == "true",
                is_closed=closed,
                opened_at=_time(props.get("createdate")),
                closed_on=closes.date() if closed and closes else None,
                modified_at=self.position("deals", r).modified_at,
            )
        )  # fmt: skip
        out.ids.append(rid)
        out.links_in_full.append((source, rid))
        for contact in r.get("_contacts") or []:
            labels = [t.get("label") for t in contact.get("associationTypes") or []]
            out.links.append(
                DealContactRecord(
                    deal=(source, rid),
                    contact=(source, str(contact.get("toObjectId"))),
                    role=next((str(x) for x in labels if x), ""),
                )
            )

    def push(self, session: Session, item: WriteBack) -> str:
        base, p = self._base(session), item.payload
        if item.kind == WriteBackKind.ACTIVITY:
            data = session.call("POST", f"{base}/crm/v3/objects/notes", body={
                "properties": {"hs_timestamp": p["at"], "hs_note_body": p["text"]},
                "associations": [{"to": {"id": p["opportunity"]}, "types": [
                    {"associationCategory": "HUBSPOT_DEFINED",
                     "associationTypeId": NOTE_TO_DEAL}]}],
            })  # fmt: skip
            return str(data.get("id", ""))
        if item.kind == WriteBackKind.LEAD:
            props = {"email": p["email"], "firstname": p.get("first_name", ""),
                     "lastname": p.get("last_name", ""), "company": p.get("company", ""),
                     "lifecyclestage": "lead"}  # fmt: skip
            data = session.call(
                "POST", f"{base}/crm/v3/objects/contacts", body={"properties": props}
            )
            return str(data.get("id", ""))
        if item.kind == WriteBackKind.ADVOCATE:
            prop = session.option("advocate_property")
            session.call(
                "PATCH",
                f"{base}/crm/v3/objects/contacts/{p['contact']}",
                body={"properties": {prop: "true" if p.get("advocate", True) else "false"}},
            )
            return str(p["contact"])
        return super().push(session, item)


register(HubSpotCrm())
