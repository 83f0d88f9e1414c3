"""One machine, no services: the README's run command uses these settings."""

import os

# Development only: a fixed key so `manage.py` works out of the box. production.py has no default.
os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-key-not-for-production")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
# The demo: two-step sign-in is offered to everyone but required of nobody, so every demo account opens
# with its password alone (README, "Two-factor sign-in"). A value in the environment or in .env (read by
# config.env, imported first for that reason) still wins: DJANGO_TWO_FACTOR_REQUIRED_ROLES=party_group.
import config.env  # noqa: E402,F401

os.environ.setdefault("DJANGO_TWO_FACTOR_REQUIRED_ROLES", "")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import VAR_DIR  # noqa: E402

EMAIL_FILE_PATH = VAR_DIR / "mail"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
