"""The demo workspace's virtual agent: block a lost card, reset a password, check an order's status."""

from __future__ import annotations

from typing import Any

DEMO_FLOWS: dict[str, Any] = {
    "enabled": True,
    "flows": [
        {
            "id": "block_card",
            "intent": "block_card",
            "steps": [
                {
                    "id": "who",
                    "type": "verify",
                    "method": "known_data",
                    "field": "email",
                    "text": {
                        "en": "I can block the card right away. First, the email address on your account?",
                        "ru": "Могу сразу заблокировать карту. Сначала: адрес почты из вашего профиля?",
                        "zh": "我可以立即冻结您的卡。请先提供您账户登记的电子邮箱。",
                    },
                    "next": "digits",
                    "on_fail": "person",
                },
                {
                    "id": "digits",
                    "type": "ask",
                    "validate": "number",
                    "save_as": "card_last4",
                    "text": {
                        "en": "The last four digits of the card?",
                        "ru": "Последние четыре цифры карты?",
                        "zh": "请提供卡号的后四位。",
                    },
                    "next": "mark",
                },
                {
                    "id": "mark",
                    "type": "set",
                    "attributes": {"card_blocked": "{card_last4}"},
                    "next": "blocked",
                },
                {
                    "id": "blocked",
                    "type": "say",
                    "text": {
                        "en": "The card ending {card_last4} is blocked. A new card will be posted to you.",
                        "ru": "Карта с окончанием {card_last4} заблокирована. Новую карту мы вышлем почтой.",
                        "zh": "尾号 {card_last4} 的卡已冻结，新卡将邮寄给您。",
                    },
                    "next": "solved",
                },
                {
                    "id": "solved",
                    "type": "confirm",
                    "text": {
                        "en": "Is that all you needed?",
                        "ru": "Это всё, что нужно?",
                        "zh": "这样就可以了吗？",
                    },
                    "no": "person",
                },
                {"id": "person", "type": "handoff", "reason": "card blocking needs a person"},
            ],
        },
        {
            "id": "reset_password",
            "intent": "reset_password",
            "steps": [
                {
                    "id": "who",
                    "type": "verify",
                    "method": "known_data",
                    "field": "email",
                    "text": {
                        "en": "Which email address do you sign in with?",
                        "ru": "С каким адресом почты вы входите?",
                        "zh": "您用哪个电子邮箱登录？",
                    },
                    "next": "sent",
                    "on_fail": "person",
                },
                {
                    "id": "sent",
                    "type": "say",
                    "text": {
                        "en": "I've sent a password reset link to that address; it works for 30 minutes.",
                        "ru": "Я отправил ссылку для сброса пароля на этот адрес; она действует 30 минут.",
                        "zh": "重置密码的链接已发送到该邮箱，30 分钟内有效。",
                    },
                    "next": "solved",
                },
                {
                    "id": "solved",
                    "type": "confirm",
                    "text": {"en": "Did that help?", "ru": "Это помогло?", "zh": "这对您有帮助吗？"},
                    "no": "person",
                },
                {"id": "person", "type": "handoff", "reason": "password reset needs a person"},
            ],
        },
        {
            "id": "order_status",
            "intent": "order_status",
            "steps": [
                {
                    "id": "number",
                    "type": "ask",
                    "validate": "number",
                    "save_as": "order_number",
                    "text": {
                        "en": "What is your order number?",
                        "ru": "Какой номер заказа?",
                        "zh": "您的订单号是多少？",
                    },
                    "next": "lookup",
                },
                {
                    "id": "lookup",
                    "type": "http",
                    "method": "GET",
                    # Replace with the shop's order API; the demo has none, so the fallback runs.
                    "url": "https://orders.demo.invalid/orders/{order_number}",
                    "timeout_seconds": 3,
                    "save_as": "order_status",
                    "next": "status",
                    "on_fail": "unreachable",
                },
                {
                    "id": "status",
                    "type": "say",
                    "text": {
                        "en": "Order {order_number}: {order_status}.",
                        "ru": "Заказ {order_number}: {order_status}.",
                        "zh": "订单 {order_number}：{order_status}。",
                    },
                    "next": "solved",
                },
                {
                    "id": "solved",
                    "type": "confirm",
                    "text": {"en": "Is that all?", "ru": "Это всё?", "zh": "还有其他问题吗？"},
                    "no": "person",
                },
                {
                    "id": "unreachable",
                    "type": "say",
                    "text": {
                        "en": "I can't reach the order system now; a person will check order {order_number}.",
                        "ru": "Не могу связаться с системой заказов; оператор проверит заказ {order_number}.",
                        "zh": "暂时无法连接订单系统，人工客服将为您查询订单 {order_number}。",
                    },
                    "next": "person",
                },
                {"id": "person", "type": "handoff", "reason": "order status"},
            ],
        },
    ],
    "articles": [
        {
            "id": "opening-hours",
            "title": "Opening hours",
            "body": "Our branches are open Monday to Friday, 9:00-18:00; the chat answers around the clock.",
            "language": "en",
        },
        {
            "id": "transfer-limits",
            "title": "Limits on money transfers",
            "body": "You can transfer up to 5,000 EUR a day in the app; larger amounts need a branch visit.",
            "language": "en",
        },
    ],
}
