"""The year-end 述责述廉 of each leading cadre and its anonymous 民主测评.

The office opens a year's round: every leader with a duty assignment that year writes a report on how they
carried out their responsibilities and kept clean (述责述廉报告), pre-filled from their duties, talks and
the problems of their units; the inspection team accepts it or returns it with a reason. For an accepted
report the office names the raters (民主测评: e.g. the staff of the units the leader oversees) and opens the
rating until a day: each rater casts one ballot in the app, rating the leader per item (好 / 较好 / 一般 / 差)
with an optional comment.

A ballot is anonymous by construction: `RatingBallot` is the rater's right to vote (spent or not, with no
time of spending), and what they voted is only added into the report's `RatingResult` (counts per item and
grade, comments kept in a shuffled list), a row that names nobody. The results are shown only once the
rating closed with at least the round's minimum number of ballots.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import clock
from core.appendonly import AppendOnlyModel
from core.audit import CHAIN_FORMAT_CURRENT
from core.sealed_reports import SealedReportDocument, sealed_report_constraints

# The items each leader is rated on, unless the office words them otherwise when opening the round.
DEFAULT_RATING_ITEMS = (
    "履行党风廉政建设“一岗双责”情况",
    "落实中央八项规定精神和作风建设情况",
    "廉洁自律情况",
    "总体评价",
)
MIN_BALLOTS_DEFAULT = 5


class Grade(models.TextChoices):
    GOOD = "good", _("Good")  # 好
    FAIRLY_GOOD = "fairly_good", _("Fairly good")  # 较好
    FAIR = "fair", _("Fair")  # 一般
    POOR = "poor", _("Poor")  # 差


class ReportRound(models.Model):
    """A year's 述责述廉: the reports of every leader with a duty assignment that year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=100)
    deadline = models.DateField(_("report deadline"))
    # What each leader is rated on (a list of names), set when the round opens, never changed.
    rating_items = models.JSONField(_("rating items"), default=list, editable=False)
    # Results are shown only when at least this many ballots were cast.
    min_ballots = models.PositiveSmallIntegerField(
        _("minimum ballots for results"), default=MIN_BALLOTS_DEFAULT
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("report round (述责述廉)")
        verbose_name_plural = _("report rounds (述责述廉)")
        ordering = ["-year"]
        permissions = [("review_integrityreport", "Can review responsibility and integrity reports")]
        constraints = [
            models.CheckConstraint(name="reportround_min_ballots", condition=Q(min_ballots__gte=1))
        ]

    def __str__(self) -> str:
        return self.title


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned")  # the inspection team asks for more; the reason is recorded
    ACCEPTED = "accepted", _("Accepted")


class RatingStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    OPEN = "open", _("Rating open")
    CLOSED = "closed", _("Rating closed")


class IntegrityReport(models.Model):
    """A leader's 述责述廉报告 for the round's year, and the state of its 民主测评."""

    round = models.ForeignKey(
        ReportRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="reports"
    )
    assignment = models.OneToOneField(
        "responsibility.DutyAssignment",
        verbose_name=_("duty assignment"),
        on_delete=models.PROTECT,
        related_name="integrity_report",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="integrity_reports",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT, editable=False
    )
    duties_text = models.TextField(
        _("how the responsibilities were carried out"), max_length=8000, blank=True
    )
    integrity_text = models.TextField(_("how integrity was kept"), max_length=8000, blank=True)
    shortcomings_text = models.TextField(_("shortcomings and next steps"), max_length=4000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    return_reason = models.TextField(_("reason returned"), max_length=1000, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    rating_status = models.CharField(
        _("democratic rating (民主测评)"),
        max_length=12,
        choices=RatingStatus.choices,
        default=RatingStatus.NOT_STARTED,
        editable=False,
    )
    rating_closes_on = models.DateField(_("rating closes on"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("responsibility and integrity report (述责述廉)")
        verbose_name_plural = _("responsibility and integrity reports (述责述廉)")
        ordering = ["round", "assignment__post__unit__sort_order", "assignment__post__sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="integrityreport_status_valid", condition=Q(status__in=ReportStatus.values)
            ),
            models.CheckConstraint(
                name="integrityreport_rating_valid", condition=Q(rating_status__in=RatingStatus.values)
            ),
            models.CheckConstraint(
                name="integrityreport_rating_after_acceptance",
                condition=Q(rating_status=RatingStatus.NOT_STARTED)
                | Q(status=ReportStatus.ACCEPTED, rating_closes_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.leader}"


class RatingBallot(models.Model):
    """A rater's right to cast one ballot on a report: spent once, with no time of spending and nothing of
    what was voted (the vote is only added into the report's RatingResult)."""

    report = models.ForeignKey(IntegrityReport, on_delete=models.PROTECT, related_name="ballots")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rating_ballots"
    )
    spent = models.BooleanField(_("cast"), default=False, editable=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["report", "rater"], name="ratingballot_one_per_rater")]
        indexes = [models.Index(fields=["rater", "spent"], name="ratingballot_rater_idx")]

    def __str__(self) -> str:
        return f"{self.report} · {self.rater}"


class RatingResult(models.Model):
    """What the ballots of a report said, added up: `tallies` is one {grade: count} per rating item (in the
    round's order), `comments` the comments in a shuffled order, `ballots` how many were added. It names
    nobody."""

    report = models.OneToOneField(IntegrityReport, on_delete=models.PROTECT, related_name="rating_result")
    tallies = models.JSONField(default=list, editable=False)
    comments = models.JSONField(default=list, editable=False)
    ballots = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("rating result")
        verbose_name_plural = _("rating results")

    def __str__(self) -> str:
        return f"{self.report} · {self.ballots}"


class CadreEventKind(models.TextChoices):
    ROUND_OPENED = "round_opened", _("Round opened")
    REPORT_SAVED = "report_saved", _("Report saved")
    REPORT_SUBMITTED = "report_submitted", _("Report submitted")
    REPORT_RETURNED = "report_returned", _("Report returned")
    REPORT_ACCEPTED = "report_accepted", _("Report accepted")
    RATING_OPENED = "rating_opened", _("Rating opened")
    BALLOT_CAST = "ballot_cast", _("Ballot cast")
    RATING_CLOSED = "rating_closed", _("Rating closed")
    DOCUMENT_ISSUED = "document_issued", _("Sealed report issued")
    FILE_DOCUMENT_ADDED = "file_document_added", _("Document added to the integrity file")
    FILE_OPENED = "file_opened", _("Integrity file opened")
    ACCESS_REQUESTED = "access_requested", _("Access to an integrity file requested")
    ACCESS_APPROVED = "access_approved", _("Access approved")
    ACCESS_REFUSED = "access_refused", _("Access refused")
    OPINION_REGISTERED = "opinion_registered", _("Request for an integrity opinion registered")
    OPINION_SAVED = "opinion_saved", _("Integrity opinion drafted")
    OPINION_ISSUED = "opinion_issued", _("Integrity opinion issued")


class CadreEvent(AppendOnlyModel):
    """Append-only, hash-chained record of every step of 述责述廉 and 民主测评, of the 廉政档案 (documents
    added, access requested and decided, every opening) and of the 廉政意见回复 (its own chain).

    A ballot's event says that a rater cast their ballot, never what it said."""

    sequence = models.PositiveBigIntegerField(unique=True)
    # What the step was about: "round:3", "report:12".
    subject = models.CharField(_("about"), max_length=40)
    kind = models.CharField(_("action"), max_length=24, choices=CadreEventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    payload = models.JSONField(_("details"), default=dict, editable=False)
    chain_format = models.PositiveSmallIntegerField(
        _("chain format"), default=CHAIN_FORMAT_CURRENT, editable=False
    )
    digest = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("responsibility and integrity report event")
        verbose_name_plural = _("responsibility and integrity report events")
        ordering = ["sequence"]
        indexes = [models.Index(fields=["subject", "sequence"], name="cadreevent_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.subject} {self.kind}"


class CadreAuditHead(models.Model):
    """The end of the 述责述廉 audit chain, locked while an event is appended."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("responsibility and integrity report chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"


class IntegrityReportDocument(SealedReportDocument):
    """The sealed 述责述廉 of one leader: the accepted report and its 民主测评 results, rendered once, sealed,
    stored with its SHA-256 and the verification code printed on it, never changed or deleted
    (core.sealed_reports). Issuing again adds the next version, which supersedes the earlier ones; its
    issue is the `document_issued` event of the report, whose digest is the sealed file's SHA-256."""

    report = models.ForeignKey(
        IntegrityReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(_("PDF file"), upload_to="integrity-reports/%Y/", editable=False)

    class Meta:
        verbose_name = _("sealed responsibility and integrity report")
        verbose_name_plural = _("sealed responsibility and integrity reports")
        ordering = ["report", "-version"]
        constraints = sealed_report_constraints("integrityreportdocument", "report")

    def __str__(self) -> str:
        return f"{self.report} · v{self.version} · {self.verification_code}"

    @property
    def reference(self) -> str:
        return integrity_report_reference(year=self.report.round.year, report_id=self.report_id)


def integrity_report_reference(*, year: int, report_id: int) -> str:
    """述廉〔2026〕12号: the sealed report's number, the same for every version."""
    return f"述廉〔{year}〕{report_id}号"


def integrity_report_title(*, year: int, leader: str) -> str:
    """The sealed report's title, as printed and shown on the verification page."""
    return f"{leader}{year}年度述责述廉报告及民主测评结果"


# 廉政档案 and 廉政意见回复 ----------------------------------------------------------------------------------


class FileDocumentKind(models.TextChoices):
    PERSONAL_MATTERS = "personal_matters", _("Report on personal matters")  # 个人有关事项报告
    COMPLAINT = "complaint", _("Complaint or report and its verification")  # 信访举报及核查情况
    MEASURE = "measure", _("Disciplinary or organisational measure")  # 党纪政务处分、组织处理
    COMMITMENT = "commitment", _("Integrity commitment")  # 廉洁承诺
    OTHER = "other", _("Other document")


class FileDocument(AppendOnlyModel):
    """A document the inspection team adds to a cadre's 廉政档案 (个人有关事项报告, 信访举报核查 …): its files
    are evidence (checked, hashed, served as downloads). Written once, never changed or removed; its adding is
    a `file_document_added` event whose digest covers the files' SHA-256."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="integrity_file_documents",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FileDocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    dated = models.DateField(_("date of the document"))
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), default=clock.now)

    class Meta:
        verbose_name = _("integrity file document")
        verbose_name_plural = _("integrity file documents")
        ordering = ["cadre", "-dated", "-pk"]
        permissions = [
            ("view_integrityfile", "Can read every integrity file"),
            ("view_fileopening", "Can read the log of integrity file openings"),
        ]
        constraints = [
            models.CheckConstraint(
                name="filedocument_kind_valid", condition=Q(kind__in=FileDocumentKind.values)
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.title}"


class AccessStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class FileAccessRequest(models.Model):
    """调阅: someone who may not otherwise read a cadre's 廉政档案 asks to, giving a reason and the days they
    need it; an inspector who need not step aside (回避) approves or refuses. Approved, it opens the file to
    the requester from `valid_from` to `valid_until`; every opening is logged (`file_opened` events)."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="file_access_requests",
    )
    reason = models.TextField(_("reason"), max_length=1000)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=AccessStatus.choices, default=AccessStatus.PENDING, editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("note"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("integrity file access request")
        verbose_name_plural = _("integrity file access requests")
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_fileaccessrequest", "Can approve access to integrity files")]
        constraints = [
            models.CheckConstraint(
                name="fileaccessrequest_status_valid", condition=Q(status__in=AccessStatus.values)
            ),
            models.CheckConstraint(
                name="fileaccessrequest_period_in_order", condition=Q(valid_until__gte=models.F("valid_from"))
            ),
            models.CheckConstraint(
                name="fileaccessrequest_decided_by_another",
                condition=Q(status=AccessStatus.PENDING, decided_by__isnull=True)
                | (
                    ~Q(status=AccessStatus.PENDING)
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                    & ~Q(decided_by=models.F("requester"))
                ),
            ),
            models.CheckConstraint(
                name="fileaccessrequest_not_own_file", condition=~Q(cadre=models.F("requester"))
            ),
            # A second click, or a second tab, does not file a second request while one awaits its decision.
            models.UniqueConstraint(
                fields=["requester", "cadre"],
                condition=Q(status="pending"),
                name="fileaccessrequest_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["requester", "cadre", "status"], name="fileaccess_requester_idx")]

    def __str__(self) -> str:
        return f"{self.requester} → {self.cadre} ({self.valid_from}–{self.valid_until})"

    def grants_on(self, day) -> bool:
        return self.status == AccessStatus.APPROVED and self.valid_from <= day <= self.valid_until


class OpinionStatus(models.TextChoices):
    DRAFT = "draft", _("Being drafted")
    ISSUED = "issued", pgettext_lazy("integrity opinion", "Issued")


class IntegrityOpinion(models.Model):
    """廉政意见回复: the inspection team's answer to a request for a cadre's integrity opinion (e.g. from the
    organisation department before a promotion). `findings` is what every source the system checked showed
    when it was checked (`checked_at`), one {"source", "scope", "showed", "attention"} per source; the team
    adds the conclusion and issues it sealed (廉复〔2026〕N号). Issued, it never changes."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="integrity_opinions",
    )
    purpose = models.CharField(_("for what"), max_length=200)
    requested_by = models.CharField(_("requested by"), max_length=100)
    request_reference = models.CharField(_("request number"), max_length=50, blank=True)
    received_on = models.DateField(_("received on"))
    findings = models.JSONField(_("what the sources showed"), default=list, editable=False)
    checked_at = models.DateTimeField(_("checked at"), editable=False)
    conclusion = models.TextField(_("conclusion"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=OpinionStatus.choices, default=OpinionStatus.DRAFT, editable=False
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered at"), default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("integrity opinion")
        verbose_name_plural = _("integrity opinions")
        ordering = ["-registered_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="integrityopinion_status_valid", condition=Q(status__in=OpinionStatus.values)
            ),
            models.CheckConstraint(
                name="integrityopinion_issued_has_conclusion",
                condition=Q(status=OpinionStatus.DRAFT) | ~Q(conclusion=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.purpose}"

    @property
    def reference(self) -> str:
        # The year of its registering in the site's time zone (a request registered on 31 December stays
        # in that year's numbers).
        return integrity_opinion_reference(
            year=timezone.localtime(self.registered_at).year, opinion_id=self.pk
        )


class IntegrityOpinionDocument(SealedReportDocument):
    """The sealed 廉政意见回复: the sources checked, what each showed and the conclusion, rendered once,
    sealed, stored with its SHA-256 and the verification code printed on it, never changed or deleted
    (core.sealed_reports); its issue is the `opinion_issued` event, whose digest is the file's SHA-256."""

    opinion = models.ForeignKey(
        IntegrityOpinion,
        verbose_name=_("integrity opinion"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    file = models.FileField(_("PDF file"), upload_to="integrity-opinions/%Y/", editable=False)

    class Meta:
        verbose_name = _("sealed integrity opinion")
        verbose_name_plural = _("sealed integrity opinions")
        ordering = ["opinion", "-version"]
        constraints = sealed_report_constraints("integrityopiniondocument", "opinion")

    def __str__(self) -> str:
        return f"{self.opinion} · v{self.version} · {self.verification_code}"

    @property
    def reference(self) -> str:
        return self.opinion.reference


def integrity_opinion_reference(*, year: int, opinion_id: int) -> str:
    """廉复〔2026〕3号: the reply's number, the same for every version."""
    return f"廉复〔{year}〕{opinion_id}号"


def integrity_opinion_title(*, cadre: str) -> str:
    """The reply's title, as printed and shown on the verification page."""
    return f"关于{cadre}同志党风廉政情况的意见回复"
