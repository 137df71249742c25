"""Shared pieces for services: the error they raise with a Vietnamese message."""


class ServiceError(Exception):
    """A rule was broken; `message` is shown to the user as it is (Vietnamese)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else changed the object first."""
