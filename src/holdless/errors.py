"""One short exception hierarchy; the web layer maps it to HTTP in one place (web/errors.py)."""

from __future__ import annotations


class HoldlessError(Exception):
    """Base of every error Holdless raises on purpose. `message` is shown to people as is."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(HoldlessError):
    """The object does not exist in the caller's workspace (other workspaces' objects look the same)."""

    code = "not_found"


class Unauthenticated(HoldlessError):
    code = "unauthenticated"


class Forbidden(HoldlessError):
    """The caller is known but their role does not allow this."""

    code = "forbidden"


class Invalid(HoldlessError):
    """The request breaks a rule of the domain (a wrong status transition, a bad value)."""

    code = "invalid"


class Unavailable(HoldlessError):
    """A dependency (the database, the bus) failed; the request may be retried."""

    code = "unavailable"


class Conflict(HoldlessError):
    """The request collides with existing state (a duplicate email, a concurrent change)."""

    code = "conflict"


class TooManyRequests(HoldlessError):
    """The caller is going faster than allowed; ``retry_after`` says when to try again."""

    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
