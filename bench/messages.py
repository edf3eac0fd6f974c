"""End-to-end chat benchmark: customer websocket -> one `holdless serve` process -> agent websocket.

What is measured, per backend ((a) SQLite + in-process bus, (b) PostgreSQL + Redis bus):

* messages/second that are persisted by the server *and* delivered to an agent websocket as the matching
  `message.created` event, with N concurrent conversations (default 1,000), each on its own customer socket;
* latency p50/p90/p99/max in ms from the customer's `send()` to the agent socket receiving the event.
  The send time (CLOCK_MONOTONIC, shared by all processes of this machine) travels inside the message
  text, so the receiving process computes the latency without any cross-process matching. In the open
  loop the *intended* send time is used (no coordinated omission when the server stops reading); the
  closed loop also reports send -> `ack` on the customer's socket, to separate persistence from fan-out;
* the server's RSS (idle, after the HTTP set-up, with every socket connected, peak) and the memory per
  websocket connection = (RSS connected - RSS before connecting) / connections;
* CPU split (in % of one core) between the server process, the benchmark's client processes, PostgreSQL
  + Redis, and unrelated load on the machine, so the bottleneck can be named (and a noisy run spotted).

How:

1. A fresh database (a temp dir for SQLite; database `holdless_bench` with a recreated `public` schema for
   PostgreSQL, so the `test` database is never touched) is migrated with `holdless migrate`; a workspace,
   an admin, a supervisor with an API token and a queue are created through the real actions.
2. `holdless serve` runs in its own process (the shipped configuration: uvicorn, GC tuning on).
3. Client processes (``--clients``, default 2) open the conversations the way the web widget does
   (POST /api/v1/widget/sessions, POST /api/v1/widget/conversations with the queue) and connect one
   /ws/customer socket per conversation. One more process holds the supervisor's /ws/agent socket, which
   sees the whole workspace; it also checks that the event sequence has no gaps, duplicates or resyncs.
4. Phases, all on the same sockets: warm-up (closed loop), **closed loop** for ``--seconds`` (every
   customer sends, waits for its `ack`, sends again: the server's capacity; latency there is queueing,
   ~N/throughput by Little's law), a pause, then **open loop** for ``--seconds`` at ``--rate`` messages/s
   in total (default 1,500, the target), Poisson arrivals spread over the N conversations, sends not
   waiting for acks: the latency a customer sees at the target load. A drain period follows; a message
   not delivered by its end counts as undelivered.

Targets (issue 2, "Done means" 6): >= 1,500 messages/s (closed-loop capacity) and p99 < 100 ms (open loop
at 1,500 messages/s, everything delivered).

Usage: .venv/bin/python bench/messages.py [--conversations N] [--seconds S] [--backend sqlite|postgres|both]
       [--rate R] [--clients K] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import psutil
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TARGET_RATE = 1500.0
TARGET_P99_MS = 100.0
SECRET_KEY = "holdless-bench-secret-key"
SLUG = "bench"
POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES_BENCH_DSN = "postgresql://postgres@127.0.0.1:5432/holdless_bench"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/holdless_bench"
REDIS_URL = "redis://127.0.0.1:6379/0"
ACK_TIMEOUT = 30.0
SETUP_CONCURRENCY = 16
MB = 1024 * 1024


# --------------------------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Schedule:
    """Absolute CLOCK_MONOTONIC times (seconds), shared by every process of the run."""

    warm: float
    closed: float
    closed_end: float
    open: float
    open_end: float
    stop: float

    def closed_tag(self, now: float) -> str:
        return "c" if self.closed <= now < self.closed_end else "w"


@dataclass(frozen=True)
class WorkerSpec:
    worker: int
    base_url: str
    slug: str
    queue_id: str
    count: int
    rate: float  # open-loop messages/s of one conversation


@dataclass(frozen=True)
class AgentSpec:
    base_url: str
    token: str


@dataclass
class Customer:
    index: int
    token: str
    conversation_id: str
    ws: ClientConnection | None = None
    waiter: asyncio.Future[bool] | None = None
    acks: int = 0
    errors: int = 0
    last_error: str = ""


@dataclass
class WorkerStats:
    sent: dict[str, int] = field(default_factory=lambda: {"w": 0, "c": 0, "o": 0})
    acked: dict[str, int] = field(default_factory=lambda: {"w": 0, "c": 0, "o": 0})
    timeouts: int = 0
    errors: int = 0
    last_error: str = ""
    lag_ms: list[float] = field(default_factory=list)  # open loop: how late the client sent
    ack_ms: list[float] = field(default_factory=list)  # closed loop: send -> ack on the customer socket
    disconnects: int = 0  # customer sockets the server closed or dropped during the run


@dataclass
class AgentRecord:
    last_seq: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"w": [], "c": [], "o": []})
    gaps: int = 0
    duplicates: int = 0
    resyncs: int = 0
    frames: int = 0


# ------------------------------------------------------------------------------------- client side


def log(message: str) -> None:
    """Progress on stderr; stdout carries only the JSON report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ws_base(base_url: str) -> str:
    return base_url.replace("http://", "ws://")


