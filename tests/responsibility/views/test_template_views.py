"""Letter template (范本) pages: list, detail, create, update, publish and new version."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from responsibility.letters.models.letters import (
    ClauseCategory,
    LetterTemplate,
    TemplateClause,
    TemplateLevel,
)
from tests.factories import LetterTemplateFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"responsibility:{name}", args=args)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def template_state(template: LetterTemplate) -> tuple:
    template = LetterTemplate.objects.get(pk=template.pk)
    clauses = list(template.clauses.order_by("number").values_list("number", "category", "text"))
    return (template.name, template.title, template.preamble, template.is_published, clauses)


def template_data(*, clauses, code="lianzheng-2027", deleted=(), **overrides) -> dict:
    """What the browser sends: the template fields and the clause formset."""
    data = {
        "code": code,
        "name": "机关级责任书范本",
        "level": TemplateLevel.ORGAN,
        "owner_unit": "",
        "title": "2027年度党风廉政建设责任书",
        "preamble": "为落实全面从严治党主体责任，签订本责任书。",
        "closing": "本责任书一式两份。",
        "issuer_label": "甲方（党组）",
        "signer_label": "乙方",
        "clauses-TOTAL_FORMS": str(len(clauses)),
        "clauses-INITIAL_FORMS": "0",
        "clauses-MIN_NUM_FORMS": "0",
        "clauses-MAX_NUM_FORMS": "200",
    }
    for index, (category, text) in enumerate(clauses):
        data[f"clauses-{index}-category"] = category
        data[f"clauses-{index}-text"] = text
        if index in deleted:
            data[f"clauses-{index}-DELETE"] = "on"
    return {**data, **overrides}


TWO_CLAUSES = [
    (ClauseCategory.PRINCIPAL, "履行主体责任。"),
    (ClauseCategory.SELF_DISCIPLINE, "廉洁自律。"),
]


@pytest.fixture
def draft_template(org) -> LetterTemplate:
    return LetterTemplateFactory(created_by=org.office_admin)


# --- list and detail ----------------------------------------------------------------------------


def test_template_list_shows_templates_with_clause_count(client, org):
    client.force_login(org.office_admin)

    response = client.get(url("template-list"))

    assert response.status_code == 200
    rows = list(response.context["page_obj"])
    assert {template.pk: template.clause_count for template in rows} == {
        org.campaign.template_id: 3,
        org.unit_template.pk: 3,
    }
    assert url("template-create") in response.content.decode()


def test_template_list_filters_by_level_and_ignores_an_unknown_level(client, org):
    client.force_login(org.office_admin)

    unit_only = client.get(url("template-list"), {"level": TemplateLevel.UNIT})
    unknown = client.get(url("template-list"), {"level": "nonsense"})

    assert [template.pk for template in unit_only.context["page_obj"]] == [org.unit_template.pk]
    assert len(unknown.context["page_obj"]) == 2


@pytest.mark.parametrize("name", ["template-list", "template-create", "template-detail", "template-update"])
def test_template_pages_are_forbidden_to_a_unit_head(client, org, name):
    client.force_login(org.heads[0])
    args = () if name in ("template-list", "template-create") else (org.unit_template.pk,)

    response = client.get(url(name, *args))

    assert response.status_code == 403


def test_template_detail_shows_the_clauses_and_new_version_for_a_published_template(client, org):
    client.force_login(org.office_admin)

    response = client.get(url("template-detail", org.unit_template.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert "切实履行本单位党风廉政建设主体责任。" in body
    assert url("template-new-version", org.unit_template.pk) in body
    assert url("template-update", org.unit_template.pk) not in body


def test_template_detail_offers_edit_and_publish_for_a_draft(client, org, draft_template):
    client.force_login(org.office_admin)

    body = client.get(url("template-detail", draft_template.pk)).content.decode()

    assert url("template-update", draft_template.pk) in body
    assert url("template-publish", draft_template.pk) in body
    assert url("template-new-version", draft_template.pk) not in body


def test_template_detail_of_an_unknown_template_is_404(client, org):
    client.force_login(org.office_admin)

    assert client.get(url("template-detail", 999999)).status_code == 404


# --- create -------------------------------------------------------------------------------------


def test_template_create_saves_a_draft_with_its_clauses_skipping_empty_and_deleted_rows(client, org):
    client.force_login(org.office_admin)
    clauses = [*TWO_CLAUSES, (ClauseCategory.RULES, "删掉的条款。"), ("", "")]

    response = client.post(url("template-create"), template_data(clauses=clauses, deleted={2}))

    template = LetterTemplate.objects.get(code="lianzheng-2027")
    assert response.status_code == 302
    assert response.url == url("template-detail", template.pk)
    assert (template.version, template.is_published, template.created_by) == (1, False, org.office_admin)
    assert list(template.clauses.values_list("number", "category", "text")) == [
        (1, ClauseCategory.PRINCIPAL, "履行主体责任。"),
        (2, ClauseCategory.SELF_DISCIPLINE, "廉洁自律。"),
    ]


def test_template_create_form_renders_with_two_empty_clause_rows(client, org):
    client.force_login(org.office_admin)

    response = client.get(url("template-create"))

    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 2
    assert "clauses-__prefix__-text" in response.content.decode()


def test_template_create_is_forbidden_to_a_unit_head(client, org):
    client.force_login(org.heads[0])

    response = client.post(url("template-create"), template_data(clauses=TWO_CLAUSES))

    assert response.status_code == 403
    assert not LetterTemplate.objects.filter(code="lianzheng-2027").exists()


@pytest.mark.parametrize(
    ("overrides", "clauses", "where"),
    [
        ({"name": "名" * 101}, TWO_CLAUSES, "name"),
        ({"title": ""}, TWO_CLAUSES, "title"),
        ({"preamble": "序" * 4001}, TWO_CLAUSES, "preamble"),
        ({"issuer_label": "甲" * 41}, TWO_CLAUSES, "issuer_label"),
        ({"code": "not a slug!"}, TWO_CLAUSES, "code"),
        ({"code": "c" * 49}, TWO_CLAUSES, "code"),
        ({"level": "galaxy"}, TWO_CLAUSES, "level"),
        ({}, [(ClauseCategory.RULES, "条" * 2001)], "clause"),
        ({}, [("not-a-category", "条款。")], "clause"),
        ({}, [("", "没有类别的条款。")], "clause"),
        ({}, [], "none"),
    ],
)
def test_template_create_refuses_bad_input_with_an_error_and_creates_nothing(
    client, org, overrides, clauses, where
):
    client.force_login(org.office_admin)
    before = LetterTemplate.objects.count()

    response = client.post(url("template-create"), template_data(clauses=clauses, **overrides))

    assert response.status_code == 200
    form, formset = response.context["form"], response.context["formset"]
    if where == "clause":
        assert any(formset.errors)
    elif where == "none":
        assert form.non_field_errors()  # the service: "a template needs at least one clause"
    else:
        assert form.errors[where]
    assert LetterTemplate.objects.count() == before


def test_template_create_refuses_an_owner_unit_on_an_organ_level_template(client, org):
    client.force_login(org.office_admin)
    data = template_data(clauses=TWO_CLAUSES, owner_unit=str(org.head_posts[0].unit_id))

    response = client.post(url("template-create"), data)

    assert response.context["form"].errors["owner_unit"]
    assert not LetterTemplate.objects.filter(code="lianzheng-2027").exists()


def test_template_create_accepts_an_owner_unit_on_a_unit_level_template(client, org):
    client.force_login(org.office_admin)
    unit = org.head_posts[0].unit
    data = template_data(clauses=TWO_CLAUSES, level=TemplateLevel.UNIT, owner_unit=str(unit.pk))

    client.post(url("template-create"), data)

    assert LetterTemplate.objects.get(code="lianzheng-2027").owner_unit == unit


def test_template_create_refuses_a_code_already_used(client, org):
    client.force_login(org.office_admin)
    before = LetterTemplate.objects.count()

    response = client.post(
        url("template-create"), template_data(clauses=TWO_CLAUSES, code=org.unit_template.code)
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert LetterTemplate.objects.count() == before


# --- update -------------------------------------------------------------------------------------


def test_template_update_changes_a_draft_and_its_clauses(client, org, draft_template):
    client.force_login(org.office_admin)
    clauses = [(ClauseCategory.WORK_STYLE, "改进作风。"), (ClauseCategory.RULES, "要删的。")]
    data = template_data(clauses=clauses, deleted={1}, name="新名称")
    del data["code"]

    response = client.post(url("template-update", draft_template.pk), data)

    assert response.status_code == 302
    assert template_state(draft_template)[0] == "新名称"
    assert template_state(draft_template)[4] == [(1, ClauseCategory.WORK_STYLE, "改进作风。")]


def test_template_update_form_shows_the_clauses_of_the_draft(client, org, draft_template):
    client.force_login(org.office_admin)

    response = client.get(url("template-update", draft_template.pk))

    assert response.status_code == 200
    formset = response.context["formset"]
    assert [form.initial["text"] for form in formset.initial_forms] == list(
        draft_template.clauses.order_by("number").values_list("text", flat=True)
    )
    assert formset.total_form_count() == 3 + 2


def test_template_update_of_a_published_template_redirects_to_the_detail(client, org):
    client.force_login(org.office_admin)

    response = client.get(url("template-update", org.unit_template.pk))

    assert response.status_code == 302
    assert response.url == url("template-detail", org.unit_template.pk)


def test_template_update_post_to_a_published_template_changes_nothing(client, org):
    before = template_state(org.unit_template)
    client.force_login(org.office_admin)

    response = client.post(url("template-update", org.unit_template.pk), template_data(clauses=TWO_CLAUSES))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert template_state(org.unit_template) == before


@pytest.mark.parametrize(
    ("overrides", "clauses"),
    [
        ({"preamble": "序" * 4001}, TWO_CLAUSES),
        ({"closing": "尾" * 2001}, TWO_CLAUSES),
        ({"name": ""}, TWO_CLAUSES),
        ({}, [(ClauseCategory.RULES, "条" * 2001)]),
        ({}, [(ClauseCategory.RULES, "唯一的条款。")]),  # deleted below: no clause left
    ],
)
def test_template_update_refuses_bad_input_and_changes_nothing(
    client, org, draft_template, overrides, clauses
):
    before = template_state(draft_template)
    client.force_login(org.office_admin)
    deleted = {0} if clauses[0][1] == "唯一的条款。" else ()

    response = client.post(
        url("template-update", draft_template.pk),
        template_data(clauses=clauses, deleted=deleted, **overrides),
    )

    assert response.status_code == 200
    assert response.context["form"].errors or any(response.context["formset"].errors)
    assert template_state(draft_template) == before


def test_template_update_is_forbidden_to_a_unit_head(client, org, draft_template):
    before = template_state(draft_template)
    client.force_login(org.heads[0])

    response = client.post(url("template-update", draft_template.pk), template_data(clauses=TWO_CLAUSES))

    assert response.status_code == 403
    assert template_state(draft_template) == before


def test_template_update_of_an_unknown_template_is_404(client, org):
    client.force_login(org.office_admin)

    assert client.get(url("template-update", 999999)).status_code == 404


# --- publish and new version --------------------------------------------------------------------


def test_template_publish_freezes_a_draft(client, org, draft_template):
    client.force_login(org.office_admin)

    response = client.post(url("template-publish", draft_template.pk))

    draft_template.refresh_from_db()
    assert response.status_code == 302
    assert draft_template.is_published
    assert draft_template.published_at is not None


def test_template_publish_twice_shows_an_error(client, org):
    published_at = org.unit_template.published_at
    client.force_login(org.office_admin)

    response = client.post(url("template-publish", org.unit_template.pk))

    assert response.status_code == 302
    assert message_texts(response)
    org.unit_template.refresh_from_db()
    assert org.unit_template.published_at == published_at


def test_template_publish_of_a_template_without_clauses_shows_an_error(client, org, draft_template):
    TemplateClause.objects.filter(template=draft_template).delete()
    client.force_login(org.office_admin)

    response = client.post(url("template-publish", draft_template.pk))

    assert message_texts(response)
    draft_template.refresh_from_db()
    assert not draft_template.is_published


def test_template_publish_is_post_only_and_forbidden_to_a_unit_head(client, org, draft_template):
    client.force_login(org.office_admin)
    assert client.get(url("template-publish", draft_template.pk)).status_code == 405
    client.force_login(org.heads[0])
    assert client.post(url("template-publish", draft_template.pk)).status_code == 403
    draft_template.refresh_from_db()
    assert not draft_template.is_published


def test_template_publish_of_an_unknown_template_is_404(client, org):
    client.force_login(org.office_admin)

    assert client.post(url("template-publish", 999999)).status_code == 404


def test_template_new_version_copies_a_published_template_into_a_draft(client, org):
    client.force_login(org.office_admin)

    response = client.post(url("template-new-version", org.unit_template.pk))

    copy = LetterTemplate.objects.get(code=org.unit_template.code, version=2)
    assert response.status_code == 302
    assert response.url == url("template-update", copy.pk)
    assert not copy.is_published
    assert template_state(copy)[4] == template_state(org.unit_template)[4]


def test_template_new_version_is_forbidden_to_a_unit_head(client, org):
    client.force_login(org.heads[0])

    response = client.post(url("template-new-version", org.unit_template.pk))

    assert response.status_code == 403
    assert not LetterTemplate.objects.filter(code=org.unit_template.code, version=2).exists()


def test_template_new_version_is_post_only(client, org):
    client.force_login(org.office_admin)

    assert client.get(url("template-new-version", org.unit_template.pk)).status_code == 405
    assert not LetterTemplate.objects.filter(code=org.unit_template.code, version=2).exists()
