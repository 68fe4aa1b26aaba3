"""/api/accounts: list, search, filter, read, create one, create many."""

import datetime as dt
from decimal import Decimal

import pytest

from advocacy.customers.models import Account, AccountIdentity
from advocacy.people.models import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    acme = Account.objects.create(
        name="Acme",
        domain="acme.com",
        industry="Manufacturing",
        region="emea",
        size_band="enterprise",
        employees=2500,
        arr=Decimal("120000.00"),
        products=["core"],
    )
    AccountIdentity.objects.create(account=acme, source="hubspot", external_id="1")
    globex = Account.objects.create(
        name="Globex", domain="globex.io", industry="Software", region="na", size_band="smb"
    )
    initech = Account.objects.create(name="Initech", industry="software", region="na")
    return acme, globex, initech


def names(response):
    return [item["name"] for item in response.json()["items"]]


def test_list_is_ordered_by_name_and_paginated(api, accounts):
    response = api.get("/api/accounts", {"limit": 2})
    assert response.status_code == 200
    assert names(response) == ["Acme", "Globex"]
    assert response.json()["count"] == 3
    assert names(api.get("/api/accounts", {"limit": 2, "offset": 2})) == ["Initech"]


def test_list_searches_and_filters(api, accounts):
    assert names(api.get("/api/accounts", {"q": "globex.i"})) == ["Globex"]
    assert names(api.get("/api/accounts", {"industry": "SOFTWARE"})) == ["Globex", "Initech"]
    assert names(api.get("/api/accounts", {"region": "na", "size_band": "smb"})) == ["Globex"]


def test_list_refuses_an_unknown_region(api):
    response = api.get("/api/accounts", {"region": "mars"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "region"]
    assert error["field"] == "region"


def test_get_one_with_every_field(api, accounts):
    acme = accounts[0]
    response = api.get(f"/api/accounts/{acme.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": acme.pk,
        "name": "Acme",
        "domain": "acme.com",
        "external_ids": [{"source": "hubspot", "id": "1"}],
        "industry": "Manufacturing",
        "region": "emea",
        "size_band": "enterprise",
        "employees": 2500,
        "arr": "120000.00",
        "products": ["core"],
        "use_cases": [],
        "competitors_replaced": [],
        "customer_since": None,
        "renewal_date": None,
        "nda": False,
        "sensitive_industry": False,
        "competitor_adjacent": False,
        "churn_risk": False,
        "owner_id": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_get_unknown_is_404(api):
    response = api.get("/api/accounts/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Account matches the given query."}


def test_create_then_update_one(make_client):
    client = make_client(Scope.READ, Scope.CUSTOMERS_WRITE)
    payload = {
        "name": "Umbrella",
        "domain": "https://www.Umbrella.com/",
        "region": "apac",
        "external_ids": [{"source": "salesforce", "id": "001"}],
        "arr": "5000.5",
        "customer_since": "2024-02-01",
        "use_cases": ["reporting"],
        "nda": True,
    }
    response = client.post("/api/accounts", payload)
    assert response.status_code == 201
    body = response.json()
    account = Account.objects.get()
    assert body["id"] == account.pk
    assert (body["domain"], body["arr"], body["external_ids"], body["nda"]) == (
        "umbrella.com",
        "5000.50",
        [{"source": "salesforce", "id": "001"}],
        True,
    )
    assert account.customer_since == dt.date(2024, 2, 1)

    again = client.post("/api/accounts", {"name": "Umbrella Corp", "domain": "umbrella.com"})
    assert again.status_code == 200
    assert again.json()["name"] == "Umbrella Corp"
    assert again.json()["use_cases"] == ["reporting"]  # not given: kept
    assert Account.objects.count() == 1


def test_create_refuses_invalid_fields(api):
    response = api.post("/api/accounts", {"name": "", "domain": "not a domain", "employees": -1})
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["detail"]) == ["domain", "employees", "name"]
    assert Account.objects.count() == 0


def test_batch_creates_updates_and_returns_ids_in_order(api, accounts):
    acme = accounts[0]
    items = [
        {"name": "Hooli", "domain": "hooli.xyz"},
        {"name": "Acme", "domain": "acme.com", "industry": "Robotics"},
        {"name": "Globex", "domain": "globex.io"},
    ]
    response = api.post("/api/accounts/batch", {"items": items})
    assert response.status_code == 201
    hooli = Account.objects.get(domain="hooli.xyz")
    assert response.json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "ids": [hooli.pk, acme.pk, accounts[1].pk],
    }
    acme.refresh_from_db()
    assert acme.industry == "Robotics"


def test_batch_with_an_invalid_item_names_index_and_field_and_writes_nothing(api):
    items = [{"name": "Hooli"}, {"name": "Pied Piper", "region": "mars"}]
    response = api.post("/api/accounts/batch", {"items": items})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["item"], error["field"], error["loc"]) == (
        1,
        "region",
        ["body", "items", 1, "region"],
    )
    assert Account.objects.count() == 0


def test_batch_refused_by_the_database_checks_writes_nothing(api, accounts):
    """GIVEN an item whose external id is Acme's but whose domain is Globex's THEN 422."""
    items = [
        {"name": "New Co", "domain": "newco.com"},
        {"name": "Acme", "domain": "globex.io", "external_ids": [{"source": "hubspot", "id": "1"}]},
    ]
    response = api.post("/api/accounts/batch", {"items": items})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "items", 1, "domain"],
                "item": 1,
                "field": "domain",
                "type": "rejected",
                "msg": "domain already belongs to account 'Globex': expected a domain not used "
                "by another account, found 'globex.io'",
            }
        ]
    }
    assert Account.objects.filter(domain="newco.com").exists() is False


def test_batch_size_is_bounded(api):
    response = api.post("/api/accounts/batch", {"items": [{"name": f"A{i}"} for i in range(1001)]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "items"
