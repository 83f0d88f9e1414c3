"""Fixtures for sign-in security: the three administrator duties and a plain cadre."""

import pytest

from accounts.models import User
from accounts.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def security_admin(db) -> User:
    return UserFactory(username="anquan", full_name="安全管理员甲", roles=[Role.SECURITY_ADMIN])


@pytest.fixture
def other_security_admin(db) -> User:
    return UserFactory(username="anquan2", full_name="安全管理员乙", roles=[Role.SECURITY_ADMIN])


@pytest.fixture
def audit_admin(db) -> User:
    return UserFactory(username="shenji", full_name="审计管理员", roles=[Role.AUDIT_ADMIN])


@pytest.fixture
def system_admin(db) -> User:
    user = UserFactory(username="xitong", full_name="系统管理员", roles=[Role.OFFICE_ADMIN])
    User.objects.filter(pk=user.pk).update(is_staff=True)
    user.refresh_from_db()
    return user


@pytest.fixture
def secretary(db) -> User:
    return UserFactory(username="shuji", full_name="党组书记", roles=[Role.PARTY_GROUP])


@pytest.fixture
def cadre(db) -> User:
    return UserFactory(username="ganbu", full_name="王干部")
