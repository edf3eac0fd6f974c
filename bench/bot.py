"""The virtual agent in the loop: from a customer's message stored to the bot's reply stored.

    PYTHONPATH=src .venv/bin/python bench/bot.py [--turns 60]

A real Holdless (SQLite in a temporary folder, routing and bot on, no HTTP) with the demo flows. Each turn
posts one customer message and waits (polling every 2 ms) until the bot's reply is stored: the NLU
(language, intent, sentiment, KB search), the runtime and the writes. Prints one JSON object (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from holdless.accounts.actions import create_user, create_workspace
from holdless.bootstrap import Holdless, build
from holdless.bot.actions import save_flows
from holdless.bot.demo import DEMO_FLOWS
from holdless.bot_service.understanding import demo_pipeline
from holdless.contacts.actions import create_customer
from holdless.conversations.actions import start_conversation
from holdless.conversations.messaging import post_message
from holdless.conversations.model import Author, Channel
from holdless.ids import ConversationId, WorkspaceId
from holdless.routing.actions import create_queue
from holdless.settings import Settings
from holdless.storage.migrate import upgrade
from holdless.tenancy import CustomerPrincipal, Principal, Role, SystemPrincipal

TEXTS = ["I lost my card", "operator", "I forgot my password", "where is my order", "blorp", "привет"]


async def _bot_messages(app: Holdless, workspace_id: WorkspaceId, conversation_id: ConversationId) -> int:
    async with app.ctx.uow() as uow:
        found = await uow.messages.list(workspace_id, conversation_id, after_seq=0, limit=1000)
    return sum(1 for m in found if m.author is Author.BOT)


async def run(url: str, folder: Path, turns: int) -> dict[str, object]:
    settings = Settings(database_url=url, secret_key="bench", gc_tuning=False, var_dir=folder, _env_file=None)  # type: ignore[call-arg]
    app = build(settings)
    await app.start()
    try:
        ctx = app.ctx
        workspace = await create_workspace(ctx, slug="bench", name="Bench", languages=("en", "ru", "zh"))
        system = SystemPrincipal(workspace.id)
        admin_user = await create_user(
            ctx, system, email="a@bench.test", name="A", role=Role.ADMIN, password="correct horse battery"
        )
        admin = Principal(workspace.id, admin_user.id, Role.ADMIN)
        queue = await create_queue(ctx, admin, name="Billing", skills={"billing": 1})
        await save_flows(ctx, admin, {**DEMO_FLOWS, "handoff_queue": queue.id})
        started = time.perf_counter()
        await asyncio.to_thread(demo_pipeline)
        train_seconds = time.perf_counter() - started
        latencies: list[float] = []
        for turn in range(turns):
            customer = await create_customer(ctx, system, name=f"C{turn}", language="en")
            conversation = await start_conversation(
                ctx, system, customer.id, channel=Channel.WEBCHAT, queue_id=queue.id
            )
            while await _bot_messages(app, workspace.id, conversation.id) < 1:  # noqa: ASYNC110 (the greeting)
                await asyncio.sleep(0.005)
            before = await _bot_messages(app, workspace.id, conversation.id)
            who = CustomerPrincipal(workspace.id, customer.id)
            started = time.perf_counter()
            await post_message(ctx, who, conversation.id, text=TEXTS[turn % len(TEXTS)])
            while await _bot_messages(app, workspace.id, conversation.id) <= before:  # noqa: ASYNC110
                await asyncio.sleep(0.002)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        await app.close()
    ordered = sorted(latencies)
    return {
        "turns": turns,
        "nlu_train_seconds": round(train_seconds, 1),
        "reply_p50_ms": round(statistics.median(ordered), 1),
        "reply_p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "reply_max_ms": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=60)
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    upgrade(url)
    print(json.dumps(asyncio.run(run(url, folder, parser.parse_args().turns))))


if __name__ == "__main__":
    main()
