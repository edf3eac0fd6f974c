"""What the virtual agent says by itself, in every served language (en is the fallback)."""

from __future__ import annotations

from collections.abc import Mapping

TEXTS: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hi, I'm the virtual assistant. Your place in line is secured: you are number {position}"
        "{wait}. Can I help while you wait? You can ask for a person at any time.",
        "ru": "Здравствуйте, я виртуальный помощник. Ваше место в очереди закреплено: вы {position}-й"
        "{wait}. Могу помочь, пока вы ждёте? Оператора можно позвать в любой момент.",
        "zh": "您好，我是虚拟助手。您的排队位置已保留：您排在第 {position} 位{wait}。"
        "等待期间我可以帮您吗？您随时可以要求转人工。",
    },
    "greeting_unknown": {
        "en": "Hi, I'm the virtual assistant. Your place in line is secured. Can I help while you wait? "
        "You can ask for a person at any time.",
        "ru": "Здравствуйте, я виртуальный помощник. Ваше место в очереди закреплено. Могу помочь, "
        "пока вы ждёте? Оператора можно позвать в любой момент.",
        "zh": "您好，我是虚拟助手。您的排队位置已保留。等待期间我可以帮您吗？您随时可以要求转人工。",
    },
    "wait": {
        "en": ", expected wait about {minutes} min",
        "ru": ", ожидание около {minutes} мин",
        "zh": "，预计等待约 {minutes} 分钟",
    },
    "place_secured": {
        "en": "Your place in line is secured: you are number {position}{wait}.",
        "ru": "Ваше место в очереди закреплено: вы {position}-й{wait}.",
        "zh": "您的排队位置已保留：您排在第 {position} 位{wait}。",
    },
    "position_update": {
        "en": "Update: you are now number {position} in line{wait}.",
        "ru": "Обновление: теперь вы {position}-й в очереди{wait}.",
        "zh": "更新：您现在排在第 {position} 位{wait}。",
    },
    "escape": {
        "en": "Of course, I'm passing you to a person. Your place in line is kept; no more questions.",
        "ru": "Конечно, передаю вас оператору. Ваше место в очереди сохранено, больше вопросов не будет.",
        "zh": "好的，正在为您转接人工客服。您的排队位置已保留，我不会再提问。",
    },
    "not_understood": {
        "en": "Sorry, I didn't understand. Could you say it in other words?",
        "ru": "Извините, я не понял. Можете сказать иначе?",
        "zh": "抱歉，我没有理解。您能换个说法吗？",
    },
    "offer_person": {
        "en": "I'm not getting it, sorry. A person will help you instead; your place in line is kept.",
        "ru": "Простите, я не могу разобраться. Вам поможет оператор; ваше место в очереди сохранено.",
        "zh": "抱歉，我没能理解。将由人工客服为您服务，您的排队位置已保留。",
    },
    "invalid": {
        "en": "That doesn't look like a valid {what}. Please try again.",
        "ru": "Это не похоже на {what}. Попробуйте ещё раз.",
        "zh": "这看起来不是有效的{what}，请再试一次。",
    },
    "choices": {"en": " Options: {choices}.", "ru": " Варианты: {choices}.", "zh": " 可选：{choices}。"},
    "verified": {
        "en": "Thank you, you are verified.",
        "ru": "Спасибо, личность подтверждена.",
        "zh": "谢谢，您的身份已验证。",
    },
    "not_verified": {
        "en": "Sorry, I couldn't verify that.",
        "ru": "К сожалению, подтвердить не удалось.",
        "zh": "抱歉，无法验证。",
    },
    "code_sent": {
        "en": "I've sent a one-time code to your {channel} on file. Please type it here.",
        "ru": "Я отправил одноразовый код на ваш {channel}, указанный в профиле. Введите его здесь.",
        "zh": "我已向您登记的{channel}发送了一次性验证码，请在此输入。",
    },
    "handoff": {
        "en": "I'm passing you to a person; your place in line is kept.",
        "ru": "Передаю вас оператору; ваше место в очереди сохранено.",
        "zh": "正在为您转接人工客服，您的排队位置已保留。",
    },
    "contained": {
        "en": "Glad I could help! I've closed this conversation; write again any time.",
        "ru": "Рад был помочь! Я закрыл этот разговор; пишите в любое время.",
        "zh": "很高兴能帮到您！本次对话已结束，欢迎随时再来。",
    },
    "how_help": {
        "en": "How can I help you?",
        "ru": "Чем могу помочь?",
        "zh": "请问有什么可以帮您？",
    },
    "did_it_help": {
        "en": "Did that answer your question? (yes / no)",
        "ru": "Это ответ на ваш вопрос? (да / нет)",
        "zh": "这回答了您的问题吗？（是 / 否）",
    },
    "one_moment": {
        "en": "One moment, I'm checking.",
        "ru": "Минуту, я проверяю.",
        "zh": "请稍等，我正在查询。",
    },
    "yes_no": {"en": " (yes / no)", "ru": " (да / нет)", "zh": "（是 / 否）"},
}

WHAT: dict[str, dict[str, str]] = {
    "email": {"en": "email address", "ru": "адрес почты", "zh": "电子邮箱"},
    "phone": {"en": "phone number", "ru": "номер телефона", "zh": "电话号码"},
    "date": {"en": "date (YYYY-MM-DD)", "ru": "дату (ГГГГ-ММ-ДД)", "zh": "日期（年-月-日）"},
    "number": {"en": "number", "ru": "число", "zh": "数字"},
    "choice": {"en": "option", "ru": "вариант из списка", "zh": "选项"},
    "text": {"en": "answer", "ru": "ответ", "zh": "回答"},
    "code": {"en": "code", "ru": "код", "zh": "验证码"},
}


def pick(texts: Mapping[str, str], language: str) -> str:
    """The text in `language`, else English, else any."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def say(key: str, language: str, **values: object) -> str:
    return pick(TEXTS[key], language).format(**values)
