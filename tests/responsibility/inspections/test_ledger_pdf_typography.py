"""The ledger PDF keeps a finding's number, a deadline and a column header each on one line."""

import re

import pytest
from django.urls import reverse

from responsibility.supervision.models import Finding
from tests.responsibility.inspections.ledger_helpers import ledger_scenario
from tests.responsibility.pdf.layout import pdf_lines

pytestmark = pytest.mark.django_db

PDF = reverse("responsibility:ledger-export-pdf")


def test_the_ledger_pdf_never_breaks_a_number_a_date_or_a_header(client, supervision, drawn, pdf_fonts):
    # given the ledger's findings, as an inspector downloads them
    ledger_scenario(supervision, drawn)
    client.force_login(supervision.org.inspector)

    # when
    response = client.get(PDF)

    # then every finding's number (2026-1-007) and deadline stand whole, each as one word of a line
    assert response.status_code == 200
    lines = pdf_lines(response.content)
    words = [word.text for line in lines for word in line.words]
    references = sorted(finding.reference for finding in Finding.objects.all())
    assert sorted(word for word in words if re.fullmatch(r"\d{4}-\d+-\d{3}", word)) == references
    rows = [line for line in lines if line.words[0].text in references]  # a row's first line
    assert len(rows) == len(references)
    assert all(any(re.fullmatch(r"\d{4}-\d\d-\d\d", word.text) for word in row.words) for row in rows)
    # and the headers of the three summary tables (by source, list, unit) read whole: no 「号」 left
    # alone under 已核实或已销
    assert words.count("已核实或已销号") == 3
    assert "号" not in words
    assert words.count("问题编号") >= 1  # repeated on each page of the table
