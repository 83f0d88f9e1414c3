"""Every setting lives here, read from the environment (see .env.example).

Defaults are for a single machine with no services: SQLite, a filesystem Celery broker and mail
printed to the console. Production tightens security in production.py; secrets never have a default.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.broker import broker_transport_options
from config.env import BASE_DIR, env
from config.sso import sso_settings

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Where uploaded files, the SQLite file and the local broker's folders live by default.
VAR_DIR = Path(env("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "csp",  # django-csp: its system checks (the policy itself is CONTENT_SECURITY_POLICY below)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_cas_ng",  # CAS sign-in (accounts.sso.cas): its ticket tables, used only when configured
    "rest_framework",  # the REST API (responsibility.api)
    "drf_spectacular",  # its OpenAPI 3 schema
    "drf_spectacular_sidecar",  # the documentation page's scripts and styles, from our static files
    "accounts",
    "responsibility",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Appends every API call to its log after the answer, timing the whole request (responsibility.api).
    "responsibility.api.calls.ApiCallLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files carry only WhiteNoise's caching headers (README, "Browser policy").
    "csp.middleware.CSPMiddleware",
    "config.middleware.BrowserPolicyMiddleware",
    # Refuses a request body larger than REQUEST_BODY_MAX_BYTES before anything below reads it (413).
    "config.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Per-address limits of the views that declare one (core.ratelimit), before CSRF reads a POST's body.
    "core.ratelimit.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An API client's account (responsibility.api) never holds a page session.
    "accounts.security.middleware.MachineAccountSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The second factor before anything else (accounts.two_factor), then a forced password change.
    "accounts.two_factor.middleware.SecondFactorMiddleware",
    "accounts.security.middleware.PasswordMustChangeMiddleware",
    "accounts.org_tree.OrgTreeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Below messages: a session idle for SESSION_IDLE_MINUTES ends with a message (accounts.sessions).
    "accounts.sessions.SessionIdleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page (accounts.security.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",  # CSP_NONCE, for <script nonce="{{ CSP_NONCE }}">
                "accounts.sessions.idle_session",  # the idle-session warning's timings
                "responsibility.home.context_processors.navigation",
                "responsibility.home.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite file by default; PostgreSQL (production, CI) from DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions make concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling mode (docs/scale-out.md): a server-side cursor opened outside a
# transaction (.iterator() on PostgreSQL) could be read from another server connection, so turn them off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DJANGO_DB_DISABLE_SERVER_SIDE_CURSORS", default=False
)
# The cache holds the per-address request counts (core.ratelimit). In each process by default; set
# DJANGO_CACHE_URL to Redis in production (docker compose does) so that all web processes count together.
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://")}
# Totals over many rows kept under the version of the data they count (core.caching): a changed ledger
# is never served stale; this only bounds how long an unused entry stays.
FIGURES_CACHE_SECONDS = env.int("DJANGO_FIGURES_CACHE_SECONDS", default=600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in attempt while the account or the address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # A one-time code handed over by the security administrator (accounts.security.resets).
    "accounts.security.resets.ResetCodeBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Single sign-on (config/sso.py, README "Single sign-on"): LDAP and OpenID Connect, each only when
# configured, right after the local passwords, which DJANGO_LOCAL_LOGIN may then keep for some roles only.
# Adds AUTH_LDAP_* (django-auth-ldap), OIDC_* (mozilla-django-oidc) and SSO_* settings.
globals().update(sso_settings(env, backends=AUTHENTICATION_BACKENDS))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "responsibility:todo"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (django-axes; accounts.security.lockout): wrong passwords at sign-in, at the administration
# sign-in, when confirming a signature and when changing the password all count. An account is locked
# after LOCKOUT_ACCOUNT_FAILURES failures from anywhere; an address after LOCKOUT_ADDRESS_FAILURES
# failures on any accounts (higher: an office's computers often share one address). Both for
# LOCKOUT_MINUTES, unless a security administrator lifts the lock sooner.
LOCKOUT_ACCOUNT_FAILURES = env.int("DJANGO_LOCKOUT_ACCOUNT_FAILURES", default=5)
LOCKOUT_ADDRESS_FAILURES = env.int("DJANGO_LOCKOUT_ADDRESS_FAILURES", default=30)
LOCKOUT_MINUTES = env.int("DJANGO_LOCKOUT_MINUTES", default=15)
AXES_HANDLER = "accounts.security.lockout.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "accounts.security.lockout.lockout_account_limit"
AXES_COOLOFF_TIME = timedelta(minutes=LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.security.lockout.lockout_client_ip"
AXES_VERBOSE = False
# Password resets: a link lives this long; requests are refused beyond these counts (per address per
# 15 minutes, per account name or email per hour). A one-time code handed over in person lives a day.
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_MINUTES", default=60) * 60
RESET_REQUESTS_PER_ADDRESS = 5
RESET_REQUESTS_PER_ACCOUNT = 3
RESET_CODE_HOURS = 24

# Two-step sign-in (accounts.two_factor; django-otp): holders of these roles must set up an authenticator
# app before anything else; everyone else may. Wrong codes count towards the lockout above, which is why
# django-otp's own back-off is off (one rule for failures, not two that disagree).
TWO_FACTOR_REQUIRED_ROLES = [
    role.strip()
    for role in env.list(
        "DJANGO_TWO_FACTOR_REQUIRED_ROLES",
        default=[
            "office_admin",
            "security_admin",
            "audit_admin",
            "inspection_team",
            "inspection_head",
            "party_group",
        ],
    )
    if role.strip()
]
OTP_TOTP_ISSUER = "党风廉政建设责任书"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# A signed-in session with no request for this long ends (accounts.sessions); the page warns 2 minutes
# before and offers to stay signed in.
SESSION_IDLE_MINUTES = env.int("DJANGO_SESSION_IDLE_MINUTES", default=30)

# django-guardian: no anonymous user row; object permissions only for real accounts.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Files: local folders by default; S3-compatible object storage (django-storages) by configuration.
if env("DJANGO_STORAGE", default="local") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DJANGO_S3_BUCKET"),
            "endpoint_url": env("DJANGO_S3_ENDPOINT_URL", default=None),
            "region_name": env("DJANGO_S3_REGION", default=None),
            "access_key": env("DJANGO_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("DJANGO_S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Letter PDFs. The organisation's seal (a PKCS#12 file with key and certificate chain) signs every
# PDF; `manage.py create_seal_certificate` makes a self-signed one for development.
SEAL_PKCS12_FILE = Path(
    env("DJANGO_SEAL_PKCS12_FILE", default=str(VAR_DIR / "seal" / "organisation-seal.p12"))
)
SEAL_PKCS12_PASSWORD = env("DJANGO_SEAL_PKCS12_PASSWORD", default="")
SEAL_TIMESTAMP_URL = env("DJANGO_SEAL_TIMESTAMP_URL", default="")  # RFC 3161 server, optional
# Its certificates (PEM files, comma-separated): embedded with the seal (PAdES B-LTA) and trusted when the
# seal's timestamps are checked.
SEAL_TIMESTAMP_CERTIFICATES = env.list("DJANGO_SEAL_TIMESTAMP_CERTIFICATES", default=[])
# Chain anchors (链头存证, ADR 0011): the RFC 3161 service that timestamps them (by default the seal's), the
# certificates of the authorities trusted to have signed them (PEM files, comma-separated), and how old the
# last anchor may grow before the integrity check reports it (the beat task anchors daily).
ANCHOR_TIMESTAMP_URL = env("DJANGO_ANCHOR_TIMESTAMP_URL", default=SEAL_TIMESTAMP_URL)
ANCHOR_TIMESTAMP_CERTIFICATES = env.list(
    "DJANGO_ANCHOR_TIMESTAMP_CERTIFICATES", default=SEAL_TIMESTAMP_CERTIFICATES
)
ANCHOR_MAX_AGE = timedelta(hours=env.int("DJANGO_ANCHOR_MAX_AGE_HOURS", default=48))
# Extra PEM certificates trusted when verifying seals (for example the CA of a previous seal).
SEAL_TRUST_ROOTS_FILE = env("DJANGO_SEAL_TRUST_ROOTS_FILE", default="")
# Font stacks: the official faces where the deployment has them, then the free CJK fonts set-up installs
# (the body's 仿宋 is FandolFang, from scripts/install-fang-font; Noto Serif CJK SC draws the characters
# FandolFang lacks, such as 镕 喆 堃 珺 玥).
PDF_FONT_BODY = env(
    "DJANGO_PDF_FONT_BODY",
    default='"仿宋_GB2312", "FangSong_GB2312", "FandolFang", "Noto Serif CJK SC", serif',
)
PDF_FONT_TITLE = env(
    "DJANGO_PDF_FONT_TITLE", default='"方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", serif'
)
PDF_FONT_SIGNATURE = env("DJANGO_PDF_FONT_SIGNATURE", default='"LXGW WenKai", "Noto Serif CJK SC", serif')
# GB/T 9704 7.5: page numbers in 4号 half-width 宋体 Arabic numerals.
PDF_FONT_PAGE_NUMBER = env("DJANGO_PDF_FONT_PAGE_NUMBER", default='"Noto Serif CJK SC", serif')
# Absolute address of the site, printed in the PDF's QR code (the verification page).
SITE_URL = env("DJANGO_SITE_URL", default="http://127.0.0.1:8000")

# Uploads (organisation spreadsheets, signature drawings) are small; refuse anything larger early.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Evidence files (inspection results, findings, rectifications): the largest file accepted.
EVIDENCE_MAX_BYTES = env.int("DJANGO_EVIDENCE_MAX_MB", default=20) * 1024 * 1024
# An organisation workbook (.xlsx, a zip) is refused before it is parsed if its parts would inflate
# beyond this in all, or if any large part is packed more tightly than this ratio (a "zip bomb").
ORG_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("DJANGO_ORG_IMPORT_MAX_UNCOMPRESSED_MB", default=50) * 1024 * 1024
ORG_IMPORT_MAX_COMPRESSION_RATIO = env.int("DJANGO_ORG_IMPORT_MAX_COMPRESSION_RATIO", default=100)

# The public verification page (README, "The public verification page"). A file is refused from its raw
# bytes when it is larger, or has more revisions or objects, than these (a sealed letter: 60-250 KB, two
# revisions, about 50 objects); the seal of a file that passes is checked in a child process, stopped
# after VERIFY_TIMEOUT_SECONDS or beyond VERIFY_MEMORY_BYTES. Per client address and minute: at most
# VERIFY_CHECKS_PER_MINUTE forms sent to the page (a file, or a typed code) and VERIFY_LOOKUPS_PER_MINUTE
# verification-code pages.
VERIFY_MAX_BYTES = env.int("DJANGO_VERIFY_MAX_MB", default=5) * 1024 * 1024
VERIFY_MAX_REVISIONS = env.int("DJANGO_VERIFY_MAX_REVISIONS", default=8)
VERIFY_MAX_OBJECTS = env.int("DJANGO_VERIFY_MAX_OBJECTS", default=10_000)
VERIFY_TIMEOUT_SECONDS = env.float("DJANGO_VERIFY_TIMEOUT_SECONDS", default=3.0)
VERIFY_MEMORY_BYTES = env.int("DJANGO_VERIFY_MEMORY_MB", default=256) * 1024 * 1024
VERIFY_CHECKS_PER_MINUTE = env.int("DJANGO_VERIFY_CHECKS_PER_MINUTE", default=10)
VERIFY_LOOKUPS_PER_MINUTE = env.int("DJANGO_VERIFY_LOOKUPS_PER_MINUTE", default=30)
# Every request body (config.middleware.RequestBodyLimitMiddleware) is refused with 413, before anything
# reads it, beyond the largest upload the site accepts: ten evidence files at once
# (responsibility.evidence.rules.MAX_FILES_PER_UPLOAD) plus 1 MB for the form around them. A view may
# declare less (core.http.request_body_max): the public verification page takes VERIFY_MAX_BYTES + 1 MB.
# DATA_UPLOAD_MAX_MEMORY_SIZE above does not: Django leaves the file parts out of that count.
REQUEST_BODY_MAX_BYTES = (
    env.int("DJANGO_REQUEST_BODY_MAX_MB", default=10 * EVIDENCE_MAX_BYTES // 2**20 + 1) * 2**20
)
VERIFY_REQUEST_MAX_BYTES = VERIFY_MAX_BYTES + 2**20
# No uploaded file is kept (in memory or spooled to disk) past the largest file the site accepts: an
# evidence file, a PDF to verify, an organisation workbook (5 MB). See core.uploads.
UPLOAD_FILE_MAX_BYTES = max(EVIDENCE_MAX_BYTES, VERIFY_MAX_BYTES, 5 * 2**20)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.FileSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp; README, "Browser policy"). Scripts and stylesheets come only from
# our own static files, and every <script> tag carries the response's nonce (nonce="{{ CSP_NONCE }}"):
# no inline script, event-handler attribute (onsubmit=…) or style attribute runs, so injected markup
# cannot either. img-src allows data: for the drawn signatures shown on a letter. Django 5.2's admin
# has no inline script or style on the pages this project uses, so it needs no relaxation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],  # the status polls of PDFs and batch prints
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        # Extra origins a form may post to or be redirected to, e.g. a single sign-on server.
        "form-action": [SELF, *env.list("DJANGO_CSP_FORM_ACTION", default=[])],
        # Where browsers report what the policy blocked (optional; None leaves the directive out).
        "report-uri": env("DJANGO_CSP_REPORT_URI", default="") or None,
    },
}

# Calls each API client may make (DRF's rate syntax), counted per client on the cache above.
API_RATE_LIMIT = env("DJANGO_API_RATE_LIMIT", default="600/min")
# The REST API (responsibility.api, README "REST API"): clients' tokens only (no page session), JSON only,
# cursor pages, one error shape, a rate limit per client on the cache above.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["responsibility.api.authentication.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["responsibility.api.permissions.ClientScopeRequired"],
    "DEFAULT_THROTTLE_CLASSES": ["responsibility.api.throttling.ClientRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "responsibility.api.pagination.SignedCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "responsibility.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "党风廉政建设责任制管理系统数据接口",
    "DESCRIPTION": (
        "机关办公系统、人事系统等通过接口客户端读取责任书、监督检查问题及整改、一岗双责履责进度和考核结果。"
        "客户端由系统管理员创建，令牌只显示一次；能读哪些对象由安全管理员授予客户端账户的角色决定，"
        "权限范围（scope）只会进一步收窄。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "responsibility.api.schema.refusals_add",
    ],
    # Each "status" its own named enum in the schema (they would otherwise collide by field name).
    "ENUM_NAME_OVERRIDES": {
        "LetterStatusEnum": "responsibility.letters.models.letters.LetterStatus",
        "CampaignStatusEnum": "responsibility.letters.models.letters.CampaignStatus",
        "RectificationStatusEnum": "responsibility.supervision.models.problems.RectificationStatus",
        "MeasureStatusEnum": "responsibility.supervision.models.problems.MeasureStatus",
        "AssignmentStatusEnum": "responsibility.duties.models.AssignmentStatus",
    },
}

# Email: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
# Seconds each blocking step of a send (connecting, each SMTP command, the message's data) may take before
# it fails. Django's default is none: a stalled mail server would hold a reminder's claim for ever, and
# REMINDERS_CLAIM_TIMEOUT below could not tell a slow send from a dead worker.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="responsibility-letters@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production (CELERY_BROKER_URL); otherwise kombu's filesystem transport,
# which needs no server and is enough for one machine (config/broker.py: each one's options).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL, var_dir=VAR_DIR)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    # https://crontab.guru/#30_2_*_*_* : every night at 02:30, recompute the letter audit chain.
    "audit-chain-check": {
        "task": "responsibility.tasks.audit_chain_check",
        "schedule": crontab(minute=30, hour=2),
    },
    # https://crontab.guru/#15_2_*_*_* : every night at 02:15, anchor every audit chain (then mailed to the
    # audit administrators), before the 02:30 check holds the chains to it.
    "audit-chains-anchor": {
        "task": "responsibility.tasks.audit_chains_anchor",
        "schedule": crontab(minute=15, hour=2),
    },
    # https://crontab.guru/#*/10_*_*_*_* : every 10 minutes, create the reminders that are due and queue
    # them. Idempotent (the ledger is unique per reminder), so a late or repeated run is harmless.
    "reminders-sweep": {
        "task": "responsibility.tasks.reminders_sweep",
        "schedule": crontab(minute="*/10"),
    },
    # Every minute, queue again the work whose task message was lost (core.requeue): a worker killed, a
    # broker restarted without its data. Idempotent, like every task it queues.
    "stuck-work-requeue": {
        "task": "responsibility.tasks.stuck_work_requeue",
        "schedule": crontab(),
    },
    # https://crontab.guru/#40_*_*_*_* : every hour at :40, SQLite's query planner statistics (core.dbstats).
    "database-statistics-refresh": {
        "task": "responsibility.tasks.database_statistics_refresh",
        "schedule": crontab(minute=40),
    },
    # https://crontab.guru/#5_0_*_*_* : at 00:05, the problems that became overdue, announced to the webhooks
    # subscribed to that event. Idempotent (an event's id is the problem and its deadline).
    "webhooks-overdue-announce": {
        "task": "responsibility.tasks.webhooks_overdue_announce",
        "schedule": crontab(minute=5, hour=0),
    },
    # https://crontab.guru/#1_0_*_*_* : at 00:01, the whole rectification ledger's counts of the new day
    # (its traffic lights change at midnight), so that its first reader does not wait for them.
    "ledger-counts-refresh": {
        "task": "responsibility.tasks.ledger_counts_refresh",
        "schedule": crontab(minute=1, hour=0),
    },
}
# Work queued this long ago and not done (a sealed PDF still pending, a batch print not started, a reminder
# still waiting, past its retry delay if it has one) lost its task message: it is queued again. Far longer
# than a render or a send (seconds) or a queue's wait in ordinary load; with the beat's minute, nothing waits
# more than 3 minutes after a fault.
STUCK_WORK_AFTER = timedelta(minutes=2)
# A batch print running without progress this long died with its worker. Longer than its slowest silent
# step (storing a province's ZIP); shorter than its task's one-hour limit.
STUCK_BUILD_SILENT_AFTER = timedelta(minutes=10)
# Reminders (docs/adr/0004-reminders.md). A reminder is claimed right before its email is sent; a claim
# silent this long died with its worker, and the reminder is claimed again (queued again by core.requeue).
# Longer than one send can take: at most a dozen blocking steps (connect, greeting, EHLO, STARTTLS, the
# TLS handshake, EHLO, AUTH, MAIL, RCPT, DATA, the message, its reply), each failing after EMAIL_TIMEOUT.
# With the beat's minute, a send cut off by a dead worker is retried within 3 minutes.
REMINDERS_CLAIM_TIMEOUT = timedelta(minutes=2)
# First retry delay after a transient mail failure; it doubles with each failed attempt, up to
# REMINDERS_RETRY_MAX_DELAY: far below Redis's visibility timeout (config/broker.py), since a longer
# countdown would be delivered again and again. A reminder waiting for its retry is not queued again early.
REMINDERS_RETRY_DELAY = timedelta(minutes=1)
REMINDERS_RETRY_MAX_DELAY = timedelta(minutes=30)
# Webhooks (responsibility.webhooks, docs/adr/0020-api-webhooks-channels.md). The signing secrets are kept
# encrypted with this Fernet key (.env.example says how to make one); empty: a key derived from SECRET_KEY
# (changing SECRET_KEY then needs new secrets).
WEBHOOK_SECRET_KEY = env("DJANGO_WEBHOOK_SECRET_KEY", default="")
# Outside production a receiver may be plain http and on loopback or a private network (a test's receiver);
# production settings require https and public addresses only.
WEBHOOK_REQUIRE_HTTPS = False
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
# Each step of a send fails after this long, so a live send never outlasts its claim.
WEBHOOK_CONNECT_TIMEOUT = 5.0
WEBHOOK_READ_TIMEOUT = 10.0
WEBHOOK_CLAIM_TIMEOUT = timedelta(minutes=2)
# After a failed attempt: 1, 2, 4 … minutes, at most 30 (below Redis's visibility timeout), 12 attempts in all
# (about three and a half hours); then the delivery is failed and the office may re-send it.
WEBHOOK_RETRY_DELAY = timedelta(minutes=1)
WEBHOOK_RETRY_MAX_DELAY = timedelta(minutes=30)
WEBHOOK_MAX_ATTEMPTS = 12
# Deliveries queued again at most per minute (a backlog is worked off over a few minutes).
WEBHOOK_REQUEUE_BATCH = 2000
# One send task sends at most this many deliveries of its subscription, starting none after this many
# seconds (far below the task's time limit, even when every attempt waits for its timeouts); the next
# task takes the rest.
WEBHOOK_SEND_BATCH = 200
WEBHOOK_SEND_SECONDS = 60
# Messaging channels (responsibility.reminders.channels, docs/adr/0021-messaging-channels.md): each is on
# when its credentials are set. The base URLs default to the public services; a private deployment (政务微信,
# 专有钉钉) gives its own.
WECOM_BASE_URL = env("DJANGO_WECOM_BASE_URL", default="https://qyapi.weixin.qq.com")
WECOM_CORP_ID = env("DJANGO_WECOM_CORP_ID", default="")
WECOM_AGENT_ID = env("DJANGO_WECOM_AGENT_ID", default="")
WECOM_SECRET = env("DJANGO_WECOM_SECRET", default="")
DINGTALK_BASE_URL = env("DJANGO_DINGTALK_BASE_URL", default="https://oapi.dingtalk.com")
DINGTALK_APP_KEY = env("DJANGO_DINGTALK_APP_KEY", default="")
DINGTALK_APP_SECRET = env("DJANGO_DINGTALK_APP_SECRET", default="")
DINGTALK_AGENT_ID = env("DJANGO_DINGTALK_AGENT_ID", default="")
# The SMS gateway: the full address of its send endpoint, its bearer token, the signature (签名) and the
# template code every reminder's text is sent under.
SMS_GATEWAY_URL = env("DJANGO_SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("DJANGO_SMS_GATEWAY_TOKEN", default="")
SMS_SIGN_NAME = env("DJANGO_SMS_SIGN_NAME", default="")
SMS_TEMPLATE_CODE = env("DJANGO_SMS_TEMPLATE_CODE", default="")
# Each step of a channel's call fails after this long, so a live send never outlasts its claim
# (REMINDERS_CLAIM_TIMEOUT); a rate-limited channel is tried again after CHANNEL_RATE_LIMIT_DELAY at least.
CHANNEL_CONNECT_TIMEOUT = 5.0
CHANNEL_READ_TIMEOUT = 10.0
CHANNEL_RATE_LIMIT_DELAY = timedelta(minutes=1)
# The sealed PDF of a countersigned letter is attached to the email to its parties up to this size;
# a larger one is linked instead (many mail servers refuse messages over 10–25 MB, base64 adds a third).
LETTER_EMAIL_ATTACHMENT_MAX_BYTES = env.int(
    "DJANGO_LETTER_EMAIL_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)
ADMINS = [("Office", email) for email in env.list("DJANGO_ADMINS", default=[])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # Django's own logger prints once (not again through the root) and mails server errors.
    "loggers": {
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        # WeasyPrint logs every layout step of every PDF at INFO ("Step 5 - Creating layout").
        "weasyprint.progress": {"level": "WARNING"},
        # A foreign seal on an uploaded PDF is an answer for the user, not an error of the server.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
        # django-axes logs every sign-in at INFO; the security log already records them.
        "axes": {"level": "WARNING"},
    },
}
