"""Every page × every role: the answer each one gets, written out as a table and asserted cell by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page;
- a letter the user may not see does not exist for them: 404 on every URL of that letter, and the
  page never shows its reference;
- a letter the user sees but may not act on: 403;
- campaigns, bulk issue and templates are the office administrator's (403 for everyone else), and a
  campaign the user cannot see is a 404;
- an action the user may take runs the real service with valid data and redirects ("302 done").
"""

import copy
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import PostKind, User
from accounts.roles import Role
from responsibility import urls as responsibility_urls
from responsibility.letters.models.documents import (
    ArchiveExport,
    DocumentStatus,
    ExportFormat,
    LetterDocument,
)
from responsibility.letters.models.letters import (
    Campaign,
    ClauseCategory,
    Letter,
    LetterEvent,
    LetterStatus,
    LetterTemplate,
    Signature,
    TemplateLevel,
)
from responsibility.letters.models.reminder_policy import ReminderPolicy
from responsibility.letters.services.exports import archive_export_build, archive_export_request
from responsibility.letters.services.issuing import campaign_issue_letters, letter_issue_to_staff
from responsibility.letters.services.letters import (
    letter_archive,
    letter_countersign,
    letter_return,
    letter_sign,
)
from responsibility.reminders.models import (
    ChannelAddress,
    Notification,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from tests.conftest import Organisation, attestation_for, organisation_make
from tests.factories import TEST_PASSWORD, LetterTemplateFactory, PostFactory, UserFactory
from tests.responsibility.pdf.sealing import document_archive

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def org_once(module_transaction) -> Organisation:
    """The organisation, made once for the module's hundreds of cells."""
    return organisation_make()


@pytest.fixture(scope="module")
def world_once(request, org_once):
    """The letters in one state (the cell's parameter, indirect), built once per module and state in a
    savepoint: pytest runs the cells of one state together, each in a savepoint of its own."""
    with transaction.atomic():
        yield build_world(copy.deepcopy(org_once), state=request.param)
        transaction.set_rollback(True)


@pytest.fixture
def world(world_once, db):
    """A copy of the state's world for the cell: nothing a cell changes reaches the next one."""
    return copy.deepcopy(world_once)


def state_for(page: str) -> LetterStatus:
    """The state of the letter the page acts on."""
    return STATE_FOR_PAGE.get(page, LetterStatus.SIGNED)


@pytest.fixture(autouse=True)
def sms_configured(settings):
    """The SMS channel configured, so that the pages where reminders reach a person take an address."""
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "http://127.0.0.1:9/sms/send", "token"


ROLES = (
    "anonymous",
    "outsider",  # a plain account with no letter
    "signer",  # the committee head the letter is issued to (乙方)
    "other_head",  # another committee head, with a letter of their own
    "issuer",  # the Party Group secretary, in whose name the letter was issued (甲方)
    "inspector",  # discipline inspection team: reads every letter
    "office_admin",  # runs campaigns and templates; may void, revise and archive any letter
    "staff_member",  # a deputy head holding a letter issued below the signer's (层层签订)
)

DONE = "302 done"  # the action ran: a redirect to the next page, and the data changed
LOGIN = "302 login"  # a redirect to the login page
ADMIN = "302 admin login"  # Django's admin sends accounts without staff status to its own login page

# fmt: off
# Columns in ROLES order: anon(ymous), outs(ider), signer, other(_head), issuer, insp(ector), office(_admin),
# staff(_member).
TABLE = {
    # page, method                             anon    outs    signer  other   issuer  insp    office  staff
    ("todo", "GET"):                          (LOGIN,  200,    200,    200,    200,    200,    200,    200),
    ("letter-list", "GET"):                   (LOGIN,  200,    200,    200,    200,    200,    200,    200),
    ("letter-detail", "GET"):                 (LOGIN,  404,    200,    404,    200,    200,    200,    404),
    ("letter-sign", "GET"):                   (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("letter-sign", "POST"):                  (LOGIN,  404,    DONE,   404,    403,    403,    403,    404),
    # the completion page: only for whoever signed the letter (here the signer; the issuer has not yet)
    ("letter-signed", "GET"):                 (LOGIN,  404,    200,    404,    404,    404,    404,    404),
    ("letter-return", "GET"):                 (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("letter-return", "POST"):                (LOGIN,  404,    DONE,   404,    403,    403,    403,    404),
    ("letter-countersign", "GET"):            (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("letter-countersign", "POST"):           (LOGIN,  404,    403,    404,    DONE,   403,    403,    404),
    ("letter-void", "GET"):                   (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("letter-void", "POST"):                  (LOGIN,  404,    403,    404,    DONE,   403,    DONE,   404),
    ("letter-archive", "GET"):                (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("letter-archive", "POST"):               (LOGIN,  404,    403,    404,    403,    403,    DONE,   404),
    ("letter-revise", "GET"):                 (LOGIN,  404,    403,    404,    200,    403,    200,    404),
    ("letter-revise", "POST"):                (LOGIN,  404,    403,    404,    DONE,   403,    DONE,   404),
    ("letter-issue-to-staff", "GET"):         (LOGIN,  404,    200,    404,    403,    403,    403,    404),
    ("letter-issue-to-staff", "POST"):        (LOGIN,  404,    DONE,   404,    403,    403,    403,    404),
    # the batch page lists only the user's own letters; anyone else's choice is refused by the form
    ("letter-countersign-batch", "GET"):      (LOGIN,  200,    200,    200,    200,    200,    200,    200),
    ("letter-countersign-batch", "POST"):     (LOGIN,  400,    400,    400,    DONE,   400,    400,    400),
    ("campaign-list", "GET"):                 (LOGIN,  200,    200,    200,    200,    200,    200,    200),
    ("campaign-create", "GET"):               (LOGIN,  403,    403,    403,    403,    403,    200,    403),
    ("campaign-create", "POST"):              (LOGIN,  403,    403,    403,    403,    403,    DONE,   403),
    ("campaign-detail", "GET"):               (LOGIN,  404,    200,    200,    200,    200,    200,    200),
    ("campaign-update", "GET"):               (LOGIN,  404,    403,    403,    403,    403,    200,    403),
    ("campaign-update", "POST"):              (LOGIN,  404,    403,    403,    403,    403,    DONE,   403),
    ("campaign-close", "GET"):                (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("campaign-close", "POST"):               (LOGIN,  404,    403,    403,    403,    403,    DONE,   403),
    ("campaign-issue", "GET"):                (LOGIN,  404,    403,    403,    403,    403,    200,    403),
    ("campaign-issue", "POST"):               (LOGIN,  404,    403,    403,    403,    403,    DONE,   403),
    ("campaign-tree", "GET"):                 (LOGIN,  404,    200,    200,    200,    200,    200,    200),
    ("campaign-tree?root=letter", "GET"):     (LOGIN,  404,    200,    404,    200,    200,    200,    404),
    ("campaign-reminders", "GET"):            (LOGIN,  404,    403,    403,    403,    403,    200,    403),
    ("campaign-reminders", "POST"):           (LOGIN,  404,    403,    403,    403,    403,    DONE,   403),
    # every user has one unread message; the page's message is the signer's
    ("notification-list", "GET"):             (LOGIN,  200,    200,    200,    200,    200,    200,    200),
    ("notification-read", "GET"):             (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("notification-read", "POST"):            (LOGIN,  404,    DONE,   404,    404,    404,    404,    404),
    ("notification-read-all", "GET"):         (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("notification-read-all", "POST"):        (LOGIN,  DONE,   DONE,   DONE,   DONE,   DONE,   DONE,   DONE),
    ("reminder-list", "GET"):                 (LOGIN,  403,    403,    403,    403,    403,    200,    403),
    ("reminder-resend", "GET"):               (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("reminder-resend", "POST"):              (LOGIN,  403,    403,    403,    403,    403,    DONE,   403),
    # where reminders reach a person (SMS configured): everyone their own; the office anybody's (the signer's)
    ("channel-settings", "GET"):              (LOGIN,  200,    200,    200,    200,    200,    200,    200),
    ("channel-settings", "POST"):             (LOGIN,  DONE,   DONE,   DONE,   DONE,   DONE,   DONE,   DONE),
    ("channel-people", "GET"):                (LOGIN,  404,    404,    404,    404,    404,    200,    404),
    ("channel-person", "GET"):                (LOGIN,  404,    404,    404,    404,    404,    200,    404),
    ("channel-person", "POST"):               (LOGIN,  404,    404,    404,    404,    404,    DONE,   404),
    # the letter's sealed PDF (archived world: stored and ready), and the archive with its batch prints
    ("letter-pdf", "GET"):                    (LOGIN,  404,    200,    404,    200,    200,    200,    404),
    ("letter-pdf-status", "GET"):             (LOGIN,  404,    200,    404,    200,    200,    200,    404),
    ("archive", "GET"):                       (LOGIN,  403,    403,    403,    403,    200,    200,    403),
    ("export-create", "GET"):                 (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("export-create", "POST"):                (LOGIN,  403,    403,    403,    403,    403,    DONE,   403),
    ("export-detail", "GET"):                 (LOGIN,  404,    404,    404,    404,    404,    200,    404),
    ("export-status", "GET"):                 (LOGIN,  404,    404,    404,    404,    404,    200,    404),
    ("export-download", "GET"):               (LOGIN,  404,    404,    404,    404,    404,    200,    404),
    # countersigned world: the letter's PDF failed to render; the office asks for it again
    ("document-retry", "GET"):                (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("document-retry", "POST"):               (LOGIN,  404,    403,    404,    403,    403,    DONE,   404),
    # public: anyone handed a copy checks it (archived world: the letter's sealed PDF is ready)
    ("verify", "GET"):                        (200,    200,    200,    200,    200,    200,    200,    200),
    ("verify", "POST"):                       (400,    400,    400,    400,    400,    400,    400,    400),
    ("verify-code", "GET"):                   (200,    200,    200,    200,    200,    200,    200,    200),
    ("template-list", "GET"):                 (LOGIN,  403,    403,    403,    403,    403,    200,    403),
    ("template-create", "GET"):               (LOGIN,  403,    403,    403,    403,    403,    200,    403),
    ("template-create", "POST"):              (LOGIN,  403,    403,    403,    403,    403,    DONE,   403),
    ("template-detail", "GET"):               (LOGIN,  403,    403,    403,    403,    403,    200,    403),
    ("template-update", "GET"):               (LOGIN,  403,    403,    403,    403,    403,    200,    403),
    ("template-update", "POST"):              (LOGIN,  403,    403,    403,    403,    403,    DONE,   403),
    ("template-publish", "GET"):              (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("template-publish", "POST"):             (LOGIN,  403,    403,    403,    403,    403,    DONE,   403),
    ("template-new-version", "GET"):          (LOGIN,  405,    405,    405,    405,    405,    405,    405),
    ("template-new-version", "POST"):         (LOGIN,  403,    403,    403,    403,    403,    DONE,   403),
    ("accounts:login", "GET"):                (200,    200,    200,    200,    200,    200,    200,    200),
    ("accounts:logout", "GET"):               (405,    405,    405,    405,    405,    405,    405,    405),
    ("accounts:logout", "POST"):              (LOGIN,  LOGIN,  LOGIN,  LOGIN,  LOGIN,  LOGIN,  LOGIN,  LOGIN),
    ("accounts:password-change", "GET"):      (LOGIN,  200,    200,    200,    200,    200,    200,    200),
    ("accounts:password-change-done", "GET"): (LOGIN,  200,    200,    200,    200,    200,    200,    200),
    ("admin:index", "GET"):                   (ADMIN,  ADMIN,  ADMIN,  ADMIN,  ADMIN,  ADMIN,  200,    ADMIN),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}

# The letter's state each page acts on; every other page sees it signed, with a letter issued below it.
STATE_FOR_PAGE = {
    "letter-sign": LetterStatus.ISSUED,
    "letter-return": LetterStatus.ISSUED,
    "letter-revise": LetterStatus.RETURNED,
    "letter-archive": LetterStatus.COUNTERSIGNED,
    "document-retry": LetterStatus.COUNTERSIGNED,
    "letter-pdf": LetterStatus.ARCHIVED,
    "verify-code": LetterStatus.ARCHIVED,
    "letter-pdf-status": LetterStatus.ARCHIVED,
    "archive": LetterStatus.ARCHIVED,
    "export-create": LetterStatus.ARCHIVED,
    "export-detail": LetterStatus.ARCHIVED,
    "export-status": LetterStatus.ARCHIVED,
    "export-download": LetterStatus.ARCHIVED,
}
# Where a successful letter action leaves the letter.
LETTER_STATUS_AFTER = {
    "letter-sign": LetterStatus.SIGNED,
    "letter-return": LetterStatus.RETURNED,
    "letter-countersign": LetterStatus.COUNTERSIGNED,
    "letter-countersign-batch": LetterStatus.COUNTERSIGNED,
    "letter-void": LetterStatus.VOIDED,
    "letter-archive": LetterStatus.ARCHIVED,
}
# Nothing shown to these roles may mention the letter: they cannot see it.
CANNOT_SEE_THE_LETTER = {"anonymous", "outsider", "other_head", "staff_member"}
# Except here: whoever holds the verification code printed on the letter has a copy of it, and the
# public verification page tells them which archived letter the code belongs to.
SHOWN_TO_HOLDERS_OF_THE_CODE = {"verify-code"}


@dataclass
class World:
    org: Organisation
    letter: Letter  # the first committee head's letter: every letter URL points at it
    draft_template: LetterTemplate
    users: dict[str, User | None]


def build_world(org: Organisation, *, state: LetterStatus) -> World:
    """Letters issued to both heads; the first head's letter driven to `state` through the services."""
    letter, _other = campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=org.secretary_post,
        signer_posts=org.head_posts,
        issued_by=org.office_admin,
    ).issued
    if state == LetterStatus.RETURNED:
        letter = letter_return(letter=letter, returned_by=letter.signer, reason="第二条需要调整")
    if state in (LetterStatus.SIGNED, LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED):
        # Only a head who signed issues letters below: before that there is no staff letter yet.
        letter = letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
        letter_issue_to_staff(
            parent=letter,
            template=org.unit_template,
            signer_posts=[org.staff_posts[0]],
            issued_by=letter.signer,
        )
    if state in (LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED):
        letter = letter_countersign(
            letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
        )
    if state == LetterStatus.COUNTERSIGNED:  # its PDF failed to render (the office may retry it)
        LetterDocument.objects.filter(letter=letter).update(status=DocumentStatus.FAILED, attempts=1)
    if state == LetterStatus.ARCHIVED:  # filed, its PDF stored, and a batch print of the campaign ready
        letter = letter_archive(letter=letter, archived_by=org.office_admin)
        document_archive(letter=letter, pdf=b"%PDF-1.7\n% matrix\n%%EOF\n")
        archive_export_build(
            export=archive_export_request(
                campaign=org.campaign,
                unit_ids=[],
                export_format=ExportFormat.ZIP,
                requested_by=org.office_admin,
            )
        )
    PostFactory(kind=PostKind.UNIT_HEAD, title="主任")  # a committee head the campaign has not reached yet
    User.objects.filter(pk=org.office_admin.pk).update(is_staff=True)  # as seed_demo sets it up
    # One unread message for everybody, and a sent reminder the office may resend.
    reminder = Reminder.objects.create(
        kind=ReminderKind.LETTER_UNSIGNED,
        object_key=f"letter:{letter.pk}",
        recipient=letter.signer,
        due_period="before-7",
        due_at=timezone.now(),
        campaign=org.campaign,
    )
    Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.SENT, sent_at=timezone.now())
    for user in User.objects.all():
        Notification.objects.create(
            recipient=user, title="提醒", url="/", reminder=reminder if user.pk == letter.signer_id else None
        )
    return World(
        org=org,
        letter=letter,
        draft_template=LetterTemplateFactory(created_by=org.office_admin),
        users={
            "anonymous": None,
            "outsider": org.outsider,
            "signer": org.heads[0],
            "other_head": org.heads[1],
            "issuer": org.secretary,
            "inspector": org.inspector,
            "office_admin": User.objects.get(pk=org.office_admin.pk),
            "staff_member": org.staff[0],
        },
    )


def page_url(page: str, world: World) -> str:
    letter, campaign = world.letter.pk, world.org.campaign.pk
    if page == "campaign-tree?root=letter":
        return reverse("responsibility:campaign-tree", args=[campaign]) + f"?root={letter}"
    if ":" in page:
        return reverse(page)
    args = {
        "letter-detail": [letter],
        "letter-sign": [letter],
        "letter-signed": [letter],
        "letter-return": [letter],
        "letter-countersign": [letter],
        "letter-void": [letter],
        "letter-archive": [letter],
        "letter-revise": [letter],
        "letter-issue-to-staff": [letter],
        "campaign-detail": [campaign],
        "campaign-update": [campaign],
        "campaign-close": [campaign],
        "campaign-issue": [campaign],
        "campaign-tree": [campaign],
        "template-detail": [world.draft_template.pk],
        "template-update": [world.draft_template.pk],
        "template-publish": [world.draft_template.pk],
        "template-new-version": [world.org.campaign.template_id],  # a published template
        "campaign-reminders": [campaign],
        "notification-read": [Notification.objects.get(reminder__isnull=False).pk],
        "reminder-resend": [Reminder.objects.get().pk],
        "channel-person": [world.letter.signer_id],
        "letter-pdf": [letter],
        "verify-code": [
            LetterDocument.objects.filter(letter=letter).values_list("verification_code", flat=True).first()
        ],
        "letter-pdf-status": [letter],
        "document-retry": [LetterDocument.objects.filter(letter=letter).values_list("pk", flat=True).first()],
        "export-detail": [ArchiveExport.objects.values_list("pk", flat=True).first()],
        "export-status": [ArchiveExport.objects.values_list("pk", flat=True).first()],
        "export-download": [ArchiveExport.objects.values_list("pk", flat=True).first()],
    }.get(page, [])
    return reverse(f"responsibility:{page}", args=args)


def signature_data(user: User | None) -> dict:
    """Password re-entered, consent ticked, the poster's own name typed: valid for whoever posts it."""
    return {
        "password": TEST_PASSWORD,
        "consent": "on",
        "method": "typed",
        "typed_name": user.get_full_name() if user else "",
    }


def clause_rows(prefix: str, max_forms: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(max_forms),
        f"{prefix}-0-category": ClauseCategory.PRINCIPAL,
        f"{prefix}-0-text": "切实履行主体责任。",
    }


def template_data() -> dict:
    return {
        "code": "lianzheng-2027",
        "name": "2027年机关级范本",
        "level": TemplateLevel.ORGAN,
        "owner_unit": "",
        "title": "2027年度党风廉政建设责任书",
        "preamble": "为落实全面从严治党主体责任，签订本责任书。",
        "closing": "本责任书一式两份。",
        "issuer_label": "甲方（党组）",
        "signer_label": "乙方",
        **clause_rows("clauses", 200),
    }


def post_data(page: str, world: World, user: User | None) -> dict:
    """Valid input for the page, so that an allowed request reaches and passes the real service."""
    letter, org = world.letter, world.org
    data = {
        "letter-sign": {**signature_data(user), "content_hash": letter.content_hash},
        "letter-countersign": {**signature_data(user), "content_hash": letter.content_hash},
        "letter-countersign-batch": {
            **signature_data(user),
            "letters": [str(letter.pk)],
            f"hash_{letter.pk}": letter.content_hash,
        },
        "letter-return": {"reason": "第三条表述有误"},
        "letter-void": {"reason": "签订对象调整"},
        "letter-revise": {
            "title": letter.title,
            "preamble": letter.preamble,
            "closing": letter.closing,
            **clause_rows("clauses", 60),
        },
        "letter-issue-to-staff": {
            "template": str(org.unit_template.pk),
            "posts": [str(org.staff_posts[1].pk)],
        },
        "campaign-create": {
            "year": "2027",
            "title": "2027年度党风廉政建设责任书签订",
            "template": str(org.campaign.template_id),
            "deadline": "2027-03-31",
            "reference_prefix": "人常廉责",
        },
        "campaign-update": {
            "title": "新标题",
            "template": str(org.campaign.template_id),
            "deadline": "2026-06-30",
        },
        "campaign-issue": {"issuer_post": str(org.secretary_post.pk), "signer_kinds": [PostKind.UNIT_HEAD]},
        "template-create": template_data(),
        "campaign-reminders": {"days_before": "10, 5, 1", "overdue_every_days": "3"},
        "channel-settings": {"sms_address": "13800138000", "sms_enabled": "on"},
        "channel-person": {"sms_address": "13800138000", "sms_enabled": "on"},
        "template-update": template_data(),
        "export-create": {"campaign": str(org.campaign.pk), "export_format": ExportFormat.ZIP},
    }
    return data.get(page, {})


def world_snapshot(*, besides_own_of: User | None = None) -> tuple:
    """Everything a page could change, to show that a refused request changed nothing; `besides_own_of`:
    leaving out where that user's own reminders go (theirs to set, as everyone's)."""
    return (
        sorted(Letter.objects.values_list("reference", "status")),
        sorted(Campaign.objects.values_list("title", "status", "deadline", "last_number")),
        sorted(LetterTemplate.objects.values_list("code", "version", "name", "is_published")),
        LetterEvent.objects.count(),
        Signature.objects.count(),
        sorted(Notification.objects.values_list("pk", "read_at")),
        sorted(Reminder.objects.values_list("pk", "status", "resend_count")),
        sorted(
            ChannelAddress.objects.exclude(user=besides_own_of).values_list("user_id", "channel", "address")
        ),
        sorted(ReminderPolicy.objects.values_list("campaign_id", "days_before", "overdue_every_days")),
        sorted(LetterDocument.objects.values_list("pk", "status")),
        ArchiveExport.objects.count(),
    )


def assert_outcome(response, expected) -> None:
    login, admin_login = reverse("accounts:login"), reverse("admin:login")
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(login)
    elif expected == ADMIN:
        assert response.status_code == 302
        assert response.url.startswith(admin_login)
    elif expected == DONE:
        assert response.status_code == 302
        assert not response.url.startswith((login, admin_login))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("world_once", "page", "method", "role", "expected"),
    [
        pytest.param(state_for(cell[0]), *cell, outcome, id=" ".join(cell))
        for cell, outcome in EXPECTED.items()
    ],
    indirect=["world_once"],
    scope="module",
)
def test_page_answers_each_role_as_the_table_says(client, world, page, method, role, expected):
    # given the letter in the state the page acts on, and the role's account logged in
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = world_snapshot()

    # when
    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page, world, user))

    # then the answer is the table's, and only an allowed action changed anything
    assert_outcome(response, expected)
    if expected == DONE:
        assert world_snapshot() != before
        if page in LETTER_STATUS_AFTER:
            assert Letter.objects.get(pk=world.letter.pk).status == LETTER_STATUS_AFTER[page]
    else:
        assert world_snapshot() == before
    # and a letter the user cannot see leaves no trace on the page
    if expected == 404 or (role in CANNOT_SEE_THE_LETTER and page not in SHOWN_TO_HOLDERS_OF_THE_CODE):
        assert world.letter.reference not in response.content.decode()


def test_the_table_covers_every_page_of_the_app():
    # given every named URL of the responsibility app
    names = {pattern.name for pattern in responsibility_urls.urlpatterns}

    # then each has at least one row in this table or in a subdomain's (supervision, problem lists, duties,
    # talks, 述责述廉, 廉政档案, assessment, API clients, webhooks): a new page must be added to a matrix
    from tests.responsibility.api.test_permission_matrix_api_pages import TABLE as API_PAGES
    from tests.responsibility.assessment.test_permission_matrix_assessment import TABLE as ASSESSMENT
    from tests.responsibility.assessment.test_permission_matrix_objections import TABLE as OBJECTIONS
    from tests.responsibility.assessment.test_permission_matrix_rounds import TABLE as ROUNDS
    from tests.responsibility.cadres.test_permission_matrix_cadres import TABLE as CADRES
    from tests.responsibility.cadres.test_permission_matrix_files import TABLE as FILES
    from tests.responsibility.duties.talks.test_permission_matrix_talks import TABLE as TALKS
    from tests.responsibility.duties.test_permission_matrix_duties import TABLE as DUTIES
    from tests.responsibility.inspections.test_permission_matrix_problem_lists import TABLE as PROBLEM_LISTS
    from tests.responsibility.inspections.test_permission_matrix_supervision import TABLE as SUPERVISION
    from tests.responsibility.webhooks.test_permission_matrix_webhook_pages import TABLE as WEBHOOK_PAGES

    covered = {
        page
        for table in (
            TABLE,
            SUPERVISION,
            PROBLEM_LISTS,
            DUTIES,
            TALKS,
            CADRES,
            FILES,
            ASSESSMENT,
            ROUNDS,
            OBJECTIONS,
            API_PAGES,
            WEBHOOK_PAGES,
        )
        for page, _method in table
    }
    assert names <= covered


REFUSED_POSTS = [
    pytest.param(state_for(page), page, role, outcome, id=f"{page} {role}")
    for (page, method, role), outcome in EXPECTED.items()
    if method == "POST" and outcome in (403, 404)
]


@pytest.mark.parametrize(
    ("world_once", "page", "role", "expected"), REFUSED_POSTS, indirect=["world_once"], scope="module"
)
def test_a_refused_post_is_refused_before_its_input_is_read(client, world, page, role, expected):
    # given a role the table refuses, posting an empty form
    client.force_login(world.users[role])
    before = world_snapshot()

    # when
    response = client.post(page_url(page, world), {})

    # then the same 403 or 404, never a 400 asking them to correct a form they may not submit
    assert response.status_code == expected
    assert world_snapshot() == before


@pytest.mark.parametrize("duty", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
@pytest.mark.parametrize(
    ("world_once", "page", "method"),
    [pytest.param(state_for(cell[0]), *cell, id=" ".join(cell)) for cell in TABLE],
    indirect=["world_once"],
    scope="module",
)
def test_the_security_and_audit_administrators_get_what_an_outsider_gets(client, world, page, method, duty):
    """三员分立: the security and the audit administrator hold no part of the letters; on every page
    they get the answer of an account with no letter, and change nothing."""
    # given the letter in the state the page acts on, and an administrator of that duty logged in
    administrator = UserFactory(roles=[duty])
    client.force_login(administrator)
    before = world_snapshot(besides_own_of=administrator)

    # when
    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page, world, administrator))

    # then (where their own reminders go is theirs to set, as everyone's)
    assert_outcome(response, EXPECTED[(page, method, "outsider")])
    assert world_snapshot(besides_own_of=administrator) == before
    if page not in SHOWN_TO_HOLDERS_OF_THE_CODE:
        assert world.letter.reference not in response.content.decode()
