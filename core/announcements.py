"""What happened, told to the layers above the one it happened in (the outgoing webhooks, for one).

A subdomain's service announces a fact that other systems may need (a letter signed, a problem closed,
results published) inside the transaction that made it true; the layers above register a listener at
start-up (`announcement_listener_register`, from the app's ready()). A listener that raises rolls the
service back with it, so what it records (a delivery per subscription) commits exactly when the fact does.

An announcement names its kind, its subject ("letter:12") and its occasion: what makes this happening
unique ("2026-12-07T09:30:00+08:00" for a signature's time, a PDF's digest for a sealing). The event's id is
derived from the three, so the same fact announced twice (a task delivered again) is the same event, and
whoever records it once per id records it once.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# The namespace of announcements' ids (uuid5): fixed for ever, so that an event's id never changes.
ANNOUNCEMENT_NAMESPACE = uuid.UUID("5f0c7a52-4d0e-5b7e-9a53-6a1f3c2d8e41")


class AnnouncementKind(StrEnum):
    """Every fact announced; a webhook subscribes to some of them (responsibility.webhooks.events)."""

    LETTER_SIGNED = "letter.signed"  # the signer (乙方) signed
    LETTER_COUNTERSIGNED = "letter.countersigned"  # the issuer (甲方) countersigned: in force
    LETTER_SEALED = "letter.sealed"  # its sealed PDF is stored
    LETTER_VOIDED = "letter.voided"  # withdrawn by the issuer
    PROBLEM_OVERDUE = "problem.overdue"  # a problem's rectification passed its deadline unfinished
    PROBLEM_CLOSED = "problem.closed"  # 销号
    ASSESSMENT_PUBLISHED = "assessment.published"  # a round's results approved


@dataclass(frozen=True)
class Announcement:
    kind: AnnouncementKind
    subject: str  # "letter:12"
    occasion: str  # what makes this happening of the kind to the subject unique
    occurred_at: datetime.datetime

    @property
    def event_id(self) -> uuid.UUID:
        """The same for the same fact, however often it is announced."""
        return uuid.uuid5(ANNOUNCEMENT_NAMESPACE, f"{self.kind}|{self.subject}|{self.occasion}")

    @property
    def subject_kind(self) -> str:
        return self.subject.partition(":")[0]

    @property
    def subject_id(self) -> int:
        return int(self.subject.partition(":")[2])


_LISTENERS: list[Callable[[Announcement], None]] = []


def announcement_listener_register(
    listener: Callable[[Announcement], None],
) -> Callable[[Announcement], None]:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def announce(
    *, kind: AnnouncementKind, subject: str, occasion: str, occurred_at: datetime.datetime
) -> Announcement:
    """Tell every listener, in the caller's transaction (a listener that raises rolls it back)."""
    announcement = Announcement(kind=kind, subject=subject, occasion=occasion, occurred_at=occurred_at)
    for listener in _LISTENERS:
        listener(announcement)
    return announcement
