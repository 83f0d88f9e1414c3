"""Importing the organisation (scope write:org): the personnel system sends the same workbook the office
imports on its page (units, people, posts; accounts.org_import), all or nothing. The client's account
must hold the organisation sync role (组织机构同步, an API client's only); sign-in, roles and passwords
are never set by it, for anyone."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, serializers
from rest_framework.response import Response

from accounts.org_import import OrgImportError, org_import
from responsibility.api.endpoints.common import ClientWriteViewSet
from responsibility.api.models import Scope


class OrgImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "The workbook (.xlsx) with the sheets 单位, 人员 and 岗位, as the office's import page takes."
        )
    )


class CountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class OrgImportResultSerializer(serializers.Serializer):
    units = CountsSerializer()
    users = CountsSerializer()
    posts = CountsSerializer()


class OrgImportViewSet(ClientWriteViewSet):
    required_scope = Scope.WRITE_ORG
    parser_classes = [parsers.MultiPartParser]
    serializer_class = OrgImportSerializer

    @extend_schema(
        summary=_("Import the organisation from a workbook"),
        request={"multipart/form-data": OrgImportSerializer},
        responses={200: OrgImportResultSerializer},
    )
    def create(self, request):
        """All rows or none: units by code, people by account name, posts by unit, title and holder. Every
        problem is named by its sheet and row (`人员 第3行`), and nothing is written."""
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            result = org_import(workbook_file=payload.validated_data["file"], imported_by=request.user)
        except OrgImportError as refused:
            fields: dict[str, list[str]] = {}
            for error in refused.errors:
                place = (
                    error.sheet
                    if error.row is None
                    else _("%(sheet)s row %(row)d") % {"sheet": error.sheet, "row": error.row}
                )
                fields.setdefault(place, []).append(str(error.message))
            raise serializers.ValidationError(fields or {"file": [str(refused)]}) from None
        return Response(OrgImportResultSerializer(result).data)
