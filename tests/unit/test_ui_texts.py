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
