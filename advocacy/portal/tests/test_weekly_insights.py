"""The advocate turns the weekly insights email on and off in the portal; a stranger cannot."""

from __future__ import annotations

from django.test import Client

from advocacy.portal.tests.conftest import World
from advocacy.value.models import InsightsPreference


def test_the_advocate_opts_in_then_out(world: World, ann_client: Client) -> None:
    page = ann_client.get("/portal/preferences/")
    assert b"Send me the weekly insights" in page.content
    done = ann_client.post("/portal/preferences/weekly/", {"weekly": "on"})
    assert (done.status_code, done["Location"]) == (302, "/portal/preferences/")
    pref = InsightsPreference.objects.get(contact=world.ann)
    assert (pref.weekly, pref.set_in, pref.set_by) == (True, "portal", None)
    assert b"Stop the weekly insights" in ann_client.get("/portal/preferences/").content
    ann_client.post("/portal/preferences/weekly/", {"weekly": "off"})
    assert InsightsPreference.objects.get(contact=world.ann).weekly is False


def test_without_a_portal_session_nothing_changes(world: World) -> None:
    refused = Client().post("/portal/preferences/weekly/", {"weekly": "on"})
    assert refused.status_code in (302, 403)
    assert not InsightsPreference.objects.exists()
