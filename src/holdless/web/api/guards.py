"""Checks that every request to the REST API passes before its router runs."""

from __future__ import annotations

from contextlib import suppress

from fastapi import Request

from holdless.errors import Invalid


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


async def refuse_nul_characters(request: Request) -> None:
    """PostgreSQL cannot store U+0000 in text, so it is refused in paths, queries and JSON bodies alike,
    on every backend, before it can reach a query."""
    values: list[object] = [*request.path_params.values(), *request.query_params.values()]
    if await request.body():
        with suppress(ValueError):  # not JSON: FastAPI has already answered what it could not parse
            values.append(await request.json())
    if any(_has_nul(value) for value in values):
        raise Invalid("Text cannot contain the NUL character (\\u0000).")
