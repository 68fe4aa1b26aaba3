"""/api/accounts: list, search and read accounts; create or update one or many."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.customer_schemas import (
    AccountBatchIn,
    AccountFilters,
    AccountIn,
    AccountOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, BatchOut, Page
from advocacy.api.writes import account_ids, counts, write_all_or_nothing
from advocacy.customers.models import Account
from advocacy.customers.services import upsert_accounts

router = ScopedRouter(tags=["accounts"])


@router.get("", response=list[AccountOut], operation_id="list_accounts")
@paginate(Page)
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> QuerySet[Account]:
    """List accounts by name, optionally searched (`q`) and filtered."""
    accounts = Account.objects.search(filters.q).prefetch_related("identities")
    if filters.industry:
        accounts = accounts.filter(industry__iexact=filters.industry)
    if filters.region:
        accounts = accounts.filter(region=filters.region)
    if filters.size_band:
        accounts = accounts.filter(size_band=filters.size_band)
    return accounts


@router.get("/{int:account_id}", response=AccountOut, operation_id="get_account")
def get_account(request: HttpRequest, account_id: int = Path(..., ge=1, le=MAX_ID)) -> Account:
    """One account by id."""
    return get_object_or_404(Account.objects.prefetch_related("identities"), pk=account_id)


@router.post("", response={200: AccountOut, 201: AccountOut}, operation_id="upsert_account")
def upsert_account(request: HttpRequest, payload: AccountIn) -> Status[Account]:
    """Create an account (201), or update the one it names (200)."""
    record = payload.to_record()
    result, (written_id,) = write_all_or_nothing(
        upsert_accounts,
        account_ids,
        [record],
        actor=principal_of(request).user,
        now=timezone.now(),
        batch=False,
    )
    account = Account.objects.prefetch_related("identities").get(pk=written_id)
    return Status(201 if result.created else 200, account)


@router.post("/batch", response={201: BatchOut}, operation_id="upsert_accounts")
def upsert_account_batch(request: HttpRequest, payload: AccountBatchIn) -> Status[dict[str, Any]]:
    """Create or update up to 1,000 accounts at once: all of them, or none if one is refused."""
    records = [item.to_record() for item in payload.items]
    result, ids = write_all_or_nothing(
        upsert_accounts,
        account_ids,
        records,
        actor=principal_of(request).user,
        now=timezone.now(),
        batch=True,
    )
    return Status(201, counts(result, ids))
