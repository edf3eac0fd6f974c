"""Signed cookies for people in the browser, signed tokens for widget customers, bearer API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from holdless.errors import Unauthenticated
from holdless.ids import CustomerId, UserId, WorkspaceId

SESSION_COOKIE = "holdless_session"


@dataclass(frozen=True, slots=True)
class Signer:
    """Both kinds of signed value use the same key with different salts, so one cannot pass as the other."""

    secret_key: str
    session_seconds: int

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=salt)

    def session(self, workspace_id: WorkspaceId, user_id: UserId) -> str:
        return self._serializer("session").dumps([workspace_id, user_id])

    def read_session(self, value: str) -> tuple[WorkspaceId, UserId]:
        try:
            workspace_id, user_id = self._serializer("session").loads(value, max_age=self.session_seconds)
        except (BadSignature, ValueError, TypeError):
            raise Unauthenticated("Your session has ended; please sign in again.") from None
        return WorkspaceId(workspace_id), UserId(user_id)

    def customer(self, workspace_id: WorkspaceId, customer_id: CustomerId) -> str:
        return self._serializer("customer").dumps([workspace_id, customer_id])

    def read_customer(self, value: str) -> tuple[WorkspaceId, CustomerId]:
        try:
            workspace_id, customer_id = self._serializer("customer").loads(value, max_age=90 * 86400)
        except (BadSignature, ValueError, TypeError):
            raise Unauthenticated("This chat session is not valid; please start a new one.") from None
        return WorkspaceId(workspace_id), CustomerId(customer_id)
