"""Settings of the stand-in CAS server (scripts/cas-server): nothing shared with the project.

serve.py sets CAS_SERVER_DIR (its database) before Django starts.
"""

import os
import secrets
from pathlib import Path

DIRECTORY = Path(os.environ["CAS_SERVER_DIR"])

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",  # django-cas-server registers its models there
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "site_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DIRECTORY / "cas.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # throwaway accounts, fast start
USE_TZ = True
STATIC_URL = "/static/"

# django-cas-server: people are this project's Django accounts; no version check over the network; a
# plain login page of our own (templates/login.html) instead of its Bootstrap one from a CDN.
CAS_AUTH_CLASS = "cas_server.auth.DjangoAuthUser"
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_LOGIN_TEMPLATE = "login.html"
CAS_SHOW_SERVICE_MESSAGES = False
# Its own cookie names: on 127.0.0.1 cookies ignore the port, and the site's own "sessionid" must survive a
# visit to this server in the same browser.
SESSION_COOKIE_NAME = "cas_server_sessionid"
CSRF_COOKIE_NAME = "cas_server_csrftoken"
