"""Confirming a signature with the directory password: a person who signs in through the directory and
has no password here can still sign; a wrong directory password is counted for lockout like any other."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from accounts.security.lockout import LockedOut, password_confirm
from accounts.security.models import SecurityEvent, SecurityEventKind
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("sso")]

DIRECTORY_PASSWORD = "Directory-Pass-1"  # uid=zhangsan, employeeNumber E1001 (people.ldif)


@pytest.fixture
def zhangsan(db):
    user = UserFactory(username="E1001", full_name="张三")
    user.set_unusable_password()
    user.save()
    return user


def _request(user):
    request = RequestFactory().post("/", REMOTE_ADDR="10.20.30.40")
    request.user = user
    request.session = SessionStore()
    return request


def test_the_directory_password_confirms_a_signature(ldap_configured, zhangsan):
    assert password_confirm(request=_request(zhangsan), user=zhangsan, password=DIRECTORY_PASSWORD) is True


def test_a_wrong_directory_password_is_refused_and_counted(ldap_configured, zhangsan, settings):
    settings.LOCKOUT_ACCOUNT_FAILURES = 2

    first = password_confirm(request=_request(zhangsan), user=zhangsan, password="wrong")

    assert first is False
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CONFIRM_FAILED, subject=zhangsan).count()
        == 1
    )
    with pytest.raises(LockedOut):
        password_confirm(request=_request(zhangsan), user=zhangsan, password="wrong again")
    with pytest.raises(LockedOut):  # locked: even the right password is not checked now
        password_confirm(request=_request(zhangsan), user=zhangsan, password=DIRECTORY_PASSWORD)


def test_without_the_directory_only_the_password_kept_here_counts(zhangsan):
    assert password_confirm(request=_request(zhangsan), user=zhangsan, password=DIRECTORY_PASSWORD) is False
