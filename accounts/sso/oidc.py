"""The identity platform's sign-in (OpenID Connect, mozilla-django-oidc) for the accounts that exist here.

The login page's button starts an authorisation-code flow with a state, a nonce and PKCE kept in the
session; the callback (accounts.sso.views) checks the state, and this backend exchanges the code, checks
the ID token (RS256 against the provider's published keys; issuer, audience = our client id, expiry,
nonce), asks for the user information (which must describe the same subject), and signs in the active
account whose username is the DJANGO_OIDC_USERNAME_CLAIM value. It never creates an account and never
grants a role. Any refusal raises `OidcSignInRefused` with its reason, which the callback records in the
security log and explains on the login page.
"""

import logging

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.sso.problems import OidcRefusalReason, OidcSignInRefused

logger = logging.getLogger(__name__)

SIGNING_ALGORITHMS = ["RS256"]
# Clock difference tolerated between the provider and this server when checking a token's times.
LEEWAY_SECONDS = 60


def _refused(reason: OidcRefusalReason, *, username: str = "", detail: str = "") -> OidcSignInRefused:
    logger.warning("OpenID Connect sign-in refused (%s) %s %s", reason, username, detail)
    return OidcSignInRefused(reason, username=username, detail=detail)


class OidcBackend(OIDCAuthenticationBackend):
    """Signs in an existing, active account named by the provider's verified claims."""

    def authenticate(self, request, nonce=None, code_verifier=None, **credentials):
        # Only the callback asks with the nonce it kept; a password form (username=, password=) never
        # reaches the provider through here, even with ?code=&state= in its address.
        if request is None or nonce is None or credentials:
            return None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def get_token(self, payload):
        try:
            return super().get_token(payload)
        except requests.HTTPError as error:
            raise _refused(OidcRefusalReason.TOKEN, detail=str(error)[:200]) from error
        except requests.RequestException as error:
            raise _refused(OidcRefusalReason.UNAVAILABLE, detail=type(error).__name__) from error

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except requests.RequestException as error:
            raise _refused(OidcRefusalReason.UNAVAILABLE, detail=type(error).__name__) from error
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, ValueError) as error:
            raise _refused(OidcRefusalReason.SIGNATURE, detail=str(error)[:200]) from error

    def verify_token(self, token, **kwargs):
        """The ID token's signature, issuer, audience, times and (for the ID token) nonce."""
        if not token:
            raise _refused(OidcRefusalReason.SIGNATURE, detail="no ID token")
        key = self.retrieve_matching_jwk(token)
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=SIGNING_ALGORITHMS,
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.SSO_OIDC_ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.InvalidAudienceError as error:
            raise _refused(OidcRefusalReason.AUDIENCE, detail=str(error)) from error
        except jwt.InvalidIssuerError as error:
            raise _refused(OidcRefusalReason.ISSUER, detail=str(error)) from error
        except jwt.ExpiredSignatureError as error:
            raise _refused(OidcRefusalReason.EXPIRED) from error
        except jwt.PyJWTError as error:
            raise _refused(OidcRefusalReason.SIGNATURE, detail=str(error)[:200]) from error
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise _refused(OidcRefusalReason.AUDIENCE, detail="shared with other applications, not ours")
        if "nonce" in kwargs and payload.get("nonce") != kwargs["nonce"]:
            raise _refused(OidcRefusalReason.NONCE)
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        try:
            claims = super().get_userinfo(access_token, id_token, payload)
        except requests.HTTPError as error:
            raise _refused(OidcRefusalReason.TOKEN, detail=f"user information: {error}"[:200]) from error
        except requests.RequestException as error:
            raise _refused(OidcRefusalReason.UNAVAILABLE, detail=type(error).__name__) from error
        if not isinstance(claims, dict) or claims.get("sub") != payload.get("sub"):
            raise _refused(OidcRefusalReason.SUBJECT)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        """The account named by the claim; never a new one."""
        claims = self.get_userinfo(access_token, id_token, payload)
        username = claims.get(settings.SSO_OIDC_USERNAME_CLAIM)
        if not isinstance(username, str) or not username:
            raise _refused(OidcRefusalReason.CLAIM_MISSING, detail=settings.SSO_OIDC_USERNAME_CLAIM)
        user = self.UserModel.objects.filter(username=username).first()
        if user is None:
            raise _refused(OidcRefusalReason.UNKNOWN_PERSON, username=username)
        if not user.is_active:
            raise _refused(OidcRefusalReason.INACTIVE, username=username)
        return user

    def create_user(self, claims):  # not reached (get_or_create_user above); a guard against a refactor
        raise _refused(OidcRefusalReason.UNKNOWN_PERSON, username=str(claims.get("sub", "")))
