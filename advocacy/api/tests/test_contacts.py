"""/api/contacts: list, search, filter, read, create one, create many."""

import pytest

from advocacy.customers.models import Account, Contact, ContactIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return Account.objects.create(name="Acme", domain="acme.com")


@pytest.fixture
def contacts(acme):
    globex = Account.objects.create(name="Globex", domain="globex.io")
    ada = Contact.objects.create(
        account=acme,
        email="ada@acme.com",
        first_name="Ada",
        last_name="Lovelace",
        persona="champion",
    )
    ContactIdentity.objects.create(contact=ada, source="hubspot", external_id="c1")
    bob = Contact.objects.create(
        account=globex,
        email="bob@globex.io",
        first_name="Bob",
        last_name="Babbage",
        persona="admin",
    )
    return ada, bob


def emails(response):
    return [item["email"] for item in response.json()["items"]]


def test_list_search_and_filters(api, contacts, acme):
    assert emails(api.get("/api/contacts")) == ["bob@globex.io", "ada@acme.com"]
    assert emails(api.get("/api/contacts", {"q": "lovel"})) == ["ada@acme.com"]
    assert emails(api.get("/api/contacts", {"account_id": acme.pk})) == ["ada@acme.com"]
    assert emails(api.get("/api/contacts", {"persona": "admin"})) == ["bob@globex.io"]


def test_get_one(api, contacts, acme):
    ada = contacts[0]
    body = api.get(f"/api/contacts/{ada.pk}").json()
    assert body == {
        "id": ada.pk,
        "account_id": acme.pk,
        "email": "ada@acme.com",
        "external_ids": [{"source": "hubspot", "id": "c1"}],
        "first_name": "Ada",
        "last_name": "Lovelace",
        "title": "",
        "persona": "champion",
        "phone": "",
        "timezone": "",
        "left_company_at": None,
        "opted_out_at": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_create_by_account_domain_then_update_by_external_id(api, acme):
    response = api.post(
        "/api/contacts",
        {
            "email": "Grace@Acme.com",
            "account": {"domain": "acme.com"},
            "first_name": "Grace",
            "external_ids": [{"source": "delighted", "id": "p9"}],
        },
    )
    assert response.status_code == 201
    contact = Contact.objects.get()
    assert (response.json()["id"], contact.email, contact.account_id) == (
        contact.pk,
        "grace@acme.com",
        acme.pk,
    )
    again = api.post("/api/contacts", {"email": "grace@acme.com", "title": "CTO"})
    assert again.status_code == 200
    assert (again.json()["title"], again.json()["first_name"]) == ("CTO", "Grace")


def test_create_for_an_unknown_account_is_refused(api):
    response = api.post("/api/contacts", {"email": "x@nowhere.org"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "account"],
                "item": None,
                "field": "account",
                "type": "rejected",
                "msg": "no account matches this contact's company: expected a known account "
                "(import accounts first), found 'nothing'",
            }
        ]
    }
    assert Contact.objects.count() == 0


def test_batch_returns_counts_and_ids(api, contacts, acme):
    ada = contacts[0]
    items = [
        {"email": "new@acme.com", "account": {"name": "acme"}},
        {"email": "ada@acme.com", "first_name": "Ada"},
    ]
    response = api.post("/api/contacts/batch", {"items": items})
    assert response.status_code == 201
    new = Contact.objects.get(email="new@acme.com")
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 1, "ids": [new.pk, ada.pk]}


def test_batch_with_a_bad_email_names_the_item(api, acme):
    items = [{"email": "ok@acme.com"}, {"email": "not-an-email"}]
    response = api.post("/api/contacts/batch", {"items": items})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["item"], error["field"]) == (1, "email")
    assert "not a valid email address" in error["msg"]
    assert Contact.objects.count() == 0


def test_a_contact_takes_an_iana_time_zone_and_a_bad_one_is_refused(api, acme):
    ok = api.post("/api/contacts", {"email": "ada@acme.com", "timezone": "Asia/Tokyo"})
    assert (ok.status_code, ok.json()["timezone"]) == (201, "Asia/Tokyo")
    bad = api.post("/api/contacts", {"email": "ada@acme.com", "timezone": "+02:00"})
    assert bad.status_code == 422
    assert "'+02:00' is not an IANA time zone name" in str(bad.json())
    # An update without the field keeps the zone.
    api.post("/api/contacts", {"email": "ada@acme.com", "title": "CTO"})
    assert Contact.objects.get().timezone == "Asia/Tokyo"
