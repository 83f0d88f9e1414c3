"""Test settings: a SQLite file unless DATABASE_URL names another database (CI runs both).

The SQLite test database is a file, not memory, so that tests with threads (concurrent signing,
the live server for browser tests) see one database with real locking, as the embedded default does.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")
if "DJANGO_VAR_DIR" not in os.environ:
    os.environ["DJANGO_VAR_DIR"] = tempfile.mkdtemp(prefix="letters-test-")

from config.broker import broker_transport_options  # noqa: E402
from config.settings.base import *  # noqa: E402,F403
from config.settings.base import CELERY_BROKER_URL, DATABASES, STATIC_ROOT, STORAGES, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

# Each parallel test worker (pytest-xdist) has a broker folder of its own: the workers share VAR_DIR, and a
# task message one worker's test queues must not be seen, or purged, by the other's (core.requeue waits
# while the queue holds messages; tests/conftest.py's task_queue_empty purges it).
if CELERY_BROKER_URL == "filesystem://" and "PYTEST_XDIST_WORKER" in os.environ:
    CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(
        CELERY_BROKER_URL, var_dir=VAR_DIR / os.environ["PYTEST_XDIST_WORKER"]
    )

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# The suite signs people in with force_login and moves the clock by days: no second factor is asked and
# no session ends for idleness unless a test says so (tests/accounts/two_factor override both).
TWO_FACTOR_REQUIRED_ROLES = []
SESSION_IDLE_MINUTES = 100 * 365 * 24 * 60
# Many tests post to the verification page from the test client's one address within a minute; the
# rate-limit tests (tests/responsibility/views/test_verification_limits.py) lower these themselves.
VERIFY_CHECKS_PER_MINUTE = 10_000
VERIFY_LOOKUPS_PER_MINUTE = 10_000
