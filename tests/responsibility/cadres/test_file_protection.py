"""On PostgreSQL the database itself holds the 廉政档案 and the 廉政意见回复: a document never changes and is
never deleted, a decided access request never changes, an issued reply never changes, and neither is
deleted."""

import datetime

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from responsibility.cadres.opinions import opinion_register
from tests.accounts.anchors.conftest import raw_sql
from tests.responsibility.cadres.conftest import access_approved, access_requested, document_added

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the refusing triggers are PostgreSQL's"),
]


def refused(sql: str, params: list) -> None:
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_document_in_a_file_never_changes_and_is_never_deleted(files):
    document = document_added(files)
    refused("UPDATE responsibility_filedocument SET title = 'x' WHERE id = %s", [document.pk])
    refused("DELETE FROM responsibility_filedocument WHERE id = %s", [document.pk])


def test_a_decided_request_never_changes_and_a_pending_one_only_with_its_version_step(files):
    decided = access_approved(files)
    refused(
        "UPDATE responsibility_fileaccessrequest SET valid_until = valid_until + 30, version = version + 1 "
        "WHERE id = %s",
        [decided.pk],
    )
    refused("DELETE FROM responsibility_fileaccessrequest WHERE id = %s", [decided.pk])
    pending = access_requested(files, requester=files.duties.org.heads[1])
    refused("UPDATE responsibility_fileaccessrequest SET reason = 'x' WHERE id = %s", [pending.pk])


def test_an_issued_reply_never_changes(files):
    opinion = opinion_register(
        cadre=files.cadre,
        registered_by=files.inspector,
        purpose="评优",
        requested_by="机关党委",
        received_on=datetime.date(2026, 5, 14),
    )
    raw_sql(
        "UPDATE responsibility_integrityopinion SET status = 'issued', conclusion = %s WHERE id = %s",
        ["未发现问题。", opinion.pk],
    )
    refused(
        "UPDATE responsibility_integrityopinion SET conclusion = '改', version = version + 1 WHERE id = %s",
        [opinion.pk],
    )
    refused("DELETE FROM responsibility_integrityopinion WHERE id = %s", [opinion.pk])
