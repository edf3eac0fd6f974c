"""Declarative flows of a workspace's virtual agent, and their validation.

A definition (JSON, or YAML parsed by the adapter) looks like this::

    {"enabled": true, "handoff_queue": "<queue id, optional>",
     "articles": [{"id": "fees", "title": "...", "body": "...", "language": "en"}],
     "flows": [{"id": "block_card", "intent": "block_card", "steps": [
         {"id": "who", "type": "verify", "method": "known_data", "field": "email",
          "prompt": {"en": "...", "ru": "...", "zh": "..."}, "next": "done", "on_fail": "person"},
         {"id": "done", "type": "confirm", "text": "...", "yes": null, "no": "person"},
         {"id": "person", "type": "handoff", "reason": "card"}]}]}

Every mistake is reported with the flow and step it is in and what is wrong, so an admin can fix it.
Pure: plain data in, frozen values out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from holdless.errors import Invalid

STEP_TYPES = ("say", "ask", "verify", "http", "answer", "set", "handoff", "confirm")
VALIDATIONS = ("email", "phone", "date", "number", "choice", "text")
VERIFY_METHODS = ("one_time_code", "known_data")
KNOWN_FIELDS = ("email", "phone", "name")
HTTP_METHODS = ("GET", "POST")
MAX_STEPS = 100
MAX_FLOWS = 100

Text = Mapping[str, str]  # language -> text; "en" is the fallback


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    type: str
    text: Text = field(default_factory=dict)  # say / ask / verify / confirm prompts
    next: str | None = None  # None: the flow ends after this step
    validate: str = ""  # ask
    choices: tuple[str, ...] = ()  # ask with validate=choice
    save_as: str = ""  # ask / http: where the answer goes
    method: str = ""  # verify: one_time_code | known_data; http: GET | POST
    fact: str = ""  # verify known_data: which known fact to match ("field" in the definition)
    channel: str = ""  # verify one_time_code: where the code goes (email | phone)
    on_fail: str | None = None  # verify / answer / http: where to go when it fails
    url: str = ""  # http
    timeout_seconds: float = 5.0  # http
    attributes: Mapping[str, str] = field(default_factory=dict)  # set
    reason: str = ""  # handoff
    no: str | None = None  # confirm: where "no" goes (default: a person)


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    intent: str
    steps: tuple[Step, ...]

    @property
    def first(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


@dataclass(frozen=True, slots=True)
class ArticleText:
    id: str
    title: str
    body: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class BotDefinition:
    enabled: bool = True
    handoff_queue: str | None = None
    flows: tuple[Flow, ...] = ()
    articles: tuple[ArticleText, ...] = ()
    http_secret: str = ""  # signs HTTP steps' requests (HMAC-SHA256); empty: unsigned

    def flow_for(self, intent: str | None) -> Flow | None:
        for flow in self.flows:
            if flow.intent == intent:
                return flow
        return None

    def flow(self, flow_id: str) -> Flow | None:
        for flow in self.flows:
            if flow.id == flow_id:
                return flow
        return None


def _fail(where: str, problem: str) -> Invalid:
    return Invalid(f"{where}: {problem}", field="flows")


def _text(raw: Any, where: str, name: str, *, required: bool) -> Text:
    if raw is None or raw == "" or raw == {}:
        if required:
            raise _fail(where, f"'{name}' is missing (a text, or texts by language such as {{'en': '...'}})")
        return {}
    if isinstance(raw, str):
        return {"en": raw}
    if isinstance(raw, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        return dict(raw)
    raise _fail(where, f"'{name}' must be a text or texts by language, not {type(raw).__name__}")


def _string(raw: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(where, f"'{key}' must be a text, not {type(value).__name__}")
    if required and not value.strip():
        raise _fail(where, f"'{key}' is missing")
    return value.strip()


def _target(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"'{key}' must name a step id")
    return value.strip()


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, Mapping):
        raise _fail(where, "a step must be an object with at least 'id' and 'type'")
    step_id = _string(raw, "id", where, required=True)
    where = f"{where.rsplit(' step', 1)[0]} step '{step_id}'"
    kind = _string(raw, "type", where, required=True)
    if kind not in STEP_TYPES:
        raise _fail(where, f"unknown step type '{kind}' (use one of: {', '.join(STEP_TYPES)})")
    prompt = raw.get("text", raw.get("prompt"))
    values: dict[str, Any] = {
        "id": step_id,
        "type": kind,
        "next": _target(raw, "next", where),
        "on_fail": _target(raw, "on_fail", where),
        "text": _text(prompt, where, "text", required=kind in ("say", "ask", "verify", "confirm")),
    }
    if kind == "ask":
        validate = _string(raw, "validate", where)
        if not validate:
            raise _fail(where, f"an ask needs 'validate', one of: {', '.join(VALIDATIONS)}")
        if validate not in VALIDATIONS:
            raise _fail(where, f"unknown validation '{validate}' (use one of: {', '.join(VALIDATIONS)})")
        choices = raw.get("choices") or []
        if validate == "choice" and (
            not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) for c in choices)
        ):
            raise _fail(where, "validate 'choice' needs 'choices': a list of at least two texts")
        values |= {
            "validate": validate,
            "choices": tuple(str(c) for c in choices),
            "save_as": _string(raw, "save_as", where, required=True),
        }
    elif kind == "verify":
        method = _string(raw, "method", where, required=True)
        if method not in VERIFY_METHODS:
            raise _fail(where, f"unknown verify method '{method}' (use one of: {', '.join(VERIFY_METHODS)})")
        if method == "known_data":
            known = _string(raw, "field", where, required=True)
            if known not in KNOWN_FIELDS:
                raise _fail(where, f"cannot verify '{known}' (known data: {', '.join(KNOWN_FIELDS)})")
            values["fact"] = known
        else:
            channel = _string(raw, "channel", where, required=True)
            if channel not in ("email", "phone"):
                raise _fail(where, "a one-time code goes over 'channel': email or phone")
            values["channel"] = channel
        values["method"] = method
    elif kind == "http":
        url = _string(raw, "url", where, required=True)
        if not url.startswith(("https://", "http://")):
            raise _fail(where, "'url' must start with https:// or http://")
        method = (_string(raw, "method", where) or "POST").upper()
        if method not in HTTP_METHODS:
            raise _fail(where, f"unknown HTTP method '{method}' (use GET or POST)")
        timeout = raw.get("timeout_seconds", 5.0)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 30:
            raise _fail(where, "'timeout_seconds' must be a number above 0 and at most 30")
        if values["on_fail"] is None:
            raise _fail(where, "an http step needs 'on_fail': the step to go to when the call fails")
        values |= {
            "url": url,
            "method": method,
            "timeout_seconds": float(timeout),
            "save_as": _string(raw, "save_as", where),
        }
    elif kind == "set":
        attributes = raw.get("attributes")
        if not isinstance(attributes, Mapping) or not attributes:
            raise _fail(where, "a set step needs 'attributes': an object of names and texts")
        if not all(isinstance(k, str) and isinstance(v, str | int | float) for k, v in attributes.items()):
            raise _fail(where, "'attributes' values must be texts or numbers")
        values["attributes"] = {k: str(v) for k, v in attributes.items()}
    elif kind == "handoff":
        values["reason"] = _string(raw, "reason", where)
        if values["next"] is not None:
            raise _fail(where, "a handoff ends the bot's part: it cannot have 'next'")
    elif kind == "confirm":
        values["no"] = _target(raw, "no", where)
    return Step(**values)


def _flow(raw: Any, index: int) -> Flow:
    where = f"flow #{index + 1}"
    if not isinstance(raw, Mapping):
        raise _fail(where, "a flow must be an object with 'id', 'intent' and 'steps'")
    flow_id = _string(raw, "id", where, required=True)
    where = f"flow '{flow_id}'"
    intent = _string(raw, "intent", where, required=True)
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise _fail(where, "'steps' must be a non-empty list")
    if len(steps_raw) > MAX_STEPS:
        raise _fail(where, f"at most {MAX_STEPS} steps")
    steps: list[Step] = []
    seen: set[str] = set()
    for number, item in enumerate(steps_raw, start=1):
        step = _step(item, f"{where} step #{number}")
        if step.id in seen:
            raise _fail(f"{where} step '{step.id}'", "duplicate step id")
        seen.add(step.id)
        steps.append(step)
    for step in steps:
        for key, target in (("next", step.next), ("on_fail", step.on_fail), ("no", step.no)):
            if target is not None and target not in seen:
                raise _fail(
                    f"{where} step '{step.id}'", f"'{key}' points to '{target}', which is no step here"
                )
    return Flow(flow_id, intent, tuple(steps))


def _article(raw: Any, index: int) -> ArticleText:
    where = f"article #{index + 1}"
    if not isinstance(raw, Mapping):
        raise _fail(where, "an article must be an object with 'id', 'title' and 'body'")
    return ArticleText(
        _string(raw, "id", where, required=True),
        _string(raw, "title", where, required=True),
        _string(raw, "body", where, required=True),
        _string(raw, "language", where),
    )


def parse_definition(raw: Any) -> BotDefinition:
    """Validate a definition; raises Invalid naming the flow, the step and the problem."""
    if not isinstance(raw, Mapping):
        raise Invalid("The bot definition must be an object with 'flows'.", field="flows")
    unknown = set(raw) - {"enabled", "handoff_queue", "flows", "articles", "version", "http_secret"}
    if unknown:
        raise Invalid(f"Unknown keys in the bot definition: {', '.join(sorted(unknown))}.", field="flows")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise Invalid("'enabled' must be true or false.", field="enabled")
    queue = raw.get("handoff_queue")
    if queue is not None and not isinstance(queue, str):
        raise Invalid("'handoff_queue' must be a queue id.", field="handoff_queue")
    flows_raw = raw.get("flows", [])
    if not isinstance(flows_raw, list):
        raise Invalid("'flows' must be a list.", field="flows")
    if len(flows_raw) > MAX_FLOWS:
        raise Invalid(f"At most {MAX_FLOWS} flows.", field="flows")
    flows = [_flow(item, i) for i, item in enumerate(flows_raw)]
    ids: set[str] = set()
    intents: dict[str, str] = {}
    for flow in flows:
        if flow.id in ids:
            raise _fail(f"flow '{flow.id}'", "duplicate flow id")
        ids.add(flow.id)
        if flow.intent in intents:
            raise _fail(
                f"flow '{flow.id}'", f"intent '{flow.intent}' already starts flow '{intents[flow.intent]}'"
            )
        intents[flow.intent] = flow.id
    secret = raw.get("http_secret", "")
    if not isinstance(secret, str):
        raise Invalid("'http_secret' must be a text.", field="http_secret")
    articles_raw = raw.get("articles", [])
    if not isinstance(articles_raw, list):
        raise Invalid("'articles' must be a list.", field="articles")
    return BotDefinition(
        enabled=enabled,
        handoff_queue=queue or None,
        flows=tuple(flows),
        articles=tuple(_article(a, i) for i, a in enumerate(articles_raw)),
        http_secret=secret,
    )
