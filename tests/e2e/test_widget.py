"""The chat widget in a real browser: place in line, sending, reload, language, phone size."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.conftest import RunningServer
from tests.e2e.conftest import open_shop, screenshot_path

PHONE = {"width": 375, "height": 667}
DROPPABLE_SOCKETS = """
(() => {
  const Real = window.WebSocket;
  const network = { up: true, sockets: [], opened: 0 };
  network.drop = () => { network.up = false; network.sockets.forEach((s) => s.close()); };
  window.__network = network;
  window.WebSocket = function (url, protocols) {
    const socket = new Real(network.up ? url : "ws://127.0.0.1:9/down", protocols);
    network.sockets.push(socket);
    network.opened += 1;
    return socket;
  };
})();
"""


async def test_customer_sees_place_in_line_and_keeps_the_chat_after_reload(
    server: RunningServer, browser: Browser
) -> None:
    shop = await open_shop(server)
    page = await browser.new_page()
    await page.goto(f"{server.base_url}/demo?workspace={shop.slug}&lang=en")
    await page.get_by_test_id("chat-launcher").click()

    # Nobody is available, so the first visitor is first in line.
    await expect(page.get_by_test_id("queue-position")).to_have_text("You are number 1 in line")
    await expect(page.get_by_test_id("queue-wait")).to_contain_text("Expected wait")
    await expect(page.get_by_test_id("chat-status")).to_have_text("Connected")

    await page.get_by_test_id("chat-input").fill("My parcel never arrived")
    await page.get_by_test_id("chat-input").press("Enter")
    mine = page.locator('[data-testid="chat-message"][data-author="customer"]')
    await expect(mine).to_have_text(["YouMy parcel never arrived"])
    await expect(mine.first).not_to_have_class("msg pending")
    await page.screenshot(path=screenshot_path("widget-desktop"))

    await page.reload()
    # The panel reopens by itself, on the same conversation, with its history once and the place.
    await expect(mine).to_have_text(["YouMy parcel never arrived"])
    await expect(page.get_by_test_id("queue-position")).to_have_text("You are number 1 in line")
    await page.get_by_test_id("chat-input").fill("Still waiting")
    await page.get_by_test_id("chat-send").click()
    await expect(mine).to_have_text(["YouMy parcel never arrived", "YouStill waiting"])

    # A second visitor (another browser profile) is behind the first one.
    other = await (await browser.new_context()).new_page()
    await other.goto(f"{server.base_url}/demo?workspace={shop.slug}&lang=en")
    await other.get_by_test_id("chat-launcher").click()
    await expect(other.get_by_test_id("queue-position")).to_have_text("You are number 2 in line")


async def test_widget_speaks_the_page_language(server: RunningServer, browser: Browser) -> None:
    shop = await open_shop(server)
    page = await browser.new_page(viewport=PHONE)
    await page.goto(f"{server.base_url}/demo?workspace={shop.slug}&lang=ru")
    assert await page.get_attribute("html", "lang") == "ru"
    await expect(page.get_by_test_id("chat-launcher")).to_have_text("Написать нам")
    await page.get_by_test_id("chat-launcher").click()
    await expect(page.get_by_test_id("queue-position")).to_have_text("Вы 1-й в очереди")
    await expect(page.get_by_test_id("chat-send")).to_have_text("Отправить")
    await expect(page.get_by_test_id("callback-request")).to_have_text("Перезвоните / напишите мне")
    # On a phone the panel takes the whole screen.
    box = await page.get_by_test_id("chat-panel").bounding_box()
    assert box is not None
    assert (box["width"], box["height"]) == (PHONE["width"], PHONE["height"])
    await page.screenshot(path=screenshot_path("widget-phone-ru"))


async def test_customer_asks_to_be_written_back_within_an_hour(
    server: RunningServer, browser: Browser
) -> None:
    shop = await open_shop(server)
    page = await browser.new_page()
    await page.goto(f"{server.base_url}/demo?workspace={shop.slug}&lang=en")
    await page.get_by_test_id("chat-launcher").click()
    await expect(page.get_by_test_id("queue-position")).to_be_visible()
    await page.get_by_test_id("callback-request").click()
    await page.get_by_test_id("callback-window").select_option("0-60")
    await page.get_by_test_id("callback-submit").click()
    await expect(page.get_by_test_id("chat-notice").last).to_contain_text("We will contact you between")
    async with server.client() as anonymous:
        # The promise is stored: the supervisor's list shows one promised callback for a webchat.
        login = await anonymous.post(
            "/api/v1/auth/login",
            json={"workspace": shop.slug, "email": "admin@shop.test", "password": "admin-password-1"},
        )
        assert login.status_code == 200, login.text
        promised = (await anonymous.get("/api/v1/callbacks", params={"status": "promised"})).json()
    assert [(c["channel"], c["status"]) for c in promised] == [("webchat", "promised")]


async def test_a_network_drop_shows_reconnecting_and_loses_or_doubles_nothing(
    server: RunningServer, browser: Browser
) -> None:
    shop = await open_shop(server)
    page = await browser.new_page()
    # Every socket the page opens is remembered, so the test can cut them as a network drop would;
    # while the "network" is down, new sockets go nowhere.
    await page.add_init_script(DROPPABLE_SOCKETS)
    await page.goto(f"{server.base_url}/demo?workspace={shop.slug}&lang=en")
    await page.get_by_test_id("chat-launcher").click()
    await expect(page.get_by_test_id("chat-status")).to_have_text("Connected")
    await page.get_by_test_id("chat-input").fill("before the drop")
    await page.get_by_test_id("chat-send").click()
    mine = page.locator('[data-testid="chat-message"][data-author="customer"]')
    pending = page.locator('[data-testid="chat-message"].pending')
    await expect(mine).to_have_text(["Youbefore the drop"])
    await expect(pending).to_have_count(0)  # stored: the server's copy came back

    await page.evaluate("window.__network.drop()")
    await expect(page.get_by_test_id("chat-status")).to_have_text("Reconnecting…")
    await page.get_by_test_id("chat-input").fill("written while offline")
    await page.get_by_test_id("chat-send").click()
    await expect(pending).to_have_count(1)
    await page.evaluate("window.__network.up = true")

    await expect(page.get_by_test_id("chat-status")).to_have_text("Connected", timeout=15_000)
    await expect(mine).to_have_text(["Youbefore the drop", "Youwritten while offline"])
    await expect(pending).to_have_count(0)
    # The server stored each message once: a fresh load shows the same two.
    await page.reload()
    await expect(mine).to_have_text(["Youbefore the drop", "Youwritten while offline"])
