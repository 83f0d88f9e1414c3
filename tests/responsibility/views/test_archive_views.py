"""The archive page, its filters and fixed query count; batch prints and who may start and fetch them."""

import io
import zipfile
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responsibility.letters.models.documents import ArchiveExport, ExportFormat, ExportStatus, LetterDocument
from responsibility.letters.services.documents import letter_document_attach
from responsibility.letters.services.exports import archive_export_build, archive_export_request
from responsibility.letters.services.letters import letter_archive
from tests.factories import OrgUnitFactory
from tests.responsibility.archive_helpers import (
    documents_attach,
    fake_render_install,
    letters_countersign_new,
    media_root_use,
)

pytestmark = pytest.mark.django_db

ARCHIVE = reverse("responsibility:archive")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    return media_root_use(settings, tmp_path)


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    return fake_render_install(monkeypatch)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _letters_in_page(response) -> list[str]:
    return [letter.reference for letter in response.context["letters"]]


# --- who may browse -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("office_admin", 200), ("inspector", 200), ("secretary", 403), ("outsider", 403)]
)
def test_the_archive_is_for_the_office_and_the_inspection_team(client, org, who, status):
    client.force_login(getattr(org, who))

    assert client.get(ARCHIVE).status_code == status


def test_the_archive_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get(ARCHIVE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_inspection_team_browses_and_downloads_but_does_not_export_or_retry(client, org, rendered):
    documents = documents_attach(letters_countersign_new(org, 1))
    client.force_login(org.inspector)

    page = client.get(ARCHIVE)

    html = page.content.decode()
    assert _letters_in_page(page) == [documents[0].letter.reference]
    assert reverse("responsibility:letter-pdf", args=[documents[0].letter_id]) in html
    assert reverse("responsibility:export-create") not in html
    assert 'id="unfinished"' not in html


# --- what it lists --------------------------------------------------------------------------------


def test_the_archive_lists_letters_in_force_with_a_ready_pdf_only(
    client, org, rendered, countersigned_letter
):
    # given one letter with its PDF ready, one whose PDF is still pending, and one only signed
    ready = documents_attach(letters_countersign_new(org, 1))[0]
    client.force_login(org.office_admin)

    page = client.get(ARCHIVE)

    # then only the ready one is listed, with its download link; the office watches the pending one
    assert _letters_in_page(page) == [ready.letter.reference]
    html = page.content.decode()
    assert reverse("responsibility:letter-pdf", args=[ready.letter_id]) in html
    assert [d.letter_id for d in page.context["unfinished"]] == [countersigned_letter.pk]


def test_the_archive_filters_by_year_campaign_unit_signer_number_and_state(client, org, rendered):
    # given letters in two units (one with a section), one of them archived by the office
    committee = OrgUnitFactory(name="法制工作委员会")
    section = OrgUnitFactory(name="法规处", parent=committee)
    in_committee = letters_countersign_new(org, 1, unit=committee)[0]
    in_section = letters_countersign_new(org, 1, unit=section)[0]
    elsewhere = letters_countersign_new(org, 1)[0]
    documents_attach([in_committee, in_section, elsewhere])
    letter_archive(letter=elsewhere, archived_by=org.office_admin)
    client.force_login(org.office_admin)

    def listed(**query):
        response = client.get(ARCHIVE, query)
        assert response.status_code == 200
        return set(_letters_in_page(response))

    everything = {in_committee.reference, in_section.reference, elsewhere.reference}
    assert listed() == everything
    assert listed(year=2026) == everything
    assert listed(campaign=org.campaign.pk) == everything
    assert listed(unit=committee.pk) == {in_committee.reference, in_section.reference}
    assert listed(unit=section.pk) == {in_section.reference}
    assert listed(q=in_section.signer.full_name) == {in_section.reference}
    assert listed(q=elsewhere.reference) == {elsewhere.reference}
    assert listed(state="archived") == {elsewhere.reference}
    assert listed(state="countersigned") == {in_committee.reference, in_section.reference}
    assert listed(year=2026, unit=committee.pk, state="countersigned", q=in_committee.signer.full_name) == {
        in_committee.reference
    }


def test_the_archive_reports_a_bad_filter_and_ignores_it(english, org, rendered):
    documents_attach(letters_countersign_new(org, 2))
    english.force_login(org.office_admin)

    response = english.get(ARCHIVE, {"year": "abc", "unit": "999999", "state": "voided"})

    assert response.status_code == 200
    assert len(_letters_in_page(response)) == 2
    assert set(response.context["filter_form"].errors) == {"year", "unit", "state"}


def test_the_archive_is_paged_by_50_newest_first_keeping_its_filters(client, org, rendered):
    letters = letters_countersign_new(org, 51)
    documents_attach(letters)
    client.force_login(org.office_admin)

    first = client.get(ARCHIVE, {"state": "countersigned"})
    second = client.get(f"{ARCHIVE}?{first.context['page'].next_query}")
    back = client.get(f"{ARCHIVE}?{second.context['page'].previous_query}")

    newest_first = sorted(letters, key=lambda letter: -letter.pk)
    assert list(first.context["letters"]) == newest_first[:50]
    assert f'href="?state=countersigned&amp;after={newest_first[49].pk}"' in first.content.decode()
    assert list(second.context["letters"]) == newest_first[50:]
    assert not second.context["page"].has_next
    assert list(back.context["letters"]) == newest_first[:50]
    assert not back.context["page"].has_previous


def _queries(client, user, path) -> int:
    client.force_login(user)
    client.get(path)  # warm the per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["office_admin", "inspector"])
def test_the_archive_runs_the_same_queries_for_2_and_12_letters(client, org, rendered, who):
    documents_attach(letters_countersign_new(org, 2))
    letters_countersign_new(org, 1)  # one pending PDF for the office's list
    archive_export_request(
        campaign=org.campaign, unit_ids=[], export_format=ExportFormat.ZIP, requested_by=org.office_admin
    )
    few = _queries(client, getattr(org, who), ARCHIVE)

    documents_attach(letters_countersign_new(org, 10))
    letters_countersign_new(org, 3)
    archive_export_request(
        campaign=org.campaign,
        unit_ids=[],
        export_format=ExportFormat.MERGED_PDF,
        requested_by=org.office_admin,
    )
    many = _queries(client, getattr(org, who), ARCHIVE)

    assert few == many


def test_the_letter_page_runs_the_same_queries_whatever_the_state_of_its_pdf(client, org, rendered):
    pending = letters_countersign_new(org, 1)[0]
    ready = letters_countersign_new(org, 1)[0]
    documents_attach([ready])

    def queries(letter):
        return _queries(client, org.office_admin, reverse("responsibility:letter-detail", args=[letter.pk]))

    assert queries(pending) == queries(ready)


# --- batch print ----------------------------------------------------------------------------------


def test_the_office_starts_a_batch_print_and_follows_it_to_the_download(
    client, org, rendered, django_capture_on_commit_callbacks
):
    # given letters with their PDFs
    documents_attach(letters_countersign_new(org, 3))
    client.force_login(org.office_admin)

    # when the office asks for a ZIP of the campaign (the task is queued after the commit)
    with (
        mock.patch("responsibility.letters.tasks.archive_export_build.delay") as build_delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("responsibility:export-create"),
            {"campaign": org.campaign.pk, "export_format": ExportFormat.ZIP},
        )

    # then the export page shows its progress and polls
    export = ArchiveExport.objects.get()
    build_delay.assert_called_once_with(export_id=export.pk)
    assert response["Location"] == reverse("responsibility:export-detail", args=[export.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("responsibility:export-status", args=[export.pk]) in page
    assert 'role="progressbar"' in page
    assert f'id="export-status" data-status="{ExportStatus.PENDING}"' in page  # the badge the poll updates
    assert 'data-poll-badge="export-status"' in page
    status = client.get(reverse("responsibility:export-status", args=[export.pk])).json()
    assert status == {
        "status": ExportStatus.PENDING,
        "status_label": "等待中",  # the badge's words, in the user's language
        "done": 0,
        "total": 3,
        "percent": 0,
    }

    # when the worker has built it
    archive_export_build(export=export)

    # then the page offers the download, which is the stored ZIP
    page = client.get(response["Location"]).content.decode()
    download = reverse("responsibility:export-download", args=[export.pk])
    assert download in page
    assert "data-poll-url" not in page
    assert client.get(reverse("responsibility:export-status", args=[export.pk])).json()["percent"] == 100
    file = client.get(download)
    assert file.status_code == 200
    assert file["Content-Type"] == "application/zip"
    assert "filename*=UTF-8''" in file["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(file.streaming_content))) as archive:
        assert len([name for name in archive.namelist() if name.endswith(".pdf")]) == 3


def test_the_office_asks_for_a_merged_pdf_for_double_sided_printing(english, org, rendered):
    # given letters with their PDFs, and the archive page's batch print form with its checkbox
    documents_attach(letters_countersign_new(org, 2))
    english.force_login(org.office_admin)
    assert 'name="duplex"' in english.get(ARCHIVE).content.decode()

    # when the office ticks it for a merged PDF
    with mock.patch("responsibility.letters.tasks.archive_export_build.delay"):
        response = english.post(
            reverse("responsibility:export-create"),
            {"campaign": org.campaign.pk, "export_format": ExportFormat.MERGED_PDF, "duplex": "on"},
        )

    # then the export is double-sided, and its page says so
    export = ArchiveExport.objects.get()
    assert export.duplex is True
    archive_export_build(export=export)
    page = english.get(response["Location"]).content.decode()
    assert "double-sided" in page
    assert "Every letter starts on an odd page" in page


def test_a_batch_print_of_nothing_ready_is_refused_with_a_message(english, org, countersigned_letter):
    english.force_login(org.office_admin)

    response = english.post(
        reverse("responsibility:export-create"),
        {"campaign": org.campaign.pk, "export_format": ExportFormat.ZIP},
    )

    assert response.status_code == 400
    assert "No sealed PDF is ready" in response.content.decode()
    assert not ArchiveExport.objects.exists()


def test_the_batch_print_form_is_offered_only_for_campaigns_with_a_sealed_pdf(
    english, org, rendered, countersigned_letter
):
    # given a countersigned letter whose PDF is not sealed yet (the worker has not run)
    english.force_login(org.office_admin)

    # when the office opens the archive
    before = english.get(ARCHIVE)

    # then no batch print form that could only be refused: the page says why
    page = before.content.decode()
    assert reverse("responsibility:export-create") not in page
    assert "No sealed PDF is ready yet" in page

    # when a letter's PDF is sealed, the form is offered, for that campaign only
    documents_attach(letters_countersign_new(org, 1))
    after = english.get(ARCHIVE)
    assert reverse("responsibility:export-create") in after.content.decode()
    assert list(after.context["export_form"].fields["campaign"].queryset) == [org.campaign]


def test_a_batch_print_with_bad_input_changes_nothing(english, org, rendered):
    documents_attach(letters_countersign_new(org, 1))
    english.force_login(org.office_admin)

    response = english.post(
        reverse("responsibility:export-create"), {"campaign": "nope", "export_format": "docx", "units": ["x"]}
    )

    assert response.status_code == 400
    assert set(response.context["export_form"].errors) == {"campaign", "export_format", "units"}
    assert not ArchiveExport.objects.exists()


@pytest.fixture
def ready_export(org, rendered) -> ArchiveExport:
    documents_attach(letters_countersign_new(org, 2))
    export = archive_export_request(
        campaign=org.campaign,
        unit_ids=[],
        export_format=ExportFormat.MERGED_PDF,
        requested_by=org.office_admin,
    )
    return archive_export_build(export=export)


@pytest.mark.parametrize("who", ["inspector", "secretary", "outsider"])
def test_only_the_office_starts_or_sees_batch_prints(client, org, ready_export, who):
    client.force_login(getattr(org, who))

    started = client.post(
        reverse("responsibility:export-create"),
        {"campaign": org.campaign.pk, "export_format": ExportFormat.ZIP},
    )

    assert started.status_code == 403
    assert ArchiveExport.objects.count() == 1
    for name in ("export-detail", "export-status", "export-download"):
        assert client.get(reverse(f"responsibility:{name}", args=[ready_export.pk])).status_code == 404


def test_the_office_downloads_a_merged_pdf(client, org, ready_export):
    client.force_login(org.office_admin)

    response = client.get(reverse("responsibility:export-download", args=[ready_export.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    with ready_export.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_a_batch_print_not_ready_yet_is_not_downloaded(client, org, rendered):
    documents_attach(letters_countersign_new(org, 1))
    export = archive_export_request(
        campaign=org.campaign, unit_ids=[], export_format=ExportFormat.ZIP, requested_by=org.office_admin
    )
    client.force_login(org.office_admin)

    response = client.get(reverse("responsibility:export-download", args=[export.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("responsibility:export-detail", args=[export.pk])


def test_a_failed_batch_print_shows_its_error(english, org, rendered):
    document = documents_attach(letters_countersign_new(org, 1))[0]
    with open(document.file.path, "ab") as stored:
        stored.write(b"tampered")
    export = archive_export_request(
        campaign=org.campaign, unit_ids=[], export_format=ExportFormat.ZIP, requested_by=org.office_admin
    )
    with pytest.raises(Exception, match="SHA-256"):
        archive_export_build(export=export)
    english.force_login(org.office_admin)

    page = english.get(reverse("responsibility:export-detail", args=[export.pk])).content.decode()

    assert "The batch print failed" in page
    assert document.letter.reference in page


def test_the_office_sees_failed_pdfs_on_the_archive_page_with_a_retry(english, org, monkeypatch):
    letter = letters_countersign_new(org, 1)[0]
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf", mock.Mock(side_effect=RuntimeError("boom"))
    )
    document = LetterDocument.objects.get(letter=letter)
    with pytest.raises(RuntimeError):
        letter_document_attach(document=document)
    english.force_login(org.office_admin)

    page = english.get(ARCHIVE).content.decode()

    assert "RuntimeError: boom" in page
    assert reverse("responsibility:document-retry", args=[document.pk]) in page
