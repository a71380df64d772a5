"""The question-type interface: what every type answers to, over the stored question row.

A type is everything the app knows about one kind of question, in one place:

- authoring: `validate` (every problem of a question written in a quiz file, with its line) and
  `build` (the checked question as a QuestionSource);
- storing: `stored_answer` (the key as the question row keeps it: a list of strings);
- taking: `parse` (the values a form sent, kept as the response, or None when they are not an
  answer this question offers) and `grade` (right or not, from the stored row only);
- drawing: `template` (the phone page's part inside the question's fieldset) and
  `projector_template` (the name the live class will use on a projector).

Grading and parsing read a stored row (lms.quizzes.models.Question, or `StoredQuestion` here):
`type`, `choices` ([{"key", "text", "image", "alt"}]), `answer` (list of strings) and `screen`.
A new type is one subclass registered with `register` (lms.content.question_types) and one
template; nothing else changes.
Pure: no database, no web framework (lms.content is loaded by tools that have neither).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from lms.content.model import ChoiceSource, LangText, QuestionSource, lang_text, text_problem

LineMessage = tuple[int, str]

MIN_CHOICES, MAX_CHOICES = 3, 6
COMMON_FIELDS = frozenset({"id", "type", "prompt", "choices", "answer", "explanation"})


def line_of(node: object, key: str | None = None) -> int:
    """Line of `key` in a mapping read by the content parser, else of the node itself."""
    key_lines = getattr(node, "key_lines", {})
    if key is not None and key in key_lines:
        return int(key_lines[key])
    return int(getattr(node, "line", 0))


def item_line(items: object, index: int) -> int:
    """Line of the index-th item of a list read by the content parser."""
    lines = getattr(items, "item_lines", ())
    return int(lines[index]) if index < len(lines) else line_of(items)


def as_id(value: object) -> str | None:
    """An id written by an author: a non-empty string or a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class StoredQuestion(Protocol):
    """What grading reads from a question row (lms.quizzes.models.Question has these columns)."""

    type: str
    choices: list[dict[str, Any]]
    answer: list[str]
    screen: dict[str, Any] | None


@dataclass
class StoredRow:
    """A question shaped like its database row, for tools and tests without a database."""

    type: str
    choices: list[dict[str, Any]] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    screen: dict[str, Any] | None = None


def sent_values(response: object) -> list[str] | None:
    """The strings a learner sent, or None when the response is not a list of strings."""
    if isinstance(response, str):
        response = [response]
    if not isinstance(response, Sequence) or not all(isinstance(r, str) for r in response):
        return None
    return list(response)


def choice_keys(question: StoredQuestion) -> list[str]:
    """The ids of a stored question's choices, in the order written in the quiz file."""
    return [str(c.get("key")) for c in question.choices or () if isinstance(c, Mapping)]


