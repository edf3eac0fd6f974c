"""The one place where errors become HTTP responses: JSON with a message a person understands."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from holdless.errors import (
    Conflict,
    Forbidden,
    HoldlessError,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
)

log = logging.getLogger(__name__)

STATUS = {
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    Invalid: 422,
    Conflict: 409,
    Unavailable: 503,
    TooManyRequests: 429,
}


def _body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **extra}}


def _where(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HoldlessError)
    async def domain_error(_: Request, error: HoldlessError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(error, TooManyRequests):
            headers = {"Retry-After": str(max(1, round(error.retry_after)))}
        return JSONResponse(_body(error.code, error.message, field=error.field), status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": _where(e.get("loc", ())), "message": e.get("msg", "is not valid")}
            for e in error.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        return JSONResponse(
            _body("invalid", f"Please check the request — {summary}.", problems=problems), 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        messages = {404: "There is nothing at this address.", 405: "This method is not allowed here."}
        message = messages.get(error.status_code, str(error.detail))
        return JSONResponse(_body("http_error", message), error.status_code, headers=error.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(_body("internal", "Something went wrong on our side; the error was logged."), 500)