def open_socket(url: str) -> Any:
    return connect(
        url,
        compression=None,
        ping_interval=None,
        proxy=None,
        open_timeout=60,
        close_timeout=2,
        max_queue=None,
    )


def run_async(main: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


async def expect(conn: Connection, kind: str) -> Any:
    got, payload = await asyncio.to_thread(conn.recv)
    if got != kind:
        raise RuntimeError(f"expected {kind!r} from the coordinator, got {got!r}")
    return payload


async def sleep_until(when: float) -> None:
    delay = when - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def open_conversation(http: httpx.AsyncClient, spec: WorkerSpec, index: int) -> Customer:
    session = await http.post("/api/v1/widget/sessions", json={"workspace": spec.slug, "name": f"c{index}"})
    session.raise_for_status()
    token = session.json()["customer_token"]
    started = await http.post(
        "/api/v1/widget/conversations",
        json={"subject": "bench", "queue_id": spec.queue_id},
        headers={"Authorization": f"Bearer {token}"},
    )
    started.raise_for_status()
    return Customer(index, token, started.json()["id"])


async def bounded(limit: int, jobs: Sequence[Callable[[], Coroutine[Any, Any, Any]]]) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        async with semaphore:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs))


async def open_conversations(spec: WorkerSpec) -> list[Customer]:
    async with httpx.AsyncClient(base_url=spec.base_url, timeout=60, trust_env=False) as http:
        jobs = [
            functools.partial(open_conversation, http, spec, spec.worker * 1_000_000 + i)
            for i in range(spec.count)
        ]
        return await bounded(SETUP_CONCURRENCY, jobs)


def wake(customer: Customer, ok: bool) -> None:
    if customer.waiter is not None and not customer.waiter.done():
        customer.waiter.set_result(ok)


async def read_customer(customer: Customer) -> None:
    """Acks and errors matter; the customer's own `message.created` echo is skipped unparsed."""
    assert customer.ws is not None
    with contextlib.suppress(ConnectionClosed):
        async for raw in customer.ws:
            if not isinstance(raw, str):
                continue
            if raw.startswith('{"type":"ack"'):
                customer.acks += 1
                wake(customer, True)
            elif raw.startswith('{"type":"error"'):
                customer.errors += 1
                customer.last_error = raw[:300]
                wake(customer, False)


async def connect_customer(spec: WorkerSpec, customer: Customer) -> asyncio.Task[None]:
    query = f"token={customer.token}&conversation_id={customer.conversation_id}"
    url = f"{ws_base(spec.base_url)}/ws/customer?{query}"
    customer.ws = await open_socket(url)
    hello = json.loads(await customer.ws.recv())
    if hello.get("type") != "hello":
        raise RuntimeError(f"customer socket refused: {hello}")
    return asyncio.create_task(read_customer(customer))


