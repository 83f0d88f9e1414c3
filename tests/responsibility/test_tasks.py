import pytest
from django.core import mail
from django.db import connection

from responsibility.letters.models.letters import LetterEvent
from responsibility.tasks import audit_chain_check

pytestmark = pytest.mark.django_db


def test_audit_chain_check_passes_on_an_intact_chain(issued_letters, settings):
    settings.ADMINS = [("Office", "office@example.org")]

    assert audit_chain_check() is True
    assert mail.outbox == []


@pytest.mark.skipif("connection.vendor == 'postgresql'", reason="the trigger refuses the tampering itself")
def test_audit_chain_check_mails_the_administrators_when_an_event_was_altered(issued_letters, settings):
    settings.ADMINS = [("Office", "office@example.org")]
    event = LetterEvent.objects.order_by("sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE responsibility_letterevent SET note = 'altered' WHERE id = %s", [event.pk])

    assert audit_chain_check() is False
    assert len(mail.outbox) == 1
    assert f"第 {event.sequence} 条事件" in mail.outbox[0].body
