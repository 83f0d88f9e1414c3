"""One machine, no services: the README's run command uses these settings."""

import os

# Development only: a fixed key so `manage.py` works out of the box. production.py has no default.
os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-key-not-for-production")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import VAR_DIR  # noqa: E402

EMAIL_FILE_PATH = VAR_DIR / "mail"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