def frame(tag: str, client_message_id: str, sent_ns: int | None = None) -> str:
    """The send time rides in the text: `bench <phase> <CLOCK_MONOTONIC ns>`."""
    text = f"bench {tag} {sent_ns or time.monotonic_ns()}"
    return json.dumps({"type": "message", "text": text, "client_message_id": client_message_id})


async def closed_loop(customer: Customer, schedule: Schedule, stats: WorkerStats, worker: int) -> None:
    """Send, wait for the ack, send again, until the closed phase ends (bounded by time)."""
    assert customer.ws is not None
    loop = asyncio.get_running_loop()
    await sleep_until(schedule.warm + random.random() * 0.2)
    n = 0
    while (now := time.monotonic()) < schedule.closed_end:
        tag = schedule.closed_tag(now)
        customer.waiter = loop.create_future()
        sent_ns = time.monotonic_ns()
        await customer.ws.send(frame(tag, f"{tag}{worker}-{customer.index}-{n}", sent_ns))
        stats.sent[tag] += 1
        n += 1
        try:
            ok = await asyncio.wait_for(customer.waiter, ACK_TIMEOUT)
        except TimeoutError:
            stats.timeouts += 1
            return
        stats.acked[tag] += ok
        if tag == "c":
            stats.ack_ms.append((time.monotonic_ns() - sent_ns) / 1e6)


async def open_loop(
    customer: Customer, schedule: Schedule, rate: float, stats: WorkerStats, worker: int
) -> None:
    """Poisson arrivals at `rate`; sends never wait for acks. The latency is counted from the *intended*
    send time, so a server that stops reading (TCP backpressure) cannot hide its lag (no coordinated
    omission); `send_lag` reports how late the sends actually went out."""
    assert customer.ws is not None
    rng = random.Random(worker * 1_000_003 + customer.index)
    at, n = schedule.open + rng.expovariate(rate), 0
    while at < schedule.open_end:
        await sleep_until(at)
        stats.lag_ms.append((time.monotonic() - at) * 1000)
        await customer.ws.send(frame("o", f"o{worker}-{customer.index}-{n}", int(at * 1e9)))
        stats.sent["o"] += 1
        n += 1
        at += rng.expovariate(rate)


async def survive(stats: WorkerStats, loop: Coroutine[Any, Any, None]) -> None:
    """A socket the server drops ends that conversation's loop; it is counted, not fatal."""
    try:
        await loop
    except ConnectionClosed:
        stats.disconnects += 1


async def drive(spec: WorkerSpec, customers: list[Customer], schedule: Schedule) -> WorkerStats:
    stats = WorkerStats()
    await asyncio.gather(*(survive(stats, closed_loop(c, schedule, stats, spec.worker)) for c in customers))
    before = sum(c.acks for c in customers)
    await sleep_until(schedule.open)
    await asyncio.gather(
        *(survive(stats, open_loop(c, schedule, spec.rate, stats, spec.worker)) for c in customers)
    )
    await sleep_until(schedule.stop)
    stats.acked["o"] = sum(c.acks for c in customers) - before
    stats.errors = sum(c.errors for c in customers)
    stats.last_error = next((c.last_error for c in customers if c.last_error), "")
    return stats


async def close_quietly(ws: ClientConnection) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(), 3)


async def customer_main(spec: WorkerSpec, conn: Connection) -> None:
    await expect(conn, "start")
    customers = await open_conversations(spec)
    conn.send(("setup", len(customers)))
    await expect(conn, "connect")
    readers = await bounded(
        SETUP_CONCURRENCY * 2, [functools.partial(connect_customer, spec, c) for c in customers]
    )
    conn.send(("connected", len(customers)))
    schedule: Schedule = await expect(conn, "schedule")
    stats = await drive(spec, customers, schedule)
    await asyncio.gather(*(close_quietly(c.ws) for c in customers if c.ws is not None))
    for reader in readers:
        reader.cancel()
    conn.send(("done", asdict(stats)))


