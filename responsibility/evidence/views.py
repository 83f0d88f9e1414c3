"""Evidence downloads: the stored bytes, only to those who may see the record, only while unchanged."""

import hashlib
import io
import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from responsibility.evidence.rules import UNKNOWN, evidence_file_name, evidence_type_of
from responsibility.evidence.selectors import evidence_get_visible

logger = logging.getLogger(__name__)


@login_required
def evidence_download_view(request, pk: int):
    """The stored bytes as a download (never inline), only if they are still the bytes that were uploaded."""
    evidence = evidence_get_visible(user=request.user, pk=pk)
    if evidence is None:
        raise Http404
    return evidence_file_response(request, evidence)


def evidence_file_response(request, evidence):
    """The evidence file's bytes as a download, or the page saying they are missing or not the ones
    uploaded (410, 409). For a view that decided the user may have it."""
    try:
        with evidence.file.open("rb") as stored:
            content = stored.read()
    except OSError:
        logger.error("Evidence file %s (%s) cannot be read from storage", evidence.pk, evidence.file.name)
        return _evidence_refused(request, evidence, status=410, missing=True)
    if hashlib.sha256(content).hexdigest() != evidence.sha256:
        logger.error(
            "Evidence file %s (%s) does not match its recorded SHA-256 %s: refused to serve it",
            evidence.pk,
            evidence.file.name,
            evidence.sha256,
        )
        return _evidence_refused(request, evidence, status=409, missing=False)
    # Named and typed by what the bytes are, never by the uploaded name: "整改报告.html" that is a PDF
    # downloads as "整改报告.pdf", application/pdf. (Every stored file passed the same check at upload.)
    kind = evidence_type_of(content) or UNKNOWN
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=evidence_file_name(evidence.original_name, kind),
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


def _evidence_refused(request, evidence, *, status: int, missing: bool):
    return render(
        request,
        "responsibility/findings/evidence_refused.html",
        {"evidence": evidence, "missing": missing},
        status=status,
    )
