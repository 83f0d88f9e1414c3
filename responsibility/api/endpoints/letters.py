"""Letters and campaigns (scope read:letters): what the letter list, the letter page and the campaign's
progress show, to the same readers (responsibility.letters.selectors and .permissions)."""

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core import clock
from core.http import as_attachment
from responsibility.api.endpoints.common import (
    ClientReadViewSet,
    LabelField,
    PersonSerializer,
    UnitSerializer,
)
from responsibility.api.models import Scope
from responsibility.letters.models.documents import DocumentStatus
from responsibility.letters.models.letters import Campaign, Letter, LetterStatus
from responsibility.letters.permissions import letter_document_user_can_download
from responsibility.letters.selectors import (
    LetterFilters,
    campaign_list_visible_to,
    campaign_progress_figures,
    letter_document_for,
    letter_list_filtered,
    letter_list_visible_to,
    letter_page_rows,
)
from responsibility.letters.services.documents import letter_document_download_name


class CampaignBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "year", "title"]


class CampaignSerializer(serializers.ModelSerializer):
    status_label = LabelField(source="status")

    class Meta:
        model = Campaign
        fields = ["id", "year", "title", "deadline", "status", "status_label"]


class LetterSerializer(serializers.ModelSerializer):
    campaign = CampaignBriefSerializer()
    status_label = LabelField(source="status")
    issuer = PersonSerializer()
    signer = PersonSerializer()
    signer_unit = UnitSerializer()

    class Meta:
        model = Letter
        fields = [
            "id",
            "reference",
            "version",
            "title",
            "campaign",
            "status",
            "status_label",
            "issuer",
            "signer",
            "signer_unit",
            "issued_at",
            "signed_at",
            "countersigned_at",
            "archived_at",
            "returned_at",
            "voided_at",
        ]


class SignatureSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = LabelField(source="role")
    signed_by = PersonSerializer()
    signed_at = serializers.DateTimeField()
    method = serializers.CharField()
    method_label = LabelField(source="method")


class DocumentSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_label = LabelField(source="status")
    verification_code = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    rendered_at = serializers.DateTimeField(allow_null=True)
    pdf = serializers.SerializerMethodField()

    def get_pdf(self, document) -> str | None:
        """Where the sealed PDF's bytes are read, once it is ready."""
        if document.status != DocumentStatus.READY:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api:letter-pdf", kwargs={"pk": document.letter_id})
        )


class LetterDetailSerializer(LetterSerializer):
    signatures = SignatureSerializer(many=True)
    content_sha256 = serializers.CharField(source="content_hash")
    document = serializers.SerializerMethodField()

    class Meta(LetterSerializer.Meta):
        fields = [
            *LetterSerializer.Meta.fields,
            "return_reason",
            "void_reason",
            "content_sha256",
            "signatures",
            "document",
        ]

    @extend_schema_field(DocumentSerializer(allow_null=True))
    def get_document(self, letter) -> dict | None:
        """The sealed PDF's record, from countersigning on; null before."""
        document = letter_document_for(letter=letter)
        return None if document is None else DocumentSerializer(document, context=self.context).data


class LetterQuerySerializer(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, min_value=1, help_text=_("A campaign's id."))
    status = serializers.ChoiceField(
        required=False, choices=[*LetterStatus.values, "overdue"], help_text=_("A status, or overdue.")
    )
    unit = serializers.IntegerField(required=False, min_value=1, help_text=_("The signer unit's id."))
    q = serializers.CharField(
        required=False, max_length=50, trim_whitespace=False, help_text=_("Letter number, signer or unit.")
    )


@extend_schema_view(
    list=extend_schema(summary=_("Letters the client may read"), parameters=[LetterQuerySerializer]),
    retrieve=extend_schema(summary=_("A letter with its signatures and sealed PDF")),
)
class LetterViewSet(ClientReadViewSet):
    required_scope = Scope.READ_LETTERS
    list_query = LetterQuerySerializer
    queryset = Letter.objects.none()  # the schema's model; get_queryset reads through the selector
    serializer_class = LetterSerializer

    def get_queryset(self):
        if self.action != "list":
            return (
                letter_page_rows(user=self.request.user)
                .prefetch_related(None)
                .prefetch_related("signatures__signed_by")
            )
        params = self.query_params()
        filters = LetterFilters(
            campaign=str(params.get("campaign", "")),
            status=params.get("status", ""),
            unit=str(params.get("unit", "")),
            q=params.get("q", "").strip(),
        )
        # The page's rows first, in the cursor's order on the letter table alone; then what they show, four
        # queries whatever the size: joined, SQLite scanned every campaign's letters and sorted 50,000 rows
        # (75 ms at DESIGN.md §6's size, 6 ms this way: bench/run).
        return (
            letter_list_filtered(
                letters=letter_list_visible_to(user=self.request.user), filters=filters, today=clock.today()
            )
            .select_related(None)
            .prefetch_related("campaign", "issuer", "signer", "signer_unit")
        )

    def get_serializer_class(self):
        return LetterDetailSerializer if self.action == "retrieve" else LetterSerializer

    @extend_schema(
        summary=_("The sealed PDF of a letter"),
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        """The stored bytes, never re-rendered; 404 until the PDF is ready."""
        letter = get_object_or_404(letter_list_visible_to(user=request.user), pk=pk)
        if not letter_document_user_can_download(user=request.user, letter=letter):
            raise exceptions.NotFound(_("Not found, or not yours to see."), code="not_found")
        document = letter_document_for(letter=letter)
        if document is None or document.status != DocumentStatus.READY:
            raise exceptions.NotFound(_("This letter has no sealed PDF yet."), code="pdf_not_ready")
        response = as_attachment(
            FileResponse(document.file.open("rb"), content_type="application/pdf"),
            download_name=letter_document_download_name(letter=letter),
            fallback_name=f"letter-{letter.pk}.pdf",
        )
        response["X-Content-SHA256"] = document.sha256
        return response


class ProgressSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    total = serializers.IntegerField()
    signed = serializers.IntegerField()
    waiting = serializers.IntegerField()
    overdue = serializers.IntegerField()
    returned = serializers.IntegerField()
    percent = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(summary=_("Campaigns the client may read")),
    retrieve=extend_schema(summary=_("A campaign")),
)
class CampaignViewSet(ClientReadViewSet):
    required_scope = Scope.READ_LETTERS
    queryset = Campaign.objects.none()  # the schema's model; get_queryset reads through the selector
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return campaign_list_visible_to(user=self.request.user)

    @extend_schema(
        summary=_("Signing progress of a campaign, unit by unit"), responses=ProgressSerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def progress(self, request, pk=None):
        """Counts per signer unit of the letters the client may read (one query, any number of letters)."""
        campaign = self.get_object()
        rows = campaign_progress_figures(user=request.user, campaign=campaign, today=clock.today())
        return Response(ProgressSerializer(rows, many=True).data)
