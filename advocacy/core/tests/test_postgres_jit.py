"""PostgreSQL's JIT is off for the product's connections unless ADVOCACY_POSTGRES_JIT says so."""

import subprocess
import sys

import pytest
from django.db import connection

SHOW_JIT = (
    "import django; django.setup();"
    "from django.db import connection;"
    "cursor = connection.cursor(); cursor.execute('SHOW jit'); print(cursor.fetchone()[0])"
)


@pytest.mark.django_db
def test_the_connection_runs_without_jit(postgres_only: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


@pytest.mark.parametrize(("setting", "shown"), [("true", "on"), ("false", "off")])
def test_the_setting_lets_jit_back_on(
    postgres_only: None, monkeypatch: pytest.MonkeyPatch, setting: str, shown: str
) -> None:
    db = connection.settings_dict  # the test database, which exists while the test runs
    url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    monkeypatch.setenv("ADVOCACY_DATABASE_URL", url)
    monkeypatch.setenv("ADVOCACY_POSTGRES_JIT", setting)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    out = subprocess.run(
        [sys.executable, "-c", SHOW_JIT], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == shown
