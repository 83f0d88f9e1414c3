"""The identity platform's sign-in through CAS (django-cas-ng) for the accounts that exist here.

The login page's button sends the browser to the CAS server's login page; the server sends it back to
accounts:cas-login with a service ticket, and this backend has the server validate that ticket (CAS 3
serviceValidate by default, within SSO_CAS_TIMEOUT seconds) and signs in the active account whose username
is the CAS user id, or the DJANGO_CAS_USERNAME_ATTRIBUTE attribute. It never creates an account, never
grants a role and never copies an attribute. Any refusal raises `CasSignInRefused` with its reason, which
the view (accounts.sso.cas_views) records in the security log and explains on the login page.

`authenticate` is written here rather than inherited: CASBackend's version would return None for every
refusal alike, and would create accounts or map groups if its settings were ever changed.
"""

import logging
from xml.etree.ElementTree import ParseError

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django_cas_ng.backends import CASBackend
from django_cas_ng.utils import get_cas_client

from accounts.sso.problems import CasRefusalReason, CasSignInRefused

logger = logging.getLogger(__name__)

CAS_USER_ID = "cas:user"


class CasHttpSession(requests.Session):
    """The ticket validation's HTTP session: a server that is down or silent fails the sign-in quickly."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.SSO_CAS_TIMEOUT)
        return super().request(*args, **kwargs)


def _refused(reason: CasRefusalReason, *, username: str = "", detail: str = "") -> CasSignInRefused:
    logger.warning("CAS sign-in refused (%s) %s %s", reason, username, detail)
    return CasSignInRefused(reason, username=username, detail=detail)


class CasBackend(CASBackend):
    """Signs in an existing, active account named by a service ticket the CAS server has confirmed."""

    def authenticate(self, request, ticket=None, service=None, **credentials):
        if request is None or not ticket or not service or credentials:
            return None  # not a CAS sign-in (a password form never reaches the CAS server through here)
        client = get_cas_client(service_url=service, request=request)
        try:
            cas_user, attributes, _proxy_granting_ticket_iou = client.verify_ticket(ticket)
        except requests.RequestException as error:
            raise _refused(CasRefusalReason.UNAVAILABLE, detail=type(error).__name__) from error
        except (ParseError, IndexError) as error:  # an answer that is not CAS (an error page, a proxy's)
            raise _refused(CasRefusalReason.UNAVAILABLE, detail="not a CAS response") from error
        if not cas_user:
            raise _refused(CasRefusalReason.TICKET)
        username = self._username(cas_user, attributes or {})
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise _refused(CasRefusalReason.UNKNOWN_PERSON, username=username)
        if not self.user_can_authenticate(user):
            raise _refused(CasRefusalReason.INACTIVE, username=username)
        return user

    @staticmethod
    def _username(cas_user: str, attributes: dict) -> str:
        name = settings.CAS_USERNAME_ATTRIBUTE
        if name == CAS_USER_ID:
            return cas_user
        value = attributes.get(name)
        if not isinstance(value, str) or not value:  # absent, empty, or several values
            raise _refused(CasRefusalReason.ATTRIBUTE_MISSING, username=cas_user, detail=name)
        return value
