"""Settings of the web and worker processes the scale-out test starts (tests/test_scale_out.py): the test
settings, with every task on that test's own queue and every email written to a file the test reads.

Everything else comes from the environment the test gives all four processes alike: the one database
(DATABASE_URL), the one Redis (CELERY_BROKER_URL, DJANGO_CACHE_URL), one folder of stored files.
"""

import os

from config.settings.test import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["SCALE_OUT_QUEUE"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["SCALE_OUT_MAIL_DIR"]
