"""Every page text exists in every language, in the Python table and in the widget's own table."""

from __future__ import annotations

import re

from holdless.web.ui.pages import STATIC
from holdless.web.ui.texts import LANGUAGES, TEXTS


def test_staff_pages_have_every_text_in_every_language() -> None:
    english = set(TEXTS["en"])
    for language in LANGUAGES:
        assert set(TEXTS[language]) == english, language
        assert all(value.strip() for value in TEXTS[language].values()), language
    # Not just copies of the English words.
    assert TEXTS["ru"]["sign_in"] != TEXTS["en"]["sign_in"] != TEXTS["zh"]["sign_in"]


def test_widget_has_every_text_in_every_language() -> None:
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    table = source[source.index("var T = {") : source.index("var SCALES")]
    keys: dict[str, set[str]] = {}
    for language in ("en", "ru", "zh"):
        start = table.index(f"    {language}: {{")
        end = table.index("\n    }", start)
        keys[language] = set(re.findall(r"(?:^\s+|, )(\w+): \"", table[start:end], re.MULTILINE))
    assert len(keys["en"]) > 30
    assert keys["ru"] == keys["en"]
    assert keys["zh"] == keys["en"]


WALLBOARD_KEYS = (
    "wall_title", "queue", "waiting_now", "longest_wait", "service_level", "sl_target", "answered",
    "abandoned", "agents_by_state", "agent_state", "callbacks", "cb_open", "cb_at_risk", "cb_kept_rate",
    "angry_waiting", "staffing", "needed", "logged_in", "gap", "no_history", "chart_title", "chart_label",
    "not_allowed_title", "not_allowed_body", "back_to_desk", "seconds_short", "minutes_short",
)  # fmt: skip


def test_wallboard_texts_exist_and_are_translated() -> None:
    for language in LANGUAGES:
        missing = [key for key in WALLBOARD_KEYS if not TEXTS[language].get(key, "").strip()]
        assert missing == [], language
    for key in ("wall_title", "waiting_now", "not_allowed_title", "not_allowed_body"):
        assert len({TEXTS["en"][key], TEXTS["ru"][key], TEXTS["zh"][key]}) == 3, key


def test_every_text_the_wallboard_uses_is_in_the_table() -> None:
    template = (STATIC.parent / "templates" / "supervisor.html").read_text(encoding="utf-8")
    script = (STATIC / "wallboard.js").read_text(encoding="utf-8")
    used = set(re.findall(r"\bt\.(\w+)", template + script)) | set(re.findall(r"t\[\"(\w+)\"\]", template))
    assert "waiting_now" in used
    assert "chart_label" in used
    assert used <= set(TEXTS["en"]), used - set(TEXTS["en"])
