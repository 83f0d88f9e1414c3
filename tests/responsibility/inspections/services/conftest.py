"""Supervision service tests: refusal messages in English, and evidence stored in a folder of their own."""

import shutil
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings) -> Path:
    """MEDIA_ROOT in a fresh folder under the test VAR_DIR, removed afterwards."""
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="media-", dir=settings.VAR_DIR))
    settings.MEDIA_ROOT = root
    yield root
    shutil.rmtree(root, ignore_errors=True)


def evidence_stored(root: Path) -> list[Path]:
    """Every file in the evidence folder of the storage."""
    folder = root / "evidence"
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def fresh(user):
    """The user as a new request would load them (Django caches permissions per user instance)."""
    return get_user_model().objects.get(pk=user.pk)


# Who is who in the `supervision` fixture, for permission tables.
ROLES = {
    "team inspector": lambda supervision: supervision.inspectors[0],
    "inspector not on the team": lambda supervision: supervision.outside_inspector,
    "office admin": lambda supervision: supervision.org.office_admin,
    "party group": lambda supervision: supervision.org.secretary,
    "unit head": lambda supervision: supervision.org.heads[0],
}
