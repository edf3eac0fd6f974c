"""Reading the customer's answers: escape words, yes/no, and the validations of ask steps. Pure."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# A person, at once, in every served language (and common variants). Messages of up to three words for the
# single words, so "my agent said…" in a long sentence is not an escape.
ESCAPE_PHRASES = frozenset(
    {
        "operator", "agent", "human", "person", "a human", "a person", "real person", "live agent",
        "live person", "human agent", "representative", "customer service", "talk to a human",
        "talk to a person", "speak to a human", "speak to a person", "talk to an agent",
        "speak to an agent", "talk to someone", "speak to someone", "i want a human", "human please",
        "agent please", "operator please", "real human", "a real person",
        "оператор", "оператора", "оператору", "оператором", "человек", "человека", "живой человек",
        "живого человека", "позовите оператора", "соедините с оператором", "хочу оператора",
        "позовите человека", "с оператором", "дайте оператора", "нужен оператор", "свяжите с оператором",
        "人工", "转人工", "人工客服", "人工服务", "真人", "找人工", "我要人工", "转接人工", "人工坐席",
    }
)  # fmt: skip
ESCAPE_WORDS = frozenset(
    {
        "operator", "agent", "human", "representative", "оператор", "оператора", "оператору",
        "оператором", "человек", "человека", "человеком",
    }
)  # fmt: skip
ESCAPE_CJK = ("人工", "真人")
YES = frozenset(
    {
        "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "it did", "yes thanks", "yes thank you",
        "solved", "да", "ага", "угу", "конечно", "да спасибо", "да, спасибо", "помогло", "решено",
        "是", "是的", "好", "好的", "对", "嗯", "解决了", "可以", "行",
    }
)  # fmt: skip
NO = frozenset(
    {
        "no", "n", "nope", "not really", "it didn't", "no it didn't", "нет", "не", "не помогло",
        "неа", "否", "不", "不是", "没有", "不行", "没解决", "不对",
    }
)  # fmt: skip

_PUNCTUATION = re.compile(r"[^\w\s]+", re.UNICODE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed (CJK kept as is)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def is_escape(text: str, *, zero_counts: bool = True) -> bool:
    """The customer asks for a person: "operator", "человек", "转人工", … (and "0" outside menus)."""
    plain = normalise(text)
    if not plain:
        return False
    if plain == "0":
        return zero_counts
    if plain in ESCAPE_PHRASES:
        return True
    words = plain.split()
    if len(words) <= 3 and any(word in ESCAPE_WORDS for word in words):
        return True
    return len(plain) <= 12 and any(word in plain for word in ESCAPE_CJK)


def yes_or_no(text: str) -> bool | None:
    plain = normalise(text)
    if plain in YES:
        return True
    if plain in NO:
        return False
    first = plain.split(" ", 1)[0] if plain else ""
    if first in {"yes", "да", "是"}:
        return True
    if first in {"no", "нет", "不"}:
        return False
    return None


def validated(text: str, kind: str, choices: tuple[str, ...] = ()) -> str | None:
    """The answer in a canonical form, or None when it is not a valid `kind`."""
    value = text.strip()
    if kind == "email":
        return value.lower() if _EMAIL.match(value) and len(value) <= 254 else None
    if kind == "phone":
        digits = re.sub(r"[\s\-().]", "", value)
        if re.fullmatch(r"\+?\d{7,15}", digits):
            return digits
        return None
    if kind == "number":
        match = re.fullmatch(r"[#№]?\s*(\d[\d\s]{0,30})", value)
        return match.group(1).replace(" ", "") if match else None
    if kind == "date":
        match = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})", value) or re.fullmatch(
            r"(\d{1,2})[./](\d{1,2})[./](\d{4})", value
        )
        if not match:
            return None
        parts = [int(p) for p in match.groups()]
        year, month, day = parts if parts[0] > 31 else (parts[2], parts[1], parts[0])
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    if kind == "choice":
        plain = normalise(value)
        for number, choice in enumerate(choices, start=1):
            if plain in (normalise(choice), str(number)):
                return choice
        return None
    return value or None


def same_phone(given: str, known: str) -> bool:
    a, b = re.sub(r"\D", "", given), re.sub(r"\D", "", known)
    return len(a) >= 7 and len(b) >= 7 and a[-10:] == b[-10:]
