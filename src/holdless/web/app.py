"""create_app(settings): the FastAPI application, built around one running Holdless."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from holdless import __doc__ as summary
from holdless.bootstrap import Holdless, build, tune_gc
from holdless.settings import Settings
from holdless.web.api import (
    auth,
    bot,
    complaints,
    conversations,
    customers,
    events,
    feedback,
    messenger,
    people,
    queues,
    reports,
    routing,
    telegram,
    webhooks,
    widget,
    workforce,
)
from holdless.web.api.guards import refuse_nul_characters
from holdless.web.auth import Signer
from holdless.web.errors import install_error_handlers
from holdless.web.limits import RateLimiter
from holdless.web.ui import pages
from holdless.web.ws import router as ws_router

API = "/api/v1"


def create_app(settings: Settings, *, holdless: Holdless | None = None) -> FastAPI:
    running = holdless or build(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await running.start()
        if settings.gc_tuning:
            tune_gc()
        try:
            yield
        finally:
            await running.close()

    app = FastAPI(
        title="Holdless",
        version="0.1.0",
        description=summary or "",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
    )
    app.state.holdless = running
    app.state.signer = Signer(settings.resolved_secret_key())
    app.state.session_limiter = RateLimiter(settings.widget_sessions_per_minute)
    install_error_handlers(app)
    # Every REST route passes the same edge checks, applied once where /api/v1 is mounted.
    guards = [Depends(refuse_nul_characters)]
    for router in (
        auth,
        people,
        customers,
        queues,
        conversations,
        events,
        widget,
        routing,
        reports,
        workforce,
        feedback,
        complaints,
        webhooks,
        bot,
        telegram,
        messenger,
    ):
        app.include_router(router.router, prefix=API, dependencies=guards)
    app.include_router(ws_router)
    # The browser pages (docs/ui.md): widget script, /demo, /login, /agent, and their static files.
    app.include_router(pages.router)
    app.mount("/static/ui", pages.static_files(), name="ui-static")

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    logging.getLogger("holdless").setLevel(settings.log_level.upper())
    return app
