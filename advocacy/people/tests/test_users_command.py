"""`advocacy users` and `advocacy audit`: the same services as the web UI, audited the same."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from advocacy.people.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_invite_set_deactivate_reset_and_read_the_log(owner) -> None:
    invited = json.loads(
        run("users", "invite", "ann", "--role", "sales", "--as", "owner", "--json")
    )
    assert invited["link"].startswith("/password/set/")
    run("users", "set", "ann", "--role", "viewer", "--as", "owner")
    run("users", "deactivate", "ann")
    assert run("users", "reset-password", "ann").startswith("ann's password no longer works")
    ann = User.objects.get(username="ann")
    assert (ann.role, ann.is_active, ann.has_usable_password()) == ("viewer", False, False)
    assert list(AuditEntry.objects.order_by("id").values_list("action", "actor_name", "via")) == [
        ("users.create", "owner", "cli"),
        ("users.update", "owner", "cli"),
        ("users.update", "", "cli"),
        ("users.password", "", "cli"),
    ]
    listing = run("audit", "list", "--actor", "owner")
    assert listing.count("\n") == 2
    assert "ann: role 'sales' → 'viewer'" in listing
    csv = run("audit", "export", "--action", "users.password")
    assert csv.splitlines()[0] == "at,actor,via,ip,key,action,target,summary,detail"
    assert len(csv.splitlines()) == 2


def test_as_someone_who_may_not_is_refused(member) -> None:
    with pytest.raises(CommandError, match=r"member \(Customer success\) may not invite"):
        run("users", "invite", "ann", "--role", "admin", "--as", "member")
    with pytest.raises(CommandError, match="may not read and export the audit log"):
        run("audit", "list", "--as", "member")
    assert not User.objects.filter(username="ann").exists()


def test_the_last_admin_cannot_be_demoted(owner) -> None:
    with pytest.raises(CommandError, match="owner is the last active admin"):
        run("users", "set", "owner", "--role", "cs")
    owner.refresh_from_db()
    assert owner.role == "admin"


def test_set_how_notices_reach_a_user(owner, member) -> None:
    said = json.loads(run("users", "set", "member", "--notify-by", "queue", "--json"))
    assert said["notify_by"] == "queue"
    member.refresh_from_db()
    assert member.notify_by == "queue"
    listed = json.loads(run("users", "list", "--json"))["users"]
    assert [u["notify_by"] for u in listed if u["username"] == "member"] == ["queue"]


@pytest.mark.parametrize("persona", ["owner", "member", "seller", "marketer", "viewer"])
def test_anyone_shows_and_chooses_how_their_own_notices_reach_them(
    request: pytest.FixtureRequest, persona: str
) -> None:
    request.getfixturevalue(persona)
    assert run("me", "notices", "--as", persona) == f"{persona}: notices by email\n"

    said = json.loads(run("me", "notices", "--notify-by", "both", "--as", persona, "--json"))

    assert said == {"username": persona, "notify_by": "both"}
    assert User.objects.get(username=persona).notify_by == "both"
    assert run("me", "notices", "--as", persona) == f"{persona}: notices by email and slack\n"
    (entry,) = AuditEntry.objects.filter(action__startswith="users")
    assert (entry.action, entry.actor_name, entry.via, entry.detail) == (
        "users.notices", persona, "cli", {"notify_by": ["email", "both"]}
    )  # fmt: skip


def test_my_notices_change_no_one_elses(seller, member) -> None:
    run("me", "notices", "--notify-by", "queue", "--as", "seller")
    assert dict(User.objects.values_list("username", "notify_by")) == {
        "seller": "queue", "member": "email"
    }  # fmt: skip


def test_my_notices_need_to_know_who_i_am(seller) -> None:
    with pytest.raises(CommandError, match=r"say who you are: --as USERNAME"):
        run("me", "notices", "--notify-by", "queue")
    with pytest.raises(CommandError, match="--as: no user named 'ghost'"):
        run("me", "notices", "--as", "ghost")
    User.objects.filter(pk=seller.pk).update(is_active=False)
    with pytest.raises(
        CommandError, match=r"seller \(inactive\) may not choose how one's own notices reach one"
    ):
        run("me", "notices", "--notify-by", "queue", "--as", "seller")
    assert User.objects.get(username="seller").notify_by == "email"
    assert not AuditEntry.objects.exists()


def test_a_choice_that_is_not_one_is_refused_by_the_command(seller) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'fax'"):
        run("me", "notices", "--notify-by", "fax", "--as", "seller")
