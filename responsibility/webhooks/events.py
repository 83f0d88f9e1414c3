"""The events a webhook may subscribe to: their names in Chinese, the scope a client needs to hear them,
and the body each delivery carries.

The body names what happened and to which object, with the object's address in the API; what the object
holds is read there, under the client's own roles and scopes. So a webhook never tells a client more than
the API would, and a receiver that trusts nothing but the signature can still fetch the facts itself.
"""

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.announcements import Announcement, AnnouncementKind
from responsibility.api.models import Scope
from responsibility.reminders.registry import site_link

EVENT_LABELS = {
    AnnouncementKind.LETTER_SIGNED: _("A letter was signed"),
    AnnouncementKind.LETTER_COUNTERSIGNED: _("A letter was countersigned"),
    AnnouncementKind.LETTER_SEALED: _("A letter's sealed PDF is ready"),
    AnnouncementKind.LETTER_VOIDED: _("A letter was voided"),
    AnnouncementKind.PROBLEM_OVERDUE: _("A problem's rectification is overdue"),
    AnnouncementKind.PROBLEM_CLOSED: _("A problem was closed (销号)"),
    AnnouncementKind.ASSESSMENT_PUBLISHED: _("Assessment results were published"),
}

# The scope a client must hold to be sent an event: the one that lets it read the event's object.
EVENT_SCOPES = {
    AnnouncementKind.LETTER_SIGNED: Scope.READ_LETTERS,
    AnnouncementKind.LETTER_COUNTERSIGNED: Scope.READ_LETTERS,
    AnnouncementKind.LETTER_SEALED: Scope.READ_LETTERS,
    AnnouncementKind.LETTER_VOIDED: Scope.READ_LETTERS,
    AnnouncementKind.PROBLEM_OVERDUE: Scope.READ_SUPERVISION,
    AnnouncementKind.PROBLEM_CLOSED: Scope.READ_SUPERVISION,
    AnnouncementKind.ASSESSMENT_PUBLISHED: Scope.READ_ASSESSMENT,
}

# The API's address of each kind of subject ("letter:12" → /api/v1/letters/12/).
_SUBJECT_ROUTES = {
    "letter": "api:letter-detail",
    "problem": "api:problem-detail",
    "round": "api:assessment-round-detail",
}


def event_choices(scopes: list[str]) -> list[tuple[str, str]]:
    """The events a client with these scopes may subscribe to, in the order of the list above."""
    return [(kind.value, label) for kind, label in EVENT_LABELS.items() if EVENT_SCOPES[kind] in scopes]


def event_body(announcement: Announcement) -> str:
    """The JSON delivered: compact, keys sorted, UTF-8 as is (what is signed is exactly what is sent)."""
    subject_kind, subject_id = announcement.subject_kind, announcement.subject_id
    path = reverse(_SUBJECT_ROUTES[subject_kind], kwargs={"pk": subject_id})
    return json.dumps(
        {
            "id": str(announcement.event_id),
            "type": announcement.kind.value,
            "occurred_at": announcement.occurred_at.isoformat(),
            "subject": {"type": subject_kind, "id": subject_id, "url": site_link(path)},
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
