"""Forms of the assessment pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SchemeImportForm(forms.Form):
    workbook = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_(
            "The scheme in the layout of the template: the sheets 考核方案 and 评分细则, at most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("Choose the spreadsheet to import.")},
    )
