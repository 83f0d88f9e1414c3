"""Fixtures for the organisation tests."""

import pytest
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in English, whatever catalog the translator adds later."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def office_admin(db) -> User:
    return UserFactory(full_name="李管理", roles=[Role.OFFICE_ADMIN])
