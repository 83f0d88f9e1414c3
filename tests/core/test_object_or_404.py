"""core.http.object_or_404: the one row a unique key names, or 404, read without get()'s LIMIT."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.http import object_or_404
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_row_named_by_its_key_is_read_in_one_query_without_a_limit():
    person = UserFactory()

    with CaptureQueriesContext(connection) as captured:
        found = object_or_404(User.objects.filter(pk=person.pk))

    assert found == person
    assert len(captured) == 1
    assert "LIMIT" not in captured[0]["sql"].upper()


@pytest.mark.parametrize("key", [0, 10**40])
def test_a_key_naming_no_row_is_a_404(key):
    UserFactory()
    with pytest.raises(Http404):
        object_or_404(User.objects.filter(pk=key))


def test_a_filter_that_is_not_unique_is_a_mistake_of_the_code_not_a_404():
    UserFactory(is_active=True)
    UserFactory(is_active=True)
    with pytest.raises(User.MultipleObjectsReturned):
        object_or_404(User.objects.filter(is_active=True))
