"""Who may call the API: keys, their scopes, revocation, and the web UI's session."""

import pytest
from django.test import Client

from advocacy.api.idempotency import WRITE_METHODS
from advocacy.api.main import api as ninja_api
from advocacy.people.models import ApiKey, Scope
from advocacy.people.permissions import TABLE

pytestmark = pytest.mark.django_db

NO_CREDENTIALS = (
    "authentication required: send 'Authorization: Bearer <API key>' "
    "(create one with `advocacy apikey create`) or log in to the web UI"
)


def test_no_key_is_refused_with_a_clear_message(anonymous):
    response = anonymous.get("/api/accounts")
    assert response.status_code == 401
    assert response.json() == {"detail": NO_CREDENTIALS}
    assert response["WWW-Authenticate"] == 'Bearer realm="advocacy"'


def test_other_auth_scheme_counts_as_no_key(anonymous):
    response = anonymous.get("/api/accounts", headers={"Authorization": "Basic dTpw"})
    assert response.status_code == 401
    assert response.json() == {"detail": NO_CREDENTIALS}


@pytest.mark.parametrize("token", ["adv_nope_nope", "", "garbage"])
def test_bad_key_is_refused(anonymous, token):
    response = anonymous.get("/api/accounts", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid or revoked API key"}


def test_revoked_key_is_refused(make_client):
    client = make_client(Scope.READ)
    assert client.get("/api/accounts").status_code == 200
    ApiKey.objects.update(revoked_at="2026-01-01T00:00:00Z")
    response = client.get("/api/accounts")
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid or revoked API key"}


def test_key_of_an_inactive_user_is_refused(make_client, member):
    client = make_client(Scope.READ, user=member)
    member.is_active = False
    member.save()
    assert client.get("/api/accounts").status_code == 401


def test_missing_scope_is_named(make_client):
    """GIVEN a key with signals:write only WHEN it reads THEN 403 names the `read` scope."""
    client = make_client(Scope.SIGNALS_WRITE)
    response = client.get("/api/accounts")
    assert response.status_code == 403
    assert response.json() == {"detail": "missing scope 'read': this API key has signals:write"}


def test_write_needs_its_own_scope(make_client):
    client = make_client(Scope.READ, Scope.SIGNALS_WRITE)
    response = client.post("/api/accounts", {"name": "Acme"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "missing scope 'customers:write': this API key has read, signals:write"
    }


def test_key_use_is_recorded(make_client):
    client = make_client(Scope.READ)
    assert ApiKey.objects.get().last_used_at is None
    client.get("/api/accounts")
    assert ApiKey.objects.get().last_used_at is not None


def test_session_reads_without_a_key(member):
    client = Client()
    client.force_login(member)
    response = client.get("/api/accounts")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_session_write_needs_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/api/accounts", {"name": "Acme"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check failed: send the csrftoken as X-CSRFToken"}


def test_a_refused_key_never_falls_back_to_the_session(member):
    client = Client()
    client.force_login(member)
    response = client.get("/api/accounts", headers={"Authorization": "Bearer adv_x_y"})
    assert response.status_code == 401


def _operations():
    for router in ninja_api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield router.prefix + path, operation


# The designed exceptions: building the council PDF is a POST that starts a job changing
# nothing; a person's export is a GET of their whole file, guarded like the erasure; the users
# and their keys are read by those who manage them.
READ_ONLY_POSTS = {"build_council_report", "build_year_pdf"}  # PDFs built by a job
GUARDED_READS = {
    "export_contact": Scope.PRIVACY_WRITE,
    "list_users": Scope.USERS_WRITE,
    "get_user": Scope.USERS_WRITE,
    "list_api_keys": Scope.USERS_WRITE,
    "list_product_events": Scope.PRODUCT_EVENTS_READ,  # the customer's product, not the team
    # The emails written as files hold working portal links: as taking one does.
    "list_mail_folder": Scope.CUSTOMERS_WRITE,
    "get_mail_folder_email": Scope.CUSTOMERS_WRITE,
}


def test_every_operation_needs_a_scope_and_writes_need_a_write_scope():
    """Reads need `read`; every write needs a write scope, never only `read`."""
    seen = []
    for path, operation in _operations():
        scopes = {TABLE[auth.action].scope for auth in operation.auth_callbacks}
        assert len(scopes) == 1, path
        (scope,) = scopes
        if operation.operation_id in READ_ONLY_POSTS:
            assert scope == Scope.READ, path
        elif operation.operation_id in GUARDED_READS:
            assert scope == GUARDED_READS[operation.operation_id], path
        elif set(operation.methods) & WRITE_METHODS:
            assert scope != Scope.READ, path
        else:
            assert scope == Scope.READ, path
        seen.append(scope)
    assert Scope.READ in seen
