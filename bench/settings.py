"""Benchmark settings: the test settings on a database that outlives the process.

A SQLite file under /tmp by default; DATABASE_URL=postgres://... to measure on PostgreSQL.
"""

import os

os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/letters-bench/db.sqlite3")
os.environ.setdefault("DJANGO_VAR_DIR", "/tmp/letters-bench/var")

from config.settings.test import *  # noqa: E402,F403

# Like production: no debug pages or query log; the Django test client's host name is allowed.
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
