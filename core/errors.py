"""The business "no": raised by services, shown to the user as a message, never retried."""


class ApplicationError(Exception):
    """A request the rules refuse. The message is for the user, in their language."""

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class FrozenRecordError(ApplicationError):
    """Someone tried to change or delete what the record says was signed."""


class TransitionNotAllowed(ApplicationError):
    """The record's stored state does not allow the requested move."""
