"""How a post is named everywhere (pages, forms, PDFs, event payloads): its unit once, never twice."""

import pytest

from accounts.models import OrgUnitKind, PostKind
from tests.factories import OrgUnitFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("unit", "kind", "title", "named"),
    [
        ("法制工作委员会", OrgUnitKind.WORKING_BODY, "主任", "法制工作委员会主任"),
        ("机关党委", OrgUnitKind.PARTY_COMMITTEE, "专职副书记", "机关党委专职副书记"),
        # a title that already names its body stands alone
        ("党组", OrgUnitKind.PARTY_GROUP, "党组书记、常委会主任", "党组书记、常委会主任"),
        ("党组", OrgUnitKind.PARTY_GROUP, "党组成员、秘书长", "党组成员、秘书长"),
    ],
)
def test_a_post_is_named_with_its_unit_once(unit, kind, title, named):
    post = PostFactory(unit=OrgUnitFactory(name=unit, kind=kind), title=title, kind=PostKind.STAFF)

    assert post.full_title == named
    assert str(post) == named
