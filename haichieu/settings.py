"""Settings for Hai Chiều.

One module; every difference between environments comes from environment variables
(healthchecks' habit). Local defaults are safe for a laptop; `HAICHIEU_PRODUCTION=1` turns on the
production checks and refuses to start with an insecure secret key.
"""

import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("HAICHIEU_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("HAICHIEU_PRODUCTION")
DEBUG = env_bool("DEBUG", default=False)


def weak_secret_key(key: str) -> bool:
    """Django's own test of a key (security.W009): short, few distinct characters, or its example."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure")


def installation_secret_key(path: Path) -> str:
    """A random key made once for this installation and kept beside its data (0600): there is no
    default key that every copy of the code shares."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    import secrets

    key = secrets.token_urlsafe(64)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(key)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production "
            "(HAICHIEU_PRODUCTION=1)."
        )
    SECRET_KEY = installation_secret_key(VAR_DIR / "secret_key")
elif weak_secret_key(SECRET_KEY) and not DEBUG:
    raise ImproperlyConfigured(
        "SECRET_KEY is weak: use a random value of at least 50 characters with many different characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG must be off in production (HAICHIEU_PRODUCTION=1): it shows data in error pages."
    )

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "haichieu.core",
    "haichieu.accounts",
    "haichieu.organizations",
    "haichieu.members",
    "haichieu.liaisons",
    "haichieu.exemptions",
    "haichieu.meetings",
    "haichieu.comments",
    "haichieu.ratings",
    "haichieu.review",
    "haichieu.audit",
    "haichieu.documents",
    "haichieu.care",
    "haichieu.stats",
    "haichieu.api",
    "haichieu.jobs",
    "haichieu.demo",
    # The queue of background work (django-tasks' database backend): `haichieu db_worker` runs it.
    "django_tasks",
    "django_tasks_db",
    # django-ninja's own templates and Swagger UI files, served by the app (no CDN): /api/v1/docs.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "haichieu.core.middleware.MalformedInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "haichieu.core.middleware.RequestContextMiddleware",
    # After the request context (the audit entries of a lockout or an idle sign-out know the address).
    "haichieu.accounts.middleware.StaffIdleTimeoutMiddleware",
    "haichieu.accounts.middleware.TwoFactorMiddleware",
    # Last: turns a sign-in refused for a lockout into the login page that says so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "haichieu.urls"
WSGI_APPLICATION = "haichieu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haichieu.access.context_processors.navigation",
                "haichieu.liaisons.context_processors.inbox",
                "haichieu.core.context_processors.nav_active",
            ],
        },
    },
    # The rows of the long lists (`<app>/jinja2/`), placed by the Django pages: core/jinja.py.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "haichieu.core.jinja.environment",
            "autoescape": True,
        },
    },
]

# Database: embedded SQLite (WAL) by default; PostgreSQL through DATABASE_URL. SQLite gets the same
# options however it is named (DATABASE_URL=sqlite:///… included): WAL, transactions that take the
# write lock when they begin (no "database is locked" half-way through one), a busy timeout.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "haichieu.sqlite3")),
        }
    }
# Reports may read from a replica (issue 14): with DATABASE_REPLICA_URL set, the statistics pages and
# the exports read there (core/replica.py), every write still goes to "default".
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=600, conn_health_checks=True
    )
    # The tests read the replica through the default's test database (no second one to migrate).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["haichieu.core.replica.ReplicaRouter"]
for _alias in DATABASES:
    if DATABASES[_alias]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES[_alias]["CONN_MAX_AGE"] = 0
        DATABASES[_alias]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES[_alias].get("OPTIONS", {})}

