"""The upload field for evidence files: several files at once, with the allowed types and size in the help."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from responsibility.evidence.rules import ALLOWED_TYPES, MAX_FILES_PER_UPLOAD, allowed_types_label


def _evidence_help() -> str:
    return _("Accepted: %(types)s; at most %(size)s each and %(count)d files at a time.") % {
        "types": allowed_types_label(),
        "size": filesizeformat(settings.EVIDENCE_MAX_BYTES),
        "count": MAX_FILES_PER_UPLOAD,
    }


class EvidenceFilesInput(forms.FileInput):
    """A file input that lets the user pick several files at once."""

    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several uploaded files (a list, possibly empty). Their type and size are checked by the service."""

    widget = EvidenceFilesInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Evidence files"))
        kwargs.setdefault("help_text", lazy(_evidence_help, str)())
        super().__init__(**kwargs)
        accept = ",".join(sorted({kind.extension for kind in ALLOWED_TYPES} | {".jpeg"}))
        self.widget.attrs.setdefault("accept", accept)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if self.required and not uploads:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(EvidenceFilesField, self).clean(upload, initial) for upload in uploads]