def customer_worker(spec: WorkerSpec, conn: Connection) -> None:
    """Entry point of a customer client process."""
    try:
        run_async(customer_main(spec, conn))
    except BaseException as error:
        with contextlib.suppress(Exception):
            conn.send(("error", f"customer worker {spec.worker}: {error!r}"))
        raise


def record_frame(record: AgentRecord, raw: str, received_ns: int) -> None:
    payload = json.loads(raw)
    record.frames += 1
    kind = payload.get("type")
    if kind == "resync":
        record.resyncs += 1
    seq = payload.get("seq")
    if isinstance(seq, int):
        if seq <= record.last_seq:
            record.duplicates += 1
        elif seq != record.last_seq + 1:
            record.gaps += 1
        record.last_seq = max(record.last_seq, seq)
    if kind != "message.created":
        return
    parts = str(payload["data"]["message"]["text"]).split(" ")
    if len(parts) == 3 and parts[0] == "bench" and parts[1] in record.latencies:
        record.latencies[parts[1]].append((received_ns - int(parts[2])) / 1e6)


async def agent_main(spec: AgentSpec, conn: Connection) -> None:
    await expect(conn, "start")
    async with open_socket(f"{ws_base(spec.base_url)}/ws/agent?token={spec.token}") as ws:
        hello = json.loads(await ws.recv())
        if hello.get("type") != "hello":
            raise RuntimeError(f"agent socket refused: {hello}")
        conn.send(("ready", hello["last_seq"]))
        schedule: Schedule = await expect(conn, "schedule")
        record = AgentRecord(last_seq=int(hello["last_seq"]))
        with contextlib.suppress(TimeoutError, ConnectionClosed):
            async with asyncio.timeout(schedule.stop - time.monotonic()):
                async for raw in ws:
                    record_frame(record, str(raw), time.monotonic_ns())
    conn.send(("done", asdict(record)))


def agent_worker(spec: AgentSpec, conn: Connection) -> None:
    """Entry point of the agent (supervisor) client process."""
    try:
        run_async(agent_main(spec, conn))
    except BaseException as error:
        with contextlib.suppress(Exception):
            conn.send(("error", f"agent: {error!r}"))
        raise


# ------------------------------------------------------------------------------------- server side


@dataclass(frozen=True)
class Seed:
    workspace_id: str
    supervisor_token: str
    queue_id: str


async def seed_workspace(database_url: str) -> Seed:
    """A workspace, an admin, a supervisor (API token) and one queue, through the real actions."""
    from holdless.accounts.actions import create_user, create_workspace, issue_token
    from holdless.bootstrap import build
    from holdless.routing.actions import create_queue
    from holdless.settings import Settings
    from holdless.tenancy import Principal, Role, SystemPrincipal

    settings = Settings(database_url=database_url, redis_url=None, secret_key=SECRET_KEY, _env_file=None)
    holdless = build(settings)
    try:
        ctx = holdless.ctx
        workspace = await create_workspace(ctx, slug=SLUG, name="Bench", languages=("en",))
        system = SystemPrincipal(workspace.id)
        people = {}
        for role in (Role.ADMIN, Role.SUPERVISOR):
            user = await create_user(
                ctx, system, email=f"{role.value}@bench.test", name=role.value, role=role,
                password="bench password 123",
            )  # fmt: skip
            people[role] = Principal(workspace.id, user.id, role)
        _, token = await issue_token(ctx, people[Role.SUPERVISOR], name="bench")
        queue = await create_queue(ctx, people[Role.ADMIN], name="Bench")
        return Seed(workspace.id, token, queue.id)
    finally:
        await holdless.close()


async def reset_postgres() -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = 'holdless_bench'"):
            await admin.execute("CREATE DATABASE holdless_bench")
    finally:
        await admin.close()
    bench = await asyncpg.connect(POSTGRES_BENCH_DSN)
    try:
        await bench.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    finally:
        await bench.close()


