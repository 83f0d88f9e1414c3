"""Settings of the worker processes the fault tests start: the test settings, plus a mail backend that
writes files and fails some sends, and the recovery windows of the fault tests (tests/faults.py,
FAST_RECOVERY: seconds instead of minutes; test_reminders_requeue.py asserts the production figures)."""

import os

from config.settings.test import *  # noqa: F403
from tests.faults import FAST_RECOVERY

EMAIL_BACKEND = "tests.responsibility.reminders.mail_backends.FlakyFileBackend"
EMAIL_FILE_PATH = os.environ["REMINDER_TEST_MAIL_DIR"]
globals().update(FAST_RECOVERY)
