"""Workspaces (tenants), roles and who is acting. Every query and action is scoped by a Principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from holdless.errors import Forbidden
from holdless.ids import CustomerId, UserId, WorkspaceId


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"


_RANK = {Role.AGENT: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in person of a workspace."""

    workspace_id: WorkspaceId
    user_id: UserId
    role: Role

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}"

    def at_least(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def require(self, role: Role) -> None:
        if not self.at_least(role):
            raise Forbidden(f"This needs the {role.value} role; you are signed in as {self.role.value}.")


@dataclass(frozen=True, slots=True)
class CustomerPrincipal:
    """A customer holding a widget session: may act on their own conversations only."""

    workspace_id: WorkspaceId
    customer_id: CustomerId

    @property
    def actor(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class SystemPrincipal:
    """Holdless itself (CLI, demo loader, timers)."""

    workspace_id: WorkspaceId

    @property
    def actor(self) -> str:
        return "system"


Actor = Principal | CustomerPrincipal | SystemPrincipal
