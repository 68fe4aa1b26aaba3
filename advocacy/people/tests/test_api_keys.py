import pytest

from advocacy.people.models import ApiKey, Scope

pytestmark = pytest.mark.django_db


def test_issued_key_authenticates_and_only_its_hash_is_stored(member):
    """GIVEN a key issued to a member WHEN it is presented THEN it resolves to that member."""
    key, secret = ApiKey.issue(member, "ci", [Scope.READ])
    assert secret.startswith(f"adv_{key.prefix}_")
    assert secret not in key.hashed
    found = ApiKey.authenticate(secret)
    assert found is not None
    assert found.pk == key.pk
    assert found.allows(Scope.READ) is True
    assert found.allows(Scope.SIGNALS_WRITE) is False


def test_wrong_or_revoked_key_is_refused(member):
    key, secret = ApiKey.issue(member, "ci", [Scope.READ])
    assert ApiKey.authenticate(secret[:-1] + ("x" if secret[-1] != "x" else "y")) is None
    assert ApiKey.authenticate("not-a-key") is None
    ApiKey.objects.filter(pk=key.pk).update(revoked_at="2026-01-01T00:00:00Z")
    assert ApiKey.authenticate(secret) is None


def test_unknown_scope_is_refused(member):
    with pytest.raises(ValueError, match="unknown scopes: nope"):
        ApiKey.issue(member, "ci", ["nope"])
