"""The program's logo: a path on this site or an http(s) address, whose origin the CSP allows."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PRINT = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.PROGRAM_LOGO_URL, "
    "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
)


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "advocacy.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", PRINT], env=environ, capture_output=True, text=True, timeout=60
    )


def test_a_logo_on_its_own_site_is_allowed_from_that_origin_only() -> None:
    done = settings_with(ADVOCACY_PROGRAM_LOGO_URL="https://cdn.acme.example/brand/logo.svg")
    assert done.returncode == 0, done.stderr
    url, images = json.loads(done.stdout)
    assert url == "https://cdn.acme.example/brand/logo.svg"
    assert images == ["'self'", "data:", "https://cdn.acme.example"]


def test_a_path_on_this_site_changes_no_policy_and_anything_else_is_refused() -> None:
    done = settings_with(ADVOCACY_PROGRAM_LOGO_URL="/brand/logo.svg")
    assert json.loads(done.stdout)[1] == ["'self'", "data:"]
    bad = settings_with(ADVOCACY_PROGRAM_LOGO_URL="javascript:alert(1)")
    assert bad.returncode != 0
    assert (
        "ADVOCACY_PROGRAM_LOGO_URL: expected a path starting with / or an http(s):// address"
        in (bad.stderr)
    )
