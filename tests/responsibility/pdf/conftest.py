"""Letters as the demo prints them, for the PDF tests."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import User
from responsibility.demo.letter_templates import ORGAN_TEMPLATE
from responsibility.demo.signatures import demo_signature_data_url
from responsibility.letters.models.letters import SignatureMethod
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import SigningAttestation, letter_countersign, letter_sign
from responsibility.letters.signing import CONSENT_TEXT, SignatureMark, signature_mark_from_drawing
from tests.factories import CampaignFactory, LetterTemplateFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _attestation(letter, mark: SignatureMark, ip_address: str) -> SigningAttestation:
    return SigningAttestation(
        mark=mark,
        consent_text=CONSENT_TEXT,
        content_hash_shown=letter.content_hash,
        reauthenticated_at=timezone.now(),
        ip_address=ip_address,
        user_agent="pytest",
    )


@pytest.fixture
def demo_like_letter(org, time_machine):
    """The demo's organ-level letter (11 clauses): issued, signed by hand, countersigned with a typed name."""
    User.objects.filter(pk=org.secretary.pk).update(full_name="陈永昇")
    User.objects.filter(pk=org.heads[0].pk).update(full_name="张祎")
    template = LetterTemplateFactory(
        clauses=[(category, text) for category, text in ORGAN_TEMPLATE.clauses],
        published=True,
        created_by=org.office_admin,
        **ORGAN_TEMPLATE.fields(2026),
    )
    campaign = CampaignFactory(template=template, created_by=org.office_admin)
    time_machine.move_to(datetime.datetime(2026, 2, 26, 9, 30, tzinfo=SHANGHAI), tick=False)
    (letter,) = campaign_issue_letters(
        campaign=campaign,
        issuer_post=org.secretary_post,
        signer_posts=[org.head_posts[0]],
        issued_by=org.office_admin,
        ip_address="192.0.2.10",
    ).issued
    time_machine.move_to(datetime.datetime(2026, 3, 1, 10, 40, tzinfo=SHANGHAI), tick=False)
    signer = User.objects.get(pk=letter.signer_id)
    drawing = signature_mark_from_drawing(demo_signature_data_url(seed="fzw_zhuren", characters=2))
    letter = letter_sign(
        letter=letter, signed_by=signer, attestation=_attestation(letter, drawing, "192.0.2.56")
    )
    time_machine.move_to(datetime.datetime(2026, 3, 2, 8, 5, tzinfo=SHANGHAI), tick=False)
    issuer = User.objects.get(pk=letter.issuer_id)
    typed = SignatureMark(method=SignatureMethod.TYPED, typed_name="陈永昇")
    return letter_countersign(
        letter=letter, countersigned_by=issuer, attestation=_attestation(letter, typed, "192.0.2.68")
    )
