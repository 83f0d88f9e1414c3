"""Logging in and out, changing the password, and switching the interface language."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
STRONG_PASSWORD = "Lianzheng-2026-pass"
PROJECT_ZH_CATALOG = Path(django_settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def chinese(settings):
    """The deployed default (the accounts tests otherwise run in English)."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def user(db) -> User:
    return UserFactory(username="wangwei", full_name="王伟")


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- log in -------------------------------------------------------------------------------------


def test_login_page_renders_the_form_in_chinese_by_default(client, chinese):
    # when
    response = client.get(reverse("accounts:login"))

    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-CN">' in body
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert "用户名" in body and "密码" in body  # Django's own zh_Hans catalog labels the fields


@pytest.mark.skipif(not PROJECT_ZH_CATALOG.exists(), reason="the zh_Hans catalog is not compiled yet")
def test_login_page_title_is_translated_once_the_catalog_exists(client, chinese):
    response = client.get(reverse("accounts:login"))

    assert "登录" in response.content.decode()


def test_login_with_a_wrong_password_shows_an_error_and_starts_no_session(client, user):
    # when
    response = client.post(reverse("accounts:login"), {"username": "wangwei", "password": "not-my-password"})

    # then
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_login_for_an_inactive_account_starts_no_session(client, user):
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = client.post(reverse("accounts:login"), {"username": "wangwei", "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_login_goes_to_the_todo_page(client, user):
    # when
    response = client.post(reverse("accounts:login"), {"username": "wangwei", "password": TEST_PASSWORD})

    # then
    assert response.status_code == 302
    assert response.url == reverse("responsibility:todo")
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get(response.url).status_code == 200


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(client, user):
    # given a visitor sent to the login page from the letter list
    letters = reverse("responsibility:letter-list")
    assert client.get(letters).url == f"{LOGIN_URL}?next={letters}"

    # when
    back = client.post(
        f"{LOGIN_URL}?next={letters}", {"username": "wangwei", "password": TEST_PASSWORD, "next": letters}
    )
    client.logout()
    away = client.post(
        LOGIN_URL, {"username": "wangwei", "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )

    # then
    assert back.url == letters
    assert away.url == reverse("responsibility:todo")


# --- log out ------------------------------------------------------------------------------------


def test_logout_by_get_is_refused_and_keeps_the_session(client, user):
    # given
    client.force_login(user)

    # when
    response = client.get(reverse("accounts:logout"))

    # then
    assert response.status_code == 405
    assert logged_in_user_id(client) == str(user.pk)


def test_logout_by_post_ends_the_session(client, user):
    # given
    client.force_login(user)

    # when
    response = client.post(reverse("accounts:logout"))

    # then
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert logged_in_user_id(client) is None
    assert client.get(reverse("responsibility:todo")).url.startswith(LOGIN_URL)


# --- change the password ------------------------------------------------------------------------


def change_password(client, *, old: str, new: str, confirm: str | None = None):
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": new, "new_password2": new if confirm is None else confirm},
    )


def test_password_change_form_renders_its_three_fields(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:password-change"))

    assert response.status_code == 200
    body = response.content.decode()
    for field in ("old_password", "new_password1", "new_password2"):
        assert f'name="{field}"' in body


def test_password_change_with_the_old_password_sets_the_new_one_and_keeps_the_session(client, user):
    # given
    client.force_login(user)

    # when
    response = change_password(client, old=TEST_PASSWORD, new=STRONG_PASSWORD)

    # then
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-change-done")
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    assert client.get(reverse("responsibility:todo")).status_code == 200  # still logged in


def test_password_change_refuses_a_wrong_old_password(client, user):
    # given
    client.force_login(user)

    # when
    response = change_password(client, old="not-my-password", new=STRONG_PASSWORD)

    # then
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    ("new", "confirm", "expected"),
    [
        ("Ab1-x", None, "too short"),
        ("password123", None, "too common"),
        ("73918264059", None, "entirely numeric"),
        ("wangwei2026", None, "too similar to the username"),
        (STRONG_PASSWORD, "Another-2026-pass", "didn’t match"),
    ],
)
def test_password_change_rejects_a_weak_or_mistyped_new_password(client, user, new, confirm, expected):
    # given
    client.force_login(user)

    # when
    response = change_password(client, old=TEST_PASSWORD, new=new, confirm=confirm)

    # then
    assert response.status_code == 200
    assert expected in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


# --- language -----------------------------------------------------------------------------------


def test_language_switches_to_english_and_back(client, user, chinese):
    # given a Chinese page
    client.force_login(user)
    todo = reverse("responsibility:todo")
    assert '<html lang="zh-CN">' in client.get(todo).content.decode()

    # when switching to English
    to_english = client.post(reverse("set_language"), {"language": "en", "next": todo})

    # then
    assert to_english.status_code == 302
    assert to_english.url == todo
    english = client.get(reverse("accounts:password-change")).content.decode()
    assert '<html lang="en">' in english
    assert "Old password" in english

    # when switching back
    client.post(reverse("set_language"), {"language": "zh-hans", "next": todo})

    # then
    chinese_page = client.get(reverse("accounts:password-change")).content.decode()
    assert '<html lang="zh-CN">' in chinese_page
    assert "旧密码" in chinese_page


def test_language_switch_ignores_an_unknown_language(client, chinese):
    response = client.post(reverse("set_language"), {"language": "xx", "next": LOGIN_URL})

    assert response.status_code == 302
    assert '<html lang="zh-CN">' in client.get(LOGIN_URL).content.decode()
