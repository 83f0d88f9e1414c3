"""API clients made as the office makes them and given roles as the security administrator grants them."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.roles import Role
from accounts.security.services import role_grant
from core import clock
from responsibility.api.models import ApiClient, Scope
from responsibility.api.services import api_client_create
from tests.factories import UserFactory


@dataclass
class Caller:
    """A client and its token, calling the API as an integration would."""

    client: ApiClient
    token: str

    def get(self, path: str, **params):
        return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {self.token}")


@pytest.fixture
def security_admin(db):
    return UserFactory(full_name="安全员", roles=[Role.SECURITY_ADMIN])


@pytest.fixture
def make_caller(org, security_admin):
    made = iter(range(1, 1000))

    def make(*, roles=(), scopes=tuple(Scope.values), networks=(), days=30) -> Caller:
        number = next(made)
        client, token = api_client_create(
            code=f"client-{number}",
            name=f"办公系统{number}",
            scopes=list(scopes),
            expires_on=clock.today() + datetime.timedelta(days=days),
            allowed_networks=list(networks),
            created_by=org.office_admin,
        )
        for role in roles:
            role_grant(user=client.account, role=Role(role), granted_by=security_admin)
        return Caller(client=client, token=token)

    return make