def holdless_command() -> str:
    local = Path(sys.executable).parent / "holdless"
    found = str(local) if local.exists() else shutil.which("holdless")
    if found is None:
        raise RuntimeError("the `holdless` command is not installed (pip install -e .)")
    return found


def server_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOLDLESS_")}
    env.update(
        HOLDLESS_DATABASE_URL=database_url,
        HOLDLESS_SECRET_KEY=SECRET_KEY,
        HOLDLESS_LOG_LEVEL="warning",
        HOLDLESS_WIDGET_SESSIONS_PER_MINUTE="0",  # a thousand customers from one address
    )
    if redis_url:
        env["HOLDLESS_REDIS_URL"] = redis_url
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def prepare_database(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'holdless.db'}", None
    asyncio.run(reset_postgres())
    return POSTGRES_URL, REDIS_URL


def migrate(env: dict[str, str], workdir: Path) -> None:
    done = subprocess.run(
        [holdless_command(), "migrate"], env=env, cwd=workdir, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"holdless migrate failed: {done.stdout}{done.stderr}")


def start_server(env: dict[str, str], workdir: Path, port: int) -> subprocess.Popen[bytes]:
    log = (workdir / "server.log").open("wb")
    command = [holdless_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(3)  # a backlogged server is not worth a graceful wait
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], workdir: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {(workdir / 'server.log').read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/healthz", timeout=1, trust_env=False).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("server did not become healthy within 60 s")


class RssSampler:
    """The server's peak RSS, sampled every 50 ms on a thread."""

    def __init__(self, pid: int) -> None:
        self._process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        rss: int = self._process.memory_info().rss
        self.peak = max(self.peak, rss)
        return rss

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            with contextlib.suppress(psutil.Error):
                self.now()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


# --------------------------------------------------------------------------------- coordination


@dataclass
class CpuSnapshot:
    at: float
    server: float
    clients: float
    database: dict[int, float]
    busy: float


def cpu_seconds(pid: int) -> float:
    with contextlib.suppress(psutil.Error):
        times = psutil.Process(pid).cpu_times()
        return float(times.user + times.system)
    return 0.0


def database_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL and Redis process (whoever they serve)."""
    found = {}
    for process in psutil.process_iter(["name"]):
        name = process.info["name"] or ""
        if name.startswith(("postgres", "redis-server")):
            found[process.pid] = cpu_seconds(process.pid)
    return found


def snapshot(server_pid: int, client_pids: Sequence[int]) -> CpuSnapshot:
    system = psutil.cpu_times()
    busy = sum(system) - system.idle - getattr(system, "iowait", 0.0)
    clients = sum(cpu_seconds(pid) for pid in client_pids)
    return CpuSnapshot(time.monotonic(), cpu_seconds(server_pid), clients, database_cpu(), busy)


def cpu_split(start: CpuSnapshot, end: CpuSnapshot) -> dict[str, float]:
    """% of one core over the interval. `unrelated` is whatever else ran on the machine meanwhile."""
    wall = max(end.at - start.at, 1e-9)
    database = sum(max(cpu - start.database.get(pid, 0.0), 0.0) for pid, cpu in end.database.items())
    shares = {
        "server_pct": end.server - start.server,
        "clients_pct": end.clients - start.clients,
        "database_and_redis_pct": database,
        "machine_pct": end.busy - start.busy,
    }
    split = {name: round(seconds / wall * 100, 1) for name, seconds in shares.items()}
    ours = split["server_pct"] + split["clients_pct"] + split["database_and_redis_pct"]
    split["unrelated_pct"] = round(max(split["machine_pct"] - ours, 0.0), 1)
    split["machine_capacity_pct"] = 100.0 * (psutil.cpu_count() or 1)
    return split


class Clients:
    """The client processes and the pipes to them; everything is terminated on exit."""

    def __init__(self) -> None:
        self.context = mp.get_context("spawn")
        self.processes: list[Any] = []
        self.pipes: list[Connection] = []

    def spawn(self, target: Callable[..., None], spec: WorkerSpec | AgentSpec) -> Connection:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=target, args=(spec, theirs), daemon=True)
        process.start()
        self.processes.append(process)
        self.pipes.append(ours)
        return ours

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def close(self) -> None:
        for process in self.processes:
            process.join(2)
            if process.is_alive():
                process.terminate()
                process.join(5)


def receive(pipes: Sequence[Connection], kind: str, timeout: float) -> list[Any]:
    deadline = time.monotonic() + timeout
    payloads = []
    for pipe in pipes:
        if not pipe.poll(max(deadline - time.monotonic(), 0.0)):
            raise RuntimeError(f"a client process did not report {kind!r} within {timeout:.0f} s")
        got, payload = pipe.recv()
        if got != kind:
            raise RuntimeError(f"client process: expected {kind!r}, got {got!r}: {payload}")
        payloads.append(payload)
    return payloads


def make_schedule(seconds: float, quick: bool) -> Schedule:
    warm_up, pause, drain = (0.5, 0.5, 1.0) if quick else (3.0, 2.0, 4.0)
    warm = time.monotonic() + 0.5
    closed = warm + warm_up
    open_at = closed + seconds + pause
    return Schedule(warm, closed, closed + seconds, open_at, open_at + seconds, open_at + seconds + drain)


def percentile(ordered: Sequence[float], q: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def latency_summary(latencies: list[float]) -> dict[str, float | None]:
    ordered = sorted(latencies)
    return {
        "p50_ms": percentile(ordered, 0.50),
        "p90_ms": percentile(ordered, 0.90),
        "p99_ms": percentile(ordered, 0.99),
        "max_ms": round(ordered[-1], 2) if ordered else None,
    }


def phase_result(
    tag: str, seconds: float, workers: list[dict[str, Any]], agent: dict[str, Any], cpu: dict[str, float]
) -> dict[str, Any]:
    latencies: list[float] = agent["latencies"][tag]
    sent = sum(w["sent"][tag] for w in workers)
    return {
        "seconds": seconds,
        "sent": sent,
        "acked": sum(w["acked"][tag] for w in workers),
        "delivered": len(latencies),
        "undelivered": sent - len(latencies),
        "messages_per_second": round(len(latencies) / seconds, 1),
        **latency_summary(latencies),
        "cpu": cpu,
    }


def merged(workers: list[dict[str, Any]], key: str) -> list[float]:
    return sorted(x for w in workers for x in w[key])


def client_lag(workers: list[dict[str, Any]]) -> dict[str, float | None]:
    lags = merged(workers, "lag_ms")
    return {"send_lag_p50_ms": percentile(lags, 0.5), "send_lag_p99_ms": percentile(lags, 0.99)}


def ack_latency(workers: list[dict[str, Any]]) -> dict[str, float | None]:
    """Send -> ack on the customer's own socket: persistence and queueing, without the fan-out."""
    acks = merged(workers, "ack_ms")
    return {"ack_p50_ms": percentile(acks, 0.5), "ack_p99_ms": percentile(acks, 0.99)}


def bottleneck(cpu: dict[str, float]) -> str:
    shares = (
        f"server {cpu['server_pct']:.0f}% of one core (a single process can use at most 100%), "
        f"clients {cpu['clients_pct']:.0f}%, database+redis {cpu['database_and_redis_pct']:.0f}%, "
        f"unrelated load {cpu['unrelated_pct']:.0f}%, machine {cpu['machine_pct']:.0f}% "
        f"of {cpu['machine_capacity_pct']:.0f}%"
    )
    if cpu["server_pct"] >= 85:
        verdict = "the server process is CPU-bound (one Python event loop)"
    elif cpu["machine_pct"] >= 0.9 * cpu["machine_capacity_pct"]:
        verdict = "the machine's CPUs are saturated (shared between server, database, clients, other load)"
    else:
        verdict = "no CPU is saturated: the server waits (locks, database round trips)"
    return f"{verdict}: {shares}"


def verdict(closed: dict[str, Any], opened: dict[str, Any]) -> dict[str, Any]:
    throughput = closed["messages_per_second"] >= TARGET_RATE
    kept_up = (
        opened["undelivered"] == 0 and opened["messages_per_second"] >= 0.97 * opened["offered_per_second"]
    )
    p99 = opened["p99_ms"]
    latency = kept_up and p99 is not None and p99 < TARGET_P99_MS
    return {"throughput": throughput, "p99": latency, "both": throughput and latency}


# ------------------------------------------------------------------------------------------ a run


@dataclass
class Run:
    backend: str
    conversations: int
    seconds: float
    rate: float
    clients: int
    quick: bool


def start_clients(
    clients: Clients, run: Run, base_url: str, seed: Seed
) -> tuple[Connection, list[Connection]]:
    agent = clients.spawn(agent_worker, AgentSpec(base_url, seed.supervisor_token))
    counts = [
        run.conversations // run.clients + (i < run.conversations % run.clients) for i in range(run.clients)
    ]
    pipes = [
        clients.spawn(
            customer_worker, WorkerSpec(i, base_url, SLUG, seed.queue_id, n, run.rate / run.conversations)
        )
        for i, n in enumerate(counts)
        if n
    ]
    return agent, pipes


def measure_phases(
    schedule: Schedule, server_pid: int, client_pids: list[int]
) -> tuple[dict[str, float], dict[str, float]]:
    marks = []
    for when in (schedule.closed, schedule.closed_end, schedule.open, schedule.open_end):
        time.sleep(max(when - time.monotonic(), 0.0))
        marks.append(snapshot(server_pid, client_pids))
    return cpu_split(marks[0], marks[1]), cpu_split(marks[2], marks[3])


def connect_all(
    agent: Connection, workers: list[Connection], rss: RssSampler, timeout: float
) -> dict[str, float]:
    receive([agent], "ready", timeout)
    receive(workers, "setup", timeout)
    log("conversations opened over HTTP; connecting websockets")
    time.sleep(0.3)
    before = rss.now()
    for pipe in workers:
        pipe.send(("connect", None))
    connected = sum(receive(workers, "connected", timeout)) + 1
    time.sleep(0.5)
    after = rss.now()
    return {
        "server_rss_after_setup_mb": round(before / MB, 1),
        "server_rss_connected_mb": round(after / MB, 1),
        "connections": connected,
        "per_connection_kb": round((after - before) / connected / 1024, 1),
    }


def run_backend(run: Run) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="holdless-bench-")))
        database_url, redis_url = prepare_database(run.backend, workdir)
        env = server_env(database_url, redis_url)
        log(f"{run.backend}: migrating")
        migrate(env, workdir)
        seed = asyncio.run(seed_workspace(database_url))
        log(f"{run.backend}: seeded; starting the server")
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = start_server(env, workdir, port)
        stack.callback(stop_process, server)
        clients = Clients()
        stack.callback(clients.close)
        agent, workers = start_clients(clients, run, base_url, seed)  # they import while the server starts
        wait_healthy(base_url, server, workdir)
        log(f"{run.backend}: server pid {server.pid} on {base_url}")
        rss = RssSampler(server.pid)
        idle = rss.now()
        rss.start()
        stack.callback(rss.stop)
        for pipe in [agent, *workers]:
            pipe.send(("start", None))
        return drive_run(run, (agent, workers), server.pid, rss, clients) | {
            "server_rss_idle_mb": round(idle / MB, 1)
        }
    raise AssertionError("unreachable")


