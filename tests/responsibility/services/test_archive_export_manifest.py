"""The ZIP's manifest.csv opens in Excel as the text it is: a unit named like a formula stays text, while
the file names and SHA-256 stay exact (each file name is the very name of its entry in the ZIP)."""

import csv
import hashlib
import io
import zipfile

import pytest

from responsibility.letters.models.documents import ExportFormat
from responsibility.letters.models.letters import Campaign
from responsibility.letters.services.exports import MANIFEST_NAME, archive_export_write
from tests.factories import OrgUnitFactory
from tests.responsibility.archive_helpers import (
    documents_attach,
    fake_render_install,
    letters_countersign_new,
    media_root_use,
)

pytestmark = pytest.mark.django_db

HOSTILE_UNIT = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    return media_root_use(settings, tmp_path)


def test_the_manifest_keeps_a_formula_like_unit_name_as_text_and_names_exact(monkeypatch, org):
    # given a campaign whose letter numbers start like a formula, and a letter of a unit named like one
    fake_render_install(monkeypatch)
    Campaign.objects.filter(pk=org.campaign.pk).update(reference_prefix="-1+")
    org.campaign.refresh_from_db()
    documents = documents_attach(letters_countersign_new(org, 1, unit=OrgUnitFactory(name=HOSTILE_UNIT)))

    # when the ZIP is written
    out = io.BytesIO()
    archive_export_write(
        campaign=org.campaign, documents=documents, export_format=ExportFormat.ZIP, out=out, progress=None
    )

    # then the unit and number cells carry Excel's quote; the file name is the entry's, never formula-like
    with zipfile.ZipFile(out) as archive:
        manifest = list(csv.reader(io.StringIO(archive.read(MANIFEST_NAME).decode("utf-8-sig"))))
        entries = [name for name in archive.namelist() if name != MANIFEST_NAME]
        [row] = manifest[1:]
        stored = archive.read(row[0])
    file_name, reference, unit = row[0], row[1], row[2]
    assert unit == "'" + HOSTILE_UNIT
    assert reference == "'" + documents[0].letter.reference
    assert entries == [file_name]
    assert file_name.startswith("_-1+") and not file_name.startswith(("=", "+", "-", "@"))
    assert row[-1] == hashlib.sha256(stored).hexdigest() == documents[0].sha256
    assert int(row[-2]) == len(stored)
