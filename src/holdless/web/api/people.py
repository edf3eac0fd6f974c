"""The workspace, its users and their agent profiles."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from holdless.accounts import actions as account_actions
from holdless.accounts import queries as account_queries
from holdless.agents import actions as agent_actions
from holdless.agents import queries as agent_queries
from holdless.agents.model import AgentState
from holdless.conversations.model import Channel
from holdless.ids import QueueId, UserId
from holdless.tenancy import Role
from holdless.web.api.schemas import AgentOut, UserOut, WorkspaceOut
from holdless.web.deps import CtxDep, PrincipalDep

router = APIRouter()
Language = Literal["en", "ru", "zh", "be"]


@router.get("/workspace", tags=["workspaces"])
async def get_workspace(who: PrincipalDep, ctx: CtxDep) -> WorkspaceOut:
    return WorkspaceOut.of(await account_queries.current_workspace(ctx, who))


class WorkspacePatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    languages: list[Language] | None = Field(default=None, min_length=1)


@router.patch("/workspace", tags=["workspaces"])
async def update_workspace(body: WorkspacePatch, who: PrincipalDep, ctx: CtxDep) -> WorkspaceOut:
    languages = tuple(body.languages) if body.languages is not None else None
    return WorkspaceOut.of(
        await account_actions.update_workspace(ctx, who, name=body.name, languages=languages)
    )


class UserIn(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=8, max_length=256)
    language: Language = "en"


class UserPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)
    language: Language | None = None


@router.get("/users", tags=["users"])
async def list_users(who: PrincipalDep, ctx: CtxDep) -> list[UserOut]:
    return [UserOut.of(u) for u in await account_queries.list_users(ctx, who)]


@router.post("/users", tags=["users"], status_code=201)
async def create_user(body: UserIn, who: PrincipalDep, ctx: CtxDep) -> UserOut:
    user = await account_actions.create_user(
        ctx,
        who,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        language=body.language,
    )
    return UserOut.of(user)


@router.get("/users/{user_id}", tags=["users"])
async def get_user(user_id: str, who: PrincipalDep, ctx: CtxDep) -> UserOut:
    return UserOut.of(await account_queries.get_user(ctx, who, UserId(user_id)))


@router.patch("/users/{user_id}", tags=["users"])
async def update_user(user_id: str, body: UserPatch, who: PrincipalDep, ctx: CtxDep) -> UserOut:
    user = await account_actions.update_user(
        ctx, who, UserId(user_id), name=body.name, role=body.role, active=body.active,
        password=body.password, language=body.language,
    )  # fmt: skip
    return UserOut.of(user)


@router.get("/agents", tags=["agents"])
async def list_agents(who: PrincipalDep, ctx: CtxDep) -> list[AgentOut]:
    return [AgentOut.of(a) for a in await agent_queries.list_agents(ctx, who)]


@router.get("/agents/{agent_id}", tags=["agents"])
async def get_agent(agent_id: str, who: PrincipalDep, ctx: CtxDep) -> AgentOut:
    return AgentOut.of(await agent_queries.get_agent(ctx, who, UserId(agent_id)))


class AgentPatch(BaseModel):
    skills: dict[str, int] | None = None
    languages: list[str] | None = Field(default=None, min_length=1, max_length=20)
    capacity: dict[Channel, int] | None = None
    queue_ids: list[str] | None = Field(default=None, max_length=100)


@router.patch("/agents/{agent_id}", tags=["agents"])
async def update_agent(agent_id: str, body: AgentPatch, who: PrincipalDep, ctx: CtxDep) -> AgentOut:
    profile = await agent_actions.update_profile(
        ctx, who, UserId(agent_id),
        skills=body.skills,
        languages=tuple(body.languages) if body.languages is not None else None,
        capacity=body.capacity,
        queue_ids=tuple(QueueId(q) for q in body.queue_ids) if body.queue_ids is not None else None,
    )  # fmt: skip
    return AgentOut.of(profile)


class StateIn(BaseModel):
    state: AgentState


@router.post("/agents/{agent_id}/state", tags=["agents"])
async def set_agent_state(agent_id: str, body: StateIn, who: PrincipalDep, ctx: CtxDep) -> AgentOut:
    return AgentOut.of(await agent_actions.set_state(ctx, who, UserId(agent_id), body.state))
