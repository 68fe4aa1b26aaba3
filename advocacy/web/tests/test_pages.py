"""The shell: login required everywhere, auth pages, navigation, error pages, the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.signals.models import ImportRun, ImportStatus, SignalKind
from advocacy.web.tests.conftest import make_account, make_contact, make_signal

pytestmark = pytest.mark.django_db

PAGES = [
    ("web:home", {}),
    ("web:accounts", {}),
    ("web:account", {"pk": 1}),
    ("web:contacts", {}),
    ("web:contact", {"pk": 1}),
    ("web:imports", {}),
    ("web:import_new", {}),
    ("web:import_detail", {"pk": 1}),
    ("web:import_errors", {"pk": 1}),
    ("web:password_change", {}),
    ("web:password_change_done", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_page_but_login_requires_login(client: Client, name: str, kwargs: Any) -> None:
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


@pytest.mark.parametrize("name", ["web:import_commit", "web:import_cancel"])
def test_posts_require_login(client: Client, name: str) -> None:
    response = client.post(reverse(name, kwargs={"pk": 1}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_login_page_renders_a_labelled_form(client: Client) -> None:
    response = client.get(reverse("web:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'data-testid="nav"' not in html  # no navigation before logging in


def test_login_with_good_password_lands_on_next(client: Client, member: Any) -> None:
    response = client.post(
        reverse("web:login"),
        {"username": "member", "password": "correct horse battery", "next": "/contacts/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"


def test_login_with_bad_password_says_so(client: Client, member: Any) -> None:
    response = client.post(reverse("web:login"), {"username": "member", "password": "nope"})
    assert response.status_code == 200
    assert 'data-testid="login-error"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(staff_client: Client) -> None:
    assert staff_client.get(reverse("web:logout")).status_code == 405
    response = staff_client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert "_auth_user_id" not in staff_client.session


def test_password_change(client: Client, member: Any) -> None:
    client.force_login(member)
    response = client.post(
        reverse("web:password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "a much longer passphrase",
            "new_password2": "a much longer passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:password_change_done")
    member.refresh_from_db()
    assert member.check_password("a much longer passphrase") is True
    done = client.get(reverse("web:password_change_done"))
    assert 'data-testid="password-changed"' in done.content.decode()


def test_base_layout_has_skip_link_nav_user_menu_and_htmx(staff_client: Client) -> None:
    html = staff_client.get(reverse("web:home")).content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main"' in html
    assert '<a href="/" aria-current="page">Home</a>' in html
    assert '<a href="/accounts/">Accounts</a>' in html
    assert '<form method="post" action="/logout/">' in html
    assert 'src="/static/django_htmx/htmx-2.min.js"' in html
    assert 'href="/static/web/app.css"' in html


def test_rewards_is_a_real_link_and_nothing_is_coming(staff_client: Client) -> None:
    html = staff_client.get(reverse("web:home")).content.decode()
    assert f'<a href="{reverse("web:rewards")}" data-testid="nav-rewards">Rewards</a>' in html
    assert html.count('aria-disabled="true"') == 0
    assert f'<a href="{reverse("web:content")}" data-testid="nav-content">Content</a>' in html
    assert f'<a href="{reverse("web:pipeline")}">Pipeline</a>' in html
    assert f'<a href="{reverse("web:references")}" data-testid="nav-references">' in html
    assert f'<a href="{reverse("web:metrics")}">Metrics</a>' in html


def test_static_files_are_served(staff_client: Client) -> None:
    assert staff_client.get("/static/web/app.css").status_code == 200
    assert staff_client.get("/static/django_htmx/htmx-2.min.js").status_code == 200


def test_404_page_is_helpful(staff_client: Client) -> None:
    response = staff_client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-404"' in html
    assert "<code>/no/such/page/</code>" in html


def test_404_for_a_missing_contact(staff_client: Client) -> None:
    response = staff_client.get(reverse("web:contact", kwargs={"pk": 999}))
    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()


def test_500_and_403_templates_render_without_context() -> None:
    from django.template.loader import render_to_string

    assert 'data-testid="error-500"' in render_to_string("500.html")
    assert 'data-testid="error-403"' in render_to_string("403.html")


def test_dashboard_empty_state_points_to_import_and_demo(staff_client: Client) -> None:
    response = staff_client.get(reverse("web:home"))
    html = response.content.decode()
    assert response.context["is_empty"] is True
    assert 'data-testid="empty-state"' in html
    assert "/imports/new/?kind=accounts" in html
    assert "<code>advocacy demo</code>" in html


def test_dashboard_counts(staff_client: Client, member: Any) -> None:
    now = timezone.now()
    risky = make_account("Risky", churn_risk=True)
    calm = make_account("Calm", nda=True)
    make_account("Third")
    ann = make_contact(risky, "Ann")
    make_contact(calm, "Bob", opted_out_at=now)
    make_signal(SignalKind.NPS, now - timedelta(days=1), contact=ann, value=9)
    make_signal(SignalKind.NPS, now - timedelta(days=29), contact=ann, value=7)
    make_signal(SignalKind.HEALTH_SCORE, now - timedelta(days=3), account=calm, value=80)
    make_signal(SignalKind.NPS, now - timedelta(days=31), contact=ann, value=3)  # too old
    ImportRun.objects.create(
        kind="contacts", status=ImportStatus.COMMITTED, filename="people.csv", created_by=member
    )

    response = staff_client.get(reverse("web:home"))

    ctx = response.context
    assert ctx["is_empty"] is False
    assert ctx["accounts"] == {"total": 3, "churn_risk": 1, "nda": 1}
    assert ctx["contacts"] == {"total": 2, "reachable": 1}
    assert ctx["signals_recent"] == 3
    assert [(r["kind"], r["count"], r["percent"]) for r in ctx["signal_rows"]] == [
        ("nps", 2, 100),
        ("health_score", 1, 50),
    ]
    assert [run.filename for run in ctx["imports"]] == ["people.csv"]
    assert 'data-testid="empty-state"' not in response.content.decode()