def drive_run(
    run: Run,
    pipes: tuple[Connection, list[Connection]],
    server_pid: int,
    rss: RssSampler,
    clients: Clients,
) -> dict[str, Any]:
    agent, workers = pipes
    setup_timeout = 60 + run.conversations * 0.1
    memory = connect_all(agent, workers, rss, setup_timeout)
    log(f"{run.backend}: {memory['connections']:.0f} sockets connected; measuring")
    schedule = make_schedule(run.seconds, run.quick)
    for pipe in [agent, *workers]:
        pipe.send(("schedule", schedule))
    closed_cpu, open_cpu = measure_phases(schedule, server_pid, clients.pids)
    finish = schedule.stop - time.monotonic() + 60
    stats = receive(workers, "done", finish)
    record = receive([agent], "done", finish)[0]
    return summarize(run, stats, record, closed_cpu, open_cpu, memory, rss.peak)


def summarize(
    run: Run,
    stats: list[dict[str, Any]],
    record: dict[str, Any],
    closed_cpu: dict[str, float],
    open_cpu: dict[str, float],
    memory: dict[str, float],
    peak: int,
) -> dict[str, Any]:
    closed = phase_result("c", run.seconds, stats, record, closed_cpu) | ack_latency(stats)
    opened = {"offered_per_second": run.rate} | phase_result("o", run.seconds, stats, record, open_cpu)
    opened |= client_lag(stats)
    return {
        "backend": "SQLite + in-process bus" if run.backend == "sqlite" else "PostgreSQL + Redis bus",
        "conversations": run.conversations,
        "client_processes": run.clients + 1,
        "closed_loop_capacity": closed,
        "open_loop_at_rate": opened,
        "memory": memory | {"server_peak_rss_mb": round(peak / MB, 1)},
        "delivery_checks": {
            "seq_gaps": record["gaps"],
            "duplicates": record["duplicates"],
            "resyncs": record["resyncs"],
            "ack_timeouts": sum(w["timeouts"] for w in stats),
            "customer_disconnects": sum(w["disconnects"] for w in stats),
            "errors": sum(w["errors"] for w in stats),
            "last_error": next((w["last_error"] for w in stats if w["last_error"]), ""),
        },
        "bottleneck": bottleneck(closed_cpu),
        "targets_met": verdict(closed, opened),
    }


