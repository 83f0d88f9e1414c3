"""Characters that change the direction of text: refused by every text field of every form, removed from
every PDF and spreadsheet the system writes (core.bidi)."""

import importlib
import json
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

import accounts
import responsibility
from core.bidi import BIDI_CONTROLS, bidi_controls_strip
from core.pdf.engine import html_to_pdf
from core.spreadsheets import csv_text
from responsibility.letters.models.letters import Campaign
from tests.responsibility.pdf.reading import compact, pdf_text

RLO = "\u202e"  # right-to-left override
REVERSED_TITLE = f"2027年度{RLO}书任责"


def _project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined in accounts/ and responsibility/ (each module imported to find them)."""
    for package in (accounts, responsibility):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    found, stack = set(), [forms.BaseForm]
    while stack:
        for subclass in stack.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                stack.append(subclass)
    ours = [form for form in found if form.__module__.startswith(("accounts.", "responsibility."))]
    return sorted(ours, key=lambda form: f"{form.__module__}.{form.__qualname__}")


PROJECT_FORMS = _project_form_classes()


def test_the_project_forms_are_all_found():
    names = {form.__qualname__ for form in PROJECT_FORMS}
    assert {"CampaignCreateForm", "FindingCreateForm", "SignInForm", "OrgImportForm", "TaskForm"} <= names
    assert len(PROJECT_FORMS) >= 40


@pytest.mark.parametrize(
    "form_class", PROJECT_FORMS, ids=lambda form: f"{form.__module__}.{form.__qualname__}"
)
def test_every_text_field_of_every_form_refuses_a_right_to_left_override(form_class):
    for name, field in form_class.base_fields.items():
        if not isinstance(field, forms.CharField):
            continue
        value = json.dumps(f"a{RLO}b") if isinstance(field, forms.JSONField) else f"a{RLO}b"
        with pytest.raises(ValidationError) as refused:
            field.clean(value)
        if _is_text(field):  # a field that parses text into something else (numbers) refuses it its own way
            assert "bidi_control" in [error.code for error in refused.value.error_list], (form_class, name)


def _is_text(field: forms.CharField) -> bool:
    try:
        return isinstance(
            field.to_python(json.dumps("ab") if isinstance(field, forms.JSONField) else "ab"), str
        )
    except ValidationError:
        return False


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_a_text_field_refuses_each_direction_control_and_keeps_plain_chinese(control):
    field = forms.CharField()

    with pytest.raises(ValidationError, match="不能包含改变文字方向的控制字符"):
        field.clean(f"整改{control}报告")
    assert field.clean("整改报告（终稿）") == "整改报告（终稿）"


@pytest.mark.django_db
def test_a_campaign_titled_with_a_right_to_left_override_is_refused_and_not_created(client, org):
    # given the office administrator and the campaign they already have
    client.force_login(org.office_admin)
    data = {
        "template": str(org.campaign.template.pk),
        "year": "2027",
        "title": REVERSED_TITLE,
        "deadline": "2027-03-31",
        "reference_prefix": "人常廉责",
    }

    # when they open a campaign whose title hides a right-to-left override
    response = client.post(reverse("responsibility:campaign-create"), data)

    # then the form says so next to the title, and nothing was created
    assert response.status_code in (200, 400)
    assert [error.code for error in response.context["form"].errors.as_data()["title"]] == ["bidi_control"]
    assert Campaign.objects.count() == 1


@override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", {"t.html": "<p>{{ text }}</p>"})]
            },
        }
    ]
)
def test_no_pdf_shows_stored_text_reversed():
    """A real one-line render: old text stored with an override still reads in order."""
    pdf = html_to_pdf(template_name="t.html", context={"text": REVERSED_TITLE}, language=None)

    text = compact(pdf_text(pdf))
    assert RLO not in text
    assert "2027年度书任责" in text


def test_csv_cells_lose_direction_controls_and_keep_the_formula_quote():
    assert csv_text(f"{RLO}=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert csv_text(f"法规处{RLO}") == "法规处"
    assert bidi_controls_strip("\u2066甲\u2069乙\u200f") == "甲乙"
