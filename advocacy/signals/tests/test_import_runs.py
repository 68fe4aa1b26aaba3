"""Import runs end to end: the bad rows reported exactly, re-import changes nothing, strict mode."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from advocacy.customers.models import Account, AccountIdentity, Contact
from advocacy.signals.imports import (
    ImportFileError,
    commit_import,
    preview_import,
    run_import,
    write_errors_csv,
)
from advocacy.signals.models import ImportRowError, ImportRun, Signal
from advocacy.signals.tests.files import (
    SIGNAL_HEADER,
    signal_rows,
    write_csv,
    write_hubspot_companies,
    write_hubspot_contacts,
    write_salesforce_report,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def counts(run: ImportRun) -> tuple[str, int, int, int, int, int]:
    return (run.status, run.rows_total, run.created, run.updated, run.unchanged, run.rejected)


def errors(run: ImportRun) -> list[tuple[int, str, str]]:
    return list(run.row_errors.values_list("line", "column", "message"))


def test_hubspot_contacts_with_five_bad_rows(tmp_path, owner):
    """GIVEN a HubSpot export of 1,000 contacts, 5 of them bad in 5 different ways
    WHEN it is imported THEN exactly those 5 are reported with line and reason, the others go in
    AND importing it again creates and updates nothing."""
    path = tmp_path / "hubspot-contacts.csv"
    bad = write_hubspot_contacts(path, 1000)
    run = run_import("contacts", path, preset="hubspot", actor=owner, now=NOW)
    assert counts(run) == ("committed", 1000, 995, 0, 0, 5)
    assert errors(run) == [(b.line, b.column, b.message) for b in bad]
    assert Contact.objects.count() == 995
    assert Account.objects.count() == 5
    assert AccountIdentity.objects.filter(source="hubspot").count() == 5
    assert run.created_by == owner
    again = run_import("contacts", path, preset="hubspot", actor=owner, now=NOW)
    assert counts(again) == ("committed", 1000, 0, 0, 995, 5)


def test_multiline_cell_and_contact_fields(tmp_path):
    path = tmp_path / "hubspot-contacts.csv"
    write_hubspot_contacts(path, 20, bad=False)
    run_import("contacts", path, preset="hubspot", now=NOW)
    contact = Contact.objects.get(email="ada.turing10@acme.com")
    assert (contact.first_name, contact.title, contact.persona, contact.account.name) == (
        "Ada",
        "Head of\nPlatform",
        "",
        "Acme",
    )
    assert Contact.objects.get(email="ada.lovelace0@acme.com").persona == "champion"


def test_preview_writes_nothing_then_commit_matches_it(tmp_path, member):
    path = tmp_path / "contacts.csv"
    bad = write_hubspot_contacts(path, 50, bad=False)
    assert bad == []
    run = preview_import("contacts", path, preset="hubspot", actor=member, now=NOW)
    assert counts(run) == ("previewed", 50, 50, 0, 0, 0)
    assert (Contact.objects.count(), run.upload.name.startswith("imports/")) == (0, True)
    path.unlink()  # the commit reads the run's own copy
    committed = commit_import(run, actor=member, now=NOW)
    assert counts(committed) == ("committed", 50, 50, 0, 0, 0)
    assert Contact.objects.count() == 50
    with pytest.raises(ImportFileError, match="only a previewed import can be committed"):
        commit_import(committed, actor=member, now=NOW)


def test_strict_writes_nothing_when_a_row_is_bad(tmp_path):
    path = tmp_path / "contacts.csv"
    write_hubspot_contacts(path, 30, bad=False)
    path.write_text(path.read_text() + "9999,Bad,Row,not-an-email,,,,,,,\r\n")
    run = run_import("contacts", path, preset="hubspot", strict=True, now=NOW)
    assert counts(run) == ("rejected", 31, 30, 0, 0, 1)
    assert (Contact.objects.count(), Account.objects.count()) == (0, 0)
    assert errors(run) == [(33, "Email", "not a valid email address")]
    previewed = preview_import("contacts", path, preset="hubspot", strict=True, now=NOW)
    assert commit_import(previewed, actor=None, now=NOW).status == "rejected"
    assert Contact.objects.count() == 0


def test_strict_commits_a_clean_file(tmp_path):
    path = tmp_path / "contacts.csv"
    write_hubspot_contacts(path, 30, bad=False)
    run = run_import("contacts", path, preset="hubspot", strict=True, now=NOW)
    assert counts(run) == ("committed", 30, 30, 0, 0, 0)


def test_dry_run_counts_like_the_commit(tmp_path):
    path = tmp_path / "contacts.csv"
    write_hubspot_contacts(path, 1000)
    dry = run_import("contacts", path, preset="hubspot", dry_run=True, now=NOW)
    assert (counts(dry), Contact.objects.count(), bool(dry.upload)) == (
        ("previewed", 1000, 995, 0, 0, 5),
        0,
        False,
    )


def test_hubspot_companies(tmp_path):
    run = run_import(
        "accounts", write_hubspot_companies(tmp_path / "c.csv"), preset="hubspot", now=NOW
    )
    assert counts(run) == ("committed", 5, 5, 0, 0, 0)
    rows = Account.objects.order_by("name").values_list(
        "name", "domain", "industry", "region", "size_band", "employees"
    )
    assert list(rows) == [
        ("Acme", "acme.com", "Computer Software", "na", "smb", 50),
        ("Globex", "globex.io", "Computer Software", "emea", "mid_market", 500),
        ("Hooli", "hooli.xyz", "Computer Software", "", "strategic", 500000),
        ("Initech", "initech.com", "Computer Software", "apac", "enterprise", 5000),
        ("Umbrella", "umbrella.co", "Computer Software", "latam", "strategic", 50000),
    ]
    assert run.mapping["ignored"] == ["Annual Revenue"]


def test_salesforce_report_with_footer(tmp_path):
    """A report repeats each account on every contact line: identical repeats are unchanged."""
    path = write_salesforce_report(tmp_path / "report.csv")
    accounts = run_import("accounts", path, preset="salesforce", now=NOW)
    assert counts(accounts) == ("committed", 3, 2, 0, 1, 0)
    assert Account.objects.get(name="Acme").domain == "acme.com"
    assert Account.objects.get(name="Globex").region == "emea"
    contacts = run_import("contacts", path, preset="salesforce", now=NOW)
    assert counts(contacts) == ("committed", 3, 3, 0, 0, 0)
    assert Contact.objects.get(email="grace@globex.io").account.name == "Globex"


def test_conflicting_repeat_of_an_account_is_reported(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        ["name", "domain", "industry"],
        [["Acme", "acme.com", "Software"], ["Acme", "acme.com", "Retail"]],
    )
    run = run_import("accounts", path, now=NOW)
    assert errors(run) == [(3, "domain", "same domain as line 2 with different values")]


def make_contacts(tmp_path, emails=("jane@acme.com", "max@acme.com")):
    rows = [[e, "Acme", "acme.com"] for e in emails]
    path = write_csv(tmp_path / "people.csv", ["email", "account name", "account domain"], rows)
    assert run_import("contacts", path, now=NOW).created == len(emails)


def test_signals_import_is_idempotent_with_or_without_keys(tmp_path):
    make_contacts(tmp_path)
    emails = ["jane@acme.com", "max@acme.com"]
    for keyed in (True, False):
        path = write_csv(
            tmp_path / f"s{keyed}.csv", SIGNAL_HEADER, signal_rows(emails, 40, keyed=keyed)
        )
        assert counts(run_import("signals", path, now=NOW)) == ("committed", 40, 40, 0, 0, 0)
        assert counts(run_import("signals", path, now=NOW)) == ("committed", 40, 0, 0, 40, 0)
    assert Signal.objects.count() == 80
    nps = Signal.objects.filter(source="survey", kind="nps").order_by("key").first()
    assert (nps.value, nps.contact.email, nps.occurred_at) == (
        9.0,
        "jane@acme.com",
        datetime(2026, 1, 1, 9, 0, tzinfo=UTC),
    )
    assert nps.payload == {
        "email": "jane@acme.com",
        "kind": "NPS",
        "occurred_at": "2026-01-01T09:00:00Z",
        "value": "9",
        "source": "survey",
        "key": "r0",
    }
    assert Signal.objects.filter(source="csv").count() == 40  # derived keys, default source


def test_signal_rows_are_validated(tmp_path):
    make_contacts(tmp_path)
    rows = [
        ["jane@acme.com", "nps", "2026-01-02", "9", "", "", "a"],
        ["nobody@acme.com", "nps", "2026-01-02", "9", "", "", "b"],
        ["jane@acme.com", "nps", "2026-01-02", "11", "", "", "c"],
        ["jane@acme.com", "smoke", "2026-01-02", "", "", "", "d"],
        ["jane@acme.com", "csat", "yesterday", "4", "", "", "e"],
        ["jane@acme.com", "nps", "2026-01-02", "", "", "", "f"],
        ["", "renewal", "2026-01-02", "", "", "", "g"],
    ]
    path = write_csv(tmp_path / "s.csv", SIGNAL_HEADER, rows)
    run = run_import("signals", path, now=NOW)
    assert counts(run) == ("committed", 7, 1, 0, 0, 6)
    assert list(run.row_errors.values_list("line", "column", "expected", "found", "message")) == [
        (
            3,
            "email",
            "the email of an imported contact",
            "nobody@acme.com",
            "no contact with this email; import contacts first",
        ),
        (4, "value", "a whole number from 0 to 10", "11", "nps value out of range"),
        (5, "kind", "a signal kind like nps", "smoke", "unknown signal kind"),
        (
            6,
            "occurred_at",
            "a date and time like 2025-01-31T09:00Z",
            "yesterday",
            "not a date and time",
        ),
        (7, "value", "a whole number from 0 to 10", "", "nps needs a value"),
        (8, "email", "an email address", "", "an email or an account is required"),
    ]


def test_scores_off_their_scale_and_dates_out_of_bounds_are_reported_the_good_rows_go_in(
    tmp_path,
):
    """GIVEN a file of signals, some with NPS 9.5 or 1e1, a CSAT of 6, a boolean for a value,
    dates in 1900, 9999 or tomorrow WHEN it is imported THEN each bad row is reported with its
    line, column, what was expected and what was found, and the good rows go in."""
    make_contacts(tmp_path)
    at = "2026-02-01T09:00:00Z"
    rows = [
        ["jane@acme.com", "nps", at, "9", "", "", "ok-nps"],
        ["jane@acme.com", "nps", at, "9.5", "", "", "half"],
        ["jane@acme.com", "nps", at, "1e1", "", "", "exponent"],
        ["jane@acme.com", "nps", at, "10.0", "", "", "decimal-point"],
        ["jane@acme.com", "nps", at, "true", "", "", "boolean"],
        ["jane@acme.com", "csat", at, "6", "", "", "csat-6"],
        ["jane@acme.com", "csat", at, "0", "", "", "csat-0"],
        ["jane@acme.com", "csat", at, "5", "", "", "ok-csat"],
        ["jane@acme.com", "health", at, "72,5", "", "", "ok-health"],
        ["jane@acme.com", "activity", at, "nan", "", "", "nan"],
        ["jane@acme.com", "nps", "1900-01-01", "9", "", "", "1900"],
        ["jane@acme.com", "nps", "9999-12-31T23:59:59-05:00", "9", "", "", "9999"],
        ["jane@acme.com", "nps", "2026-03-02", "9", "", "", "tomorrow"],
        ["jane@acme.com", "nps", "2026-03-01T12:04:59Z", "9", "", "", "ok-now"],
        ["jane@acme.com", "nps", "1900-01-01", "11", "", "", "both"],
    ]
    path = write_csv(tmp_path / "s.csv", SIGNAL_HEADER, rows)
    run = run_import("signals", path, now=NOW)
    assert counts(run) == ("committed", 15, 4, 0, 0, 11)
    assert set(Signal.objects.values_list("key", "value")) == {
        ("ok-nps", 9.0),
        ("ok-csat", 5.0),
        ("ok-health", 72.5),
        ("ok-now", 9.0),
    }
    nps = "a whole number from 0 to 10"
    csat = "a whole number from 1 to 5"
    digits = "a number in digits, like 9 or 8.5"
    when = "a moment from 2000-01-01 to 5 minutes after now"
    old = "before 2000-01-01: older than any signal kept"
    ahead = "in the future (at most 5 minutes ahead of now)"
    assert list(run.row_errors.values_list("line", "column", "expected", "found", "message")) == [
        (3, "value", nps, "9.5", "nps is a whole number, not a fraction"),
        (4, "value", digits, "1e1", "written with an exponent: give the number in digits"),
        (
            5,
            "value",
            nps,
            "10.0",
            "nps is a whole number: written without a decimal point or an exponent",
        ),
        (6, "value", digits, "true", "not a number"),
        (7, "value", csat, "6", "csat value out of range"),
        (8, "value", csat, "0", "csat value out of range"),
        (11, "value", digits, "nan", "not a number"),
        (12, "occurred_at", when, "1900-01-01", old),
        (13, "occurred_at", when, "9999-12-31T23:59:59-05:00", ahead),
        (14, "occurred_at", when, "2026-03-02", ahead),
        (16, "value", nps, "11", "nps value out of range"),
        (16, "occurred_at", when, "1900-01-01", old),
    ]


def test_the_floor_of_signal_dates_is_a_setting(tmp_path, settings):
    settings.SIGNAL_EARLIEST = date(1995, 1, 1)
    make_contacts(tmp_path)
    rows = [
        ["jane@acme.com", "nps", "1996-05-01", "9", "", "", "a"],
        ["jane@acme.com", "nps", "1994-12-31T23:59:59Z", "9", "", "", "b"],
    ]
    run = run_import("signals", write_csv(tmp_path / "s.csv", SIGNAL_HEADER, rows), now=NOW)
    assert counts(run) == ("committed", 2, 1, 0, 0, 1)
    assert list(run.row_errors.values_list("line", "expected", "message")) == [
        (
            3,
            "a moment from 1995-01-01 to 5 minutes after now",
            "before 1995-01-01: older than any signal kept",
        )
    ]


def test_a_preview_reports_the_same_rows(tmp_path):
    make_contacts(tmp_path)
    rows = [
        ["jane@acme.com", "nps", "2026-02-01", "9", "", "", "a"],
        ["jane@acme.com", "nps", "2026-02-01", "9.5", "", "", "b"],
        ["jane@acme.com", "nps", "2027-01-01", "9", "", "", "c"],
    ]
    path = write_csv(tmp_path / "s.csv", SIGNAL_HEADER, rows)
    run = preview_import("signals", path, now=NOW)
    assert counts(run) == ("previewed", 3, 1, 0, 0, 2)
    assert errors(run) == [
        (3, "value", "nps is a whole number, not a fraction"),
        (4, "occurred_at", "in the future (at most 5 minutes ahead of now)"),
    ]
    assert Signal.objects.count() == 0


def test_account_level_signals_by_domain(tmp_path):
    make_contacts(tmp_path)
    path = write_csv(
        tmp_path / "h.csv",
        ["account_domain", "kind", "occurred_at", "value"],
        [
            ["acme.com", "Health", "2026-01-02T00:00:00+01:00", "71"],
            ["x.org", "health", "2026-01-02", "5"],
        ],
    )
    run = run_import("signals", path, now=NOW)
    assert counts(run) == ("committed", 2, 1, 0, 0, 1)
    assert errors(run) == [
        (3, "account_domain", "no account matches this signal; import accounts first")
    ]
    signal = Signal.objects.get()
    assert (signal.kind, signal.contact, signal.occurred_at) == (
        "health_score",
        None,
        datetime(2026, 1, 1, 23, 0, tzinfo=UTC),
    )


def test_missing_required_columns_fail_the_run(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["First Name", "Phone"], [["Ada", "1"]])
    with pytest.raises(ImportFileError) as caught:
        run_import("contacts", path, preset="hubspot", now=NOW)
    assert str(caught.value) == (
        "missing required columns for a contacts import (HubSpot export (contacts or "
        "companies)): expected 'Email'; found columns: First Name, Phone"
    )
    run = ImportRun.objects.get()
    assert (run.status, errors(run)) == ("failed", [(0, "", str(caught.value))])


def test_stored_errors_are_capped_but_all_counted(tmp_path, settings):
    settings.IMPORT_MAX_STORED_ERRORS = 100
    settings.IMPORT_CHUNK_SIZE = 100
    rows = [[f"bad{i}", "Acme"] for i in range(250)]
    path = write_csv(tmp_path / "a.csv", ["email", "account name"], rows)
    run = run_import("contacts", path, now=NOW)
    assert (run.rejected, ImportRowError.objects.filter(run=run).count()) == (250, 100)


def test_errors_csv_neutralises_formulas(tmp_path):
    rows = [
        ['=HYPERLINK("http://x")', "Acme"],
        ["+1", "Acme"],
        ["-2", "Acme"],
        ["@SUM(A1)", "Acme"],
    ]
    path = write_csv(tmp_path / "a.csv", ["email", "account name"], rows)
    run = run_import("contacts", path, now=NOW)
    out = io.StringIO()
    write_errors_csv(run, out)
    assert out.getvalue().splitlines() == [
        "line,column,expected,found,message",
        '2,email,an email address,"\'=HYPERLINK(""http://x"")",not a valid email address',
        "3,email,an email address,'+1,not a valid email address",
        "4,email,an email address,'-2,not a valid email address",
        "5,email,an email address,'@SUM(A1),not a valid email address",
    ]


def test_more_cells_than_header_is_reported(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("email,account name\r\njane@acme.com,Acme,Inc\r\n")
    run = run_import("contacts", path, now=NOW)
    assert list(run.row_errors.values_list("line", "expected", "found")) == [
        (2, "2 cells, like the header", "3 cells")
    ]


def test_import_query_count_does_not_grow_with_rows(tmp_path, django_assert_max_num_queries):
    make_contacts(tmp_path, [f"p{i}@acme.com" for i in range(50)])
    emails = [f"p{i}@acme.com" for i in range(50)]
    small = write_csv(tmp_path / "s.csv", SIGNAL_HEADER, signal_rows(emails, 10))
    large = write_csv(tmp_path / "l.csv", SIGNAL_HEADER, signal_rows(emails, 2000))
    with django_assert_max_num_queries(20) as small_queries:
        run_import("signals", small, now=NOW)
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        run_import("signals", large, now=NOW)


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ",")]
)
def test_exports_in_any_encoding_import_the_same(tmp_path, encoding, delimiter):
    rows = [["zoe@acme.com", "Zoë", "Müller", "Directeur général", "Acme"]]
    header = ["email", "first_name", "last_name", "title", "account_name"]
    path = write_csv(tmp_path / "a.csv", header, rows, encoding=encoding, delimiter=delimiter)
    run = run_import("contacts", path, now=NOW)
    assert (run.encoding, run.delimiter, run.created) == (encoding, delimiter, 1)
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name, contact.title) == (
        "Zoë",
        "Müller",
        "Directeur général",
    )
