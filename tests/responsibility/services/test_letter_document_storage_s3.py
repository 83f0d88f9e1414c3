"""Object storage by configuration: a sealed PDF stored through S3Storage comes back byte for byte.

moto's mock_aws stands in for the outside object store only (in process); django-storages, boto3,
the service, the real renderer and seal, and the download view are the real ones.
"""

import hashlib
import io
import zipfile

import boto3
import pytest
from django.core.files.storage import storages
from django.urls import reverse
from moto import mock_aws
from storages.backends.s3 import S3Storage

from responsibility.letters.models.documents import DocumentStatus, ExportFormat, ExportStatus, LetterDocument
from responsibility.letters.services.documents import letter_document_attach
from responsibility.letters.services.exports import archive_export_build, archive_export_request
from tests.responsibility.archive_helpers import (
    documents_attach,
    fake_render_install,
    letters_countersign_new,
)

pytestmark = pytest.mark.django_db

BUCKET = "letters-archive-test"
REGION = "cn-north-1"


@pytest.fixture
def s3_storage(settings, monkeypatch):
    """The settings DJANGO_STORAGE=s3 produces (config/settings/base.py), against an in-process S3."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client(
            "s3", region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
        )
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "endpoint_url": None,
                    "region_name": REGION,
                    "access_key": "test",
                    "secret_key": "test",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "file_overwrite": False,
                },
            },
        }
        yield client


def test_a_sealed_pdf_roundtrips_through_s3_storage(seal_settings, s3_storage, client, countersigned_letter):
    # given the default storage is S3 (by configuration)
    assert isinstance(storages["default"], S3Storage)

    # when the letter's PDF is rendered, sealed and stored
    document = letter_document_attach(document=LetterDocument.objects.get(letter=countersigned_letter))

    # then the object in the bucket is the sealed PDF with the recorded SHA-256
    assert document.status == DocumentStatus.READY
    stored = s3_storage.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert len(stored) == document.size

    # and the download serves exactly those bytes
    client.force_login(countersigned_letter.signer)
    response = client.get(reverse("responsibility:letter-pdf", args=[countersigned_letter.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored


def test_a_batch_print_reads_and_writes_s3_storage(monkeypatch, s3_storage, org):
    # given letters whose (small) PDFs are stored in the bucket
    fake_render_install(monkeypatch)
    documents = documents_attach(letters_countersign_new(org, 2))

    # when the office's ZIP is built
    export = archive_export_build(
        export=archive_export_request(
            campaign=org.campaign, unit_ids=[], export_format=ExportFormat.ZIP, requested_by=org.office_admin
        )
    )

    # then the ZIP is in the bucket and holds the stored PDFs unchanged
    assert export.status == ExportStatus.READY
    body = s3_storage.get_object(Bucket=BUCKET, Key=export.file.name)["Body"].read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        inside = {
            hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if name.endswith(".pdf")
        }
    assert inside == {document.sha256 for document in documents}
