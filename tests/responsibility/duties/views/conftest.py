"""The 一岗双责 pages are read in English (the msgids) and keep their evidence in the test's folder."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse


@pytest.fixture(autouse=True)
def english(client, settings):
    """Read the pages in English (the language switch's cookie), so the assertions read the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence of this test only."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def url(name: str, *args) -> str:
    return reverse(f"responsibility:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]