class QuestionType:
    """Base for a question type: one choice is right. Subclasses change what differs."""

    name: ClassVar[str] = ""
    label: ClassVar[LangText] = {}
    has_choices: ClassVar[bool] = True
    #: The form control for each choice: "radio" (one answer) or "checkbox" (several).
    input_type: ClassVar[str] = "radio"
    #: Fewest choices a question of this type may offer (content/README.md: at least three).
    min_choices: ClassVar[int] = MIN_CHOICES
    extra_fields: ClassVar[frozenset[str]] = frozenset()
    #: The part of the phone page inside the question's fieldset (legend and answer controls).
    template: ClassVar[str] = "quizzes/types/choice.html"
    #: The projector's version of the same part (for the live class; drawn from the stored row).
    projector_template: ClassVar[str] = "quizzes/projector/choice.html"

    # ---- authoring ------------------------------------------------------------------------

    def validate(self, question: Mapping[str, Any]) -> list[LineMessage]:
        """Every problem in one question mapping, as (line, Vietnamese message)."""
        problems = self._unknown_fields(question)
        if as_id(question.get("id")) is None:
            problems.append((line_of(question, "id"), 'thiếu "id" (mã câu hỏi, ví dụ otp-ngan-hang)'))
        for key, meaning in (("prompt", "câu hỏi"), ("explanation", "lời giải thích")):
            if key not in question:
                problems.append((line_of(question), f'thiếu "{key}" ({meaning})'))
            elif reason := text_problem(question[key]):
                problems.append((line_of(question, key), f'"{key}" ({meaning}) {reason}'))
        problems += self._validate_choices(question)
        problems += self._validate_answer(question)
        return problems

    def build(self, question: Mapping[str, Any]) -> QuestionSource:
        """Turn a mapping that passed `validate` into a QuestionSource."""
        return QuestionSource(
            key=as_id(question["id"]) or "",
            type=self.name,
            prompt=lang_text(question["prompt"]) or {},
            choices=tuple(self._build_choice(c) for c in question.get("choices") or ()),
            answer=self._build_answer(question["answer"]),
            explanation=lang_text(question["explanation"]) or {},
            screen=self._build_screen(question),
            line=line_of(question),
        )

    # ---- storing --------------------------------------------------------------------------

    def stored_answer(self, answer: object) -> list[str]:
        """The key of a built question as the question row keeps it: a list of strings."""
        if isinstance(answer, (list, tuple)):
            return [str(item) for item in answer]
        return [str(answer)]

    def stored_choices(self, source: QuestionSource) -> list[dict[str, Any]]:
        """The choices of a built question as the question row keeps them."""
        return [{"key": c.key, "text": dict(c.text), "image": c.image, "alt": dict(c.alt)} for c in source.choices]

    def stored(self, source: QuestionSource) -> StoredRow:
        """A built question in the shape of its row (what `parse` and `grade` read)."""
        return StoredRow(self.name, self.stored_choices(source), self.stored_answer(source.answer),
                         dict(source.screen) if source.screen else None)

    # ---- taking ---------------------------------------------------------------------------

    def parse(self, question: StoredQuestion, values: object) -> list[str] | None:
        """The response to keep from what a form sent, or None when it is not an answer offered here."""
        chosen = sent_values(values)
        if not chosen or len(chosen) != 1 or chosen[0] not in choice_keys(question):
            return None
        return chosen

    def grade(self, question: StoredQuestion, response: object) -> bool:
        """True when the response is exactly the right answer (never trusts the page)."""
        chosen = self.parse(question, response)
        return chosen is not None and set(chosen) == set(question.answer or ()) and len(question.answer) == 1

    def shown_choices(self, question: StoredQuestion, order: Sequence[str] | None) -> list[dict[str, Any]]:
        """The choices to draw, in `order` (a shuffled list of ids) when given."""
        by_key = {str(c["key"]): c for c in question.choices or () if isinstance(c, Mapping)}
        keys = [k for k in (order or ()) if k in by_key] or list(by_key)
        return [by_key[k] for k in keys]

    def _unknown_fields(self, question: Mapping[str, Any]) -> list[LineMessage]:
        allowed = COMMON_FIELDS | self.extra_fields
        return [
            (line_of(question, key), f'không hiểu dòng "{key}" — kiểm tra lại chính tả')
            for key in question if key not in allowed
        ]

    def _validate_choices(self, question: Mapping[str, Any]) -> list[LineMessage]:
        choices = question.get("choices")
        if choices is None:
            return [(line_of(question), 'thiếu "choices" (các lựa chọn)')]
        if not isinstance(choices, list):
            return [(line_of(question, "choices"), '"choices" phải là danh sách các lựa chọn, mỗi lựa chọn bắt đầu bằng "- id:"')]
        problems: list[LineMessage] = []
        if not self.min_choices <= len(choices) <= MAX_CHOICES:
            problems.append((line_of(question, "choices"),
                             f"câu hỏi có {len(choices)} lựa chọn; cần từ {self.min_choices} đến {MAX_CHOICES}"))
        seen: set[str] = set()
        for index, choice in enumerate(choices):
            problems += self._validate_choice(choice, item_line(choices, index), seen)
        return problems

    def _validate_choice(self, choice: object, line: int, seen: set[str]) -> list[LineMessage]:
        if not isinstance(choice, Mapping):
            return [(line, 'mỗi lựa chọn cần có "id" và "text"')]
        problems: list[LineMessage] = []
        key = as_id(choice.get("id"))
        if key is None:
            problems.append((line, 'lựa chọn thiếu "id" (mã lựa chọn, ví dụ a, b, c)'))
        elif key in seen:
            problems.append((line_of(choice, "id"), f'mã lựa chọn "{key}" bị trùng'))
        else:
            seen.add(key)
        for name in choice:
            if name not in ("id", "text", "image", "alt"):
                problems.append((line_of(choice, name), f'không hiểu dòng "{name}" — kiểm tra lại chính tả'))
        return problems + self._validate_choice_content(choice)

    def _validate_choice_content(self, choice: Mapping[str, Any]) -> list[LineMessage]:
        if "text" not in choice:
            return [(line_of(choice), 'lựa chọn thiếu "text" (nội dung lựa chọn)')]
        reason = text_problem(choice["text"])
        return [(line_of(choice, "text"), f'"text" {reason}')] if reason else []

    def _choice_ids(self, question: Mapping[str, Any]) -> set[str]:
        choices = question.get("choices")
        if not isinstance(choices, list):
            return set()
        ids = (as_id(c.get("id")) for c in choices if isinstance(c, Mapping))
        return {key for key in ids if key is not None}

    def _validate_answer(self, question: Mapping[str, Any]) -> list[LineMessage]:
        if "answer" not in question:
            return [(line_of(question), 'thiếu "answer" (đáp án đúng)')]
        answer = as_id(question["answer"])
        line = line_of(question, "answer")
        if answer is None:
            return [(line, '"answer" phải là mã của một lựa chọn, ví dụ b')]
        if answer not in self._choice_ids(question):
            return [(line, f'đáp án "{answer}" không nằm trong các lựa chọn')]
        return []

    def _build_choice(self, choice: Mapping[str, Any]) -> ChoiceSource:
        image = choice.get("image")
        return ChoiceSource(
            key=as_id(choice["id"]) or "",
            text=lang_text(choice.get("text")) or {},
            image=image.strip() if isinstance(image, str) else None,
            alt=lang_text(choice.get("alt")) or {},
        )

    def _build_answer(self, answer: object) -> str | tuple[str, ...] | bool:
        return as_id(answer) or ""

    def _build_screen(self, question: Mapping[str, Any]) -> dict[str, Any] | None:
        return None
