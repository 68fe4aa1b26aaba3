"""Salesforce REST: Account, Contact, Opportunity and OpportunityContactRole, synced; written to.

Read with SOQL (`GET {instance_url}/services/data/v{api_version}/query?q=...`): the object's
records whose `LastModifiedDate` is after the cursor (or equal to it with a higher `Id`),
`ORDER BY LastModifiedDate, Id`, paged by the answer's `nextRecordsUrl` until `done`. The
cursor is the last record written, so a run that stopped goes on exactly after it.

Authentication: the OAuth 2.0 refresh token flow of a connected app. The secret is
`{"refresh_token": "...", "client_secret": "..."}` (the client secret may be left out when the
app does not require it for the refresh token flow), with `--option client_id=` (the app's
consumer key); `POST {login_url}/services/oauth2/token` gives the access token and the org's
`instance_url`, renewed whenever Salesforce answers 401 (`INVALID_SESSION_ID`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator, Mapping
from datetime import date
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
from advocacy.integrations.connectors.registry import (
    Malformed,
    Option,
    email_of,
    from_iso,
    register,
)

SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{15,18}$")
FIELDS = {
    "Account": "Id, Name, Website, Industry, NumberOfEmployees, LastModifiedDate",
    "Contact": "Id, Email, FirstName, LastName, Title, Phone, AccountId, LastModifiedDate",
    "Opportunity": "Id, Name, AccountId, Amount, StageName, IsWon, IsClosed, CloseDate, "
    "CreatedDate, LastModifiedDate",
    "OpportunityContactRole": "Id, OpportunityId, ContactId, Role, IsPrimary, LastModifiedDate",
}


def soql(obj: str, position: Position) -> str:
    """The query of one object's records changed after `position`, oldest change first."""
    where = ""
    if position.modified_at is not None:
        moment = position.modified_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        if position.id:
            if not SALESFORCE_ID.match(position.id):
                raise CrmError(f"the cursor's id {position.id!r} is not a Salesforce id")
            where = (f" WHERE (LastModifiedDate > {moment} OR (LastModifiedDate = {moment} "
                     f"AND Id > '{position.id}'))")  # fmt: skip
        else:
            where = f" WHERE LastModifiedDate >= {moment}"
    return f"SELECT {FIELDS[obj]} FROM {obj}{where} ORDER BY LastModifiedDate, Id"


def _text(record: Mapping[str, Any], name: str, length: int) -> str:
    value = record.get(name)
    return str(value).strip()[:length] if value not in (None, "") else ""


def _domain(value: Any) -> str | None:
    if not value:
        return None
    try:
        return clean_domain(str(value))
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Malformed(f"not a date: {value!r}") from None


