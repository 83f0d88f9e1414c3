"""The demo's letters, built by `DemoBuilder`: the organisation they are signed in, the templates
published, last year's campaign (signed, countersigned, archived, closed) and this year's, where
letters are issued, signed, returned, revised, voided, countersigned, archived and cascaded to staff."""

import datetime
import hashlib

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import OrgUnit, Post, User
from accounts.roles import Role
from core import clock
from core.errors import ApplicationError
from responsibility.demo.letter_templates import (
    DRAFT_TEMPLATE,
    ORGAN_TEMPLATE,
    ORGAN_TEMPLATE_PREVIOUS,
    UNIT_TEMPLATE,
    DemoTemplate,
)
from responsibility.demo.organisation import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_UNITS,
    HEAD_USERNAMES,
    TERM_START,
)
from responsibility.demo.signatures import demo_signature_data_url
from responsibility.letters.content import ClauseText
from responsibility.letters.models.letters import Campaign, Letter, LetterTemplate
from responsibility.letters.services.campaigns import campaign_close, campaign_create, reminder_policy_update
from responsibility.letters.services.issuing import (
    campaign_issue_letters,
    letter_issue_to_staff,
    letter_revise,
)
from responsibility.letters.services.letters import (
    SigningAttestation,
    letter_archive,
    letter_countersign,
    letter_return,
    letter_sign,
    letter_void,
    letters_countersign,
)
from responsibility.letters.services.templates import (
    template_create,
    template_new_version,
    template_publish,
    template_update,
)
from responsibility.letters.signing import (
    CONSENT_TEXT,
    signature_mark_from_drawing,
    signature_mark_from_typed_name,
)

DEMO_REFERENCE_PREFIX = "人常廉责"
# This year's campaign reminds 14, 7, 3 and 1 days before its deadline (the default is 7, 3, 1).
DEMO_REMINDER_DAYS_BEFORE = (14, 7, 3, 1)

CAMPAIGN_TITLE = "{year}年度党风廉政建设责任书签订"

# The story of this year's campaign (see docs/demo-accounts.md).
MISTAKEN_SIGNER = "bgs_fuzhuren"  # wrongly included in the bulk issue, then voided
VOID_REASON = (
    "误将办公室副主任列入党组签订范围。按照层层签订要求，办公室副主任应与办公室主要负责同志签订"
    "责任书，本件作废。"
)
RETURNING_HEAD = "chw_zhuren"
RETURN_REASON = (
    "第5条将专题询问列为本委工作，但本委今年不承担专题询问任务，牵头的是大气污染防治条例执法检查"
    "和跟踪监督。请按常委会年度工作要点调整表述后重新签发。"
)
REVISED_CLAUSE = (
    5,
    "推进工作机关和代表机关建设：组织好本委牵头的执法检查和跟踪监督，严格执行工作纪律，密切同人大"
    "代表和人民群众的联系，认真办理代表建议，不向被监督单位提出与履职无关的要求。",
)
# Heads who sign at the meeting and are countersigned at once. The office's letter is then archived;
# the office and the 法工委 heads issue letters to their staff. jkw and nnw sign later and wait for the
# secretary's countersignature; yjs, sjw, rxw and chw (revised letter) have not signed yet.
HEADS_COUNTERSIGNED = ("bgs_zhuren", "fzw_zhuren", "cjw_zhuren", "jgdw_shuji")
OFFICE_STAFF = (
    "bgs_fuzhuren",
    "mishu_chuzhang",
    "mishu_ganbu",
    "zonghe_chuzhang",
    "zonghe_ganbu",
    "bangongshi_admin",
)
LEGAL_STAFF = ("fzw_fuzhuren", "fagui_chuzhang", "fagui_ganbu1", "fagui_ganbu2")
OFFICE_IP = "192.0.2.10"  # addresses from the documentation range (RFC 5737)

# Who signs by drawing on the canvas; the others type their name.
DRAWING_SIGNERS = frozenset(
    {
        "shuji",
        "bgs_zhuren",
        "cjw_zhuren",
        "nnw_zhuren",
        "mishu_chuzhang",
        "zonghe_chuzhang",
        "fagui_ganbu2",
        "fzw_zhuren",
        "sjw_zhuren",
    }
)


