"""Settings of the stand-in identity platform (scripts/oidc-provider): nothing shared with the project.

serve.py sets OIDC_PROVIDER_DIR (its database) and OIDC_PROVIDER_URL (its own address) before Django
starts.
"""

import os
import secrets
from pathlib import Path

DIRECTORY = Path(os.environ["OIDC_PROVIDER_DIR"])

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "site_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DIRECTORY / "provider.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # throwaway accounts, fast start
USE_TZ = True
LOGIN_URL = "/login/"

# django-oidc-provider: the issuer is SITE_URL + "/openid"; claims come from `userinfo` below.
SITE_URL = os.environ["OIDC_PROVIDER_URL"]
OIDC_USERINFO = "site_urls.userinfo"
OIDC_IDTOKEN_EXPIRE = 10 * 60
# Its own cookie names: on 127.0.0.1 cookies ignore the port, and the site's own "sessionid" (which keeps
# the sign-in's state) must survive a visit to this provider in the same browser.
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"
