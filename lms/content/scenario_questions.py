"""The scenario question type: decide what to do on a drawn phone screen (an SMS, a call, a
transfer, a QR payment), whose fields are checked as content/README.md's "scenario" table says."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from lms.content.model import lang_text, text_problem
from lms.content.question_base import LineMessage, QuestionType, as_id, line_of

# What each drawn phone screen needs (content/README.md, "scenario" table): field -> (kind, required).
SCREEN_FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "sms": {"sender": ("text", True), "body": ("text", True), "link": ("plain", False)},
    "call": {"caller": ("text", True), "number": ("plain", True), "video": ("flag", False)},
    "transfer": {
        "bank": ("text", True), "recipient_name": ("text", True), "account": ("plain", True),
        "amount": ("money", True), "message": ("text", True),
    },
    "qr_payment": {
        "merchant": ("text", True), "recipient_name": ("text", True),
        "amount": ("money", True), "message": ("text", False),
    },
}
_MONEY = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})*$|^\d+$")


class Scenario(QuestionType):
    """Decide what to do on a drawn phone screen."""

    name = "scenario"
    label = {"vi": "Thực hành trên màn hình điện thoại", "en": "Practise on a phone screen"}
    extra_fields = frozenset({"screen"})

    def validate(self, question: Mapping[str, Any]) -> list[LineMessage]:
        """Common checks plus the screen description."""
        return super().validate(question) + self._validate_screen(question)

    def _validate_screen(self, question: Mapping[str, Any]) -> list[LineMessage]:
        screen = question.get("screen")
        if not isinstance(screen, Mapping):
            return [(line_of(question, "screen"), 'câu thực hành cần "screen" (mô tả màn hình điện thoại giả)')]
        kind = screen.get("kind")
        if kind not in SCREEN_FIELDS:
            names = ", ".join(SCREEN_FIELDS)
            return [(line_of(screen, "kind"), f'loại màn hình "kind: {kind}" không có; chỉ dùng: {names}')]
        fields = SCREEN_FIELDS[kind]
        problems: list[LineMessage] = []
        for key in screen:
            if key != "kind" and key not in fields:
                problems.append((line_of(screen, key), f'màn hình "{kind}" không có dòng "{key}"'))
        for key, (value_kind, required) in fields.items():
            if key not in screen:
                if required:
                    problems.append((line_of(screen), f'màn hình "{kind}" thiếu dòng "{key}"'))
                continue
            message = _screen_value_problem(key, value_kind, screen[key])
            if message:
                problems.append((line_of(screen, key), message))
        return problems

    def _build_screen(self, question: Mapping[str, Any]) -> dict[str, Any]:
        screen = question["screen"]
        built: dict[str, Any] = {"kind": screen["kind"]}
        for key, (value_kind, _) in SCREEN_FIELDS[screen["kind"]].items():
            built[key] = _screen_value(value_kind, screen.get(key))
        return built


def _screen_value_problem(key: str, value_kind: str, value: object) -> str | None:
    """Why a screen value is unusable, or None."""
    if value_kind == "text" and (reason := text_problem(value)):
        return f'"{key}" {reason}'
    if value_kind == "plain" and as_id(value) is None:
        return f'"{key}" đang để trống'
    if value_kind == "flag" and not isinstance(value, bool):
        return f'"{key}" phải là true hoặc false'
    if value_kind == "money" and _money(value) is None:
        return f'"{key}" phải là số tiền bằng đồng, ví dụ 500000'
    if key == "link" and not _is_fake_link(str(value)):
        return f'đường link "{value}" phải là link giả, có tên miền kết thúc bằng ".example"'
    return None


def _screen_value(value_kind: str, value: object) -> object:
    """A screen value in the shape templates use: text dicts, strings, ints, bools."""
    if value is None:
        return False if value_kind == "flag" else None
    converters = {"text": lang_text, "plain": as_id, "money": _money, "flag": bool}
    return converters[value_kind](value)


def _money(value: object) -> int | None:
    """An amount in đồng written as a number or with thousands separators."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _MONEY.match(value.strip()):
        return int(re.sub(r"\D", "", value))
    return None


def _is_fake_link(link: str) -> bool:
    """Fake screens must never show a real site (content/README.md §4)."""
    candidate = link if "//" in link else f"//{link}"
    try:
        host = (urlsplit(candidate).hostname or "").rstrip(".")
    except ValueError:
        return False
    return host == "example" or host.endswith(".example")
