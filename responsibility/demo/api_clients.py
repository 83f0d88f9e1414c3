"""The demo's API clients, made by the office and given their roles by the security administrator, as the
README's steps do: the organ's OA system (机关办公系统), reading as the inspection team does, and its
personnel system (人事管理系统), which imports the organisation (the role 组织机构同步, a machine's only)."""

import datetime
from dataclasses import dataclass

from accounts.models import User
from accounts.roles import Role
from accounts.security.services import role_grant
from core import clock
from responsibility.api.models import ApiClient, Scope
from responsibility.api.services import api_client_create


@dataclass(frozen=True)
class DemoApiClient:
    client: ApiClient
    token: str  # printed once by seed_demo, as the client page shows it once


def demo_api_client_create(*, today: datetime.date, users: dict[str, User]) -> DemoApiClient:
    client, token = api_client_create(
        code="oa-system",
        name="机关办公系统",
        scopes=list(Scope.values),
        expires_on=clock.today()
        + datetime.timedelta(days=365),  # valid from now, whatever day the demo shows
        allowed_networks=[],
        created_by=users["bangongshi_admin"],
    )
    role_grant(user=client.account, role=Role.INSPECTION_TEAM, granted_by=users["anquan_admin"])
    personnel, _token = api_client_create(
        code="hr-system",
        name="人事管理系统",
        scopes=[Scope.WRITE_ORG],
        expires_on=clock.today() + datetime.timedelta(days=365),
        allowed_networks=[],
        created_by=users["bangongshi_admin"],
    )  # its token is not printed: the office makes a new one on its page to try it
    role_grant(user=personnel.account, role=Role.ORG_SYNC, granted_by=users["anquan_admin"])
    return DemoApiClient(client=client, token=token)
