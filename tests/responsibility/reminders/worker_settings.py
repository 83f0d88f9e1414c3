"""Settings of the worker process the reminder fault test starts: the test settings, plus a mail
backend that writes files and fails some sends, and short timeouts so recovery happens in seconds."""

import os
from datetime import timedelta

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.responsibility.reminders.mail_backends.FlakyFileBackend"
EMAIL_FILE_PATH = os.environ["REMINDER_TEST_MAIL_DIR"]
REMINDERS_CLAIM_TIMEOUT = timedelta(seconds=3)
REMINDERS_REQUEUE_AFTER = timedelta(seconds=5)
REMINDERS_RETRY_DELAY = timedelta(seconds=1)
