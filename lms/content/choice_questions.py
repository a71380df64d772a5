"""The choice family of question types: one answer, every right answer, true or false, a picture."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from lms.content.model import lang_text, text_problem
from lms.content.question_base import (
    LineMessage, QuestionType, StoredQuestion, as_id, choice_keys, line_of, sent_values,
)


class SingleChoice(QuestionType):
    """Choose the one right answer."""

    name = "single"
    label = {"vi": "Chọn một đáp án", "en": "Choose one answer"}


class MultipleChoice(QuestionType):
    """Choose every right answer; only the exact set counts."""

    name = "multiple"
    label = {"vi": "Chọn tất cả đáp án đúng", "en": "Choose every correct answer"}
    input_type = "checkbox"
    # The question page already says "(Chọn tất cả câu trả lời đúng)" under a multiple question.
    _SAYS_CHOOSE_ALL = re.compile(r"chọn tất cả|choose all|select all", re.IGNORECASE)

    def validate(self, question: Mapping[str, Any]) -> list[LineMessage]:
        problems = super().validate(question)
        prompt = lang_text(question.get("prompt")) or {}
        if any(self._SAYS_CHOOSE_ALL.search(text) for text in prompt.values()):
            problems.append((line_of(question, "prompt"), 'không cần ghi "Chọn tất cả…" trong câu hỏi: '
                                                         'trang đã tự nhắc người học chọn tất cả đáp án đúng'))
        return problems

    def parse(self, question: StoredQuestion, values: object) -> list[str] | None:
        """One or more of the offered ids, each once."""
        chosen = sent_values(values)
        if not chosen or len(set(chosen)) != len(chosen) or not set(chosen) <= set(choice_keys(question)):
            return None
        return chosen

    def grade(self, question: StoredQuestion, response: object) -> bool:
        """True only for exactly the set of right ids (a repeated id changes nothing)."""
        chosen = sent_values(response)
        keys = set(choice_keys(question))
        answer = set(question.answer or ())
        return bool(chosen) and set(chosen) <= keys and answer <= keys and set(chosen) == answer  # type: ignore[arg-type]

    def _validate_answer(self, question: Mapping[str, Any]) -> list[LineMessage]:
        if "answer" not in question:
            return [(line_of(question), 'thiếu "answer" (các đáp án đúng)')]
        answer, line = question["answer"], line_of(question, "answer")
        if not isinstance(answer, list) or not answer:
            return [(line, 'câu chọn nhiều đáp án cần "answer" là danh sách mã, ví dụ [a, c]')]
        ids = self._choice_ids(question)
        problems: list[LineMessage] = []
        for item in answer:
            key = as_id(item)
            if key is None:
                problems.append((line, '"answer" chỉ gồm mã của các lựa chọn, ví dụ [a, c]'))
            elif key not in ids:
                problems.append((line, f'đáp án "{key}" không nằm trong các lựa chọn'))
        return problems

    def _build_answer(self, answer: object) -> tuple[str, ...]:
        keys = (as_id(item) for item in answer)  # type: ignore[union-attr]
        return tuple(sorted({key for key in keys if key is not None}))


class TrueFalse(QuestionType):
    """Decide whether a statement is true; there are no choices."""

    name = "true_false"
    label = {"vi": "Đúng hay sai", "en": "True or false"}
    has_choices = False
    min_choices = 0
    template = "quizzes/types/true_false.html"
    projector_template = "quizzes/projector/true_false.html"

    def stored_answer(self, answer: object) -> list[str]:
        return ["true" if answer is True else "false"]

    def parse(self, question: StoredQuestion, values: object) -> list[str] | None:
        """Exactly one of "true" and "false"."""
        chosen = sent_values(values)
        return chosen if chosen and len(chosen) == 1 and chosen[0] in ("true", "false") else None

    def grade(self, question: StoredQuestion, response: object) -> bool:
        """True when the learner's "true"/"false" matches the answer."""
        if isinstance(response, bool):
            response = "true" if response else "false"
        chosen = self.parse(question, response)
        return chosen is not None and list(question.answer or ()) == chosen

    def shown_choices(self, question: StoredQuestion, order: Sequence[str] | None) -> list[dict[str, Any]]:
        return []

    def _validate_choices(self, question: Mapping[str, Any]) -> list[LineMessage]:
        if "choices" in question:
            return [(line_of(question, "choices"), 'câu đúng/sai không cần "choices"; hãy xoá phần này')]
        return []

    def _validate_answer(self, question: Mapping[str, Any]) -> list[LineMessage]:
        if "answer" not in question:
            return [(line_of(question), 'thiếu "answer" (true nếu đúng, false nếu sai)')]
        if not isinstance(question["answer"], bool):
            return [(line_of(question, "answer"), '"answer" của câu đúng/sai phải là true (đúng) hoặc false (sai)')]
        return []

    def _build_answer(self, answer: object) -> bool:
        return bool(answer)


class PictureChoice(QuestionType):
    """Choose the right picture; every choice has an image and its description."""

    name = "picture"
    label = {"vi": "Chọn hình đúng", "en": "Choose the right picture"}
    # Two drawn pictures side by side are a fair question; the three-choice rule is for text.
    min_choices = 2

    def _validate_choice_content(self, choice: Mapping[str, Any]) -> list[LineMessage]:
        problems: list[LineMessage] = []
        image = choice.get("image")
        if not isinstance(image, str) or not image.strip():
            problems.append((line_of(choice, "image"), 'lựa chọn hình thiếu "image" (đường dẫn ảnh, ví dụ images/ma-qr.svg)'))
        if "alt" not in choice:
            problems.append((line_of(choice), 'lựa chọn hình thiếu "alt" (lời mô tả ảnh cho người khiếm thị)'))
        elif reason := text_problem(choice["alt"]):
            problems.append((line_of(choice, "alt"), f'"alt" (lời mô tả ảnh) {reason}'))
        if "text" in choice and (reason := text_problem(choice["text"])):
            problems.append((line_of(choice, "text"), f'"text" {reason}'))
        return problems
