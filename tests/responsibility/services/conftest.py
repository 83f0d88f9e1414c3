"""Service tests read refusal messages in English, whatever catalog the translators have compiled."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield
