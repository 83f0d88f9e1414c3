"""A batch print's page in a real (headless) Chromium: while the print is being put together, the status
badge follows the status the page polls, as its progress bar does (it never says 「等待中」 beside a bar at
8/8). The status endpoint is answered by the test, as the worker's progress would make it answer.
"""

import json
from unittest import mock

import pytest
from django.urls import reverse

from responsibility.letters.models.documents import ExportFormat, ExportStatus
from responsibility.letters.services.exports import archive_export_request
from tests.browser.conftest import log_in
from tests.responsibility.archive_helpers import (
    documents_attach,
    fake_render_install,
    letters_countersign_new,
    media_root_use,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_badge_of_a_batch_print_moves_with_its_progress_bar(page, org, settings, tmp_path, monkeypatch):
    """A real Chromium waits for the page's poll to move the badge and the bar (a few seconds)."""
    from playwright.sync_api import expect  # here: without Playwright the browser fixture skips the test

    # given a batch print of two letters, requested and not started by the worker yet
    media_root_use(settings, tmp_path)
    fake_render_install(monkeypatch)
    documents_attach(letters_countersign_new(org, 2))
    with mock.patch("responsibility.letters.tasks.archive_export_build.delay"):
        export = archive_export_request(
            campaign=org.campaign, unit_ids=[], export_format=ExportFormat.ZIP, requested_by=org.office_admin
        )
    status_url = reverse("responsibility:export-status", args=[export.pk])

    # when the office opens its page, and the worker has gone through both letters but not finished
    log_in(page, org.office_admin)
    answer = {"status": "running", "status_label": "进行中", "done": 2, "total": 2, "percent": 100}
    page.route(
        f"**{status_url}",
        lambda route: route.fulfill(content_type="application/json", body=json.dumps(answer)),
    )
    page.goto(reverse("responsibility:export-detail", args=[export.pk]))
    badge = page.locator("#export-status")
    assert badge.get_attribute("data-status") == ExportStatus.PENDING
    expect(page.locator("[data-progress-label]")).to_have_text("2 / 2", timeout=10_000)  # the first poll

    # then the badge says what the bar shows: running, not waiting
    assert badge.get_attribute("data-status") == ExportStatus.RUNNING
    assert badge.inner_text() == "进行中"
    assert page.locator("[data-progress-bar]").get_attribute("aria-valuenow") == "100"
    assert page.js_errors == []
