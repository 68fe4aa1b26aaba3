"""Schemas of accounts and contacts: what the API accepts (…In) and answers (…Out)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, model_validator

from advocacy.api.schemas import (
    MAX_ID,
    WHOLE,
    Amount,
    AsOfIn,
    ExternalId,
    ExternalIdOut,
    Instant,
    bounded,
)
from advocacy.core.zones import zone_name
from advocacy.customers.models import Persona, Region, SizeBand
from advocacy.customers.records import (
    AccountRecord,
    AccountRef,
    ContactRecord,
    clean_domain,
    clean_email,
)

MAX_ACCOUNT_BATCH = 1000
MAX_CONTACT_BATCH = 1000

Tag = Annotated[str, bounded(100, min_length=1)]


# The same normalisation as every other writer (lower-cased email, bare host name).
Email = Annotated[str, bounded(254, min_length=3), AfterValidator(clean_email)]
Domain = Annotated[str, bounded(255, min_length=1), AfterValidator(clean_domain)]
TimeZone = Annotated[str, bounded(64, min_length=1), AfterValidator(zone_name)]


def _external_ids(obj: Any) -> list[dict[str, str]]:
    return [{"source": i.source, "id": i.external_id} for i in obj.identities.all()]


class AccountOut(Schema):
    id: int
    name: str
    domain: str | None
    external_ids: list[ExternalIdOut]
    industry: str
    region: str
    size_band: str
    employees: int | None
    arr: Decimal | None
    products: list[str]
    use_cases: list[str]
    competitors_replaced: list[str]
    customer_since: date | None
    renewal_date: date | None
    nda: bool
    sensitive_industry: bool
    competitor_adjacent: bool
    churn_risk: bool
    owner_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_external_ids(obj: Any) -> list[dict[str, str]]:
        return _external_ids(obj)


class AccountFilters(Schema):
    q: Annotated[str, bounded(200)] = Field("", description="Search in name and domain")
    industry: Annotated[str, bounded(100)] | None = None
    region: Region | None = None
    size_band: SizeBand | None = None


class AccountIn(Schema):
    """One account. Absent (or null) fields are left as they are on an existing account.

    An existing account is found by its first external id, else its domain, else its exact
    name (when exactly one account has it).
    """

    name: Annotated[str, bounded(255, min_length=1)]
    domain: Domain | None = Field(
        None, description="The company's web domain, e.g. `example.com`; its main identity"
    )
    external_ids: list[ExternalId] = Field(default_factory=list, max_length=20)
    industry: Annotated[str, bounded(100)] | None = None
    region: Region | None = None
    size_band: SizeBand | None = None
    employees: Annotated[int, Field(ge=0, le=10_000_000), WHOLE] | None = None
    arr: Amount | None = None
    products: list[Tag] = Field(default_factory=list, max_length=100)
    use_cases: list[Tag] = Field(default_factory=list, max_length=100)
    competitors_replaced: list[Tag] = Field(default_factory=list, max_length=100)
    customer_since: date | None = None
    renewal_date: date | None = None
    nda: bool | None = None
    sensitive_industry: bool | None = None
    competitor_adjacent: bool | None = None
    churn_risk: bool | None = None

    def to_record(self) -> AccountRecord:
        return AccountRecord(
            name=self.name,
            domain=self.domain,
            external_ids=tuple((e.source, e.id) for e in self.external_ids),
            industry=self.industry or "",
            region=self.region or "",
            size_band=self.size_band or "",
            employees=self.employees,
            arr=self.arr,
            products=tuple(self.products),
            use_cases=tuple(self.use_cases),
            competitors_replaced=tuple(self.competitors_replaced),
            customer_since=self.customer_since,
            renewal_date=self.renewal_date,
            nda=self.nda,
            sensitive_industry=self.sensitive_industry,
            competitor_adjacent=self.competitor_adjacent,
            churn_risk=self.churn_risk,
        )


class AccountBatchIn(Schema):
    items: list[AccountIn] = Field(min_length=1, max_length=MAX_ACCOUNT_BATCH)


class AccountRefIn(Schema):
    """How to find an account: its external id, else its domain, else its exact name."""

    external_id: ExternalId | None = None
    domain: Domain | None = None
    name: Annotated[str, bounded(255, min_length=1)] | None = None

    @model_validator(mode="after")
    def _given(self) -> AccountRefIn:
        if self.external_id is None and self.domain is None and self.name is None:
            raise ValueError("name the account by `external_id`, `domain` or `name`")
        return self

    def to_ref(self) -> AccountRef:
        return AccountRef(
            domain=self.domain,
            external_id=(self.external_id.source, self.external_id.id)
            if self.external_id
            else None,
            name=self.name,
        )


class ContactOut(Schema):
    id: int
    account_id: int
    email: str
    external_ids: list[ExternalIdOut]
    first_name: str
    last_name: str
    title: str
    persona: str
    phone: str
    timezone: str
    left_company_at: datetime | None
    opted_out_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_external_ids(obj: Any) -> list[dict[str, str]]:
        return _external_ids(obj)


class ContactFilters(Schema):
    q: Annotated[str, bounded(200)] = Field("", description="Search in email, names, account")
    account_id: int | None = Field(None, ge=1, le=MAX_ID)
    persona: Persona | None = None


class ContactIn(Schema):
    """One contact, found by email or by any of its external ids; absent fields are kept."""

    email: Email
    account: AccountRefIn | None = Field(
        None, description="Its company; when absent, the account whose domain is the email's"
    )
    external_ids: list[ExternalId] = Field(default_factory=list, max_length=20)
    first_name: Annotated[str, bounded(100)] | None = None
    last_name: Annotated[str, bounded(100)] | None = None
    title: Annotated[str, bounded(200)] | None = None
    persona: Persona | None = None
    phone: Annotated[str, bounded(50)] | None = None
    timezone: TimeZone | None = Field(
        None, description="The person's IANA time zone (Europe/Paris), for quiet hours"
    )
    left_company_at: Instant | None = None
    opted_out_at: Instant | None = None

    def to_record(self) -> ContactRecord:
        return ContactRecord(
            email=self.email,
            account_ref=self.account.to_ref() if self.account else AccountRef(),
            external_ids=tuple((e.source, e.id) for e in self.external_ids),
            first_name=self.first_name or "",
            last_name=self.last_name or "",
            title=self.title or "",
            persona=self.persona or "",
            phone=self.phone or "",
            timezone=self.timezone or "",
            left_company_at=self.left_company_at,
            opted_out_at=self.opted_out_at,
        )


class ContactBatchIn(Schema):
    items: list[ContactIn] = Field(min_length=1, max_length=MAX_CONTACT_BATCH)


class NominationIn(AsOfIn):
    """A nomination: the contact is ready to advocate, in the nominator's judgement, and why."""

    reason: Annotated[str, bounded(1000, min_length=1)] = Field(
        description="Why they are ready (a win, a renewal, praise in a call…)"
    )


class NominationRowOut(Schema):
    id: int = Field(description="The id of the `csm_nomination` signal recorded")
    contact_id: int
    reason: str
    nominated_by: str | None = Field(description="Who nominated (empty: an import or a tool)")
    occurred_at: datetime


class NominationOut(NominationRowOut):
    created: bool = Field(description="False when this same nomination was already recorded")
