"""The hub delivers every committed event once and in order even when the bus drops or reorders them."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from holdless.accounts.actions import create_workspace
from holdless.bootstrap import build
from holdless.contacts.actions import create_customer
from holdless.realtime.hub import Hub
from holdless.settings import Settings
from holdless.tenancy import SystemPrincipal

EVENTS = 12


async def _scenario(database: Path, arrival: list[int], dropped: set[int]) -> tuple[list[int], list[int]]:
    holdless = build(Settings(database_url=f"sqlite+aiosqlite:///{database}", _env_file=None))  # type: ignore[call-arg]
    hub = Hub(holdless.events, gap_wait=0.01, sweep_every=0.05)
    await hub.start()
    try:
        workspace = await create_workspace(
            holdless.ctx, slug=f"ws-{len(arrival)}-{len(dropped)}", name="w", languages=("en",)
        )
        subscriber = await hub.subscribe(workspace.id, lambda _e: True)
        for i in range(EVENTS):
            await create_customer(holdless.ctx, SystemPrincipal(workspace.id), name=f"c{i}")
        committed = await holdless.events.events_after(workspace.id, 0, limit=100)
        live = [e for e in committed if e.type == "customer.created"]
        for index in arrival:  # what the bus actually carried, in the order it carried it
            if index not in dropped:
                hub.receive(live[index])
        received: list[int] = []
        while len(received) < EVENTS:
            frame = await asyncio.wait_for(subscriber.queue.get(), 5)
            received.append(frame.event.seq)
        return received, [e.seq for e in live]
    finally:
        await hub.close()
        await holdless.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    arrival=st.permutations(range(EVENTS)),
    dropped=st.sets(st.integers(0, EVENTS - 1), max_size=EVENTS - 1),
)
def test_subscriber_gets_every_event_once_in_sequence_order(
    sqlite_template: Path, tmp_path: Path, arrival: list[int], dropped: set[int]
) -> None:
    database = tmp_path / f"hub-{abs(hash((tuple(arrival), frozenset(dropped))))}.db"
    shutil.copy(sqlite_template, database)
    received, expected = asyncio.run(_scenario(database, list(arrival), dropped))
    assert received == expected
    database.unlink()
