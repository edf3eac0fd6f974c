"""HTTP steps of flows: a signed request with a timeout, run off the event loop. Errors are results."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from holdless.bot.state import CallHttp

log = logging.getLogger(__name__)

# "t=<unix seconds>,v1=<hex HMAC-SHA256 of 't.' + body>" (GET: the query string the details were put in)
SIGNATURE_HEADER = "X-Holdless-Signature"
MAX_RESPONSE = 64_000


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _call(call: CallHttp, secret: str) -> tuple[bool, dict[str, str]]:
    body = json.dumps(dict(call.payload), ensure_ascii=False, sort_keys=True).encode()
    url = call.url
    data: bytes | None = body
    if call.method == "GET":  # the details go in the query string, and the signature covers it
        query = urllib.parse.urlencode(dict(call.payload))
        url += ("&" if "?" in url else "?") + query
        data = None
        body = query.encode()
    request = urllib.request.Request(url, data=data, method=call.method)  # noqa: S310 (http/https only)
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "Holdless-VirtualAgent")
    if secret:
        request.add_header(SIGNATURE_HEADER, signature(secret, int(time.time()), body))
    try:
        with urllib.request.urlopen(request, timeout=call.timeout_seconds) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        log.info("bot: HTTP step %s/%s failed: %s", call.flow, call.step, error)
        return False, {}
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        return True, {"response": raw.decode(errors="replace")[:500]}
    if not isinstance(parsed, Mapping):
        return True, {"response": str(parsed)[:500]}
    return True, {str(k): str(v)[:500] for k, v in parsed.items() if not isinstance(v, dict | list)}


async def run_http_step(call: CallHttp, secret: str) -> tuple[bool, dict[str, str]]:
    """(ok, flat string values of the JSON answer); a timeout, a refusal or a bad URL is (False, {})."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(_call, call, secret), call.timeout_seconds + 1)
    except TimeoutError:
        return False, {}
