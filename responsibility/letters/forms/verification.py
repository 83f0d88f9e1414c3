"""The public verification page's two ways in: upload the PDF, or type the code printed on the document."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.verification import verification_code_normalise


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(
        label=_("The sealed PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pdf"].help_text = _("The file you were given, unchanged. At most %(limit)s.") % {
            "limit": filesizeformat(settings.VERIFY_MAX_BYTES)
        }

    def clean_pdf(self) -> bytes:
        upload = self.cleaned_data["pdf"]
        if upload.size > settings.VERIFY_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s; an archived document is far smaller.")
                % {"limit": filesizeformat(settings.VERIFY_MAX_BYTES)}
            )
        head = upload.read(5)
        if head != b"%PDF-":
            raise forms.ValidationError(_("This is not a PDF file."))
        upload.seek(0)
        return upload.read()


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 16 letters and digits under the QR code, for example K7QX-3M9D-PA2W-H4TZ."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = verification_code_normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A verification code has 16 letters and digits, like K7QX-3M9D-PA2W-H4TZ.")
            )
        return code
