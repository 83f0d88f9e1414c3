"""Why a single sign-on or a password sign-in was refused, and what the person is told.

The password form asks every backend in turn (a local password, then the directory); each notes on the
request what went wrong beyond "wrong name or password", and the form shows those notes instead of the
usual message. A note is only made once the person has proved something (the right local password, the
right directory password) or when it concerns everyone (the directory is down), so no message reveals
whether an account exists.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

_NOTES_ATTRIBUTE = "sso_sign_in_problems"


class SignInProblem(StrEnum):
    # The local password was right, but this account must sign in through single sign-on.
    LOCAL_PASSWORD_NOT_ALLOWED = "local_password_not_allowed"
    # The directory could not be asked (down, silent, refusing the service account).
    DIRECTORY_UNAVAILABLE = "directory_unavailable"
    # The directory password was right, but no active account here has the person's matching value.
    DIRECTORY_ACCOUNT_UNLINKED = "directory_account_unlinked"


def sign_in_problem_note(request, problem: SignInProblem) -> None:
    if request is not None:
        request.__dict__.setdefault(_NOTES_ATTRIBUTE, set()).add(problem)


def sign_in_problem_messages(request) -> list[str]:
    """What to tell the person about this request's refused sign-in, most useful first; [] for the usual."""
    noted = getattr(request, _NOTES_ATTRIBUTE, set())
    messages = {
        SignInProblem.DIRECTORY_ACCOUNT_UNLINKED: _(
            "Your directory account is not linked to any account in this system. Please ask the system "
            "administrator."
        ),
        SignInProblem.LOCAL_PASSWORD_NOT_ALLOWED: _(
            "This account signs in through unified identity authentication, not with a password kept in "
            "this system. Please use your unified identity account and password."
        ),
        SignInProblem.DIRECTORY_UNAVAILABLE: _(
            "The unified identity directory (LDAP) cannot be reached just now, so its passwords cannot be "
            "checked. Please try again later. Administrators whose accounts keep a local password can "
            "still sign in with it."
        ),
    }
    return [message for problem, message in messages.items() if problem in noted]


class OidcRefusalReason(StrEnum):
    """Why an OpenID Connect sign-in was refused, as the security log records it."""

    STATE = "oidc_state"  # not a sign-in this browser started here, or one already finished (a replay)
    NONCE = "oidc_nonce"  # the ID token was issued for another sign-in
    AUDIENCE = "oidc_audience"  # the ID token was issued to another application
    ISSUER = "oidc_issuer"  # the ID token comes from another provider
    SIGNATURE = "oidc_signature"  # not signed by one of the provider's keys, malformed, or incomplete
    EXPIRED = "oidc_expired"
    SUBJECT = "oidc_subject"  # the user information describes someone other than the ID token
    CLAIM_MISSING = "oidc_claim_missing"  # the provider did not say the person's account name
    UNKNOWN_PERSON = "oidc_unknown_person"  # no account here has that name
    INACTIVE = "oidc_inactive"
    TOKEN = "oidc_token"  # the provider refused to exchange the code (used, expired, or not ours)
    UNAVAILABLE = "oidc_unavailable"  # the provider could not be reached
    PROVIDER_ERROR = "oidc_provider_error"  # the provider answered with an error (the person declined…)
    # Confirming one's identity again before signing (accounts.sso.oidc_reauth):
    REAUTH_OTHER_PERSON = "oidc_reauth_other_person"  # someone other than the person signed in here
    REAUTH_STALE = "oidc_reauth_stale"  # no auth_time, or not a fresh sign-in at the provider


class SignInRefused(Exception):
    """A single sign-on refused: nothing was changed; the security log keeps the reason, the person is
    told `message` (in general terms)."""

    def __init__(self, reason: StrEnum, *, username: str = "", detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.username = username[:150]
        self.detail = detail


class OidcSignInRefused(SignInRefused):
    """An OpenID Connect sign-in refused."""

    @property
    def message(self) -> str:
        reason = self.reason
        if reason == OidcRefusalReason.UNKNOWN_PERSON:
            return _(
                "The unified identity account “%(name)s” is not linked to any account in this system. "
                "Please ask the system administrator."
            ) % {"name": self.username}
        if reason == OidcRefusalReason.INACTIVE:
            return _("This account is disabled. Please ask the security administrator.")
        if reason == OidcRefusalReason.UNAVAILABLE:
            return _(
                "The unified identity authentication service cannot be reached just now. "
                "Please try again later."
            )
        if reason == OidcRefusalReason.PROVIDER_ERROR:
            return _(
                "The unified identity authentication service did not confirm the sign-in. Please try again."
            )
        return _(
            "The sign-in through unified identity authentication could not be verified and was refused. "
            "Please start again."
        )


class CasRefusalReason(StrEnum):
    """Why a CAS sign-in was refused, as the security log records it."""

    TICKET = "cas_ticket"  # the server did not confirm the ticket (forged, used already, expired, not ours)
    ATTRIBUTE_MISSING = "cas_attribute_missing"  # the server did not release DJANGO_CAS_USERNAME_ATTRIBUTE
    UNKNOWN_PERSON = "cas_unknown_person"  # no account here has that name
    INACTIVE = "cas_inactive"
    UNAVAILABLE = "cas_unavailable"  # the server could not be reached, or did not answer in CAS
    NEXT = "cas_next"  # asked to go on to an address outside this site


# A CAS refusal tells the person what the same OpenID Connect refusal does (one wording per situation).
_CAS_TOLD_AS = {
    CasRefusalReason.UNKNOWN_PERSON: OidcRefusalReason.UNKNOWN_PERSON,
    CasRefusalReason.INACTIVE: OidcRefusalReason.INACTIVE,
    CasRefusalReason.UNAVAILABLE: OidcRefusalReason.UNAVAILABLE,
}


class CasSignInRefused(SignInRefused):
    """A CAS sign-in refused; the person is told what the same OpenID Connect refusal says."""

    @property
    def message(self) -> str:
        told_as = _CAS_TOLD_AS.get(self.reason, OidcRefusalReason.SIGNATURE)
        return OidcSignInRefused(told_as, username=self.username).message
