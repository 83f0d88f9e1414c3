"""Fixtures for the organisation tests."""

import pytest
from django.urls import reverse
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


@pytest.fixture
def ask_reset(client, django_capture_on_commit_callbacks):
    """忘记密码 as a person uses it. The link is mailed when the request's transaction commits; a test runs
    inside one, so the commit callbacks run at the end of each request here."""

    def ask(identifier: str, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:password-reset"), {"identifier": identifier}, **extra)

    return ask
