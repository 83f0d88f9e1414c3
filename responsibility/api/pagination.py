"""Cursor pagination for every list: a page costs its rows whatever the list's length, and the cursor is
signed, so one that was changed by hand is refused with a message instead of reading another position."""

from django.core import signing
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.utils.urls import replace_query_param

_SALT = "responsibility.api.cursor"


class SignedCursorPagination(CursorPagination):
    ordering = "pk"  # unique and never changing: each viewset may name another indexed order
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def encode_cursor(self, cursor: Cursor) -> str:
        tokens = {"o": cursor.offset, "r": int(cursor.reverse), "p": cursor.position}
        return replace_query_param(self.base_url, self.cursor_query_param, signing.dumps(tokens, salt=_SALT))

    def decode_cursor(self, request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None  # none, or an empty one: the first page
        try:
            tokens = signing.loads(encoded, salt=_SALT)
            offset, reverse, position = int(tokens["o"]), bool(tokens["r"]), tokens["p"]
            if not 0 <= offset <= self.offset_cutoff or not (position is None or isinstance(position, str)):
                raise ValueError(offset)
        except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
            raise exceptions.ParseError(
                _("The page cursor is not valid: use the “next” or “previous” link of the last answer."),
                code="cursor_invalid",
            ) from error
        return Cursor(offset=offset, reverse=reverse, position=position)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("Give a whole number from 1 to %(most)s.") % {"most": self.max_page_size}]}
            )
        return int(raw)
