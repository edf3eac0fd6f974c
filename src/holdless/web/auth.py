"""Signed tokens for widget customers; the name of the browser session cookie (sessions are stored)."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from holdless.errors import Unauthenticated
from holdless.ids import CustomerId, WorkspaceId

SESSION_COOKIE = "holdless_session"


@dataclass(frozen=True, slots=True)
class Signer:
    """Customer tokens are signed with the secret key and a salt of their own."""

    secret_key: str

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=salt)

    def customer(self, workspace_id: WorkspaceId, customer_id: CustomerId) -> str:
        return self._serializer("customer").dumps([workspace_id, customer_id])

    def read_customer(self, value: str) -> tuple[WorkspaceId, CustomerId]:
        try:
            workspace_id, customer_id = self._serializer("customer").loads(value, max_age=90 * 86400)
        except (BadSignature, ValueError, TypeError):
            raise Unauthenticated("This chat session is not valid; please start a new one.") from None
        return WorkspaceId(workspace_id), CustomerId(customer_id)