class Salesforce(CrmConnector):
    kind = "salesforce"
    label = "Salesforce"
    source = "salesforce"
    secret_help = '{"refresh_token": "...", "client_secret": "..."} of the connected app'
    objects = ("Account", "Contact", "Opportunity", "OpportunityContactRole")
    options = (
        Option("client_id", "the connected app's consumer key (required)"),
        Option("login_url", "where tokens are issued (a sandbox: https://test.salesforce.com)",
               "https://login.salesforce.com"),
        Option("api_version", "the REST API version", "62.0"),
        Option("currency", "the currency of opportunities' amounts", "USD"),
        Option("advocate_field", "the Contact checkbox field set for advocates", "Advocate__c"),
        Option("lead_source", "the LeadSource of leads made from referrals (none when blank)"),
        WRITE_BACK,
    )  # fmt: skip

    def check_secret(self, secret: str) -> None:
        if not credentials(secret).get("refresh_token"):
            raise ValueError('the secret is {"refresh_token": "...", "client_secret": "..."}')

    def start(self, session: Session) -> dict[str, str]:
        renewed = self.renew(session)
        assert renewed is not None
        return renewed

    def renew(self, session: Session) -> dict[str, str] | None:
        client_id = session.option("client_id")
        if not client_id:
            raise CrmError("Salesforce: --option client_id= (the consumer key) is required")
        form = {"grant_type": "refresh_token", "client_id": client_id,
                "refresh_token": session.secret.get("refresh_token", "")}  # fmt: skip
        if session.secret.get("client_secret"):
            form["client_secret"] = session.secret["client_secret"]
        data = session.call(
            "POST",
            session.option("login_url").rstrip("/") + "/services/oauth2/token",
            form=form,
            auth=False,
        )
        if not isinstance(data, dict) or not data.get("access_token"):
            raise CrmError("Salesforce's token endpoint gave no access_token")
        if not data.get("instance_url"):
            raise CrmError("Salesforce's token endpoint gave no instance_url")
        access = {"access_token": str(data["access_token"]),
                  "instance_url": str(data["instance_url"]).rstrip("/")}  # fmt: skip
        if data.get("refresh_token"):
            access["refresh_token"] = str(data["refresh_token"])
        return access

    def _api(self, session: Session) -> str:
        session.ensure_access()
        return f"{session.access['instance_url']}/services/data/v{session.option('api_version')}"

    def pages(self, session: Session, obj: str, position: Position) -> Iterator[Page]:
        url = f"{self._api(session)}/query?" + urllib.parse.urlencode({"q": soql(obj, position)})
        first = True
        while True:
            data = session.call("GET", url)
            if not isinstance(data, dict) or not isinstance(data.get("records"), list):
                raise CrmError(f"Salesforce's query of {obj} gave no records list")
            yield Page(data["records"], total=int(data.get("totalSize") or 0) if first else None)
            first = False
            following = data.get("nextRecordsUrl")
            if data.get("done", True) or not following:
                return
            url = session.access["instance_url"] + str(following)

    def batch(
        self, obj: str, records: list[dict[str, Any]], *, source: str, options: Mapping[str, str]
    ) -> Batch:
        for r in records:
            if not isinstance(r, dict) or not r.get("Id"):
                raise Malformed(f"Salesforce {obj}: a record without an Id")
        tail = records[-1]
        out = Batch(last=Position(from_iso(_iso(tail.get("LastModifiedDate"))), str(tail["Id"])))
        for r in records:
            rid = str(r["Id"])
            account = _text(r, "AccountId", 18)
            ref = AccountRef(external_id=(source, account)) if account else AccountRef()
            if obj == "Account":
                domain = _domain(r.get("Website"))
                employees = r.get("NumberOfEmployees")
                out.accounts.append(
                    AccountRecord(
                        name=_text(r, "Name", 255) or domain or f"Salesforce account {rid}",
                        domain=domain,
                        external_ids=((source, rid),),
                        industry=_text(r, "Industry", 100),
                        employees=int(employees) if isinstance(employees, int) else None,
                    )
                )
                out.ids.append(rid)
            elif obj == "Contact":
                email = email_of(r.get("Email"))
                if email is None:
                    out.skipped += 1
                    continue
                out.contacts.append(
                    ContactRecord(
                        email=email,
                        account_ref=ref,
                        external_ids=((source, rid),),
                        first_name=_text(r, "FirstName", 100),
                        last_name=_text(r, "LastName", 100),
                        title=_text(r, "Title", 200),
                        phone=_text(r, "Phone", 50),
                    )
                )
                out.ids.append(rid)
            elif obj == "Opportunity":
                closed = bool(r.get("IsClosed"))
                out.deals.append(
                    DealRecord(
                        source=source,
                        external_id=rid,
                        name=_text(r, "Name", 255),
                        account_ref=ref if account else None,
                        amount=_amount(r.get("Amount")),
                        currency=self.option(options, "currency"),
                        stage=_text(r, "StageName", 100),
                        is_won=bool(r.get("IsWon")),
                        is_closed=closed,
                        opened_at=from_iso(_iso(r["CreatedDate"])) if r.get("CreatedDate")
                        else None,
                        closed_on=_day(r.get("CloseDate")) if closed else None,
                        modified_at=from_iso(_iso(r.get("LastModifiedDate"))),
                    )
                )  # fmt: skip
                out.ids.append(rid)
            else:
                out.links.append(
                    DealContactRecord(
                        deal=(source, _text(r, "OpportunityId", 18)),
                        contact=(source, _text(r, "ContactId", 18)),
                        role=_text(r, "Role", 100),
                        is_primary=bool(r.get("IsPrimary")),
                    )
                )
        return out

    def push(self, session: Session, item: WriteBack) -> str:
        api, p = self._api(session), item.payload
        if item.kind == WriteBackKind.ACTIVITY:
            data = session.call("POST", f"{api}/sobjects/Task", body={
                "WhatId": p["opportunity"], "Subject": p["subject"][:255],
                "Description": p["text"], "ActivityDate": p["at"][:10], "Status": "Completed",
            })  # fmt: skip
            return str(data.get("id", ""))
        if item.kind == WriteBackKind.LEAD:
            body = {"Email": p["email"], "FirstName": p.get("first_name", ""),
                    "LastName": p.get("last_name") or p["email"].split("@")[0],
                    "Company": p.get("company") or p["email"].split("@")[-1]}  # fmt: skip
            source = session.option("lead_source")
            if source:
                body["LeadSource"] = source
            data = session.call("POST", f"{api}/sobjects/Lead", body=body)
            return str(data.get("id", ""))
        if item.kind == WriteBackKind.ADVOCATE:
            field = session.option("advocate_field")
            session.call("PATCH", f"{api}/sobjects/Contact/{p['contact']}",
                         body={field: bool(p.get("advocate", True))})  # fmt: skip
            return str(p["contact"])
        return super().push(session, item)


def _iso(value: Any) -> Any:
    """Salesforce's `2026-01-05T10:00:00.000+0000`, as `fromisoformat` reads it."""
    if isinstance(value, str) and len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        return value[:-2] + ":" + value[-2:]
    return value


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


register(Salesforce())
