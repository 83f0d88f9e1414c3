"""Who hears of what happens to a letter: the layers above letters register here at start-up.

Letters import nothing above them (the import contract), yet a letter moving on is news for them: the
reminders close what asked for the signature, and send the sealed PDF to the parties. They register a
listener here (from the app's ready()), and the letter services announce:

- `letter_moved_announce(letter=, from_status=)`: every move of a letter (sign, countersign, return,
  void, archive), inside the move's transaction, after its event is appended. A listener that raises
  rolls the move back with it.
- `letter_sealed_announce(document=)`: a countersigned letter's sealed PDF is stored. Outside any
  transaction, and possibly more than once for one document (the attach task is delivered at least
  once): listeners must be idempotent. A listener that fails is logged, never raised: the PDF is stored,
  and a listener has its own way to catch up (the reminders' sweep).
"""

import logging
from collections.abc import Callable

from core.announcements import AnnouncementKind, announce

logger = logging.getLogger(__name__)

LETTER_MOVED_LISTENERS: list[Callable[..., None]] = []
LETTER_SEALED_LISTENERS: list[Callable[..., None]] = []


def letter_moved_listener_register(listener: Callable[..., None]) -> Callable[..., None]:
    if listener not in LETTER_MOVED_LISTENERS:
        LETTER_MOVED_LISTENERS.append(listener)
    return listener


def letter_sealed_listener_register(listener: Callable[..., None]) -> Callable[..., None]:
    if listener not in LETTER_SEALED_LISTENERS:
        LETTER_SEALED_LISTENERS.append(listener)
    return listener


def letter_moved_announce(*, letter, from_status: str) -> None:
    for listener in LETTER_MOVED_LISTENERS:
        listener(letter=letter, from_status=from_status)


def letter_sealed_announce(*, document) -> None:
    """The listeners of sealed PDFs, then the announcement to other systems (`letter.sealed`, whose id is
    the same for the same PDF however often the attach task runs)."""
    listeners = [*LETTER_SEALED_LISTENERS, _letter_sealed_announcement]
    for listener in listeners:
        try:
            listener(document=document)
        except Exception:  # noqa: BLE001 - the PDF is stored; the listener catches up on its own
            logger.exception("A listener of sealed letter PDFs failed for document %s", document.pk)


def _letter_sealed_announcement(*, document) -> None:
    announce(
        kind=AnnouncementKind.LETTER_SEALED,
        subject=f"letter:{document.letter_id}",
        occasion=document.sha256,
        occurred_at=document.rendered_at,
    )