# ------------------------------------------------------------------------------------------- main


def raise_file_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--conversations", type=int, default=1000, help="concurrent conversations (sockets)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measured phase")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="open-loop messages/s in total")
    parser.add_argument("--clients", type=int, default=2, help="customer client processes")
    parser.add_argument("--quick", action="store_true", help="100 conversations, 5 s phases (< 60 s)")
    args = parser.parse_args(argv)
    if args.quick:
        args.conversations, args.seconds = 100, 5.0
    if args.conversations < 1 or args.seconds <= 0 or args.rate <= 0 or args.clients < 1:
        parser.error("--conversations, --seconds, --rate and --clients must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    limit = raise_file_limit(max(4096, args.conversations * 4 + 1024))
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results: dict[str, Any] = {}
    started = time.monotonic()
    for backend in backends:
        run = Run(backend, args.conversations, args.seconds, args.rate, args.clients, args.quick)
        try:
            results[backend] = run_backend(run)
        except Exception as error:  # one failing backend must not hide the other's figures
            results[backend] = {"error": f"{type(error).__name__}: {error}"}
    report = {
        "benchmark": "messages: customer websocket -> server -> agent websocket, one server process",
        "targets": {"messages_per_second": TARGET_RATE, "p99_ms": TARGET_P99_MS},
        "method": (
            "closed_loop_capacity: every conversation sends and waits for its ack (max throughput); "
            "open_loop_at_rate: Poisson sends at --rate in total (latency at the target load); latency = "
            "customer send -> agent socket receives message.created"
        ),
        "machine": {"cpus": psutil.cpu_count(), "python": platform.python_version(), "open_files": limit},
        "results": results,
        "all_targets_met": all(r.get("targets_met", {}).get("both", False) for r in results.values()),
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(report, indent=2))
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
