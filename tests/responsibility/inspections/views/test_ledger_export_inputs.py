"""The ledger workbook: no cell carries a direction control, and text that becomes formula-like once one is
removed is still quoted text."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.responsibility.inspections.ledger_helpers import ledger_scenario, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(supervision, drawn):
    return ledger_scenario(supervision, drawn)


def test_the_excel_export_drops_direction_controls_and_quotes_what_is_left(client, supervision, scenario):
    record(scenario.committee, title="\u202e=cmd|' /C calc'!A0")
    client.force_login(supervision.org.inspector)

    response = client.get(reverse("responsibility:ledger-export-xlsx"))

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not any("\u202e" in str(cell.value) for cell in cells if cell.value is not None)
    [hostile] = [cell for cell in cells if cell.value == "=cmd|' /C calc'!A0"]
    assert hostile.data_type == "s" and hostile.quotePrefix
