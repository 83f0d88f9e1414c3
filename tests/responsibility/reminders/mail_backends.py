"""Mail backends that fail on purpose, for the reminder tests (in-process and in a worker process)."""

import hashlib
import os
import smtplib
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class ScriptedBackend(LocmemBackend):
    """locmem, but the next sends raise the errors queued in `ScriptedBackend.errors` (in order)."""

    errors: list[Exception] = []
    opened = 0

    def open(self):
        ScriptedBackend.opened += 1
        return super().open()

    def send_messages(self, messages):
        if ScriptedBackend.errors:
            raise ScriptedBackend.errors.pop(0)
        return super().send_messages(messages)


def _bucket(message_id: str) -> int:
    return int(hashlib.sha256(message_id.encode()).hexdigest(), 16) % 100


class FlakyFileBackend(FileBackend):
    """Writes each email to a file, except that, decided by its Message-ID:

    - FLAKY_MAIL_PERMANENT_PERCENT % are refused for good (550, as for an unknown mailbox);
    - FLAKY_MAIL_TRANSIENT_PERCENT % fail once with a dropped connection, then go through.
    """

    def send_messages(self, email_messages):
        permanent = int(os.environ.get("FLAKY_MAIL_PERMANENT_PERCENT", "0"))
        transient = int(os.environ.get("FLAKY_MAIL_TRANSIENT_PERCENT", "0"))
        marks = Path(self.file_path) / "failed-once"
        marks.mkdir(exist_ok=True)
        for message in email_messages:
            message_id = message.extra_headers.get("Message-ID", "")
            bucket = _bucket(message_id)
            if bucket < permanent:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"mailbox unavailable")})
            if bucket < permanent + transient:
                mark = marks / hashlib.sha256(message_id.encode()).hexdigest()
                if not mark.exists():
                    mark.touch()
                    raise smtplib.SMTPServerDisconnected("connection dropped (on purpose)")
        return super().send_messages(email_messages)
