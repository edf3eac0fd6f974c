"""The supervisor wallboard: live figures per queue and agents by state; an agent is refused."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from holdless.accounts.actions import create_user
from holdless.tenancy import Role, SystemPrincipal
from tests.conftest import RunningServer
from tests.e2e.conftest import Shop, open_shop, screenshot_path

SUPERVISOR = ("sam@shop.test", "supervisor-password-1")
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


async def customer_starts_a_chat(server: RunningServer, shop: Shop, name: str) -> str:
    """A widget customer, through the same API the widget uses: a session, then a chat in the queue."""
    async with server.client() as anonymous:
        session = await anonymous.post("/api/v1/widget/sessions", json={"workspace": shop.slug, "name": name})
        assert session.status_code == 201, session.text
    async with server.client(session.json()["customer_token"]) as widget:
        started = await widget.post("/api/v1/widget/conversations", json={"queue_id": shop.queue_id})
        assert started.status_code == 201, started.text
    conversation_id: str = started.json()["id"]
    return conversation_id


async def signs_in(server: RunningServer, browser: Browser, shop: Shop, email: str, password: str) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{server.base_url}/supervisor")
    await expect(page).to_have_url(f"{server.base_url}/login?next=/supervisor")
    await page.get_by_test_id("login-workspace").fill(shop.slug)
    await page.get_by_test_id("login-email").fill(email)
    await page.get_by_test_id("login-password").fill(password)
    await page.get_by_test_id("login-submit").click()
    await expect(page).to_have_url(f"{server.base_url}/supervisor")
    return page


async def test_the_wallboard_counts_customers_waiting_live_and_agents_by_state(
    server: RunningServer, browser: Browser
) -> None:
    shop = await open_shop(server)
    await make_supervisor(server, shop)
    boris = await customer_starts_a_chat(server, shop, "Boris")
    await customer_starts_a_chat(server, shop, "Chen")
    async with server.client() as sam:  # a second, empty queue whose name is a script payload
        login = await sam.post(
            "/api/v1/auth/login", json={"workspace": shop.slug, "email": "admin@shop.test",
                                        "password": "admin-password-1"},
        )  # fmt: skip
        assert login.status_code == 200, login.text
        made = await sam.post("/api/v1/queues", json={"name": XSS, "skills": {"orders": 1}})
        assert made.status_code == 201, made.text

    page = await signs_in(server, browser, shop, *SUPERVISOR)
    await expect(page.get_by_test_id("wallboard-status")).to_have_text("Live")
    rows = page.get_by_test_id("wallboard-queue")
    await expect(rows).to_have_count(2)
    row = page.locator(f'[data-testid="wallboard-queue"][data-queue-id="{shop.queue_id}"]')
    await expect(row.get_by_role("rowheader")).to_have_text("Orders")
    empty = page.locator(f'[data-testid="wallboard-queue"]:not([data-queue-id="{shop.queue_id}"])')
    await expect(empty.get_by_role("rowheader")).to_have_text(XSS)  # shown as text, never run
    await expect(empty.get_by_test_id("wallboard-waiting")).to_have_text("0")
    assert await page.evaluate("window.__xss") is None
    await expect(row.get_by_test_id("wallboard-waiting")).to_have_text("2")
    await expect(row.get_by_test_id("wallboard-longest-wait")).to_contain_text("s")
    # Nobody answered or abandoned yet: no service level to show, zero counts.
    await expect(row.get_by_test_id("wallboard-answered")).to_have_text("0")
    await expect(row.get_by_test_id("wallboard-abandoned")).to_have_text("0")
    # Anna (agent) and Sam (supervisor, who may take contacts too) are offline; Ada the admin has no seat.
    agents = page.get_by_test_id("wallboard-agents")
    await expect(agents.get_by_test_id("agents-offline")).to_have_text("2")
    await expect(agents.get_by_test_id("agents-available")).to_have_text("0")

    # A third customer joins: the wallboard hears it over the websocket, well before its 10 s poll.
    await customer_starts_a_chat(server, shop, "Dana")
    await expect(row.get_by_test_id("wallboard-waiting")).to_have_text("3", timeout=5_000)
    await expect(page.get_by_test_id("wallboard-chart").locator("svg polyline")).to_have_count(1)

    # Anna goes available: one agent moves from offline to available, live.
    async with server.client() as anna:
        login = await anna.post(
            "/api/v1/auth/login",
            json={"workspace": shop.slug, "email": shop.agent_email, "password": shop.agent_password},
        )
        assert login.status_code == 200, login.text
        went = await anna.post(f"/api/v1/agents/{shop.agent_id}/state", json={"state": "available"})
        assert went.status_code == 200, went.text
    await expect(agents.get_by_test_id("agents-available")).to_have_text("1", timeout=5_000)
    await expect(agents.get_by_test_id("agents-offline")).to_have_text("1")

    # Boris gets angry: the wallboard counts one angry customer waiting.
    await expect(page.get_by_test_id("wallboard-angry")).to_have_text("0")
    async with server.client() as sam:
        login = await sam.post(
            "/api/v1/auth/login",
            json={"workspace": shop.slug, "email": SUPERVISOR[0], "password": SUPERVISOR[1]},
        )
        assert login.status_code == 200, login.text
        flagged = await sam.post(f"/api/v1/conversations/{boris}/priority", json={"angry": True})
        assert flagged.status_code == 200, flagged.text
    await expect(page.get_by_test_id("wallboard-angry")).to_have_text("1", timeout=5_000)
    await page.screenshot(path=screenshot_path("wallboard"), full_page=True)
    await page.set_viewport_size({"width": 375, "height": 667})
    await page.screenshot(path=screenshot_path("wallboard-phone"), full_page=True)


async def test_an_agent_is_not_allowed_on_the_wallboard(server: RunningServer, browser: Browser) -> None:
    shop = await open_shop(server)
    page = await signs_in(server, browser, shop, shop.agent_email, shop.agent_password)
    await expect(page.get_by_test_id("not-allowed")).to_contain_text("Not allowed")
    await expect(page.get_by_test_id("wallboard-queue")).to_have_count(0)
    async with server.client() as client:
        login = await client.post(
            "/api/v1/auth/login",
            json={"workspace": shop.slug, "email": shop.agent_email, "password": shop.agent_password},
        )
        assert login.status_code == 200, login.text
        refused = await client.get("/supervisor")
    assert refused.status_code == 403


async def make_supervisor(server: RunningServer, shop: Shop) -> None:
    ctx = server.holdless.ctx
    async with ctx.uow() as uow:
        workspace = await uow.workspaces.by_slug(shop.slug)
    assert workspace is not None
    await create_user(
        ctx, SystemPrincipal(workspace.id), email=SUPERVISOR[0], name="Sam", role=Role.SUPERVISOR,
        password=SUPERVISOR[1],
    )  # fmt: skip
