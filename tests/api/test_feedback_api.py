"""Surveys after a resolution: asked once in the customer's language, answered once, feeding the KPIs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.expect import refusal
from tests.conftest import RunningServer
from tests.factories import make_world


async def test_a_resolved_customer_is_surveyed_in_their_language_and_the_kpis_count_it(
    server: RunningServer,
) -> None:
    world = await make_world(server.holdless.ctx)
    async with server.client() as anonymous:
        session = await anonymous.post(
            "/api/v1/widget/sessions", json={"workspace": world.slug, "name": "Ольга", "language": "ru"}
        )
    token = session.json()["customer_token"]
    async with server.client(token) as widget:
        first = (await widget.post("/api/v1/widget/conversations", json={"queue_id": world.queue_id})).json()
        second = (await widget.post("/api/v1/widget/conversations", json={"queue_id": world.queue_id})).json()
    async with server.client(world.supervisor.token) as api:
        for conversation in (first, second):
            done = await api.post(
                f"/api/v1/conversations/{conversation['id']}/resolve", json={"disposition": "resolved"}
            )
            assert done.status_code == 200, done.text

    async with server.client(token) as widget:
        path = f"/api/v1/widget/conversations/{first['id']}/survey"
        survey = (await widget.get(path)).json()
        assert survey["questions"] == ["csat", "nps", "ces"]
        assert survey["texts"]["nps"].startswith("Насколько вероятно"), "asked in the customer's language"
        message = refusal(await widget.post(path, json={"nps": 11}), 422)
        assert "NPS" in message
        assert "0 to 10" in message
        answered = await widget.post(path, json={"csat": 5, "nps": 9, "ces": 6, "comment": "Быстро, спасибо"})
        assert answered.status_code == 200, answered.text
        refusal(await widget.post(path, json={"csat": 1}), 422)  # answered once
        again = await widget.get(f"/api/v1/widget/conversations/{second['id']}/survey")
        refusal(again, 404)  # not asked twice within a week

    async with server.client(world.supervisor.token) as api:
        seen = (await api.get(f"/api/v1/conversations/{first['id']}/survey")).json()
        assert seen["answers"] == {"csat": 5, "nps": 9, "ces": 6}
        assert seen["comment"] == "Быстро, спасибо"
        now = datetime.now(UTC)
        period = {
            "from": (now - timedelta(hours=1)).isoformat(),
            "to": (now + timedelta(hours=1)).isoformat(),
        }
        [row] = (await api.get("/api/v1/reports/kpis", params=period)).json()["rows"]
    assert row["csat"] == 1.0, "one answer of 5: all satisfied (4–5)"
    assert row["nps"] == 100.0, "one promoter (9–10), no detractors"
    assert row["ces"] == 6.0
