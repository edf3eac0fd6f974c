"""The Telegram webhook: updates pushed by the Bot API, verified by their secret-token header."""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, Request, Response

from holdless.errors import Invalid, NotFound, Unauthenticated
from holdless.web.deps import holdless

router = APIRouter(tags=["channels"])
log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


@router.post(
    "/channels/telegram/webhook",
    status_code=200,
    responses={401: {"description": "Missing or wrong secret token"}, 422: {"description": "Not an update"}},
)
async def telegram_webhook(request: Request) -> Response:
    """One Bot API update (setWebhook with secret_token); stored once however often it is delivered."""
    channel = holdless(request).telegram
    if channel is None:
        raise NotFound("The Telegram channel is not configured")
    expected = channel.webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("telegram: webhook refused: missing or wrong secret token")
        raise Unauthenticated("Missing or wrong Telegram secret token")
    try:
        update = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as error:
        log.warning("telegram: webhook refused: body is not JSON")
        raise Invalid("Telegram update: the body is not JSON") from error
    try:
        await channel.accept(update)
    except Invalid as error:
        log.warning("telegram: webhook refused: %s", error.message)
        raise
    return Response(status_code=200, content=b'{"ok":true}', media_type="application/json")
