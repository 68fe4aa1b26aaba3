"""Django settings, every value read from an ADVOCACY_* environment variable.

The defaults make a working single-machine install: SQLite in ADVOCACY_DATA_DIR, debug off,
loopback only. docs/settings.md lists every variable; .env.example shows them all.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from advocacy.core.env import (
    SettingError,
    env_bool,
    env_choice,
    env_date,
    env_int,
    env_list,
    env_parsed,
    env_str,
)
from advocacy.core.mailurl import parse_email_url
from advocacy.core.quiet import parse_quiet_hours
from advocacy.core.rates import parse_rate
from advocacy.core.review_sites import DEFAULT_REVIEW_SITES, parse_review_sites

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("ADVOCACY_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()


def _secret_key() -> str:
    """Use ADVOCACY_SECRET_KEY, else a key generated once and kept in the data folder."""
    given = env_str("ADVOCACY_SECRET_KEY", "")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()


def _suppression_key() -> str:
    """The key of the erased people's hashes (advocacy.customers.suppression); never echoed.

    Empty: a key derived from SECRET_KEY, so rotating the secret key would then let erased
    people be imported again (docs/privacy.md).
    """
    given = env_str("ADVOCACY_SUPPRESSION_KEY", "")
    if given and len(given) < 32:
        raise SettingError(
            f"ADVOCACY_SUPPRESSION_KEY: expected at least 32 characters, found {len(given)}"
        )
    return given


SUPPRESSION_KEY = _suppression_key()
DEBUG = env_bool("ADVOCACY_DEBUG", False)
ALLOWED_HOSTS = env_list(
    "ADVOCACY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("ADVOCACY_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ADVOCACY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Magic links in messages to advocates open the portal for this many days.
PORTAL_LINK_DAYS = env_int("ADVOCACY_PORTAL_LINK_DAYS", 14, minimum=1, maximum=90)
# A portal session (opened by a link) ends after this many hours, however busy; and, like every
# session, after ADVOCACY_SESSION_IDLE_MINUTES unused.
PORTAL_SESSION_HOURS = env_int("ADVOCACY_PORTAL_SESSION_HOURS", 8, minimum=1, maximum=72)


def _logo(value: str) -> str:
    """A path on this site (/static/brand.svg) or an http(s) address; empty: no logo."""
    if value and not value.startswith(("/", "https://", "http://")):
        raise ValueError("expected a path starting with / or an http(s):// address")
    return value


# The program as advocates see it in the portal: its name, and its logo.
PROGRAM_NAME = env_str("ADVOCACY_PROGRAM_NAME", "Customer advocates")
PROGRAM_LOGO_URL = env_parsed("ADVOCACY_PROGRAM_LOGO_URL", "", _logo)
PORT = env_int("ADVOCACY_PORT", 8000, minimum=1, maximum=65535)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs page's Swagger UI from its own static files, not a CDN
    "csp",  # the Content-Security-Policy header (advocacy/web/csp.py, docs/security.md)
    "axes",  # counts failed logins and locks the username out (docs/security.md)
    "advocacy.core",
    "advocacy.people",
    "advocacy.customers",
    "advocacy.signals",
    "advocacy.pipeline",
    "advocacy.engine",
    "advocacy.content",
    "advocacy.references",
    "advocacy.referrals",
    "advocacy.metrics",
    "advocacy.rewards",
    "advocacy.recognition",
    "advocacy.messaging",
    "advocacy.integrations.slack",
    "advocacy.integrations.connectors",
    "advocacy.integrations.webhooks",
    "advocacy.privacy",
    "advocacy.workqueue",
    "advocacy.value",
    "advocacy.api",
    "advocacy.demo",
    "advocacy.web",
    "advocacy.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "advocacy.api.middleware.JsonApiErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "advocacy.web.middleware.SessionIdleMiddleware",
    "advocacy.web.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "advocacy.web.access.AccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "advocacy.web.middleware.HtmxLoginRedirectMiddleware",
    # Last, as django-axes requires: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "advocacy.web.access.permissions",
            ],
        },
    },
]

DATABASE_URL = env_str("ADVOCACY_DATABASE_URL", f"sqlite:///{DATA_DIR / 'advocacy.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] in {"django.db.backends.sqlite3", "advocacy.core.sqlite"}:
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on the busy timeout instead of failing on lock upgrade.
    DATABASES["default"]["ENGINE"] = "advocacy.core.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": env_int("ADVOCACY_SQLITE_TIMEOUT", 30, minimum=1),
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
    }
    # Tests run on a private in-memory database per process (pytest-xdist workers included).
    DATABASES["default"]["TEST"] = {"NAME": env_str("ADVOCACY_TEST_SQLITE_NAME", "") or ":memory:"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "ADVOCACY_POSTGRES_JIT", False
):
    # The engine's statements are many correlated subqueries whose cost estimates cross
    # PostgreSQL's JIT threshold, and compiling them costs far more than it saves: 100 contacts
    # took 4.5 s with JIT against 0.2 s without (docs/benchmarks.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling (django-axes, docs/security.md): after this many failed logins in a row a
# username is locked out for the cool-off; a failure older than the cool-off no longer counts
# and a successful login clears the count. `username` locks the name from every address;
# `username+ip` only the name from the address that failed (REMOTE_ADDR: behind a reverse
# proxy every client shares the proxy's address).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before the password
    "django.contrib.auth.backends.ModelBackend",
]
_LOCKOUT_BY = {"username": ["username"], "username+ip": [["username", "ip_address"]]}
AXES_FAILURE_LIMIT = env_int("ADVOCACY_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADVOCACY_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = _LOCKOUT_BY[
    env_choice("ADVOCACY_LOGIN_LOCKOUT_BY", "username", list(_LOCKOUT_BY))
]
AXES_RESET_ON_SUCCESS = True
if AXES_LOCKOUT_PARAMETERS == ["username"]:
    # axes warns when no lockout holds an address. Failures are summed over every address and
    # browser that tried the username, so rotating them gains nothing; holding an address for
    # any username would lock out everyone behind a shared proxy (docs/security.md).
    SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# A lockout lasts the cool-off from the failure that caused it: attempts during it are refused
# without being counted, so it ends on time however often it is tried.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "advocacy.web.views.auth.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept in a table of axes' own

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("ADVOCACY_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Email (docs/settings.md, "Email"): ADVOCACY_EMAIL_URL when set, else the ADVOCACY_SMTP_*.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("ADVOCACY_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = env_int("ADVOCACY_SMTP_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("ADVOCACY_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("ADVOCACY_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ADVOCACY_SMTP_STARTTLS", False)
EMAIL_USE_SSL = False
EMAIL_TIMEOUT = 30  # seconds a connection may hang before the attempt counts as failed
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
if _email_url := env_str("ADVOCACY_EMAIL_URL", ""):
    try:
        globals().update(parse_email_url(_email_url))
    except ValueError as exc:  # the URL itself is never echoed: it may hold a password
        raise SettingError(f"ADVOCACY_EMAIL_URL: {exc}") from None
DEFAULT_FROM_EMAIL = env_str("ADVOCACY_FROM_EMAIL", "advocacy@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How the emails to advocates name the product they use (the program's name is PROGRAM_NAME).
PRODUCT_NAME = env_str("ADVOCACY_PRODUCT_NAME", "our product")
# The outbox (docs/operations.md, "The outbox"): quiet hours in the recipient's time zone,
# messages claimed per batch under a lease, transient failures retried with a doubling wait.
QUIET_HOURS = env_parsed(
    "ADVOCACY_QUIET_HOURS", parse_quiet_hours("20:00-08:00"), parse_quiet_hours
)
OUTBOX_BATCH = env_int("ADVOCACY_OUTBOX_BATCH", 200, minimum=1, maximum=1000)
OUTBOX_CONNECTIONS = env_int("ADVOCACY_OUTBOX_CONNECTIONS", 1, minimum=1, maximum=16)
OUTBOX_LEASE_SECONDS = env_int("ADVOCACY_OUTBOX_LEASE_SECONDS", 600, minimum=5)
OUTBOX_RETRY_SECONDS = env_int("ADVOCACY_OUTBOX_RETRY_SECONDS", 60, minimum=1)
OUTBOX_MAX_ATTEMPTS = env_int("ADVOCACY_OUTBOX_MAX_ATTEMPTS", 8, minimum=1, maximum=30)
# Outgoing webhooks (docs/webhooks.md): how long an endpoint has to answer, the first wait
# before a retry (doubled at each attempt, a day at most) and the attempts before a delivery fails.
WEBHOOK_TIMEOUT_SECONDS = env_int("ADVOCACY_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
WEBHOOK_RETRY_SECONDS = env_int("ADVOCACY_WEBHOOK_RETRY_SECONDS", 60, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("ADVOCACY_WEBHOOK_MAX_ATTEMPTS", 10, minimum=1, maximum=30)
OUTBOX_POLL_SECONDS = env_int("ADVOCACY_OUTBOX_POLL_SECONDS", 5, minimum=1)
# In-product reminders (docs/settings.md, "Product events"): the customer's product reads them
# from GET /api/product-events; with a URL each is also POSTed there, signed with the secret.
PRODUCT_EVENTS_URL = env_str("ADVOCACY_PRODUCT_EVENTS_URL", "")
if PRODUCT_EVENTS_URL and not PRODUCT_EVENTS_URL.startswith(("http://", "https://")):
    raise SettingError("ADVOCACY_PRODUCT_EVENTS_URL: an http:// or https:// URL")
PRODUCT_EVENTS_SECRET = env_str("ADVOCACY_PRODUCT_EVENTS_SECRET", "")
if PRODUCT_EVENTS_URL and not PRODUCT_EVENTS_SECRET:
    raise SettingError("ADVOCACY_PRODUCT_EVENTS_SECRET: needed with ADVOCACY_PRODUCT_EVENTS_URL")
PRODUCT_EVENTS_TIMEOUT = env_int("ADVOCACY_PRODUCT_EVENTS_TIMEOUT", 10, minimum=1, maximum=120)
# Team notices (docs/operations.md, "Team notices"): the team's shared address, where the
# notices addressed to a role's pool (no one person) are emailed; empty: the queue only.
TEAM_EMAIL = env_str("ADVOCACY_TEAM_EMAIL", "")
# Slack for the team (docs/slack.md): the bot's token, the app's signing secret (to check the
# buttons' requests), the program's channel, and the Web API's base URL (a local fake in tests).
SLACK_BOT_TOKEN = env_str("ADVOCACY_SLACK_BOT_TOKEN", "")
SLACK_SIGNING_SECRET = env_str("ADVOCACY_SLACK_SIGNING_SECRET", "")
SLACK_CHANNEL = env_str("ADVOCACY_SLACK_CHANNEL", "")
SLACK_API_URL = env_str("ADVOCACY_SLACK_API_URL", "https://slack.com/api/")
# The mailbox an unsubscribe by email goes to (List-Unsubscribe's mailto:); default: From's.
UNSUBSCRIBE_MAILTO = env_str("ADVOCACY_UNSUBSCRIBE_MAILTO", "")

TASKS = {
    "default": {
        "BACKEND": env_choice(
            "ADVOCACY_TASK_BACKEND",
            "django_tasks_db.DatabaseBackend",
            ["django_tasks_db.DatabaseBackend", "django_tasks.backends.immediate.ImmediateBackend"],
        ),
        "QUEUES": ["default"],
    }
}
# A worker's claim on a task lasts this long unless the worker renews it (every quarter of it,
# while alive); a task whose lease ran out is reclaimed, and after this many attempts failed.
TASK_LEASE_SECONDS = env_int("ADVOCACY_TASK_LEASE_SECONDS", 300, minimum=2)
TASK_MAX_ATTEMPTS = env_int("ADVOCACY_TASK_MAX_ATTEMPTS", 3, minimum=1)

# The playbook folder: plays as YAML files plus policy.yaml (default: the shipped playbook).
PLAYBOOK_DIR = env_str("ADVOCACY_PLAYBOOK_DIR", str(BASE_DIR / "engine" / "playbook"))
# Review sites a review play may name (`site:`), each with its rule on inviting only promoters
# (docs/engine.md, "Review sites").
REVIEW_SITES = env_parsed(
    "ADVOCACY_REVIEW_SITES", parse_review_sites(DEFAULT_REVIEW_SITES), parse_review_sites
)


def _pairs(keys: set[str] | None, values: set[str] | None) -> Callable[[str], dict[str, str]]:
    """Parse `key=value,key=value`; keys and values checked against the sets given."""

    def parse(text: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = (x.strip() for x in item.partition("="))
            if not sep or not key or not value:
                raise ValueError(f"expected key=value pairs separated by commas ({item!r})")
            if keys is not None and key not in keys:
                raise ValueError(f"{key!r} is not one of {', '.join(sorted(keys))}")
            if values is not None and value not in values:
                raise ValueError(f"{value!r} is not one of {', '.join(sorted(values))}")
            out[key] = value
        return out

    return parse


# Pipeline: the role pool owning each stage of an ask (seed 002: CS owns the relationship and
# nomination, marketing the packaging), and escalation of overdue asks (docs/pipeline.md).
_ROLES = {"admin", "cs", "sales", "marketing"}
STAGES = ("relationship", "packaging")
STAGE_ROLES: dict[str, str] = {
    "relationship": "cs",
    "packaging": "marketing",
    **env_parsed("ADVOCACY_STAGE_ROLES", dict[str, str](), _pairs(set(STAGES), _ROLES)),
}
ESCALATION_GRACE_HOURS = env_int("ADVOCACY_ESCALATION_GRACE_HOURS", 24, minimum=0)
ESCALATION_LEADS = env_parsed("ADVOCACY_ESCALATION_LEADS", dict[str, str](), _pairs(_ROLES, None))


# Reference desk: a segment whose fill rate falls under this share raises an alert (seed 002:
# "under 70% fill is a sourcing problem").
def _share(value: str) -> float:
    share = float(value)
    if not 0 <= share <= 1:
        raise ValueError("expected a share between 0 and 1")
    return share


REFERENCE_FILL_ALERT = env_parsed("ADVOCACY_REFERENCE_FILL_ALERT", 0.70, _share)

# Imports: rows are validated and written in chunks of this many; the preview keeps this many
# rejected rows in the database per run (all of them are counted).
IMPORT_CHUNK_SIZE = env_int("ADVOCACY_IMPORT_CHUNK_SIZE", 5000, minimum=100)
IMPORT_MAX_STORED_ERRORS = env_int("ADVOCACY_IMPORT_MAX_STORED_ERRORS", 100_000, minimum=100)
IMPORT_MAX_UPLOAD_MB = env_int("ADVOCACY_IMPORT_MAX_UPLOAD_MB", 200, minimum=1)
# Signals: none is older than this day (UTC); an earlier one is a typo or a placeholder date.
SIGNAL_EARLIEST = env_date(
    "ADVOCACY_SIGNAL_EARLIEST",
    date(2000, 1, 1),
    minimum=date(1970, 1, 1),
    maximum=date(2099, 12, 31),
)
# A file up to this size is imported within the request (web UI, API); a larger one as a job.
IMPORT_INLINE_MAX_BYTES = env_int("ADVOCACY_IMPORT_INLINE_MAX_BYTES", 1_000_000, minimum=0)
# Jobs (long work out of the request): how many one API key may start per window.
JOB_RATE = env_parsed("ADVOCACY_JOB_RATE", parse_rate("10/hour"), parse_rate)
# Content: assets whose consent expires within this many days are flagged for re-permission.
CONTENT_REPERMISSION_DAYS = env_int("ADVOCACY_CONTENT_REPERMISSION_DAYS", 30, minimum=1)
# Rewards (docs/rewards.md): which tier policy ranks advocates, and when a redemption is held
# for review: one person behind this many accounts, or an amount of this many dollars or more.
REWARDS_TIERS = env_choice("ADVOCACY_REWARDS_TIERS", "advocate", ["advocate", "reference"])
# Recognition (docs/recognition.md): the tier, by its code in the tier policy in force, from
# which an advocate is in the champions group and may have the badge; empty: the first tier.
CHAMPIONS_TIER = env_str("ADVOCACY_CHAMPIONS_TIER", "")
REWARDS_REVIEW_ACCOUNTS = env_int("ADVOCACY_REWARDS_REVIEW_ACCOUNTS", 2, minimum=2)
REWARDS_REVIEW_DOLLARS = env_int("ADVOCACY_REWARDS_REVIEW_DOLLARS", 1_000, minimum=1)
# The charities a donation may go to (a YAML list); empty: the packaged list.
REWARDS_CHARITIES = env_str("ADVOCACY_REWARDS_CHARITIES", "")
# Referrals (docs/referrals.md): the bonus policy file (empty: the shipped bonuses.yaml), and
# how many referrals one address may send through the public form per window.
REFERRAL_BONUSES = env_str("ADVOCACY_REFERRAL_BONUSES", "")
REFERRAL_FORM_RATE = env_parsed("ADVOCACY_REFERRAL_FORM_RATE", parse_rate("20/hour"), parse_rate)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Idle timeout (ASVS V3.3.2): a session expires this long after its last request. Django keeps
# the expiry in the session row and the cookie; SessionIdleMiddleware moves it on, saving the
# session with the first request of each minute rather than with every request.
SESSION_COOKIE_AGE = 60 * env_int("ADVOCACY_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ADVOCACY_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (ASVS V14.4.3): scripts, styles, images and fonts from this site only,
# no inline script or style; `data:` images for the API docs page's icons. advocacy/web/csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PROGRAM_LOGO_URL.startswith(("https://", "http://")):
    # The program's logo may live on its own site: images from there, and nothing else.
    _scheme, _, _rest = PROGRAM_LOGO_URL.partition("://")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_scheme}://{_rest.split('/')[0]}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ADVOCACY_LOG_LEVEL", "WARNING")},
}