class DemoBuilder:
    """The organisation and the campaigns, built step by step by the people who would do each step."""

    def __init__(self, *, today: datetime.date):
        self.today = today
        self.year = today.year
        self.units: dict[str, OrgUnit] = {}
        self.users: dict[str, User] = {}
        self.posts: dict[str, Post] = {}
        self.campaigns: list[Campaign] = []
        self.templates: list[LetterTemplate] = []

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def days_ago(self, days: int, hour: int, minute: int = 0) -> datetime.datetime:
        return self.at(self.today - datetime.timedelta(days=days), hour, minute)

    # Organisation ---------------------------------------------------------------------------------

    def organisation_create(self, *, with_superuser: bool) -> None:
        for order, spec in enumerate(DEMO_UNITS, start=1):
            self.units[spec.code] = OrgUnit.objects.create(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                parent=self.units[spec.parent] if spec.parent else None,
                sort_order=order * 10,
            )
        password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
        joined = self.at(datetime.date(self.year - 1, 1, 4), 9)
        groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
        for order, spec in enumerate(DEMO_ACCOUNTS, start=1):
            if spec.is_superuser and not with_superuser:
                continue
            user = User.objects.create(
                username=spec.username,
                full_name=spec.full_name,
                email=spec.email,
                password=password,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
                date_joined=joined,
            )
            user.groups.add(*(groups[role] for role in spec.roles))
            self.users[spec.username] = user
            if spec.unit:
                post = Post.objects.create(
                    unit=self.units[spec.unit],
                    title=spec.title,
                    kind=spec.kind,
                    holder=user,
                    term_start=TERM_START,
                    sort_order=order,
                )
                post.oversees.set([self.units[code] for code in spec.oversees])
                self.posts[spec.username] = post

    # Templates ------------------------------------------------------------------------------------

    def templates_create(self) -> None:
        office = self.users["bangongshi_admin"]
        with clock.at(self.at(datetime.date(self.year - 1, 1, 8), 10)):
            previous = self._template_create(ORGAN_TEMPLATE_PREVIOUS, year=self.year - 1)
            self.organ_previous = template_publish(template=previous, published_by=office)
        with clock.at(self.days_ago(45, 10)):
            # This year's text is the next version of last year's family, edited and published.
            draft = template_new_version(template=self.organ_previous, created_by=office)
            self.organ = template_update(
                template=draft,
                clauses=ORGAN_TEMPLATE.clause_texts(),
                updated_by=office,
                **ORGAN_TEMPLATE.fields(self.year),
            )
            self.unit_template = self._template_create(UNIT_TEMPLATE, year=self.year)
            self.draft_template = self._template_create(DRAFT_TEMPLATE, year=self.year)
        with clock.at(self.days_ago(40, 15)):
            self.organ = template_publish(template=self.organ, published_by=office)
            self.unit_template = template_publish(template=self.unit_template, published_by=office)
        self.templates = [self.organ_previous, self.organ, self.unit_template, self.draft_template]

    def _template_create(self, spec: DemoTemplate, *, year: int) -> LetterTemplate:
        return template_create(
            code=spec.code,
            clauses=spec.clause_texts(),
            created_by=self.users["bangongshi_admin"],
            owner_unit=self.units[spec.owner_unit] if spec.owner_unit else None,
            **spec.fields(year),
        )

    # Last year: every head signed at the meeting, everything countersigned and archived ----------

    def previous_campaign_run(self) -> None:
        year, office = self.year - 1, self.users["bangongshi_admin"]
        with clock.at(self.at(datetime.date(year, 1, 15), 9)):
            campaign = campaign_create(
                year=year,
                title=CAMPAIGN_TITLE.format(year=year),
                template=self.organ_previous,
                deadline=datetime.date(year, 3, 31),
                reference_prefix=DEMO_REFERENCE_PREFIX,
                created_by=office,
            )
        meeting = datetime.date(year, 2, 26)
        with clock.at(self.at(meeting, 9, 30)):
            letters = self._bulk_issue(campaign, HEAD_USERNAMES)
        for minute, letter in enumerate(letters.values()):
            self._sign(letter, at=self.at(meeting, 10, minute * 3))
        self._countersign_batch(list(letters.values()), at=self.at(meeting, 11, 30))
        with clock.at(self.at(datetime.date(year, 3, 28), 16)):
            for letter in letters.values():
                letter_archive(letter=letter, archived_by=office, ip_address=OFFICE_IP)
        with clock.at(self.at(datetime.date(year, 12, 30), 17)):
            campaign = campaign_close(campaign=campaign, closed_by=office)
        self.campaigns.append(campaign)

    # This year: the meeting three weeks ago, and everything since --------------------------------

    def current_campaign_run(self) -> None:
        """In time order, so that the audit chain reads like the weeks it records."""
        office = self.users["bangongshi_admin"]
        with clock.at(self.days_ago(30, 9)):
            campaign = campaign_create(
                year=self.year,
                title=CAMPAIGN_TITLE.format(year=self.year),
                template=self.organ,
                deadline=self.today + datetime.timedelta(days=14),
                reference_prefix=DEMO_REFERENCE_PREFIX,
                created_by=office,
            )
            # Reminders from two weeks before the deadline, so that some are due on the day the demo
            # is loaded (the deadline is 14 days ahead), and on weekends too (see docs/demo-accounts.md).
            reminder_policy_update(
                campaign=campaign,
                days_before=list(DEMO_REMINDER_DAYS_BEFORE),
                overdue_every_days=2,
                skip_weekends=False,
                updated_by=office,
            )
        self.campaigns.append(campaign)

        # The meeting: the office issues every head's letter in the secretary's name (one by mistake,
        # voided at once); four heads sign and the secretary countersigns them in one go.
        with clock.at(self.days_ago(21, 9, 30)):
            letters = self._bulk_issue(campaign, (*HEAD_USERNAMES, MISTAKEN_SIGNER))
        with clock.at(self.days_ago(21, 10, 15)):
            letter_void(
                letter=letters[MISTAKEN_SIGNER], voided_by=office, reason=VOID_REASON, ip_address=OFFICE_IP
            )
        signed = [
            self._sign(letters[name], at=self.days_ago(21, 10, 40 + i))
            for i, name in enumerate(HEADS_COUNTERSIGNED)
        ]
        countersigned = {
            letter.signer.username: letter
            for letter in self._countersign_batch(signed, at=self.days_ago(21, 11, 5))
        }

        # 城环委 returns its letter; the office revises clause 5 and issues version 2.
        with clock.at(self.days_ago(18, 15, 20)):
            returned = letter_return(
                letter=letters[RETURNING_HEAD],
                returned_by=self.users[RETURNING_HEAD],
                reason=RETURN_REASON,
                ip_address="192.0.2.45",
            )
        with clock.at(self.days_ago(17, 10)):
            number, text = REVISED_CLAUSE
            letter_revise(
                letter=returned,
                revised_by=office,
                title=returned.title,
                preamble=returned.preamble,
                closing=returned.closing,
                clauses=[
                    ClauseText(c.number, c.category, text if c.number == number else c.text)
                    for c in returned.clauses.order_by("number")
                ],
                ip_address=OFFICE_IP,
            )

        with clock.at(self.days_ago(16, 9)):
            office_letter = letter_archive(
                letter=countersigned["bgs_zhuren"], archived_by=office, ip_address=OFFICE_IP
            )

        # 层层签订: the office head issues letters to the office's staff ...
        office_staff = self._cascade(office_letter, OFFICE_STAFF, at=self.days_ago(14, 14))
        self._sign(office_staff["bgs_fuzhuren"], at=self.days_ago(13, 11))
        self._sign(office_staff["mishu_chuzhang"], at=self.days_ago(12, 10))
        self._sign(office_staff["zonghe_chuzhang"], at=self.days_ago(12, 11))
        # ... and so does the 法工委 head.
        legal_staff = self._cascade(countersigned["fzw_zhuren"], LEGAL_STAFF, at=self.days_ago(12, 15))
        self._sign(legal_staff["fzw_fuzhuren"], at=self.days_ago(11, 10, 20))
        self._countersign(office_staff["bgs_fuzhuren"], at=self.days_ago(10, 9, 30))
        self._countersign(office_staff["zonghe_chuzhang"], at=self.days_ago(10, 9, 35))
        self._sign(legal_staff["fagui_chuzhang"], at=self.days_ago(9, 16))

        # Two more heads sign later; their letters wait for the secretary's countersignature.
        self._sign(letters["jkw_zhuren"], at=self.days_ago(7, 16, 10))
        self._sign(letters["nnw_zhuren"], at=self.days_ago(5, 8, 50))

        self._sign(legal_staff["fagui_ganbu2"], at=self.days_ago(3, 14, 5))
        self._countersign(legal_staff["fzw_fuzhuren"], at=self.days_ago(2, 17))
        self._countersign(legal_staff["fagui_ganbu2"], at=self.days_ago(2, 17, 2))

    # Steps ----------------------------------------------------------------------------------------

    def _bulk_issue(self, campaign: Campaign, usernames) -> dict[str, Letter]:
        result = campaign_issue_letters(
            campaign=campaign,
            issuer_post=self.posts["shuji"],
            signer_posts=[self.posts[name] for name in usernames],
            issued_by=self.users["bangongshi_admin"],
            ip_address=OFFICE_IP,
        )
        _ensure_nothing_skipped(result.skipped)
        return {letter.signer.username: letter for letter in result.issued}

    def _cascade(self, parent: Letter, usernames, *, at: datetime.datetime) -> dict[str, Letter]:
        with clock.at(at):
            result = letter_issue_to_staff(
                parent=parent,
                template=self.unit_template,
                signer_posts=[self.posts[name] for name in usernames],
                issued_by=parent.signer,
                ip_address="192.0.2.30",
            )
        _ensure_nothing_skipped(result.skipped)
        return {letter.signer.username: letter for letter in result.issued}

    def _sign(self, letter: Letter, *, at: datetime.datetime) -> Letter:
        with clock.at(at):
            signer = letter.signer
            return letter_sign(letter=letter, signed_by=signer, attestation=_attestation(letter, signer))

    def _countersign(self, letter: Letter, *, at: datetime.datetime) -> Letter:
        with clock.at(at):
            issuer = letter.issuer
            return letter_countersign(
                letter=letter, countersigned_by=issuer, attestation=_attestation(letter, issuer)
            )

    def _countersign_batch(self, letters: list[Letter], *, at: datetime.datetime) -> list[Letter]:
        """The secretary countersigns many letters at the meeting with one identity check."""
        secretary = self.users["shuji"]
        with clock.at(at):
            result = letters_countersign(
                letters=letters,
                countersigned_by=secretary,
                attestation=_attestation(None, secretary),
                content_hashes_shown={letter.pk: letter.content_hash for letter in letters},
            )
        if result.refused:
            letter, reason = result.refused[0]
            raise ApplicationError(f"The demo could not countersign {letter}: {reason}")
        return result.countersigned


def _ensure_nothing_skipped(skipped) -> None:
    if skipped:
        post, reason = skipped[0]
        raise ApplicationError(f"The demo could not issue a letter to {post}: {reason}")


def _attestation(letter: Letter | None, user: User) -> SigningAttestation:
    """What the browser would send: consent ticked, password re-entered just now, the mark made."""
    if user.username in DRAWING_SIGNERS:
        mark = signature_mark_from_drawing(
            demo_signature_data_url(seed=user.username, characters=len(user.full_name))
        )
    else:
        mark = signature_mark_from_typed_name(user.full_name, user=user)
    return SigningAttestation(
        mark=mark,
        consent_text=CONSENT_TEXT,
        content_hash_shown=letter.content_hash if letter else "",
        reauthenticated_at=clock.now(),
        ip_address=f"192.0.2.{20 + int(hashlib.sha256(user.username.encode()).hexdigest(), 16) % 200}",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) demo",
    )
