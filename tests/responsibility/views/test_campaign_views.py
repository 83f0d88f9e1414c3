"""Campaign pages: list, create/update, progress by unit, bulk issue, close and the 层层签订 tree."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import PostKind
from responsibility.letters.models.letters import Campaign, CampaignStatus, Letter, LetterEvent, LetterStatus
from responsibility.letters.services.issuing import campaign_issue_letters, letter_issue_to_staff
from responsibility.letters.services.letters import letter_sign
from tests.conftest import attestation_for
from tests.factories import CampaignFactory, LetterTemplateFactory, PostFactory

pytestmark = pytest.mark.django_db

QUERY_CEILING = 40  # generous: the point is that the count does not grow with the data


def url(name, *args):
    return reverse(f"responsibility:{name}", args=args)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def campaign_snapshot(campaign: Campaign) -> tuple:
    campaign = Campaign.objects.get(pk=campaign.pk)
    return (campaign.year, campaign.title, campaign.template_id, campaign.deadline, campaign.status)


def issue_to_new_heads(org, count: int) -> list[Letter]:
    posts = [PostFactory(kind=PostKind.UNIT_HEAD) for _ in range(count)]
    return campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued


def query_count(client, path, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(QUERY_CEILING) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- list ---------------------------------------------------------------------------------------


def test_campaign_list_shows_progress_and_the_new_button_to_the_office_admin(client, org, signed_letter):
    # given one of the two letters signed
    client.force_login(org.office_admin)

    # when
    response = client.get(url("campaign-list"))

    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert org.campaign.title in body
    assert "1/2" in body
    assert url("campaign-create") in body


def test_campaign_list_shows_a_unit_head_only_their_letters_and_no_new_button(client, org, issued_letters):
    client.force_login(org.heads[0])

    response = client.get(url("campaign-list"))

    body = response.content.decode()
    assert org.campaign.title in body
    assert "0/1" in body
    assert url("campaign-create") not in body


def test_campaign_list_hides_campaigns_without_letters_of_the_user(client, org):
    client.force_login(org.outsider)

    response = client.get(url("campaign-list"))

    assert response.status_code == 200
    assert org.campaign.title not in response.content.decode()


def test_campaign_list_runs_the_same_queries_for_one_or_many_campaigns(
    client, org, issued_letters, django_assert_max_num_queries
):
    # given
    client.force_login(org.office_admin)
    client.get(url("campaign-list"))  # warm the per-process caches
    few = query_count(client, url("campaign-list"), django_assert_max_num_queries)

    # when more campaigns with letters exist
    for i in range(4):
        campaign = CampaignFactory(created_by=org.office_admin, reference_prefix=f"测{i}")
        campaign_issue_letters(
            campaign=campaign,
            issuer_post=org.secretary_post,
            signer_posts=org.head_posts,
            issued_by=org.office_admin,
        )
    many = query_count(client, url("campaign-list"), django_assert_max_num_queries)

    # then
    assert many == few


# --- create / update ----------------------------------------------------------------------------


def create_data(org, **overrides) -> dict:
    data = {
        "year": "2027",
        "title": "2027年度党风廉政建设责任书签订",
        "template": str(org.campaign.template_id),
        "deadline": "2027-03-31",
        "reference_prefix": "人常廉责",
    }
    return {**data, **overrides}


def test_campaign_create_opens_a_campaign_for_the_office_admin(client, org):
    client.force_login(org.office_admin)

    response = client.post(url("campaign-create"), create_data(org))

    campaign = Campaign.objects.get(year=2027)
    assert response.status_code == 302
    assert response.url == url("campaign-detail", campaign.pk)
    assert (campaign.title, campaign.deadline, campaign.created_by) == (
        "2027年度党风廉政建设责任书签订",
        datetime.date(2027, 3, 31),
        org.office_admin,
    )


def test_campaign_create_form_renders_for_the_office_admin(client, org):
    client.force_login(org.office_admin)

    response = client.get(url("campaign-create"))

    assert response.status_code == 200
    assert list(response.context["form"].fields["template"].queryset) == [org.campaign.template]


@pytest.mark.parametrize("method", ["get", "post"])
def test_campaign_create_is_forbidden_to_a_unit_head(client, org, method):
    client.force_login(org.heads[0])

    response = getattr(client, method)(url("campaign-create"), create_data(org) if method == "post" else None)

    assert response.status_code == 403
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 101}, "title"),
        ({"reference_prefix": "前" * 17}, "reference_prefix"),
        ({"deadline": "not-a-date"}, "deadline"),
        ({"year": "1999"}, "year"),
    ],
)
def test_campaign_create_refuses_bad_fields_with_a_form_error(client, org, overrides, field):
    client.force_login(org.office_admin)

    response = client.post(url("campaign-create"), create_data(org, **overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Campaign.objects.count() == 1


def test_campaign_create_refuses_a_template_that_is_not_published(client, org):
    draft = LetterTemplateFactory(created_by=org.office_admin)
    client.force_login(org.office_admin)

    response = client.post(url("campaign-create"), create_data(org, template=str(draft.pk)))

    assert response.status_code == 200
    assert response.context["form"].errors["template"]
    assert Campaign.objects.count() == 1


def test_campaign_create_refuses_a_deadline_in_another_year(client, org):
    client.force_login(org.office_admin)

    response = client.post(url("campaign-create"), create_data(org, deadline="2030-01-15"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "deadline" in response.content.decode() or "截止" in response.content.decode()
    assert Campaign.objects.count() == 1


def test_campaign_create_refuses_a_duplicate_year_and_title(client, org):
    client.force_login(org.office_admin)
    data = create_data(org, year=str(org.campaign.year), title=org.campaign.title, deadline="2026-12-01")

    response = client.post(url("campaign-create"), data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Campaign.objects.count() == 1


def update_data(org, **overrides) -> dict:
    data = {"title": "新标题", "template": str(org.campaign.template_id), "deadline": "2026-06-30"}
    return {**data, **overrides}


def test_campaign_update_changes_title_and_deadline(client, org):
    client.force_login(org.office_admin)

    response = client.post(url("campaign-update", org.campaign.pk), update_data(org))

    org.campaign.refresh_from_db()
    assert response.status_code == 302
    assert (org.campaign.title, org.campaign.deadline) == ("新标题", datetime.date(2026, 6, 30))


def test_campaign_update_form_shows_the_current_values(client, org):
    client.force_login(org.office_admin)

    response = client.get(url("campaign-update", org.campaign.pk))

    assert response.status_code == 200
    assert response.context["form"].initial["title"] == org.campaign.title


def test_campaign_update_is_forbidden_to_a_unit_head_who_sees_the_campaign(client, org, issued_letters):
    before = campaign_snapshot(org.campaign)
    client.force_login(org.heads[0])

    assert client.get(url("campaign-update", org.campaign.pk)).status_code == 403
    assert client.post(url("campaign-update", org.campaign.pk), update_data(org)).status_code == 403
    assert campaign_snapshot(org.campaign) == before


def test_campaign_update_of_an_invisible_campaign_is_404(client, org):
    client.force_login(org.outsider)

    response = client.post(url("campaign-update", org.campaign.pk), update_data(org))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "overrides", [{"title": ""}, {"deadline": "2031-01-01"}, {"title": "长" * 101}, {"template": "999999"}]
)
def test_campaign_update_refuses_bad_input_and_changes_nothing(client, org, overrides):
    before = campaign_snapshot(org.campaign)
    client.force_login(org.office_admin)

    response = client.post(url("campaign-update", org.campaign.pk), update_data(org, **overrides))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert campaign_snapshot(org.campaign) == before


def test_campaign_update_refuses_a_new_template_once_letters_exist(client, org, issued_letters):
    other = LetterTemplateFactory(published=True, created_by=org.office_admin)
    before = campaign_snapshot(org.campaign)
    client.force_login(org.office_admin)

    response = client.post(url("campaign-update", org.campaign.pk), update_data(org, template=str(other.pk)))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert campaign_snapshot(org.campaign) == before


# --- detail -------------------------------------------------------------------------------------


def test_campaign_detail_shows_progress_by_unit_and_admin_buttons(client, org, signed_letter):
    client.force_login(org.office_admin)

    response = client.get(url("campaign-detail", org.campaign.pk))

    assert response.status_code == 200
    units = response.context["units"]
    assert [(u.unit_name, u.total, u.signed, u.waiting) for u in units] == [
        (org.head_posts[0].unit.name, 1, 1, 0),
        (org.head_posts[1].unit.name, 1, 0, 1),
    ]
    assert (response.context["totals"].total, response.context["totals"].signed) == (2, 1)
    body = response.content.decode()
    assert url("campaign-issue", org.campaign.pk) in body
    assert url("campaign-update", org.campaign.pk) in body
    assert url("campaign-close", org.campaign.pk) in body
    assert url("campaign-tree", org.campaign.pk) in body
    assert f"?campaign={org.campaign.pk}&amp;unit={org.head_posts[0].unit_id}&amp;status=issued" in body


def test_campaign_detail_shows_a_unit_head_only_their_unit_and_no_admin_buttons(client, org, issued_letters):
    client.force_login(org.heads[1])

    response = client.get(url("campaign-detail", org.campaign.pk))

    assert [u.unit_id for u in response.context["units"]] == [org.head_posts[1].unit_id]
    body = response.content.decode()
    assert url("campaign-issue", org.campaign.pk) not in body
    assert url("campaign-close", org.campaign.pk) not in body
    assert url("campaign-update", org.campaign.pk) not in body


def test_campaign_detail_shows_the_inspection_team_every_unit(client, org, issued_letters):
    client.force_login(org.inspector)

    response = client.get(url("campaign-detail", org.campaign.pk))

    assert len(response.context["units"]) == 2
    assert url("campaign-issue", org.campaign.pk) not in response.content.decode()


def test_campaign_detail_of_an_invisible_campaign_is_404(client, org, issued_letters):
    client.force_login(org.outsider)

    assert client.get(url("campaign-detail", org.campaign.pk)).status_code == 404


@pytest.mark.parametrize("who", ["office_admin", "head"])
def test_campaign_detail_runs_the_same_queries_for_2_and_12_letters(
    client, org, issued_letters, django_assert_max_num_queries, who
):
    # given
    user = org.office_admin if who == "office_admin" else org.heads[0]
    client.force_login(user)
    path = url("campaign-detail", org.campaign.pk)
    client.get(path)
    few = query_count(client, path, django_assert_max_num_queries)

    # when ten more letters exist
    issue_to_new_heads(org, 10)
    client.get(path)  # the office's counts are kept per change (campaign_progress_figures): warm them again
    many = query_count(client, path, django_assert_max_num_queries)

    # then
    assert many == few
    if who == "office_admin":
        assert client.get(path).context["totals"].total == 12


# --- issue --------------------------------------------------------------------------------------


def issue_data(org, **overrides) -> dict:
    data = {"issuer_post": str(org.secretary_post.pk), "signer_kinds": [PostKind.UNIT_HEAD]}
    return {**data, **overrides}


def test_campaign_issue_form_renders_for_the_office_admin(client, org):
    client.force_login(org.office_admin)

    response = client.get(url("campaign-issue", org.campaign.pk))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["issuer_post"].queryset) == [org.secretary_post]
    assert form.initial["issuer_post"] == org.secretary_post.pk
    assert 'id="issue-button"' in response.content.decode()


def test_campaign_issue_issues_one_letter_per_unit_head(client, org):
    client.force_login(org.office_admin)

    response = client.post(url("campaign-issue", org.campaign.pk), issue_data(org), REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 302
    letters = Letter.objects.filter(campaign=org.campaign)
    assert sorted(letter.signer_id for letter in letters) == sorted(head.pk for head in org.heads)
    assert {letter.status for letter in letters} == {LetterStatus.ISSUED}
    assert set(LetterEvent.objects.values_list("ip_address", flat=True)) == {"10.0.0.7"}
    assert any("2" in text for text in message_texts(response))


def test_campaign_issue_to_chosen_units_only_then_to_all_lists_the_skipped_post(client, org):
    client.force_login(org.office_admin)
    first_unit = org.head_posts[0].unit

    # when the first unit only, then all units
    client.post(url("campaign-issue", org.campaign.pk), issue_data(org, units=[str(first_unit.pk)]))
    assert Letter.objects.filter(campaign=org.campaign).count() == 1
    response = client.post(url("campaign-issue", org.campaign.pk), issue_data(org))

    # then the second unit got its letter and the first was skipped, with the reason
    assert Letter.objects.filter(campaign=org.campaign).count() == 2
    texts = message_texts(response)
    assert any(str(org.head_posts[0]) in text for text in texts)


def test_campaign_issue_twice_shows_an_error_and_changes_nothing(client, org, issued_letters):
    client.force_login(org.office_admin)
    events = LetterEvent.objects.count()

    response = client.post(url("campaign-issue", org.campaign.pk), issue_data(org))

    assert response.status_code == 200
    assert message_texts(response)
    assert Letter.objects.filter(campaign=org.campaign).count() == 2
    assert LetterEvent.objects.count() == events


def test_campaign_issue_preview_counts_posts_and_issues_nothing(client, org):
    # given the first head already has a letter
    campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=org.secretary_post,
        signer_posts=org.head_posts[:1],
        issued_by=org.office_admin,
    )
    client.force_login(org.office_admin)

    # when
    response = client.post(url("campaign-issue", org.campaign.pk), issue_data(org, preview="1"))

    # then
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["count"] == 2
    assert preview["with_letter"] == {org.head_posts[0].pk}
    assert Letter.objects.filter(campaign=org.campaign).count() == 1


def test_campaign_issue_without_signer_kinds_is_a_form_error(client, org):
    client.force_login(org.office_admin)

    response = client.post(url("campaign-issue", org.campaign.pk), issue_data(org, signer_kinds=[]))

    assert response.status_code == 200
    assert response.context["form"].errors["signer_kinds"]
    assert not Letter.objects.exists()


def test_campaign_issue_with_a_post_that_may_not_issue_is_a_form_error(client, org):
    client.force_login(org.office_admin)

    response = client.post(
        url("campaign-issue", org.campaign.pk), issue_data(org, issuer_post=str(org.head_posts[0].pk))
    )

    assert response.context["form"].errors["issuer_post"]
    assert not Letter.objects.exists()


def test_campaign_issue_in_a_closed_campaign_shows_an_error(client, org):
    client.force_login(org.office_admin)
    client.post(url("campaign-close", org.campaign.pk))

    response = client.post(url("campaign-issue", org.campaign.pk), issue_data(org))

    assert response.status_code == 200
    assert message_texts(response)
    assert not Letter.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_campaign_issue_is_forbidden_to_a_unit_head(client, org, issued_letters, method):
    client.force_login(org.heads[0])

    response = getattr(client, method)(url("campaign-issue", org.campaign.pk), issue_data(org))

    assert response.status_code == 403
    assert Letter.objects.filter(campaign=org.campaign).count() == 2


def test_campaign_issue_for_an_invisible_campaign_is_404(client, org):
    client.force_login(org.outsider)

    assert client.post(url("campaign-issue", org.campaign.pk), issue_data(org)).status_code == 404


# --- close --------------------------------------------------------------------------------------


def test_campaign_close_closes_the_campaign(client, org):
    client.force_login(org.office_admin)

    response = client.post(url("campaign-close", org.campaign.pk))

    org.campaign.refresh_from_db()
    assert response.status_code == 302
    assert org.campaign.status == CampaignStatus.CLOSED


def test_campaign_close_twice_shows_an_error(client, org):
    client.force_login(org.office_admin)
    client.post(url("campaign-close", org.campaign.pk))

    response = client.post(url("campaign-close", org.campaign.pk))

    assert response.status_code == 302
    assert message_texts(response)
    org.campaign.refresh_from_db()
    assert org.campaign.status == CampaignStatus.CLOSED


def test_campaign_close_is_post_only(client, org):
    client.force_login(org.office_admin)

    response = client.get(url("campaign-close", org.campaign.pk))

    assert response.status_code == 405
    org.campaign.refresh_from_db()
    assert org.campaign.status == CampaignStatus.OPEN


def test_campaign_close_is_forbidden_to_a_unit_head_and_404_to_an_outsider(client, org, issued_letters):
    client.force_login(org.heads[0])
    assert client.post(url("campaign-close", org.campaign.pk)).status_code == 403
    client.force_login(org.outsider)
    assert client.post(url("campaign-close", org.campaign.pk)).status_code == 404
    org.campaign.refresh_from_db()
    assert org.campaign.status == CampaignStatus.OPEN


# --- tree ---------------------------------------------------------------------------------------


def test_campaign_tree_shows_top_level_letters_with_their_children_count(client, org, staff_letters):
    client.force_login(org.office_admin)

    response = client.get(url("campaign-tree", org.campaign.pk))

    assert response.status_code == 200
    nodes = response.context["nodes"]
    assert [node.parent_id for node in nodes] == [None, None]
    head_letter = staff_letters[0].parent
    assert {node.pk: node.children_count for node in nodes}[head_letter.pk] == 2
    assert f"?root={head_letter.pk}" in response.content.decode()


def test_campaign_tree_with_a_root_shows_the_subtree_by_depth(client, org, staff_letters):
    head_letter = staff_letters[0].parent
    client.force_login(org.heads[0])

    response = client.get(url("campaign-tree", org.campaign.pk), {"root": head_letter.pk})

    assert response.status_code == 200
    assert [(node.pk, node.depth) for node in response.context["nodes"]] == [
        (head_letter.pk, 0),
        *((letter.pk, 1) for letter in staff_letters),
    ]
    body = response.content.decode()
    for letter in staff_letters:
        assert url("letter-detail", letter.pk) in body


@pytest.mark.parametrize("root", ["other head's letter", "not a number", "999999"])
def test_campaign_tree_with_a_root_the_user_cannot_see_is_404(client, org, issued_letters, root):
    client.force_login(org.heads[1])
    value = {"other head's letter": issued_letters[0].pk, "not a number": "abc", "999999": "999999"}[root]

    response = client.get(url("campaign-tree", org.campaign.pk), {"root": value})

    assert response.status_code == 404


def test_campaign_tree_of_an_invisible_campaign_is_404(client, org, issued_letters):
    client.force_login(org.outsider)

    assert client.get(url("campaign-tree", org.campaign.pk)).status_code == 404


def test_campaign_tree_runs_the_same_queries_whatever_the_number_of_letters(
    client, org, staff_letters, django_assert_max_num_queries
):
    # given
    head_letter = staff_letters[0].parent
    client.force_login(org.office_admin)
    top = url("campaign-tree", org.campaign.pk)
    subtree = f"{top}?root={head_letter.pk}"
    client.get(top)
    few = (
        query_count(client, top, django_assert_max_num_queries),
        query_count(client, subtree, django_assert_max_num_queries),
    )

    # when more top-level letters and more staff letters exist
    issue_to_new_heads(org, 10)
    unit = org.head_posts[0].unit
    letter_issue_to_staff(
        parent=head_letter,
        template=org.unit_template,
        signer_posts=[PostFactory(unit=unit, title=f"干部{i}", kind=PostKind.STAFF) for i in range(5)],
        issued_by=org.heads[0],
    )
    many = (
        query_count(client, top, django_assert_max_num_queries),
        query_count(client, subtree, django_assert_max_num_queries),
    )

    # then
    assert many == few
    assert len(client.get(subtree).context["nodes"]) == 8


def test_campaign_progress_can_list_the_units_furthest_behind_first(client, org, issued_letters):
    from responsibility.letters.services.letters import letter_sign
    from tests.conftest import attestation_for

    # given the first unit (in organisation order) has signed and the second has not
    signed, unsigned = issued_letters
    letter_sign(letter=signed, signed_by=signed.signer, attestation=attestation_for(signed))
    client.force_login(org.office_admin)
    url = reverse("responsibility:campaign-detail", args=[org.campaign.pk])

    # when
    in_order = client.get(url).content.decode()
    behind_first = client.get(url, {"order": "behind"}).content.decode()

    # then
    assert in_order.index(signed.signer_unit.name) < in_order.index(unsigned.signer_unit.name)
    assert behind_first.index(unsigned.signer_unit.name) < behind_first.index(signed.signer_unit.name)


def test_the_offices_progress_is_counted_once_per_change_and_never_stale(client, org, issued_letters):
    """Readers of every letter share the counts through the cache, under the letter audit chain's position."""
    client.force_login(org.office_admin)
    page = url("campaign-detail", org.campaign.pk)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(page)
    cold_queries = len(cold)  # read now: the next request empties the connection's query log
    with CaptureQueriesContext(connection) as warm:
        again = client.get(page)
    warm_queries = len(warm)

    # when a head signs
    letter = issued_letters[1]
    letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    changed = client.get(page)

    # then the second opening did not count again, and the signature shows at once
    assert warm_queries == cold_queries - 1
    assert (again.context["totals"].signed, first.context["totals"].signed) == (0, 0)
    assert changed.context["totals"].signed == 1
    assert changed.context["totals"].waiting == first.context["totals"].waiting - 1


def test_a_unit_heads_progress_is_never_the_shared_one(client, org, issued_letters):
    client.force_login(org.office_admin)
    assert client.get(url("campaign-detail", org.campaign.pk)).context["totals"].total == 2

    client.force_login(org.heads[1])
    response = client.get(url("campaign-detail", org.campaign.pk))

    assert response.context["totals"].total == 1
