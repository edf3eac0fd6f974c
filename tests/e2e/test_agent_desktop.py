"""The agent desktop with a customer on the widget: sign in, go available, accept, reply, resolve."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningServer
from tests.e2e.conftest import Shop, open_shop, screenshot_path

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


async def customer_writes(server: RunningServer, browser: Browser, shop: Shop, text: str) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{server.base_url}/demo?workspace={shop.slug}&lang=en")
    await page.get_by_test_id("chat-launcher").click()
    await expect(page.get_by_test_id("queue-position")).to_have_text("You are number 1 in line")
    await page.get_by_test_id("chat-input").fill(text)
    await page.get_by_test_id("chat-send").click()
    await expect(page.locator('[data-testid="chat-message"][data-author="customer"]')).to_have_count(1)
    return page


async def agent_signs_in(server: RunningServer, browser: Browser, shop: Shop) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{server.base_url}/agent")
    await expect(page).to_have_url(f"{server.base_url}/login")  # not signed in yet
    await page.get_by_test_id("login-workspace").fill(shop.slug)
    await page.get_by_test_id("login-email").fill(shop.agent_email)
    await page.get_by_test_id("login-password").fill(shop.agent_password)
    await page.get_by_test_id("login-submit").click()
    await expect(page).to_have_url(f"{server.base_url}/agent")
    await expect(page.get_by_test_id("desk-status")).to_have_text("Live")
    await expect(page.get_by_test_id("agent-state")).to_have_value("offline")
    return page


async def test_agent_accepts_the_offer_and_the_customer_sees_the_reply(
    server: RunningServer, browser: Browser
) -> None:
    shop = await open_shop(server)
    customer = await customer_writes(server, browser, shop, "Where is my order 42?")
    agent = await agent_signs_in(server, browser, shop)

    await agent.get_by_test_id("agent-state").select_option("available")
    offer = agent.locator('[data-testid="inbox-item"][data-kind="offer"]')
    await expect(offer).to_have_count(1)  # arrives live over /ws/agent
    await offer.get_by_test_id("offer-accept").click()

    assigned = agent.locator('[data-testid="inbox-item"][data-kind="assigned"]')
    await expect(assigned).to_have_count(1)
    await expect(offer).to_have_count(0)
    said = agent.locator('[data-testid="conversation-message"][data-author="customer"]')
    await expect(said).to_contain_text(["Where is my order 42?"])

    # The customer is no longer waiting in line once a person has taken the conversation.
    await expect(customer.get_by_test_id("queue-place")).to_be_hidden()

    await agent.get_by_test_id("reply-input").fill("It left the warehouse today.")
    await agent.get_by_test_id("reply-send").click()
    reply = customer.locator('[data-testid="chat-message"][data-author="agent"]')
    await expect(reply).to_contain_text(["It left the warehouse today."])
    await expect(agent.locator('[data-testid="conversation-message"][data-author="agent"]')).to_have_count(1)

    # The customer answers; the agent sees it live, exactly once.
    await customer.get_by_test_id("chat-input").fill("Thank you!")
    await customer.get_by_test_id("chat-input").press("Enter")
    await expect(said).to_contain_text(["Where is my order 42?", "Thank you!"])
    await agent.screenshot(path=screenshot_path("agent-desktop"))
    await agent.set_viewport_size({"width": 375, "height": 667})
    await agent.screenshot(path=screenshot_path("agent-desktop-phone"), full_page=True)
    await agent.set_viewport_size({"width": 1280, "height": 720})

    await agent.get_by_test_id("resolve-disposition").select_option("answered_question")
    await agent.get_by_test_id("resolve-button").click()
    await expect(assigned).to_have_count(0)
    await expect(customer.get_by_test_id("chat-new")).to_be_visible()
    # After the resolution the customer is asked how it went, in the widget.
    await expect(customer.get_by_test_id("survey-form")).to_be_visible()
    await customer.get_by_test_id("survey-csat").select_option("5")
    await customer.get_by_test_id("survey-submit").click()
    thanks = customer.get_by_test_id("chat-notice").last
    await expect(thanks).to_have_text("HoldlessThank you for your feedback!")
    async with server.client() as anonymous:
        login = await anonymous.post(
            "/api/v1/auth/login",
            json={"workspace": shop.slug, "email": shop.agent_email, "password": shop.agent_password},
        )
        assert login.status_code == 200, login.text
        mine = (await anonymous.get("/api/v1/conversations", params={"status": "resolved"})).json()
        survey = (await anonymous.get(f"/api/v1/conversations/{mine['items'][0]['id']}/survey")).json()
    assert survey["answers"] == {"csat": 5}
    assert [(c["status"], c["disposition"]) for c in mine["items"]] == [("resolved", "answered_question")]


async def test_script_in_a_message_is_shown_as_text_on_both_sides(
    server: RunningServer, browser: Browser
) -> None:
    shop = await open_shop(server)
    customer = await customer_writes(server, browser, shop, XSS)
    async with server.client() as admin:
        login = await admin.post(
            "/api/v1/auth/login",
            json={"workspace": shop.slug, "email": "admin@shop.test", "password": "admin-password-1"},
        )
        assert login.status_code == 200, login.text
        (visitor,) = (await admin.get("/api/v1/customers")).json()["items"]
        renamed = await admin.patch(f"/api/v1/customers/{visitor['id']}", json={"name": XSS})
        assert renamed.status_code == 200, renamed.text
    agent = await agent_signs_in(server, browser, shop)
    await agent.get_by_test_id("agent-state").select_option("available")
    await agent.get_by_test_id("offer-accept").click()
    said = agent.locator('[data-testid="conversation-message"][data-author="customer"]')
    await expect(said).to_contain_text([XSS])
    await expect(customer.locator('[data-testid="chat-message"][data-author="customer"]')).to_contain_text(
        [XSS]
    )
    await expect(agent.get_by_test_id("conversation-title")).to_have_text(XSS)
    await expect(agent.locator('[data-kind="assigned"] .subject')).to_have_text(XSS)
    assert await agent.evaluate("window.__xss") is None
    assert await customer.evaluate("window.__xss") is None
    assert await agent.locator('[data-testid="conversation-messages"] img').count() == 0