# The cache (the API's throttling, issue 14): per process by default; several app servers share one
# through HAICHIEU_REDIS_URL (redis://127.0.0.1:6379/0). Sessions live in the database either way.
REDIS_URL = os.environ.get("HAICHIEU_REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("HAICHIEU_CACHE_PREFIX", "haichieu"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2 first; older hashes (PBKDF2) still check and are rehashed at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Sign-in throttling (django-axes): the backend refuses a locked username or address before the
# password is checked. The limits are HAICHIEU settings, read at each sign-in (accounts/signin.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = "haichieu.accounts.signin.failure_limit"
AXES_COOLOFF_TIME = "haichieu.accounts.signin.cool_off"
AXES_LOCKOUT_PARAMETERS = [
    p.strip()
    for p in os.environ.get("HAICHIEU_LOGIN_LOCKOUT_BY", "username,ip_address").split(",")
    if p.strip()
]
AXES_LOCKOUT_CALLABLE = "haichieu.accounts.views.locked_out"
# A failure during the lock does not lengthen it (else anyone could keep an account locked for ever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Logins and failures are in the audit log already.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Two-factor sign-in (django-otp): the issuer shown in the authenticator app.
OTP_TOTP_ISSUER = os.environ.get("HAICHIEU_OTP_ISSUER", "Hai Chiều")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["haichieu.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Stored files on disk, when a deployment keeps any there (uploads live in the database today);
# `haichieu backup` packs this directory with the database (core/backup.py).
MEDIA_ROOT = os.environ.get("HAICHIEU_MEDIA_ROOT", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Bootstrap comes from the xstatic-bootstrap package, Chart.js and Chartkick.js from the chartkick
# package (its Django static files, served as static/chartkick/, core/charts.py): served by the app,
# never from a CDN.
import chartkick as _chartkick  # noqa: E402
import xstatic.pkg.bootstrap as _xstatic_bootstrap  # noqa: E402

# haichieu/static holds the app's own CSS and JS ("haichieu" itself is not an installed app).
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", _xstatic_bootstrap.BASE_DIR),
    ("chartkick", Path(_chartkick.__file__).parent / "django" / "static" / "chartkick"),
]
WHITENOISE_USE_FINDERS = not PRODUCTION

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "haichieu@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere: every asset is a file the app serves (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap draws its form and menu icons as data: SVG
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # The containers' and the load balancer's health checks ask the app itself over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Rules of Regulation 213-QĐ/TW that may change: settings with the current values as defaults.
HAICHIEU: dict[str, Any] = {
    "MEMBER_PAGE_SIZE": int(os.environ.get("HAICHIEU_MEMBER_PAGE_SIZE", "50")),
    "MAX_PAGE_SIZE": 200,
    # Rows of a drill-down page (the statistics' and the 213 score's children, worst first over all of
    # them; the .xlsx has every child): a committee of the former district level has thousands.
    "DRILLDOWN_PAGE_SIZE": int(os.environ.get("HAICHIEU_DRILLDOWN_PAGE_SIZE", "100")),
    # The API (/api/v1/, haichieu/api): requests per token and period ("120/min", "5000/hour"), and
    # the tokens in force one user may hold.
    "API_RATE": os.environ.get("HAICHIEU_API_RATE", "120/min"),
    "API_TOKENS_PER_USER": int(os.environ.get("HAICHIEU_API_TOKENS_PER_USER", "10")),
    # Sign-in: failures (per username, per address) before a lock of this many minutes.
    "LOGIN_FAILURE_LIMIT": int(os.environ.get("HAICHIEU_LOGIN_FAILURE_LIMIT", "5")),
    "LOGIN_COOL_OFF_MINUTES": int(os.environ.get("HAICHIEU_LOGIN_COOL_OFF_MINUTES", "30")),
    # Staff (a manage role, or the superuser) idle this long are signed out.
    "STAFF_IDLE_MINUTES": int(os.environ.get("HAICHIEU_STAFF_IDLE_MINUTES", "30")),
    # Two-factor sign-in required for the province's organisation department and the superusers.
    "TWO_FACTOR_REQUIRED": env_bool("HAICHIEU_TWO_FACTOR_REQUIRED", default=True),
    # What one Excel upload may cost (issue 9, finding 5): members/imports/reader.py, views_import.py.
    "IMPORT_MAX_UNPACKED_BYTES": int(os.environ.get("HAICHIEU_IMPORT_MAX_UNPACKED_MB", "100")) * 1024 * 1024,
    "IMPORT_MAX_CELL_CHARS": int(os.environ.get("HAICHIEU_IMPORT_MAX_CELL_CHARS", "1000")),
    "IMPORT_MAX_PENDING": int(os.environ.get("HAICHIEU_IMPORT_MAX_PENDING", "3")),
    # Where uploaded lists wait between preview and confirmation (members/views_import.py): default
    # VAR_DIR/imports; several app servers share one directory (issue 14, docs/deploy.md).
    "IMPORT_DIR": os.environ.get("HAICHIEU_IMPORT_DIR", ""),
    # /healthz (core/health.py): a newest heartbeat older than WORKER_HEARTBEAT_MAX_AGE is "stale"
    # (503); with HAICHIEU_WORKER_REQUIRED=1 a worker that never beat is "missing" (503), else
    # "not configured".
    "WORKER_REQUIRED": env_bool("HAICHIEU_WORKER_REQUIRED"),
    # Card numbers/national IDs held outside a user's sight, per user and day, before the member form
    # and the import stop answering (issue 9, finding 2): members/collisions.py.
    "COLLISION_LIMIT_PER_DAY": int(os.environ.get("HAICHIEU_COLLISION_LIMIT_PER_DAY", "20")),
    # A province's Word template (haichieu/documents): the file, and what it may unpack to.
    # The scan of a member's application for an exemption (PDF, JPEG or PNG): exemptions/scans.py.
    "EXEMPTION_SCAN_MAX_BYTES": int(os.environ.get("HAICHIEU_EXEMPTION_SCAN_MAX_KB", "2048")) * 1024,
    "TEMPLATE_MAX_BYTES": int(os.environ.get("HAICHIEU_TEMPLATE_MAX_KB", "2048")) * 1024,
    "TEMPLATE_MAX_UNPACKED_BYTES": int(os.environ.get("HAICHIEU_TEMPLATE_MAX_UNPACKED_MB", "20"))
    * 1024
    * 1024,
    # Background work (haichieu/jobs): work above these sizes runs in the worker, with a progress
    # page; smaller work stays in the request. A members import confirmed with more rows than
    # JOB_IMPORT_ROWS; a member list .xlsx of more than JOB_EXPORT_ROWS members; the yearly comment
    # round of an organisation with more than JOB_ROUND_MEMBERS members; a batch of more than
    # JOB_LETTERS introduction letters in one .docx (a page each); a tracking book .docx of more than
    # JOB_BOOK_ROWS links. A job's result file stays
    # downloadable JOB_RESULT_HOURS. The worker is alive when its heartbeat is younger than
    # WORKER_HEARTBEAT_MAX_AGE seconds (core/worker.py, read by /healthz).
    "JOB_IMPORT_ROWS": int(os.environ.get("HAICHIEU_JOB_IMPORT_ROWS", "2000")),
    "JOB_EXPORT_ROWS": int(os.environ.get("HAICHIEU_JOB_EXPORT_ROWS", "5000")),
    "JOB_ROUND_MEMBERS": int(os.environ.get("HAICHIEU_JOB_ROUND_MEMBERS", "5000")),
    "JOB_LETTERS": int(os.environ.get("HAICHIEU_JOB_LETTERS", "200")),
    "JOB_BOOK_ROWS": int(os.environ.get("HAICHIEU_JOB_BOOK_ROWS", "1000")),
    "JOB_RESULT_HOURS": int(os.environ.get("HAICHIEU_JOB_RESULT_HOURS", "72")),
    "WORKER_HEARTBEAT_SECONDS": int(os.environ.get("HAICHIEU_WORKER_HEARTBEAT_SECONDS", "15")),
    "WORKER_HEARTBEAT_MAX_AGE": int(os.environ.get("HAICHIEU_WORKER_HEARTBEAT_MAX_AGE", "90")),
    # The commands the worker runs once a day, at a local time (jobs/schedule.py); "{}" turns the
    # schedule off where cron or systemd timers run them.
    "WORKER_SCHEDULE": json.loads(
        os.environ.get(
            "HAICHIEU_WORKER_SCHEDULE_JSON", '{"send_reminders": "06:00", "refresh_statistics": "02:00"}'
        )
    ),
}

# Background work: django-tasks with its database backend (django-tasks-db). The request enqueues a
# row; `haichieu db_worker` (a service of the deployment) runs it. HAICHIEU_TASKS_IMMEDIATE=1 runs
# each task in the request instead (no worker: a demo on one machine); the tests use the database
# backend and run the worker in-process (haichieu/jobs/tests).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("HAICHIEU_TASKS_IMMEDIATE", default=False)
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# Regulation 213-QĐ/TW (due to be replaced, Kết luận 229-KL/TW): its deadlines and categories are
# settings. HAICHIEU_RULES_JSON may override any of them, e.g. '{"RECEIVE_WITHIN_DAYS": 10}'.
# Every key has an entry in liaisons/rulebook.py (label, source, national or this deployment's own),
# which the rules page (/lien-he/quy-dinh/) lists; a test fails on a key without one.
HAICHIEU["RULES"] = {
    # A newly admitted member is introduced within this many days (QĐ 213 Art. 3: "hằng tháng"; the
    # number of days is this deployment's own).
    "INTRODUCE_WITHIN_DAYS": 30,
    # The commune/ward committee receives (or returns) an introduction within this many days (not in
    # the texts: this deployment's own).
    "RECEIVE_WITHIN_DAYS": 15,
    # Change notices go out as a digest every this many months (QĐ 213 Art. 3: "hằng quý") …
    "DIGEST_EVERY_MONTHS": 3,
    # … at the latest this many days after the period ends (not in the texts: this deployment's own).
    "DIGEST_GRACE_DAYS": 15,
    # Member categories (Member.LiaisonCategory) introduced but excused from residence meetings
    # (HD 33-HD/BTCTW §1.1).
    "EXCUSED_CATEGORIES": ["barracks", "mobile", "rotated", "study", "student"],
    # Member categories not introduced at all (HD 33-HD/BTCTW §1.2).
    "NOT_INTRODUCED_CATEGORIES": ["secret", "standby"],
    # Change kinds (ChangeNotice.Kind) notified to the other side; a kind left out is still recorded
    # (status, link) but sends no notice (liaisons/services.py member_record_event).
    "NOTIFIED_EVENTS": [
        "residence_change",
        "position_change",
        "job_transfer",
        "long_absence",
        "special_duty",
        "expelled",
        "removed",
        "left_party",
        "deceased",
        "new_admission",
        "no_longer_resides",
    ],
    # Document type symbols (HD 36-HD/VPTW): "Số 15-GGT/ĐU".
    "LETTER_SYMBOL": "GGT",
    # The quarterly list of changes goes out as a numbered notice (HD 36-HD/VPTW, thông báo): "Số 3-TB/ĐU".
    "NOTICE_SYMBOL": "TB",
    # Exemption from party work and activities (miễn công tác và sinh hoạt đảng; exemptions/rules.py):
    # the reasons offered (Exemption.Reason) …
    "EXEMPTION_REASONS": ["age_health", "far_work", "treatment", "abroad", "other"],
    # … those the cell itself decides, reporting to the grassroots committee (HD 27-HD/BTCTW §1.1,
    # QĐ 24 §7.1: age and weak health); the grassroots committee decides the others.
    "EXEMPTION_CELL_DECIDES": ["age_health"],
    # What an exemption lifts while in force (exemptions/rules.py LIFTS).
    "EXEMPTION_LIFTS": ["meetings", "tasks", "rating"],
    # Exemptions ending within this many days are listed and reminded (this deployment's own).
    "EXEMPTION_ENDING_WITHIN_DAYS": 30,
    # The residence's comment (issue 12, comments/rules.py): the commune/ward committee confirms the
    # cell's comment before it goes to the workplace (the forms in use carry its confirmation; whether
    # the software waits for it is this deployment's own) …
    "COMMENT_CONFIRM_BY_COMMUNE": True,
    # … and a request not answered is reminded this many days before its deadline, and once overdue
    # (this deployment's own).
    "COMMENT_REMIND_WITHIN_DAYS": 7,
}
# Cell meetings (issue 11): haichieu/meetings/rules.py reads these; like RULES, every key has an entry
# in liaisons/rulebook.py and a line on the rules page.
HAICHIEU["MEETINGS"] = {
    # Meetings a residential cell is expected to hold with its linked members each year (QĐ 213-QĐ/TW
    # Art. 4: the commune committee has its cells meet them "6 tháng một lần hoặc khi cần thiết").
    "EXPECTED_PER_YEAR": 2,
    # A linked member who attended fewer meetings of the year than this (and fewer than they were
    # expected at) is "below the minimum" (meetings/rules.below_minimum): QĐ 213-QĐ/TW Art. 4 has the
    # cell meet them every 6 months, so the deployment asks for both meetings by default.
    "MIN_ATTENDED_PER_YEAR": 2,
    # A member who misses this many meetings in a row is shown as such (the workplace sees it).
    "MISSED_IN_A_ROW_ALERT": 2,
    # The self check-in QR code is made anew this often, and a code is accepted this long after.
    "CHECK_IN_ROTATE_SECONDS": 30,
    "CHECK_IN_VALID_SECONDS": 90,
    # The kinds of task a residential cell may give a linked member: (key, label). The member's duties
    # at the residence are those of QĐ 213-QĐ/TW Art. 2 (HD 33-HD/BTCTW §1.1 keeps its clauses 1, 2,
    # 5, 6, 7 even for members excused from residence meetings); the texts list no kinds of task:
    # these are the deployment's, suited to a member's work and circumstances (seed 002). A key in
    # use stays readable when it leaves the list (shown as it is).
    "TASK_KINDS": [
        ("propaganda", "Tuyên truyền, vận động nhân dân ở tổ dân phố, thôn"),
        ("front_committee", "Tham gia Ban công tác Mặt trận khu dân cư"),
        ("mediation_security", "Tham gia tổ hòa giải, tổ an ninh trật tự cơ sở"),
        ("movements", "Tham gia phong trào, cuộc vận động ở khu dân cư"),
        ("other", "Khác"),
    ],
    # Agenda templates offered on the meeting form: (key, label, text).
    "AGENDA_TEMPLATES": [
        (
            "residential_briefing",
            "Chi bộ nơi cư trú: thông báo tình hình địa phương",
            "1. Thông báo tình hình kinh tế - xã hội, quốc phòng - an ninh của địa phương.\n"
            "2. Thông báo tình hình công tác xây dựng Đảng, hoạt động của chi bộ, tổ dân phố.\n"
            "3. Đảng viên giữ mối liên hệ báo cáo việc thực hiện nhiệm vụ nơi cư trú.\n"
            "4. Ý kiến đóng góp của đảng viên; phân công nhiệm vụ.",
        ),
        (
            "regular",
            "Sinh hoạt thường kỳ",
            "1. Đánh giá tình hình thực hiện nhiệm vụ tháng qua.\n"
            "2. Phương hướng, nhiệm vụ tháng tới.\n"
            "3. Ý kiến của đảng viên.",
        ),
        (
            "thematic",
            "Sinh hoạt chuyên đề",
            "1. Chuyên đề: …\n2. Thảo luận.\n3. Kết luận của chủ trì.",
        ),
    ],
}

# The 213 score of an organisation (issue 13, haichieu/review/score.py): each component's weight, a
# share of the score (0 leaves the component out). A superior may use the score when rating its
# grassroots organisations (QĐ 366-QĐ/TW rates collectives; the texts give no such score: the
# components follow the duties of QĐ 213 Art. 3 and 4, the weights are this deployment's own). Every
# key has an entry in liaisons/rulebook.py and a line on the rules page.
HAICHIEU["REVIEW"] = {
    # Working members introduced to their residence, of those to introduce (QĐ 213 Art. 3).
    "SCORE_COVERAGE": 30,
    # Introductions received or returned by the commune committee within its deadline (Art. 4).
    "SCORE_RECEPTIONS": 15,
    # Lists of changes sent to the residence by their deadline (Art. 3: "hằng quý").
    "SCORE_NOTICES": 15,
    # Comment requests the residential cell answered by their deadline (Art. 4).
    "SCORE_COMMENTS": 20,
    # Linked members' attendance at residential cell meetings (Art. 4: "6 tháng một lần").
    "SCORE_ATTENDANCE": 20,
}

if os.environ.get("HAICHIEU_RULES_JSON"):
    import json

    HAICHIEU["RULES"].update(json.loads(os.environ["HAICHIEU_RULES_JSON"]))
