"""Settings of the throughput benchmark's gunicorn: production's, on a bench database, over plain HTTP.

Everything comes from config/settings/base.py as in production (DEBUG off, Django's cached template
loader, persistent database connections, the cache from DJANGO_CACHE_URL, the second factor required of
the roles that need it, idle sessions ending after 30 minutes) except what production.py adds for a
public HTTPS site (HTTPS redirect, secure cookies, HSTS: gunicorn here answers plain HTTP on loopback),
a bench-only secret key, and static files served by name (production's manifest storage would need
collectstatic first; the pages link the same files). The benchmark process uses this module too, so the
sessions it creates are signed with the same key.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "0123456789" * 4)
os.environ.setdefault("DJANGO_VAR_DIR", "/tmp/letters-bench/throughput/var")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import STORAGES, VAR_DIR  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
