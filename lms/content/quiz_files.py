"""A quiz file: a lesson's check or the course's final quiz, each question validated by its type."""

from __future__ import annotations

from pathlib import Path

from lms.content.model import ImageRef, QuestionSource, QuizSource
from lms.content.question_base import as_id, item_line, line_of
from lms.content.question_types import QUESTION_TYPES
from lms.content.reader import Reader, read_int, report_unknown_keys
from lms.content.yaml_lines import LineDict

FINAL_QUIZ = "final.quiz.yaml"


def read_quiz(reader: Reader, path: Path, kind: str, course_dir: Path) -> QuizSource | None:
    """A quiz file; None unless every part of it is right, so a quiz is never half loaded."""
    before = len(reader.problems)
    data = reader.read_mapping(path)
    if data is None:
        return None
    report_unknown_keys(reader, path, data, {"questions", "pass_mark", "max_attempts"})
    pass_mark = max_attempts = None
    if kind == "final":
        pass_mark = read_int(reader, path, data, "pass_mark", "phần trăm số câu đúng để đạt", 1, 100)
        max_attempts = read_int(reader, path, data, "max_attempts", "số lần làm bài tối đa", 1)
    else:
        for key in ("pass_mark", "max_attempts"):
            if key in data:
                reader.report(path, line_of(data, key), f'chỉ bài kiểm tra cuối khoá ({FINAL_QUIZ}) mới có "{key}"; hãy xoá dòng này')
    questions = _read_questions(reader, path, data, course_dir)
    if len(reader.problems) > before:
        return None
    quiz = QuizSource(path, kind, pass_mark, max_attempts, questions)  # type: ignore[arg-type]
    reader.quizzes.setdefault(course_dir.name, []).append(quiz)
    return quiz


def _read_questions(reader: Reader, path: Path, data: LineDict, course_dir: Path) -> tuple[QuestionSource, ...]:
    """Validate each question through its type, refusing repeated ids."""
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        reader.report(path, line_of(data, "questions"), 'thiếu "questions" (danh sách câu hỏi, mỗi câu bắt đầu bằng "- id:")')
        return ()
    questions, ids = [], set()
    for index, item in enumerate(items):
        line = item_line(items, index)
        if not isinstance(item, dict):
            reader.report(path, line, 'mỗi câu hỏi cần các dòng "id", "type", "prompt"…')
            continue
        qtype = QUESTION_TYPES.get(item.get("type")) if isinstance(item.get("type"), str) else None
        if qtype is None:
            message = (f'loại câu hỏi "{item["type"]}" không có; chỉ dùng: {", ".join(QUESTION_TYPES)}'
                       if "type" in item else 'thiếu "type" (loại câu hỏi)')
            reader.report(path, line_of(item, "type"), message)
            continue
        found = qtype.validate(item)
        key = as_id(item.get("id"))
        if key is not None and key in ids:
            found.append((line_of(item, "id"), f'mã câu hỏi "{key}" bị trùng trong tệp này'))
        ids.add(key)
        for found_line, message in found:
            reader.report(path, found_line, message)
        for choice in item.get("choices") or ():
            if isinstance(choice, dict) and isinstance(choice.get("image"), str):
                reader.image_refs.append(ImageRef(reader.rel(path), line_of(choice, "image"), course_dir, choice["image"]))
        if not found:
            questions.append(qtype.build(item))
    return tuple(questions)
